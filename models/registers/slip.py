"""The Phiếu giải quyết văn bản đến (ND30 Phụ lục IV Mục VII): who directed, who led, who cooperated, with what opinion and deadline, assembled from the audit trail and the routing rows of one document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from models.audit import AuditEvent
from models.documents.tables import Assignment, Document
from models.errors import DomainError
from models.org.tables import Agency, OrgUnit, User
from models.registers.numbering import so_ky_hieu, vietnam_date
from models.vocab import AssignmentRole, Direction


@dataclass(frozen=True)
class Participant:
    """A unit or person named on the slip, with their own deadline."""

    name: str
    due_date: date | None


@dataclass(frozen=True)
class Opinion:
    """One opinion written on the slip: its text, who gave it, when, and whom it routes to."""

    text: str
    author_name: str
    author_position: str
    given_on: date | None
    lead: list[Participant] = field(default_factory=list)  # chủ trì
    cooperating: list[Participant] = field(default_factory=list)  # phối hợp
    informed: list[Participant] = field(default_factory=list)  # để biết


@dataclass(frozen=True)
class Slip:
    """Phiếu giải quyết văn bản đến (ND30 PL IV Mục VII) of one incoming document.

    Each section is a list, empty when nobody has written it yet (the slip then prints blank
    lines for it): 1. agency leaders, 2. unit leaders, 3. the handler's proposal.
    """

    parent_agency_name: str
    agency_name: str
    document_id: str
    type_name: str
    so_ky_hieu: str
    issued_date: date | None
    organ_name: str
    subject: str
    arrival_number: int | None
    arrival_date: date | None
    due_date: date | None
    agency_leader: list[Opinion] = field(default_factory=list)
    unit_leader: list[Opinion] = field(default_factory=list)
    handler: list[Opinion] = field(default_factory=list)


DIRECTION_EVENT = "document.giao_xu_ly"


# Audit events that carry a handler's own words, and the field holding them.
HANDLER_EVENTS = {"document.gui_y_kien": "opinion", "document.hoan_thanh": "result"}


def processing_slip(session: Session, document: Document) -> Slip:
    """Assemble the slip of a document the caller may see (``models.documents.access.document_for_user``).

    1. Agency leader opinions are the ``document.giao_xu_ly`` audit events, oldest first: the
       opinion text, the leader, the date, and the routing rows to units (Assignment without a
       person) that leader wrote with it, each with its own deadline. Withdrawn rows are left out.
    2. Unit leader opinions are routing rows to a person (Assignment with a user), grouped by who
       assigned them and on which day; their opinion text is the row's.
    3. The handler's proposals are the handlers' own audited words: a cooperating handler's
       ``document.gui_y_kien`` opinion and the lead handler's ``document.hoan_thanh`` result.
       Before any, the section is empty and the slip prints blank lines.
    """
    if document.direction != Direction.INCOMING:
        raise DomainError("slip_incoming_only")
    agency = session.get(Agency, document.agency_id)
    parent = session.get(Agency, agency.parent_id) if agency and agency.parent_id else None
    assignments = list(session.exec(
        select(Assignment).where(Assignment.document_id == document.id,
                                 col(Assignment.withdrawn_at).is_(None))
        .order_by(Assignment.assigned_at, Assignment.id)))
    events = list(session.exec(
        select(AuditEvent).where(AuditEvent.subject_type == "document", AuditEvent.subject_id == document.id,
                                 col(AuditEvent.code).in_([DIRECTION_EVENT, *HANDLER_EVENTS]))
        .order_by(AuditEvent.at, AuditEvent.id)))
    user_ids = {a.assigned_by for a in assignments} | {a.user_id for a in assignments if a.user_id}
    user_ids |= {e.actor_id for e in events if e.actor_id}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(list(user_ids))))} \
        if user_ids else {}
    unit_ids = [a.unit_id for a in assignments if a.unit_id]
    units = {u.id: u for u in session.exec(select(OrgUnit).where(col(OrgUnit.id).in_(unit_ids)))} \
        if unit_ids else {}

    unit_rows = [a for a in assignments if a.user_id is None]
    person_rows = [a for a in assignments if a.user_id is not None]
    agency_leader = []
    unclaimed = list(unit_rows)
    for event in (e for e in events if e.code == DIRECTION_EVENT):
        rows = _rows_of(event, unclaimed)
        taken = {a.id for a in rows}
        unclaimed = [a for a in unclaimed if a.id not in taken]
        agency_leader.append(_leader_opinion(event, rows, users, units))
    if unclaimed:  # routing rows written without an audited decision (imported data)
        agency_leader.append(_opinion_from_rows(unclaimed, users, units))

    unit_leader = []
    groups: dict[tuple[int, date], list[Assignment]] = {}
    for row in person_rows:
        groups.setdefault((row.assigned_by, vietnam_date(row.assigned_at)), []).append(row)
    for rows in groups.values():
        unit_leader.append(_opinion_from_rows(rows, users, units))

    handler = []
    for event in (e for e in events if e.code in HANDLER_EVENTS):
        author = users.get(event.actor_id)
        handler.append(Opinion(text=str(event.data.get(HANDLER_EVENTS[event.code], "")),
                               author_name=author.full_name if author else "",
                               author_position=author.position if author else "",
                               given_on=vietnam_date(event.at)))

    return Slip(
        parent_agency_name=parent.name if parent else "",
        agency_name=agency.name if agency else "",
        document_id=document.id,
        type_name=document.type_name,
        so_ky_hieu=so_ky_hieu(document.code_number, document.code_notation),
        issued_date=document.issued_date,
        organ_name=document.organ_name,
        subject=document.subject,
        arrival_number=document.arrival_number,
        arrival_date=vietnam_date(document.arrival_date) if document.arrival_date else None,
        due_date=document.due_date,
        agency_leader=agency_leader,
        unit_leader=unit_leader,
        handler=handler,
    )


def _rows_of(event: AuditEvent, unit_rows: list[Assignment]) -> list[Assignment]:
    # apply_decision writes the event and its routing rows in one transaction, by one actor:
    # rows of that actor assigned within a minute of the event belong to it.
    return [a for a in unit_rows if a.assigned_by == event.actor_id
            and abs((a.assigned_at - event.at).total_seconds()) <= 60]


def _leader_opinion(event: AuditEvent, rows: list[Assignment], users: dict, units: dict) -> Opinion:
    author = users.get(event.actor_id)
    return Opinion(
        text=str(event.data.get("opinion", "")),
        author_name=author.full_name if author else "",
        author_position=author.position if author else "",
        given_on=vietnam_date(event.at),
        **_split_roles(rows, users, units),
    )


def _opinion_from_rows(rows: list[Assignment], users: dict, units: dict) -> Opinion:
    author = users.get(rows[0].assigned_by)
    texts = list(dict.fromkeys(row.opinion for row in rows if row.opinion))
    return Opinion(
        text="\n".join(texts),
        author_name=author.full_name if author else "",
        author_position=author.position if author else "",
        given_on=vietnam_date(rows[0].assigned_at),
        **_split_roles(rows, users, units),
    )


def _split_roles(rows: list[Assignment], users: dict, units: dict) -> dict[str, list[Participant]]:
    result: dict[str, list[Participant]] = {"lead": [], "cooperating": [], "informed": []}
    key = {AssignmentRole.LEAD: "lead", AssignmentRole.COOPERATE: "cooperating",
           AssignmentRole.INFORM: "informed"}
    for row in rows:
        if row.user_id is not None:
            user = users.get(row.user_id)
            name = user.full_name if user else ""
        else:
            unit = units.get(row.unit_id)
            name = unit.name if unit else ""
        result[key.get(AssignmentRole(row.role), "informed")].append(Participant(name, row.due_date))
    return result
