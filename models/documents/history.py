"""A document's history as its page shows it: the facts of the printed Phiếu giải quyết
(``models.registers.slip``) — the units chủ trì, phối hợp and để biết, the people assigned, every
deadline and extension — beside who opened and downloaded the document, and the processing events.

The audit trail and the routing rows are the sources, as for the slip; the routing rows keep
what was withdrawn (struck out on the page, never hidden). Views and downloads are grouped per
person in SQL, so a document opened thousands of times costs one row per reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from models.audit import AuditEvent
from models.documents.repo import ACCESS_EVENTS
from models.documents.repo import history as processing_events
from models.documents.tables import Assignment
from models.org.tables import OrgUnit, User
from models.vocab import AssignmentRole

# Audit events that set or move a deadline, and the field of their data holding the date.
DEADLINE_EVENTS = {
    "task.opened": "due_at",  # every step's own deadline (working days on the calendar)
    "document.giao_xu_ly": "due_date",  # the leader's deadline for the units
    "document.phan_cong": "due_date",  # the unit head's deadline for the handler
    "document.xin_gia_han": "new_due_date",  # the handler asks for more time
    "document.dong_y_gia_han": "new_due_date",  # … granted
    "document.tu_choi_gia_han": "new_due_date",  # … refused
}
# Readers shown at most: enough for any agency, bounded for a document read by a whole province.
MAX_READERS = 200


@dataclass(frozen=True)
class Routing:
    """One routing row: a unit (``person`` empty) or a person, in a role, with their deadline."""

    role: AssignmentRole
    unit: str
    person: str
    position: str
    due_date: date | None
    opinion: str
    assigned_by: str
    assigned_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class Deadline:
    """A deadline set or moved, when, by whom (empty: the system), for what and whom."""

    at: datetime
    code: str
    due: date | datetime | None
    by: str
    step: str = ""
    subject: str = ""  # the units or person the deadline is for
    note: str = ""


@dataclass(frozen=True)
class Reader:
    """Who opened the page or downloaded the file, how often, first and last time."""

    person: str
    position: str
    views: int
    downloads: int
    first_at: datetime
    last_at: datetime


@dataclass
class DocumentHistory:
    routing: list[Routing] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    readers: list[Reader] = field(default_factory=list)
    events: list[tuple[AuditEvent, User | None]] = field(default_factory=list)

    @property
    def units(self) -> list[Routing]:
        return [row for row in self.routing if not row.person]

    @property
    def people(self) -> list[Routing]:
        return [row for row in self.routing if row.person]


def document_history(session: Session, document_id: str) -> DocumentHistory:
    """Everything the history section of a document page shows, for a document the caller may see."""
    events = processing_events(session, document_id)
    assignments = list(session.exec(
        select(Assignment).where(Assignment.document_id == document_id)
        .order_by(Assignment.assigned_at, Assignment.id)))
    deadline_events = [(event, actor) for event, actor in events
                       if event.code in DEADLINE_EVENTS and event.data.get(DEADLINE_EVENTS[event.code])]
    user_ids = {a.assigned_by for a in assignments} | {a.user_id for a in assignments if a.user_id}
    unit_ids = {a.unit_id for a in assignments if a.unit_id}
    for event, _ in deadline_events:
        user_ids |= {_as_id(event.data.get(name)) for name in ("handler_id", "assignee_id")} - {None}
        unit_ids |= {_as_id(event.data.get(name)) for name in ("unit_id", "lead_unit_id")} - {None}
        unit_ids |= set(_ids(event.data.get("cooperating_unit_ids")))
    users = _by_id(session, User, user_ids)
    units = _by_id(session, OrgUnit, unit_ids)
    return DocumentHistory(
        routing=[_routing(row, users, units) for row in assignments],
        deadlines=[_deadline(event, actor, users, units) for event, actor in deadline_events],
        readers=readers(session, document_id),
        events=events,
    )


def readers(session: Session, document_id: str) -> list[Reader]:
    """Each person who opened or downloaded the document, most recent first (one grouped query)."""
    views = func.sum(case((AuditEvent.code == ACCESS_EVENTS[0], 1), else_=0))
    downloads = func.sum(case((AuditEvent.code == ACCESS_EVENTS[1], 1), else_=0))
    rows = session.exec(
        select(User.full_name, User.position, views, downloads, func.min(AuditEvent.at), func.max(AuditEvent.at))
        .join(User, col(User.id) == AuditEvent.actor_id)
        .where(AuditEvent.subject_type == "document", AuditEvent.subject_id == document_id,
               col(AuditEvent.code).in_(ACCESS_EVENTS))
        .group_by(User.id, User.full_name, User.position)
        .order_by(func.max(AuditEvent.at).desc())
        .limit(MAX_READERS)).all()
    return [Reader(name, position or "", int(seen or 0), int(taken or 0), _aware(first), _aware(last))
            for name, position, seen, taken, first, last in rows]


def _aware(moment: datetime) -> datetime:
    # Aggregates come back without the column's type on SQLite: a naive UTC text or datetime.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _routing(row: Assignment, users: dict, units: dict) -> Routing:
    person = users.get(row.user_id) if row.user_id else None
    unit = units.get(row.unit_id) if row.unit_id else None
    by = users.get(row.assigned_by)
    return Routing(role=AssignmentRole(row.role), unit=unit.name if unit else "",
                   person=person.full_name if person else "", position=person.position if person else "",
                   due_date=row.due_date, opinion=row.opinion, assigned_by=by.full_name if by else "",
                   assigned_at=row.assigned_at, withdrawn_at=row.withdrawn_at)


def _deadline(event: AuditEvent, actor: User | None, users: dict, units: dict) -> Deadline:
    data = event.data
    raw = str(data.get(DEADLINE_EVENTS[event.code]))
    due: date | datetime | None
    try:
        due = _aware(datetime.fromisoformat(raw)) if "T" in raw else date.fromisoformat(raw)
    except ValueError:
        due = None
    names = [units[i].name for i in [_as_id(data.get("lead_unit_id")), *_ids(data.get("cooperating_unit_ids"))]
             if i in units]
    person = users.get(_as_id(data.get("handler_id")) or _as_id(data.get("assignee_id")))
    if person is not None:
        names.append(person.full_name)
    elif not names and _as_id(data.get("unit_id")) in units:
        names.append(units[_as_id(data.get("unit_id"))].name)
    return Deadline(at=event.at, code=event.code, due=due, by=actor.full_name if actor else "",
                    step=str(data.get("step") or ""), subject=", ".join(names),
                    note=str(data.get("reason") or data.get("opinion") or ""))


def _as_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _ids(value) -> list[int]:
    parts = value if isinstance(value, list) else str(value or "").split(",")
    return [number for number in (_as_id(part) for part in parts) if number is not None]


def _by_id(session: Session, table, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(table).where(col(table.id).in_(list(ids))))}
