"""Rebuilding the rollups of some agencies from the source rows (``models.statistics.tables``).

``rebuild(session, agency_ids)`` deletes those agencies' rollup rows and writes them again from
the documents, tasks, assignments and recipients, inside the caller's transaction: running it
twice, or again after a crash halfway, gives the same rows (never counted twice). The caller
(``activities.statistics``) takes a few agencies per transaction so a province-wide rebuild never
holds the database for long.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import delete, exists, func, insert
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from models.assignments.tables import AssignmentStatus, WorkAssignment
from models.calendar import repo as calendar_repo
from models.db import utcnow
from models.documents.tables import Document
from models.org.tables import Agency
from models.outgoing.tables import Recipient, RecipientEvent, TransportStatus
from models.statistics.direct import COUNTED_RECIPIENTS, EXTENSION_STEP, RECEIVED
from models.statistics.schema import local_day
from models.statistics.subjects import NOBODY_SQL, WorkingDays, document_person, document_unit
from models.statistics.tables import (
    DayCounters,
    StatAgencyDay,
    StatAgencyIssuedType,
    StatAgencyMonth,
    StatAgencyMonthType,
    StatIssuedType,
    StatPersonDay,
    StatRefresh,
)
from models.tasks.tables import Task
from models.vocab import Direction, DocumentSource, DocumentStatus

COLUMNS = tuple(DayCounters.model_fields)
SLOT = {name: index for index, name in enumerate(COLUMNS)}
Key = tuple[date, int, int, int]  # day, agency, unit, person


class _Rows:
    """The counters being collected, per (day, agency, unit, person) and per document type."""

    def __init__(self) -> None:
        self.days: dict[Key, list[int]] = defaultdict(lambda: [0] * len(COLUMNS))
        self.types: dict[tuple[date, int, int, int, str], int] = defaultdict(int)

    def add(self, day: date, agency: int, unit: int, person: int, *names: str, amount: int = 1) -> None:
        counters = self.days[(day, agency, int(unit), int(person))]
        for name in names:
            counters[SLOT[name]] += amount


def agencies(session: Session) -> list[int]:
    """Every agency whose rollups a refresh rebuilds (all of them: one without work gets no rows)."""
    return list(session.exec(select(Agency.id).order_by(Agency.id)))


def rebuild(session: Session, agency_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """Recompute every rollup row of ``agency_ids``; returns the number of person-day rows written."""
    started = clock.monotonic()
    ids = list(agency_ids)
    for table in (StatPersonDay, StatAgencyDay, StatAgencyMonth, StatIssuedType, StatAgencyIssuedType,
                  StatAgencyMonthType, StatRefresh):
        session.exec(delete(table).where(col(table.agency_id).in_(ids)))
    rows = _Rows()
    _incoming(session, ids, rows)
    _outgoing(session, ids, rows)
    _extensions(session, ids, rows)
    _assignments(session, ids, rows)
    if rows.days:
        session.execute(insert(StatPersonDay), [
            {"day": day, "agency_id": agency, "unit_id": unit, "user_id": person, **dict(zip(COLUMNS, counters, strict=True))}
            for (day, agency, unit, person), counters in rows.days.items()])
    if rows.types:
        session.execute(insert(StatIssuedType), [
            {"day": day, "agency_id": agency, "unit_id": unit, "user_id": person, "type_name": name, "issued": count}
            for (day, agency, unit, person, name), count in rows.types.items()])
    sums = [func.sum(getattr(StatPersonDay, name)) for name in COLUMNS]
    session.exec(insert(StatAgencyDay).from_select(
        ["agency_id", "day", *COLUMNS],
        core_select(StatPersonDay.agency_id, StatPersonDay.day, *sums)
        .where(col(StatPersonDay.agency_id).in_(ids)).group_by(StatPersonDay.agency_id, StatPersonDay.day)))
    session.exec(insert(StatAgencyIssuedType).from_select(
        ["agency_id", "day", "type_name", "issued"],
        core_select(StatIssuedType.agency_id, StatIssuedType.day, StatIssuedType.type_name, func.sum(StatIssuedType.issued))
        .where(col(StatIssuedType.agency_id).in_(ids))
        .group_by(StatIssuedType.agency_id, StatIssuedType.day, StatIssuedType.type_name)))
    _months(session, rows)
    took = int((clock.monotonic() - started) * 1000)
    at = now or utcnow()
    session.execute(insert(StatRefresh), [{"agency_id": agency, "refreshed_at": at, "took_ms": took} for agency in ids])
    return len(rows.days)


def _months(session: Session, rows: _Rows) -> None:
    """The agency-month rows: the collected days added up by calendar month."""
    months: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0] * len(COLUMNS))
    for (day, agency, _unit, _person), counters in rows.days.items():
        total = months[(agency, day.replace(day=1))]
        for index, value in enumerate(counters):
            total[index] += value
    types: dict[tuple[int, date, str], int] = defaultdict(int)
    for (day, agency, _unit, _person, name), count in rows.types.items():
        types[(agency, day.replace(day=1), name)] += count
    if months:
        session.execute(insert(StatAgencyMonth), [
            {"agency_id": agency, "month": month, **dict(zip(COLUMNS, counters, strict=True))}
            for (agency, month), counters in months.items()])
    if types:
        session.execute(insert(StatAgencyMonthType), [
            {"agency_id": agency, "month": month, "type_name": name, "issued": count}
            for (agency, month, name), count in types.items()])


def _incoming(session: Session, ids: list[int], rows: _Rows) -> None:
    days = WorkingDays(calendar_repo.overrides(session))
    query = (select(Document.agency_id, document_unit(), document_person(), Document.arrival_date,
                    Document.closed_at, Document.status, Document.due_date, Document.source, Document.urgency)
             .where(col(Document.agency_id).in_(ids), Document.direction == Direction.INCOMING,
                    col(Document.arrival_date).is_not(None)))
    for agency, unit, person, arrival, closed, status, due, source, urgency in session.exec(query):
        arrived = local_day(arrival)
        rows.add(arrived, agency, unit, person, "received", f"received_{source or DocumentSource.UPLOAD}",
                 f"received_{urgency}")
        closed_day = local_day(closed) if closed is not None else None
        if closed_day is not None:
            rows.add(closed_day, agency, unit, person, "closed")
            if status == DocumentStatus.DONE:
                on_time = due is None or closed_day <= due
                rows.add(closed_day, agency, unit, person, "finished_on_time" if on_time else "finished_late")
                rows.add(closed_day, agency, unit, person, "handling_days", amount=days.between(arrived, closed_day))
        if due is not None and (closed_day is None or closed_day > due):
            rows.add(max(due + timedelta(days=1), arrived), agency, unit, person, "overdue_began")
            if closed_day is not None:
                rows.add(closed_day, agency, unit, person, "overdue_ended")


def _outgoing(session: Session, ids: list[int], rows: _Rows) -> None:
    acknowledged = exists().where(RecipientEvent.recipient_id == Recipient.id, RecipientEvent.code == RECEIVED)
    waiting = (select(func.count(col(Recipient.id)))
               .where(Recipient.document_id == Document.id, col(Recipient.kind).in_(COUNTED_RECIPIENTS),
                      Recipient.transport_status != TransportStatus.NOT_SENT, ~acknowledged)
               .correlate(Document).scalar_subquery())
    query = (select(Document.agency_id, document_unit(), document_person(), Document.issued_at,
                    Document.type_name, Document.issued_late, waiting)
             .where(col(Document.agency_id).in_(ids), Document.direction == Direction.OUTGOING,
                    col(Document.issued_at).is_not(None)))
    for agency, unit, person, issued_at, type_name, late, unacknowledged in session.exec(query):
        day = local_day(issued_at)
        rows.add(day, agency, unit, person, "issued")
        if late:
            rows.add(day, agency, unit, person, "issued_late")
        if unacknowledged:
            rows.add(day, agency, unit, person, "unacknowledged", amount=unacknowledged)
        rows.types[(day, agency, int(unit), int(person), type_name or "")] += 1


def _extensions(session: Session, ids: list[int], rows: _Rows) -> None:
    by_document = (select(Document.agency_id, document_unit(), document_person(), Task.created_at)
                   .select_from(Document).join(Task, col(Task.document_id) == Document.id)
                   .where(Task.step == EXTENSION_STEP, col(Document.agency_id).in_(ids)))
    by_assignment = (select(WorkAssignment.agency_id, func.coalesce(WorkAssignment.lead_unit_id, NOBODY_SQL),
                            func.coalesce(WorkAssignment.lead_user_id, NOBODY_SQL), Task.created_at)
                     .select_from(WorkAssignment).join(Task, col(Task.work_assignment_id) == WorkAssignment.id)
                     .where(Task.step == EXTENSION_STEP, col(WorkAssignment.agency_id).in_(ids)))
    for query in (by_document, by_assignment):
        for agency, unit, person, created in session.exec(query):
            rows.add(local_day(created), agency, unit, person, "extension_requests")


def _assignments(session: Session, ids: list[int], rows: _Rows) -> None:
    query = (select(WorkAssignment.agency_id, func.coalesce(WorkAssignment.lead_unit_id, NOBODY_SQL),
                    func.coalesce(WorkAssignment.lead_user_id, NOBODY_SQL), WorkAssignment.created_at, WorkAssignment.status,
                    WorkAssignment.finished_at, WorkAssignment.cancelled_at, WorkAssignment.due_at)
             .where(col(WorkAssignment.agency_id).in_(ids)))
    for agency, unit, person, created, status, finished, cancelled, due_at in session.exec(query):
        began = local_day(created)
        end = finished if status == AssignmentStatus.DONE else cancelled if status == AssignmentStatus.CANCELLED else None
        ended = local_day(end) if end is not None else None
        rows.add(began, agency, unit, person, "assignments_began")
        if ended is not None:
            rows.add(ended, agency, unit, person, "assignments_ended")
        due = local_day(due_at)
        if ended is None or ended > due:
            rows.add(max(due + timedelta(days=1), began), agency, unit, person, "assignments_overdue_began")
            if ended is not None:
                rows.add(ended, agency, unit, person, "assignments_overdue_ended")
