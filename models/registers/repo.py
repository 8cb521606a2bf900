"""Register queries and the gapless number allocation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from models.db import insert_ignoring_conflict, utcnow
from models.documents.types import DocumentType
from models.registers.numbering import register_year
from models.registers.tables import Register, RegisterCounter, RegisterEntry
from models.vocab import EntryStatus, RegisterKind

INCOMING_REGISTER_NAME = "Sổ đăng ký văn bản đến"
OUTGOING_REGISTER_NAME = "Sổ đăng ký văn bản đi"
LEGAL_NORMATIVE_REGISTER_NAME = "Sổ văn bản quy phạm pháp luật – {type_name}"
COPY_REGISTER_NAME = "Sổ đăng ký bản sao văn bản"
COPY_FORM_KEYS = ["SY", "TrS", "SL"]


def incoming_register(session: Session, agency_id: int) -> Register:
    """Return the agency's incoming register, creating it the first time it is needed.

    ND30 Điều 22.2: one series of số đến for paper and electronic documents alike.
    """
    return _default_register(session, agency_id, RegisterKind.INCOMING, INCOMING_REGISTER_NAME, [])


def outgoing_register_for(session: Session, agency_id: int, doc_type: DocumentType) -> Register:
    """Return the series that numbers ``doc_type`` for the agency (ND30 Điều 15; DOMAIN §4.5).

    1. An active register of the agency whose ``doc_types`` lists the type's ``series_key``
       (the head of the agency may give administrative types series of their own, Điều 15.1.c);
       the oldest one if an administrator configured two.
    2. Else a legal normative type gets its own default series, "Sổ văn bản quy phạm pháp luật –
       Quyết định" (Điều 15.2), and a copy form the one copy series for SY, TrS and SL (kind COPY).
    3. Else the agency's general "Sổ đăng ký văn bản đi", shared by every other type.

    Default series are created the first time they are needed; concurrent first calls create one.
    """
    kind = RegisterKind.COPY if doc_type.copy_form else RegisterKind.OUTGOING
    claimed = _register_claiming(session, agency_id, kind, doc_type.series_key)
    if claimed is not None:
        return claimed
    if doc_type.legal_normative:
        name = LEGAL_NORMATIVE_REGISTER_NAME.format(type_name=doc_type.base_name)
        return _default_register(session, agency_id, kind, name, [doc_type.series_key])
    if doc_type.copy_form:
        return _default_register(session, agency_id, kind, COPY_REGISTER_NAME, COPY_FORM_KEYS)
    return _default_register(session, agency_id, kind, OUTGOING_REGISTER_NAME, [])


def _register_claiming(session: Session, agency_id: int, kind: RegisterKind, key: str) -> Register | None:
    # An agency has a handful of registers: filtering the JSON list here is simpler than a
    # JSON query that differs between SQLite and PostgreSQL.
    if not key:
        return None  # Công văn and Thư công have no abbreviation: only the general series
    for register in registers_of(session, agency_id, kind):
        if register.active and key in register.doc_types:
            return register
    return None


def _default_register(session: Session, agency_id: int, kind: RegisterKind, name: str,
                      doc_types: list[str]) -> Register:
    insert_ignoring_conflict(
        session,
        Register.__table__,
        {"agency_id": agency_id, "kind": kind, "name": name,
         "doc_types": doc_types, "active": True, "created_at": utcnow()},
        ["agency_id", "kind", "name"],
    )
    return session.exec(
        select(Register).where(
            Register.agency_id == agency_id,
            Register.kind == kind,
            Register.name == name,
        )
    ).one()


def allocate_number(
    session: Session, register_id: int, workflow_id: str, document_id: str, at: datetime
) -> tuple[RegisterEntry, bool]:
    """Take the next number of a register for one workflow, or return the one it already has.

    Precondition: the caller owns the transaction (on SQLite it began IMMEDIATE, so it holds
    the write lock; on PostgreSQL the counter UPDATE takes the row lock, held until the caller
    commits: allocate last in a transaction, after its other writes).

    1. An entry for (register, workflow) already exists: return it (retry, replay, crash).
    2. Make sure the year's counter row exists, then bump it with ``UPDATE … RETURNING``.
    3. Insert the entry with that number; the unique keys catch any bug as an error, never
       as a duplicate number.

    On PostgreSQL the usual case (the counter exists, the workflow has no number) is one
    statement, ``_allocate_in_one_statement``: every issuer queues on the counter's row lock, and
    the lock is then held for that statement and the commit only, as long as the bare counter
    update holds it. Returns the entry and whether it was allocated now.
    """
    year = register_year(at)
    if session.get_bind().dialect.name == "postgresql":
        entry = _allocate_in_one_statement(session, register_id, year, workflow_id, document_id, at)
        if entry is not None:
            return entry, True
    existing = session.exec(
        select(RegisterEntry).where(
            RegisterEntry.register_id == register_id, RegisterEntry.workflow_id == workflow_id
        )
    ).first()
    if existing is not None:
        return existing, False

    insert_ignoring_conflict(
        session,
        RegisterCounter.__table__,
        {"register_id": register_id, "year": year, "last_number": 0},
        ["register_id", "year"],
    )
    number = session.execute(
        update(RegisterCounter)
        .where(col(RegisterCounter.register_id) == register_id, col(RegisterCounter.year) == year)
        .values(last_number=RegisterCounter.last_number + 1)
        .returning(RegisterCounter.last_number)
    ).scalar_one()
    entry = RegisterEntry(
        register_id=register_id,
        year=year,
        number=number,
        workflow_id=workflow_id,
        document_id=document_id,
        allocated_at=at,
    )
    session.add(entry)
    session.flush()
    return entry, True


def _one_statement_allocation():
    """``WITH bumped AS (UPDATE counter … WHERE NOT EXISTS (the workflow's entry) RETURNING
    last_number) INSERT INTO entry SELECT … FROM bumped RETURNING id, number``, built once on the
    tables (not the ORM classes): building and compiling it per call cost more than running it.
    Its parameters are ``p_`` + an entry column: a parameter named like a column would also be
    taken as a value to set."""
    counter, entries = RegisterCounter.__table__, RegisterEntry.__table__
    taken = select(entries.c.id).where(entries.c.register_id == bindparam("p_register_id"),
                                       entries.c.workflow_id == bindparam("p_workflow_id"))
    bumped = (update(counter)
              .where(counter.c.register_id == bindparam("p_register_id"), counter.c.year == bindparam("p_year"),
                     ~taken.exists())
              .values(last_number=counter.c.last_number + 1)
              .returning(counter.c.last_number.label("number"))
              .cte("bumped"))
    names = ["register_id", "year", "workflow_id", "document_id", "allocated_at", "status", "void_reason"]
    return (insert(entries)
            .from_select([*names, "number"], select(*[bindparam(f"p_{name}", type_=entries.c[name].type)
                                                      for name in names], bumped.c.number))
            .returning(entries.c.id, entries.c.number))


ONE_STATEMENT_ALLOCATION = _one_statement_allocation()


def _allocate_in_one_statement(session: Session, register_id: int, year: int, workflow_id: str,
                               document_id: str, at: datetime) -> RegisterEntry | None:
    """PostgreSQL: bump the counter and insert the entry in one round trip; None when nothing was
    taken (the workflow already has a number in this register, or the year's counter row does
    not exist yet), and the caller's general path sorts it out.

    The statement sees the entries committed when it began; a concurrent allocation for the same
    workflow that commits first makes this insert break the (register, workflow) unique key, which
    rolls the whole transaction back, the counter bump with it: an error, never a gap or a second
    number.
    """
    values = {"register_id": register_id, "year": year, "workflow_id": workflow_id, "document_id": document_id,
              "allocated_at": at, "status": EntryStatus.ALLOCATED, "void_reason": ""}
    row = session.execute(ONE_STATEMENT_ALLOCATION, {f"p_{name}": value for name, value in values.items()}).first()
    if row is None:
        return None
    entry = RegisterEntry(id=row.id, number=row.number, **values)
    make_transient_to_detached(entry)  # the row exists: the session holds it without inserting it again
    session.add(entry)
    return entry


def entry_of_workflow(session: Session, workflow_id: str, document_id: str) -> RegisterEntry | None:
    """The number a workflow already took for a document, in whichever register (None: not yet)."""
    return session.exec(select(RegisterEntry).where(RegisterEntry.workflow_id == workflow_id,
                                                    RegisterEntry.document_id == document_id)
                        .order_by(RegisterEntry.id)).first()


def registers_of(session: Session, agency_id: int, kind: RegisterKind | None = None) -> list[Register]:
    """List an agency's registers, optionally of one kind."""
    query = select(Register).where(Register.agency_id == agency_id)
    if kind is not None:
        query = query.where(Register.kind == kind)
    return list(session.exec(query.order_by(Register.id)))


def entries_of(session: Session, register_id: int, year: int | None = None) -> list[RegisterEntry]:
    """List a register's entries in number order."""
    query = select(RegisterEntry).where(RegisterEntry.register_id == register_id)
    if year is not None:
        query = query.where(RegisterEntry.year == year)
    return list(session.exec(query.order_by(RegisterEntry.year, RegisterEntry.number)))


DEFAULT_REGISTER_NAMES = {INCOMING_REGISTER_NAME, OUTGOING_REGISTER_NAME, COPY_REGISTER_NAME}


def register_named(session: Session, agency_id: int, kind: RegisterKind, name: str) -> Register | None:
    """The agency's register of ``kind`` called ``name``, if any (names are unique per kind)."""
    return session.exec(select(Register).where(
        Register.agency_id == agency_id, Register.kind == kind, Register.name == name)).first()


def is_default_register(register: Register) -> bool:
    """Whether numbering falls back to this register by its name (``_default_register``): closing it
    would not stop it being used."""
    return (register.name in DEFAULT_REGISTER_NAMES
            or register.name.startswith(LEGAL_NORMATIVE_REGISTER_NAME.split("{", 1)[0]))


def numbers_in_year(session: Session, register_id: int, year: int) -> int:
    """How many numbers the register handed out in ``year``."""
    counter = session.get(RegisterCounter, (register_id, year))
    return counter.last_number if counter else 0


def registers_listing(session: Session, key: str) -> list[Register]:
    """Every register, of any agency, whose ``doc_types`` lists series key ``key``."""
    return [r for r in session.exec(select(Register).order_by(Register.id)) if key in r.doc_types]
