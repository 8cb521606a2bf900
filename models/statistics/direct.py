"""The reference count: each figure straight from the documents, tasks, assignments and recipients.

Plain ``COUNT``/``GROUP BY`` over the source tables for one period, with the definitions of
``models.statistics.repo``. Pages read the rollups (``rollup_repo``); this module is what tests
prove them equal to, and what ``bench/statistics.py`` compares their speed with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, or_, true
from sqlmodel import Session, col, select

from models.assignments.tables import AssignmentStatus, WorkAssignment
from models.calendar import repo as calendar_repo
from models.documents.tables import Document
from models.outgoing.tables import Recipient, RecipientEvent, RecipientKind, TransportStatus
from models.statistics.figures import Tally, add_to
from models.statistics.schema import Period, local_day, local_midnight
from models.statistics.subjects import NOBODY_SQL, WorkingDays, document_person, document_unit
from models.tasks.tables import Task
from models.vocab import Direction, DocumentSource, DocumentStatus

EXTENSION_STEP = "extension"  # the leader's step that answers an extension request
RECEIVED = "01"  # the business status a recipient sends when the document reached it
COUNTED_RECIPIENTS = (RecipientKind.HOSTED, RecipientKind.EXTERNAL)


@dataclass(frozen=True)
class Scope:
    """Which items count and what they are grouped by: ``agency``, ``unit``, ``person`` or ``total``."""

    level: str
    agency_ids: Sequence[int] | None = None  # agency and total levels; None = every agency
    agency_id: int | None = None  # unit and person levels
    unit_id: int | None = None  # person level, optionally

    def document_key(self):
        return {"agency": Document.agency_id, "unit": document_unit(),
                "person": document_person()}.get(self.level, NOBODY_SQL)

    def assignment_key(self):
        return {"agency": WorkAssignment.agency_id,
                "unit": func.coalesce(WorkAssignment.lead_unit_id, NOBODY_SQL),
                "person": func.coalesce(WorkAssignment.lead_user_id, NOBODY_SQL)}.get(self.level, NOBODY_SQL)

    def grouping(self, key) -> tuple:
        """What to group by for ``key``: nothing for the total (a constant is no GROUP BY term)."""
        return () if self.level == "total" else (key,)

    def document_filter(self):
        return self._filter(Document.agency_id, document_unit())

    def assignment_filter(self):
        return self._filter(WorkAssignment.agency_id, func.coalesce(WorkAssignment.lead_unit_id, NOBODY_SQL))

    def _filter(self, agency_column, unit_column):
        if self.level in ("agency", "total"):
            return col(agency_column).in_(list(self.agency_ids)) if self.agency_ids is not None else true()
        condition = agency_column == self.agency_id
        if self.unit_id is not None:
            condition = and_(condition, unit_column == self.unit_id)
        return condition


def tallies(session: Session, period: Period, scope: Scope, *, today: date) -> dict[int, Tally]:
    """Every figure of the period per key of ``scope`` (keys without any figure are left out)."""
    result: dict[int, Tally] = defaultdict(Tally)
    lower, upper = period.utc_bounds()
    as_of_end = local_midnight(period.as_of(today) + timedelta(days=1))
    as_of_start = local_midnight(period.as_of(today))
    key, where = scope.document_key(), scope.document_filter()
    by = scope.grouping
    incoming = and_(Document.direction == Direction.INCOMING, col(Document.arrival_date).is_not(None), where)

    received = (select(key, Document.source, Document.urgency, func.count())
                .where(incoming, Document.arrival_date >= lower, Document.arrival_date < upper)
                .group_by(*by(key), Document.source, Document.urgency))
    for owner, source, urgency, count in session.exec(received):
        tally = result[int(owner)]
        tally.received += count
        add_to(tally.by_source, str(source or DocumentSource.UPLOAD), count)
        add_to(tally.by_urgency, str(urgency), count)

    finished = (select(key, Document.arrival_date, Document.closed_at, Document.due_date)
                .where(incoming, Document.status == DocumentStatus.DONE,
                       Document.closed_at >= lower, Document.closed_at < upper))
    days = WorkingDays(calendar_repo.overrides(session))
    for owner, arrival, closed, due in session.exec(finished):
        tally, closed_day = result[int(owner)], local_day(closed)
        if due is None or closed_day <= due:
            tally.finished_on_time += 1
        else:
            tally.finished_late += 1
        tally.handling_days += days.between(local_day(arrival), closed_day)

    still_open = (select(key, func.count(), func.count().filter(Document.due_date < period.as_of(today)))
                  .where(incoming, Document.arrival_date < as_of_end,
                         or_(col(Document.closed_at).is_(None), Document.closed_at >= as_of_end))
                  .group_by(*by(key)))
    for owner, count, overdue in session.exec(still_open):
        result[int(owner)].open += count
        result[int(owner)].overdue += overdue

    outgoing = and_(Document.direction == Direction.OUTGOING, Document.issued_at >= lower,
                    Document.issued_at < upper, where)
    issued = (select(key, Document.type_name, Document.issued_late, func.count())
              .where(outgoing).group_by(*by(key), Document.type_name, Document.issued_late))
    for owner, type_name, late, count in session.exec(issued):
        tally = result[int(owner)]
        tally.issued += count
        tally.issued_late += count if late else 0
        add_to(tally.by_type, type_name or "", count)

    acknowledged = exists().where(RecipientEvent.recipient_id == Recipient.id, RecipientEvent.code == RECEIVED)
    unacknowledged = (select(key, func.count(col(Recipient.id)))
                      .select_from(Recipient).join(Document, col(Document.id) == Recipient.document_id)
                      .where(outgoing, col(Recipient.kind).in_(COUNTED_RECIPIENTS),
                             Recipient.transport_status != TransportStatus.NOT_SENT, ~acknowledged)
                      .group_by(*by(key)))
    for owner, count in session.exec(unacknowledged):
        result[int(owner)].unacknowledged += count

    in_period = and_(Task.step == EXTENSION_STEP, Task.created_at >= lower, Task.created_at < upper)
    for query in (select(key, func.count()).select_from(Document).join(Task, col(Task.document_id) == Document.id)
                  .where(in_period, where).group_by(*by(key)),
                  select(scope.assignment_key(), func.count())
                  .select_from(WorkAssignment).join(Task, col(Task.work_assignment_id) == WorkAssignment.id)
                  .where(in_period, scope.assignment_filter()).group_by(*by(scope.assignment_key()))):
        for owner, count in session.exec(query):
            result[int(owner)].extension_requests += count

    ended = or_(and_(WorkAssignment.status == AssignmentStatus.DONE, WorkAssignment.finished_at < as_of_end),
                and_(WorkAssignment.status == AssignmentStatus.CANCELLED, WorkAssignment.cancelled_at < as_of_end))
    assignments_key = scope.assignment_key()
    open_assignments = (select(assignments_key, func.count(),
                               func.count().filter(WorkAssignment.due_at < as_of_start))
                        .where(scope.assignment_filter(), WorkAssignment.created_at < as_of_end, ~ended)
                        .group_by(*by(assignments_key)))
    for owner, count, overdue in session.exec(open_assignments):
        result[int(owner)].assignments_open += count
        result[int(owner)].assignments_overdue += overdue
    return dict(result)
