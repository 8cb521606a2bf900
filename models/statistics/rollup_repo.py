"""Reading figures from the rollups (``models.statistics.tables``): what pages and reports show.

Flows add up the period's days; stocks (open, overdue) add up events over every day up to the
count day (the period's end, or today). Agency-wide figures read ``stat_agency_day``; units and
people read ``stat_person_day`` of one agency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from models.statistics.direct import Scope
from models.statistics.figures import SOURCES, URGENCIES, Tally, add_to
from models.statistics.schema import Period
from models.statistics.subjects import NOBODY_SQL, as_day
from models.statistics.tables import (
    StatAgencyDay,
    StatAgencyIssuedType,
    StatAgencyMonth,
    StatAgencyMonthType,
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
    if scope.level in ("agency", "total"):
        return _agency_tallies(session, period, scope, today)
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


def _split(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole calendar months inside [start, end] (first and last month's first days) and the
    leftover day ranges before and after them."""
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end)
    last = end if after - timedelta(days=1) == end else end.replace(day=1) - timedelta(days=1)
    if first > last:
        return None, [(start, end)]
    leftovers = [(start, first - timedelta(days=1))] if start < first else []
    if end > last:
        leftovers.append((last + timedelta(days=1), end))
    return (first, last.replace(day=1)), leftovers


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _agency_tallies(session: Session, period: Period, scope: Scope, today: date) -> dict[int, Tally]:
    """Agency-wide figures: whole months from ``stat_agency_month``, the other days from
    ``stat_agency_day``; stocks are the months before the count day's month plus its days."""
    keyed = scope.level == "agency"
    months, leftovers = _split(period.start, period.end)
    as_of = period.as_of(today)
    stock_columns = [(began, ended) for began, ended in STOCKS.values()]
    parts = []  # (table, its period column, condition, flows or stocks)
    if months:
        parts.append((StatAgencyMonth, StatAgencyMonth.month,
                      and_(StatAgencyMonth.month >= months[0], StatAgencyMonth.month <= months[1]), "flows"))
    if leftovers:
        parts.append((StatAgencyDay, StatAgencyDay.day,
                      or_(*(and_(StatAgencyDay.day >= first, StatAgencyDay.day <= last) for first, last in leftovers)),
                      "flows"))
    parts.append((StatAgencyMonth, StatAgencyMonth.month, StatAgencyMonth.month < as_of.replace(day=1), "stocks"))
    parts.append((StatAgencyDay, StatAgencyDay.day,
                  and_(StatAgencyDay.day >= as_of.replace(day=1), StatAgencyDay.day <= as_of), "stocks"))
    result: dict[int, Tally] = defaultdict(Tally)
    for table, _column, condition, kind in parts:
        key = table.agency_id if keyed else NOBODY_SQL
        filters = [col(table.agency_id).in_(list(scope.agency_ids))] if scope.agency_ids is not None else []
        if kind == "flows":
            names = FLOWS
            columns = [func.sum(getattr(table, name)) for name in FLOWS]
        else:
            names = tuple(STOCKS)
            columns = [func.sum(getattr(table, began) - getattr(table, ended)) for began, ended in stock_columns]
        query = select(key, *columns).where(condition, *filters).group_by(*scope.grouping(key))
        for owner, *values in session.exec(query):
            _fill(result[int(owner)], dict(zip(names, values, strict=True)))
    type_parts = []
    if months:
        type_parts.append((StatAgencyMonthType, and_(StatAgencyMonthType.month >= months[0],
                                                     StatAgencyMonthType.month <= months[1])))
    if leftovers:
        type_parts.append((StatAgencyIssuedType, or_(*(and_(StatAgencyIssuedType.day >= first,
                                                             StatAgencyIssuedType.day <= last)
                                                        for first, last in leftovers))))
    for table, condition in type_parts:
        key = table.agency_id if keyed else NOBODY_SQL
        filters = [col(table.agency_id).in_(list(scope.agency_ids))] if scope.agency_ids is not None else []
        query = (select(key, table.type_name, func.sum(table.issued)).where(condition, *filters)
                 .group_by(*scope.grouping(key), table.type_name))
        for owner, type_name, count in session.exec(query):
            add_to(result[int(owner)].by_type, type_name, int(count))
    return {key: tally for key, tally in result.items() if not tally.is_empty()}


def monthly(session: Session, year: int, scope: Scope, *, today: date) -> list:
    """Each month of ``year`` up to today's (key 1..12): its flows, and stocks at its last day
    (today for the current month). Months come from ``stat_agency_month``; the current month from
    ``stat_agency_day`` up to today, since events dated later (deadlines still to pass) are in its row."""
    months = 12 if year < today.year else today.month if year == today.year else 0
    if not months:
        return []
    current = today.replace(day=1) if year == today.year else None
    names = tuple(dict.fromkeys((*FLOWS, *(name for pair in STOCKS.values() for name in pair))))
    filters = lambda table: [col(table.agency_id).in_(list(scope.agency_ids))] if scope.agency_ids is not None else []  # noqa: E731
    sums = lambda table: [func.sum(getattr(table, name)) for name in names]  # noqa: E731
    last_month = date(year, months, 1) if current is None else current - timedelta(days=1)
    rows = list(session.exec(select(StatAgencyMonth.month, *sums(StatAgencyMonth))
                             .where(StatAgencyMonth.month <= last_month, *filters(StatAgencyMonth))
                             .group_by(StatAgencyMonth.month)))
    if current is not None:  # flows over the whole month, stocks only up to today
        month_end = _next_month(current) - timedelta(days=1)
        stock_names = {name for pair in STOCKS.values() for name in pair} - set(FLOWS)
        columns = [func.sum(case((StatAgencyDay.day <= today, getattr(StatAgencyDay, name)), else_=0))
                   if name in stock_names else func.sum(getattr(StatAgencyDay, name)) for name in names]
        rows += [(current, *values) for values in session.exec(
            select(*columns).where(StatAgencyDay.day >= current, StatAgencyDay.day <= month_end,
                                   *filters(StatAgencyDay)))]
    running = dict.fromkeys(STOCKS, 0)
    events: dict[int, dict[str, int]] = defaultdict(dict)
    for month, *values in rows:
        month = as_day(month)
        figures = {name: int(value or 0) for name, value in zip(names, values, strict=True)}
        if month.year < year:
            for stock, (began, ended) in STOCKS.items():
                running[stock] += figures[began] - figures[ended]
        else:
            events[month.month] = figures
    result = []
    for month in range(1, months + 1):
        figures = events.get(month, {})
        for stock, (began, ended) in STOCKS.items():
            running[stock] += figures.get(began, 0) - figures.get(ended, 0)
        tally = Tally()
        _fill(tally, {**{name: figures.get(name, 0) for name in FLOWS}, **running})
        result.append(tally)
    type_rows = list(session.exec(
        select(StatAgencyMonthType.month, StatAgencyMonthType.type_name, func.sum(StatAgencyMonthType.issued))
        .where(StatAgencyMonthType.month >= date(year, 1, 1), StatAgencyMonthType.month <= last_month,
               *filters(StatAgencyMonthType))
        .group_by(StatAgencyMonthType.month, StatAgencyMonthType.type_name)))
    if current is not None:
        type_rows += [(current, name, count) for name, count in session.exec(
            select(StatAgencyIssuedType.type_name, func.sum(StatAgencyIssuedType.issued))
            .where(StatAgencyIssuedType.day >= current, StatAgencyIssuedType.day < _next_month(current),
                   *filters(StatAgencyIssuedType))
            .group_by(StatAgencyIssuedType.type_name))]
    for month, type_name, count in type_rows:
        add_to(result[as_day(month).month - 1].by_type, type_name, int(count))
    return [tally.row(month, f"Tháng {month}/{year}") for month, tally in enumerate(result, start=1)]


def refreshed_at(session: Session) -> datetime | None:
    """The oldest rebuild among the agencies (what every figure is at least as fresh as)."""
    return session.exec(select(func.min(StatRefresh.refreshed_at))).one()


def stale_since(session: Session, moment: datetime) -> list[int]:
    """Agencies whose rollups were rebuilt before ``moment`` (or never, among those with rows)."""
    return list(session.exec(select(StatRefresh.agency_id).where(StatRefresh.refreshed_at < moment)))


