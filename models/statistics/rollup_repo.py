"""Reading figures from the rollups (``models.statistics.tables``): what pages and reports show.

Flows add up the period's days; stocks (open, overdue) add up events over every day up to the
count day (the period's end, or today). Agency-wide figures read ``stat_agency_day``; units and
people read ``stat_person_day`` of one agency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from models.statistics.direct import Scope
from models.statistics.figures import SOURCES, URGENCIES, Tally, add_to
from models.statistics.schema import Period
from models.statistics.subjects import NOBODY_SQL, as_day
from models.statistics.tables import (
    StatAgencyDay,
    StatAgencyIssuedType,
    StatIssuedType,
    StatPersonDay,
    StatRefresh,
)

FLOWS = ("received", *(f"received_{source}" for source in SOURCES), *(f"received_{urgency}" for urgency in URGENCIES),
         "issued", "issued_late", "finished_on_time", "finished_late", "handling_days", "unacknowledged",
         "extension_requests")
STOCKS = {"open": ("received", "closed"), "overdue": ("overdue_began", "overdue_ended"),
          "assignments_open": ("assignments_began", "assignments_ended"),
          "assignments_overdue": ("assignments_overdue_began", "assignments_overdue_ended")}


def _source(scope: Scope):
    """The day table, the type table, their key columns and the filter for ``scope``."""
    if scope.level in ("agency", "total"):
        days, types = StatAgencyDay, StatAgencyIssuedType
        keys = (days.agency_id, types.agency_id) if scope.level == "agency" else (NOBODY_SQL, NOBODY_SQL)
        filters = ([col(days.agency_id).in_(list(scope.agency_ids))], [col(types.agency_id).in_(list(scope.agency_ids))]) \
            if scope.agency_ids is not None else ([], [])
        return days, types, keys, filters
    days, types = StatPersonDay, StatIssuedType
    column = "unit_id" if scope.level == "unit" else "user_id"
    filters = ([days.agency_id == scope.agency_id], [types.agency_id == scope.agency_id])
    if scope.unit_id is not None:
        filters[0].append(days.unit_id == scope.unit_id)
        filters[1].append(types.unit_id == scope.unit_id)
    return days, types, (getattr(days, column), getattr(types, column)), filters


def _fill(tally: Tally, figures: dict[str, int]) -> None:
    for name in ("received", "issued", "issued_late", "finished_on_time", "finished_late", "handling_days",
                 "unacknowledged", "extension_requests", *STOCKS):
        setattr(tally, name, getattr(tally, name) + int(figures.get(name) or 0))
    for source in SOURCES:
        add_to(tally.by_source, source, int(figures.get(f"received_{source}") or 0))
    for urgency in URGENCIES:
        add_to(tally.by_urgency, urgency, int(figures.get(f"received_{urgency}") or 0))


def tallies(session: Session, period: Period, scope: Scope, *, today: date) -> dict[int, Tally]:
    """The figures of ``period`` per key of ``scope``, from the rollups."""
    days, types, (day_key, type_key), (day_filter, type_filter) = _source(scope)
    as_of = period.as_of(today)
    in_period = days.day >= period.start
    until = days.day <= as_of
    columns = [func.sum(case((in_period, getattr(days, name)), else_=0)) for name in FLOWS]
    columns += [func.sum(case((until, getattr(days, began) - getattr(days, ended)), else_=0))
                for began, ended in STOCKS.values()]
    query = select(day_key, *columns).where(days.day <= period.end, *day_filter).group_by(*scope.grouping(day_key))
    result: dict[int, Tally] = defaultdict(Tally)
    for key, *values in session.exec(query):
        _fill(result[int(key)], dict(zip((*FLOWS, *STOCKS), values, strict=True)))
    issued = (select(type_key, types.type_name, func.sum(types.issued))
              .where(types.day >= period.start, types.day <= period.end, *type_filter)
              .group_by(*scope.grouping(type_key), types.type_name))
    for key, type_name, count in session.exec(issued):
        add_to(result[int(key)].by_type, type_name, int(count))
    return {key: tally for key, tally in result.items() if not tally.is_empty()}


def monthly(session: Session, year: int, scope: Scope, *, today: date) -> list:
    """Each month of ``year`` up to today's (key 1..12): its flows, and stocks at its last day."""
    months = 12 if year < today.year else today.month if year == today.year else 0
    if not months:
        return []
    last = min(date(year, 12, 31), today)
    days, types, _, (day_filter, type_filter) = _source(scope)
    names = (*FLOWS, *(name for pair in STOCKS.values() for name in pair))
    query = (select(days.day, *(func.sum(getattr(days, name)) for name in dict.fromkeys(names)))
             .where(days.day <= last, *day_filter).group_by(days.day))
    per_month = {month: Tally() for month in range(1, months + 1)}
    running = dict.fromkeys(STOCKS, 0)
    events: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, *values in session.exec(query):
        day = as_day(day)
        figures = dict(zip(dict.fromkeys(names), values, strict=True))
        if day.year < year:
            for stock, (began, ended) in STOCKS.items():
                running[stock] += int(figures[began] or 0) - int(figures[ended] or 0)
            continue
        month_events = events[day.month]
        for name, value in figures.items():
            month_events[name] += int(value or 0)
    for month, tally in per_month.items():
        figures = events.get(month, {})
        for stock, (began, ended) in STOCKS.items():
            running[stock] += figures.get(began, 0) - figures.get(ended, 0)
        _fill(tally, {**{name: figures.get(name, 0) for name in FLOWS}, **running})
    issued = (select(types.day, types.type_name, func.sum(types.issued))
              .where(types.day >= date(year, 1, 1), types.day <= last, *type_filter)
              .group_by(types.day, types.type_name))
    for day, type_name, count in session.exec(issued):
        add_to(per_month[as_day(day).month].by_type, type_name, int(count))
    return [tally.row(month, f"Tháng {month}/{year}") for month, tally in per_month.items()]


def refreshed_at(session: Session) -> datetime | None:
    """The oldest rebuild among the agencies (what every figure is at least as fresh as)."""
    return session.exec(select(func.min(StatRefresh.refreshed_at))).one()


def stale_since(session: Session, moment: datetime) -> list[int]:
    """Agencies whose rollups were rebuilt before ``moment`` (or never, among those with rows)."""
    return list(session.exec(select(StatRefresh.agency_id).where(StatRefresh.refreshed_at < moment)))


