"""Statistics of receiving, issuing and handling documents (QĐ44 Điều 16; ND30 PL VI Mục V), read-only.

What each figure means, for a period P (days in Vietnam time, ``models.statistics.schema.Period``)
and its count day A = the end of P, or today when P reaches past today:

* ``received``: incoming documents registered (they have a số đến) whose arrival (``arrival_date``)
  falls in P; split by ``source`` (hub, internal, upload, paper; none recorded counts as upload)
  and by urgency.
* ``issued``: outgoing documents whose issue (``issued_at``) falls in P, by ``type_name``;
  ``issued_late`` those of them issued after the next working morning (QĐ44 Điều 6.2).
* ``finished_on_time`` / ``finished_late``: incoming documents handled to the end (status done)
  whose closing falls in P, on time when the closing day is on or before the handling deadline
  (``due_date``, as moved by granted extensions) or when there was no deadline.
  ``avg_handling_days``: their mean working days from the day of arrival (not counted) to the
  closing day, on the installation's working calendar (``models.calendar``).
* ``open``: registered incoming documents that had arrived and were not closed at the end of day
  A (done, filed for reference, returned or recalled all close); ``overdue`` those of them whose
  deadline was a day before A. Both use the deadline as it stands now.
* ``unacknowledged``: recipients (agencies of the installation and outside ones over the hub, not
  internal units, not those a recall stopped) of the documents issued in P that have not sent
  status 01 (đã đến) so far.
* ``extension_requests``: extension requests (the leader's ``extension`` step) opened in P, for
  documents and for assignments.
* ``assignments_open`` / ``assignments_overdue``: giao việc created by the end of day A and not
  accepted (done, at its ``finished_at``) or cancelled by then; overdue when its deadline's day
  was before A.

Items count under one agency, unit and person each (``models.statistics.subjects``), so the
rows of units add up to their agency's. Pages read the rollups (``rollup_repo``), rebuilt by the
``StatisticsRefresh`` schedule; ``refreshed_at`` says how old they are. ``direct`` is the plain
count they are proved equal to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from models.assignments.tables import OPEN_STATUSES, WorkAssignment
from models.calendar import repo as calendar_repo
from models.calendar.workdays import end_of_day
from models.documents.tables import Assignment, Document
from models.org.tables import Agency, OrgUnit, User
from models.registers.numbering import vietnam_date
from models.statistics import rollup_repo
from models.statistics.direct import Scope
from models.statistics.figures import NOBODY, FigureRow, OverdueItem, Tally
from models.statistics.schema import Period, local_day, local_midnight
from models.statistics.subjects import WorkingDays
from models.vocab import AssignmentRole, Direction

__all__ = ["FigureRow", "OverdueItem", "agency_rows", "unit_rows", "person_rows", "monthly_trend",
           "oldest_overdue", "refreshed_at", "total_row"]

NO_UNIT = "Chưa giao đơn vị"
NO_PERSON = "Chưa giao người xử lý"


def _tallies(session: Session, period: Period, scope: Scope, today: date | None) -> dict[int, Tally]:
    return rollup_repo.tallies(session, period, scope, today=today or vietnam_date())


def agency_rows(session: Session, period: Period, agency_ids: Sequence[int] | None = None, *,
                today: date | None = None) -> list[FigureRow]:
    """One row per agency (all agencies of the installation when ``agency_ids`` is None), by name."""
    query = select(Agency.id, Agency.name).order_by(Agency.name, Agency.id)
    query = query.where(col(Agency.id).in_(list(agency_ids))) if agency_ids is not None \
        else query.where(col(Agency.hosted).is_(True))
    agencies = session.exec(query).all()
    tallies = _tallies(session, period, Scope("agency", agency_ids=agency_ids), today)
    return [tallies.get(agency_id, Tally()).row(agency_id, name) for agency_id, name in agencies]


def total_row(session: Session, period: Period, agency_ids: Sequence[int] | None = None, *,
              today: date | None = None, label: str = "Tổng cộng") -> FigureRow:
    """The figures of several agencies (every one when None) added up."""
    tallies = _tallies(session, period, Scope("total", agency_ids=agency_ids), today)
    return tallies.get(0, Tally()).row("total", label)


def unit_rows(session: Session, period: Period, agency_id: int, *, today: date | None = None) -> list[FigureRow]:
    """One row per unit of the agency, then "Chưa giao đơn vị" when work has no unit yet."""
    units = session.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.agency_id == agency_id)
                         .order_by(OrgUnit.name, OrgUnit.id)).all()
    tallies = _tallies(session, period, Scope("unit", agency_id=agency_id), today)
    rows = [tallies.get(unit_id, Tally()).row(unit_id, name) for unit_id, name in units]
    if not tallies.get(NOBODY, Tally()).is_empty():
        rows.append(tallies[NOBODY].row(NOBODY, NO_UNIT))
    return rows


def person_rows(session: Session, period: Period, agency_id: int, unit_id: int | None = None, *,
                today: date | None = None) -> list[FigureRow]:
    """One row per person of the agency (of the unit, when given) and anyone work counted under."""
    tallies = _tallies(session, period, Scope("person", agency_id=agency_id, unit_id=unit_id), today)
    people = select(User.id, User.full_name).where(User.agency_id == agency_id, col(User.disabled).is_(False))
    if unit_id is not None:
        people = people.where(User.unit_id == unit_id)
    names = dict(session.exec(people).all())
    counted = [key for key in tallies if key != NOBODY and key not in names]
    if counted:
        names.update(session.exec(select(User.id, User.full_name).where(col(User.id).in_(counted))).all())
    rows = sorted((tallies.get(user_id, Tally()).row(user_id, name) for user_id, name in names.items()),
                  key=lambda row: (row.label, row.key))
    if not tallies.get(NOBODY, Tally()).is_empty():
        rows.append(tallies[NOBODY].row(NOBODY, NO_PERSON))
    return rows


def monthly_trend(session: Session, year: int, agency_id: int | None = None, *,
                  today: date | None = None) -> list[FigureRow]:
    """The figures of each month of ``year`` up to the current one (key 1..12), open work at month end."""
    today = today or vietnam_date()
    agency_ids = [agency_id] if agency_id is not None else None
    return rollup_repo.monthly(session, year, Scope("total", agency_ids=agency_ids), today=today)


def oldest_overdue(session: Session, *, agency_id: int | None = None, unit_id: int | None = None,
                   limit: int = 20, today: date | None = None) -> list[OverdueItem]:
    """Open incoming documents and assignments past their deadline, the oldest deadline first."""
    today = today or vietnam_date()
    days = WorkingDays(calendar_repo.overrides(session))
    lead = (select(Assignment.document_id, Assignment.unit_id, Assignment.user_id)
            .where(Assignment.role == AssignmentRole.LEAD, col(Assignment.withdrawn_at).is_(None))
            .subquery())
    documents = (select(Document.id, Document.subject, Document.code_number, Document.code_notation,
                        Document.agency_id, Document.due_date)
                 .where(Document.direction == Direction.INCOMING, col(Document.closed_at).is_(None),
                        col(Document.arrival_date).is_not(None), Document.due_date < today)
                 .order_by(Document.due_date, Document.id).limit(limit))
    if agency_id is not None:
        documents = documents.where(Document.agency_id == agency_id)
    if unit_id is not None:
        documents = documents.where(col(Document.id).in_(select(lead.c.document_id).where(lead.c.unit_id == unit_id)))
    candidates: list[tuple] = []
    for doc_id, subject, number, notation, owner, due in session.execute(documents):
        code = f"{number}/{notation}".strip("/")
        candidates.append(("document", doc_id, f"{code} – {subject}" if code else subject, owner, end_of_day(due)))
    assignments = (select(WorkAssignment.id, WorkAssignment.title, WorkAssignment.agency_id, WorkAssignment.due_at,
                          WorkAssignment.lead_unit_id, WorkAssignment.lead_user_id)
                   .where(col(WorkAssignment.status).in_(OPEN_STATUSES),
                          WorkAssignment.due_at < local_midnight(today))
                   .order_by(WorkAssignment.due_at, WorkAssignment.id).limit(limit))
    if agency_id is not None:
        assignments = assignments.where(WorkAssignment.agency_id == agency_id)
    if unit_id is not None:
        assignments = assignments.where(WorkAssignment.lead_unit_id == unit_id)
    for assignment_id, title, owner, due_at, lead_unit, lead_user in session.execute(assignments):
        candidates.append(("assignment", assignment_id, title, owner, due_at, lead_unit, lead_user))
    candidates.sort(key=lambda item: (item[4], str(item[1])))
    return _overdue_items(session, days, today, candidates[:limit])


def _overdue_items(session: Session, days: WorkingDays, today: date, candidates: list[tuple]) -> list[OverdueItem]:
    """The shown items with their lead unit and person and the names, a few queries for all of
    them rather than several per item."""
    document_ids = [item[1] for item in candidates if item[0] == "document"]
    leads: dict = {}
    if document_ids:  # the lead with a person named first, then the oldest routing row
        for document_id, lead_unit, lead_user in session.execute(
                select(Assignment.document_id, Assignment.unit_id, Assignment.user_id)
                .where(col(Assignment.document_id).in_(document_ids), Assignment.role == AssignmentRole.LEAD,
                       col(Assignment.withdrawn_at).is_(None))
                .order_by(col(Assignment.user_id).is_(None), Assignment.id)):
            leads.setdefault(document_id, (lead_unit, lead_user))
    owners = [(kind, item_id, title, owner, due_at, *(leads.get(item_id, (None, None)) if kind == "document" else lead))
              for kind, item_id, title, owner, due_at, *lead in candidates]
    agencies = _names(session, Agency.id, Agency.name, {item[3] for item in owners})
    units = _names(session, OrgUnit.id, OrgUnit.name, {item[5] for item in owners if item[5]})
    people = _names(session, User.id, User.full_name, {item[6] for item in owners if item[6]})
    return [OverdueItem(kind=kind, id=item_id, title=title, agency_id=owner, agency_name=agencies.get(owner, ""),
                        unit_id=lead_unit, unit_name=units.get(lead_unit, "") if lead_unit else "",
                        assignee_name=people.get(lead_user, "") if lead_user else "",
                        due_at=due_at, days_overdue=days.between(local_day(due_at), today),
                        url=f"/{'documents' if kind == 'document' else 'assignments'}/{item_id}")
            for kind, item_id, title, owner, due_at, lead_unit, lead_user in owners]


def _names(session: Session, key, name, ids: set) -> dict:
    return dict(session.execute(select(key, name).where(col(key).in_(list(ids)))).all()) if ids else {}


def refreshed_at(session: Session) -> datetime | None:
    """When the rollups were last rebuilt (None before the first rebuild)."""
    return rollup_repo.refreshed_at(session)
