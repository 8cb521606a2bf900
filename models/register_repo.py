"""Register queries and the gapless number allocation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.db import insert_ignoring_conflict, utcnow
from models.numbering import register_year
from models.registers import Register, RegisterCounter, RegisterEntry
from models.vocab import RegisterKind

INCOMING_REGISTER_NAME = "Sổ đăng ký văn bản đến"


def incoming_register(session: Session, agency_id: int) -> Register:
    """Return the agency's incoming register, creating it the first time it is needed.

    ND30 Điều 22.2: one series of số đến for paper and electronic documents alike.
    """
    insert_ignoring_conflict(
        session,
        Register.__table__,
        {"agency_id": agency_id, "kind": RegisterKind.INCOMING, "name": INCOMING_REGISTER_NAME,
         "doc_types": [], "active": True, "created_at": utcnow()},
        ["agency_id", "kind", "name"],
    )
    return session.exec(
        select(Register).where(
            Register.agency_id == agency_id,
            Register.kind == RegisterKind.INCOMING,
            Register.name == INCOMING_REGISTER_NAME,
        )
    ).one()


def allocate_number(
    session: Session, register_id: int, workflow_id: str, document_id: str, at: datetime
) -> tuple[RegisterEntry, bool]:
    """Take the next number of a register for one workflow, or return the one it already has.

    Precondition: the caller owns the transaction (on SQLite it began IMMEDIATE, so it holds
    the write lock; on PostgreSQL the counter UPDATE takes the row lock).

    1. An entry for (register, workflow) already exists: return it (retry, replay, crash).
    2. Make sure the year's counter row exists, then bump it with ``UPDATE … RETURNING``.
    3. Insert the entry with that number; the unique keys catch any bug as an error, never
       as a duplicate number.

    Returns the entry and whether it was allocated now.
    """
    existing = session.exec(
        select(RegisterEntry).where(
            RegisterEntry.register_id == register_id, RegisterEntry.workflow_id == workflow_id
        )
    ).first()
    if existing is not None:
        return existing, False

    year = register_year(at)
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
