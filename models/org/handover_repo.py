"""Open work of an agency or unit, and its handover to a successor in a reorganisation (DOMAIN §10.3.4).

``agency_open_work``/``unit_open_work`` say what closing would orphan; ``hand_over_work`` and the moves
beside it give a predecessor's tasks, documents in progress, hồ sơ and people to the successor, each
row's event naming both agencies and the change set. Nothing commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.audit import record
from models.delegation import repo as delegation_repo
from models.delegation import rules as delegation_rules
from models.delegation.tables import Delegation
from models.documents.search_repo import index_document
from models.documents.tables import Document
from models.errors import Conflict
from models.org.tables import Agency, OrgUnit, User
from models.records.tables import RecordFile
from models.registers.numbering import notation_for_successor
from models.registers.tables import Register, RegisterEntry
from models.tasks.repo import subject_of
from models.tasks.tables import Task
from models.vocab import Direction, DocumentStatus, TaskStatus

_OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.COMPLETING)
_PENDING_DOCUMENT_STATUSES = (DocumentStatus.NEW, DocumentStatus.REGISTERED, DocumentStatus.DIRECTED,
                              DocumentStatus.IN_PROGRESS, DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW,
                              DocumentStatus.SIGNED)


@dataclass
class OpenWork:
    """What still runs in an agency or unit: closing it would orphan this work."""

    tasks: int = 0
    pending_registered: dict[str, int] | None = None  # register name → pending documents this year
    users: list[str] | None = None  # active accounts
    child_units: list[str] | None = None
    child_agencies: list[str] | None = None

    @property
    def empty(self) -> bool:
        return not (self.tasks or self.pending_registered or self.users or self.child_units or self.child_agencies)


def agency_open_work(session: Session, agency_id: int, year: int) -> OpenWork:
    """Open tasks, registers with pending documents this year, active accounts, open units and agencies below."""
    tasks = session.exec(select(func.count()).select_from(Task).where(
        Task.agency_id == agency_id, col(Task.status).in_(_OPEN_TASK_STATUSES))).one()
    pending: dict[str, int] = {}
    rows = session.exec(
        select(Register.name, func.count()).select_from(RegisterEntry)
        .join(Register, col(Register.id) == RegisterEntry.register_id)
        .join(Document, col(Document.id) == RegisterEntry.document_id)
        .where(Register.agency_id == agency_id, Register.active == True,  # noqa: E712
               RegisterEntry.year == year, col(Document.status).in_(_PENDING_DOCUMENT_STATUSES))
        .group_by(Register.name))
    for name, count in rows:
        pending[name] = count
    users = list(session.exec(select(User.username).where(User.agency_id == agency_id, User.disabled == False)  # noqa: E712
                              .order_by(User.username)))
    units = list(session.exec(select(OrgUnit.name).where(OrgUnit.agency_id == agency_id,
                                                          col(OrgUnit.valid_to).is_(None)).order_by(OrgUnit.name)))
    agencies = list(session.exec(select(Agency.name).where(Agency.parent_id == agency_id,
                                                            col(Agency.valid_to).is_(None)).order_by(Agency.name)))
    return OpenWork(tasks, pending, users, units, agencies)


def unit_open_work(session: Session, unit_id: int) -> OpenWork:
    """Open tasks of a unit, its active accounts and its open sub-units."""
    tasks = session.exec(select(func.count()).select_from(Task).where(
        Task.unit_id == unit_id, col(Task.status).in_(_OPEN_TASK_STATUSES))).one()
    users = list(session.exec(select(User.username).where(User.unit_id == unit_id, User.disabled == False)  # noqa: E712
                              .order_by(User.username)))
    units = list(session.exec(select(OrgUnit.name).where(OrgUnit.parent_id == unit_id,
                                                          col(OrgUnit.valid_to).is_(None)).order_by(OrgUnit.name)))
    return OpenWork(tasks, {}, users, units, [])


def move_people(session: Session, from_agency_id: int, to_agency_id: int, unit_map: dict[int, int | None],
                actor_id: int | None) -> list[str]:
    """Move an agency's active accounts to another agency (a reorganisation), each into the successor unit
    ``unit_map`` names for their unit (else outside any unit); audited."""
    moved = []
    for user in session.exec(select(User).where(User.agency_id == from_agency_id, User.disabled == False)  # noqa: E712
                             .order_by(User.username)):
        to_unit_id = unit_map.get(user.unit_id) if user.unit_id is not None else None
        record(session, actor_id, "user.moved", "user", user.id, from_agency_id=from_agency_id,
               to_agency_id=to_agency_id, from_unit_id=user.unit_id, to_unit_id=to_unit_id, via="reorganisation")
        user.agency_id, user.unit_id = to_agency_id, to_unit_id
        session.add(user)
        moved.append(user.username)
    session.flush()
    return moved


def close_open_units(session: Session, agency_id: int, valid_to: date, unit_map: dict[int, int | None],
                     change_set: str, actor_id: int | None) -> list[str]:
    """Close every unit of an agency still in force, on the agency's last day; audited.

    The closing event keeps the successor unit ``unit_map`` names (``successor_unit_id``, None when the
    work goes to the successor as a whole): it is where the map is stored, and
    ``dated_repo.answering_unit`` reads it so later steps of a closed unit open in its successor unit.
    """
    closed = []
    for unit in session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency_id, col(OrgUnit.valid_to).is_(None))
                             .order_by(OrgUnit.name)):
        unit.valid_to = valid_to
        session.add(unit)
        record(session, actor_id, "org.unit_closed", "unit", unit.id, name=unit.name, valid_to=valid_to.isoformat(),
               via="reorganisation", change_set=change_set, successor_unit_id=unit_map.get(unit.id))
        closed.append(unit.name)
    session.flush()
    return closed


def close_registers(session: Session, agency_id: int, actor_id: int | None) -> list[str]:
    """Close an agency's active registers: their series end with the agency (DOMAIN §10.3.4); audited."""
    closed = []
    for register in session.exec(select(Register).where(Register.agency_id == agency_id,
                                                         Register.active == True)):  # noqa: E712
        register.active = False
        session.add(register)
        record(session, actor_id, "register.closed", "register", register.id, agency_id=agency_id,
               name=register.name)
        closed.append(register.name)
    session.flush()
    return closed


@dataclass
class HandOver:
    """What a reorganisation handed from a predecessor to its successor."""

    tasks: int = 0
    documents: int = 0
    records: list[str] = field(default_factory=list)
    notations: dict[str, str] = field(default_factory=dict)  # a draft's ký hiệu → the successor's


def hand_over_work(session: Session, old: Agency, new: Agency, unit_map: dict[int, int | None], change_set: str,
                   actor_id: int | None) -> HandOver:
    """Hand a predecessor's open tasks, documents in progress and open hồ sơ to its successor; audited.

    Tasks go to the successor's unit that ``unit_map`` names for their unit (none: offered to the role
    across the successor), documents get the successor as the agency answering for them (their issuing
    codes stay as issued; a draft not yet issued takes the successor's abbreviation in its ký hiệu, since
    the successor issues it), open hồ sơ change owner unless the successor holds one with the same code.
    Every moved row gets an event naming both agencies and the change set.
    """
    done = HandOver()
    provenance = {"from_agency_id": old.id, "to_agency_id": new.id, "change_set": change_set}
    for task in session.exec(select(Task).where(Task.agency_id == old.id, col(Task.status).in_(_OPEN_TASK_STATUSES))
                             .order_by(Task.id)):
        unit_id = unit_map.get(task.unit_id) if task.unit_id is not None else None
        record(session, actor_id, "task.handed_over", *subject_of(task), task_id=task.id,
               step=task.step, from_unit_id=task.unit_id, to_unit_id=unit_id, **provenance)
        task.agency_id, task.unit_id = new.id, unit_id
        session.add(task)
        done.tasks += 1
    unit_abbreviations = _unit_abbreviations(session, unit_map)
    for document in session.exec(select(Document).where(Document.agency_id == old.id,
                                                         col(Document.status).in_(_PENDING_DOCUMENT_STATUSES))
                                 .order_by(Document.id)):
        renotated = {}
        if document.direction == Direction.OUTGOING and document.issued_at is None and document.code_notation:
            notation = notation_for_successor(document.code_notation, old.abbreviation, new.abbreviation,
                                              unit_abbreviations)
            if notation != document.code_notation:
                renotated = {"code_notation": [document.code_notation, notation]}
                done.notations[document.code_notation] = notation
        record(session, actor_id, "document.handed_over", "document", document.id, status=document.status,
               **renotated, **provenance)
        document.agency_id = new.id
        session.add(document)
        if renotated:
            document.code_notation = renotated["code_notation"][1]
            index_document(session, document)  # the index keeps the ký hiệu a search finds
        done.documents += 1
    for file in session.exec(select(RecordFile).where(RecordFile.agency_id == old.id,
                                                      RecordFile.closed == False)  # noqa: E712
                             .order_by(RecordFile.id)):
        clash = session.exec(select(RecordFile.id).where(
            RecordFile.agency_id == new.id, RecordFile.file_catalog == file.file_catalog,
            RecordFile.file_notation == file.file_notation)).first()
        if clash is not None:
            raise Conflict("org_record_clash", notation=file.file_notation, year=file.file_catalog, name=new.name)
        record(session, actor_id, "record.handed_over", "record", file.id, file_notation=file.file_notation,
               file_catalog=file.file_catalog, **provenance)
        file.agency_id = new.id
        session.add(file)
        done.records.append(f"{file.file_notation}/{file.file_catalog}")
    session.flush()
    return done


def _unit_abbreviations(session: Session, unit_map: dict[int, int | None]) -> dict[str, str | None]:
    """The unit map by abbreviation (a ký hiệu names units by theirs)."""
    found: dict[str, str | None] = {}
    for old_id, new_id in unit_map.items():
        old, new = session.get(OrgUnit, old_id), session.get(OrgUnit, new_id) if new_id is not None else None
        if old is not None:
            found[old.abbreviation] = new.abbreviation if new is not None else None
    return found


def end_delegations(session: Session, agency: Agency, successor: Agency, change_set: str,
                    actor_id: int | None) -> list[str]:
    """Revoke the delegations of a predecessor's people that have not ended (DOMAIN §10.3.4); audited.

    A delegation is the predecessor's head passing their own powers (ND30 Điều 13: KT., TL., TUQ., Q.);
    those powers end with the agency, so the delegation ends with it instead of carrying on in the
    successor under a head who never gave it. Its ``delegation.revoked`` event names the change set;
    the successor's leader delegates afresh. Returns one line per delegation, in Vietnamese.
    """
    rows = session.exec(select(Delegation).where(
        Delegation.agency_id == agency.id, col(Delegation.revoked_at).is_(None),
        Delegation.ends_on >= delegation_repo.today()).order_by(Delegation.id)).all()
    ended = []
    for row in rows:
        delegator, deputy = session.get(User, row.delegator_id), session.get(User, row.deputy_id)
        delegation_repo.revoke(session, row, actor_id, f"Bộ thay đổi {change_set}: {agency.name} kết thúc, "
                                                       f"{successor.name} ủy quyền lại nếu cần")
        ended.append(f"{delegator.full_name if delegator else '?'} → {deputy.full_name if deputy else '?'} "
                     f"({row.form} {delegation_rules.KINDS.get(row.kind, row.kind).lower()}, "
                     f"đến {row.ends_on:%d/%m/%Y})")
    session.flush()
    return ended
