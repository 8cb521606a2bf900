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


NAMES = (*FLOWS, *STOCKS)  # the order of the running totals below
_PLAIN = tuple(name for name in NAMES if name in Tally.__dataclass_fields__)
_SOURCE_NAMES = tuple((source, f"received_{source}") for source in SOURCES)
_URGENCY_NAMES = tuple((urgency, f"received_{urgency}") for urgency in URGENCIES)


def _flow_sums(table) -> list:
    return [func.sum(getattr(table, name)) for name in FLOWS]


def _stock_sums(table) -> list:
    return [func.sum(getattr(table, began) - getattr(table, ended)) for began, ended in STOCKS.values()]


def _add_rows(totals: dict[int, list[int]], rows, offset: int, sign: int = 1) -> None:
    """Add each row's sums (keyed by its first column) into ``totals`` from position ``offset``
    of ``NAMES`` on; plain lists, since a page adds up hundreds of rows per figure family."""
    for owner, *values in rows:
        running = totals.get(owner)
        if running is None:
            running = totals[owner] = [0] * len(NAMES)
        for index, value in enumerate(values, offset):
            if value:
                running[index] += sign * int(value)


def _tally(running: list[int]) -> Tally:
    figures = dict(zip(NAMES, running, strict=True))
    return Tally(**{name: figures[name] for name in _PLAIN},
                 by_source={source: figures[name] for source, name in _SOURCE_NAMES},
                 by_urgency={urgency: figures[name] for urgency, name in _URGENCY_NAMES})


def _rows(session: Session, query):
    """Plain rows straight from the connection: the ORM's row processing costs more than the
    sums themselves when a page reads hundreds of grouped rows."""
    return session.connection().execute(query)


def _month_end(month: date) -> date:
    return _next_month(month) - timedelta(days=1)


def _agency_tallies(session: Session, period: Period, scope: Scope, today: date) -> dict[int, Tally]:
    """Agency-wide figures: flows of whole months from ``stat_agency_month``, of the other days
    from ``stat_agency_day``. Stocks at the count day A: every month up to A's, with A's month
    either minus its days after A or (early in the month, fewer rows) the months before A's
    plus its days up to A. Each is one grouped query read as plain rows."""
    keyed = scope.level == "agency"
    months, leftovers = _split(period.start, period.end)
    as_of = period.as_of(today)
    as_of_month = as_of.replace(day=1)

    def grouped(table, columns, *condition):
        key = table.agency_id if keyed else NOBODY_SQL
        filters = [col(table.agency_id).in_(list(scope.agency_ids))] if scope.agency_ids is not None else []
        return _rows(session, select(key, *columns).where(*condition, *filters).group_by(*scope.grouping(key)))

    totals: dict[int, list[int]] = {}
    stocks_at = len(FLOWS)
    if months:
        _add_rows(totals, grouped(StatAgencyMonth, _flow_sums(StatAgencyMonth),
                                  StatAgencyMonth.month >= months[0], StatAgencyMonth.month <= months[1]), 0)
    if leftovers:
        _add_rows(totals, grouped(StatAgencyDay, _flow_sums(StatAgencyDay),
                                  or_(*(and_(StatAgencyDay.day >= first, StatAgencyDay.day <= last)
                                        for first, last in leftovers))), 0)
    days_after = (_month_end(as_of_month) - as_of).days
    if days_after < as_of.day:  # the whole month of A, less its days after A
        _add_rows(totals, grouped(StatAgencyMonth, _stock_sums(StatAgencyMonth), StatAgencyMonth.month <= as_of_month),
                  stocks_at)
        if days_after:
            _add_rows(totals, grouped(StatAgencyDay, _stock_sums(StatAgencyDay), StatAgencyDay.day > as_of,
                                      StatAgencyDay.day <= _month_end(as_of_month)), stocks_at, sign=-1)
    else:  # the months before A's, plus its days up to A
        _add_rows(totals, grouped(StatAgencyMonth, _stock_sums(StatAgencyMonth), StatAgencyMonth.month < as_of_month),
                  stocks_at)
        _add_rows(totals, grouped(StatAgencyDay, _stock_sums(StatAgencyDay), StatAgencyDay.day >= as_of_month,
                                  StatAgencyDay.day <= as_of), stocks_at)
    result = {int(owner): _tally(running) for owner, running in totals.items()}
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
        for owner, type_name, count in _rows(session, query):
            tally = result.get(int(owner))
            if tally is None:
                tally = result[int(owner)] = Tally()
            add_to(tally.by_type, type_name, int(count))
    # A tally holds exactly its running totals and its types, so those say whether it is empty.
    return {key: tally for key, tally in result.items()
            if any(totals.get(key, ())) or any(tally.by_type.values())}


def monthly(session: Session, year: int, scope: Scope, *, today: date) -> list:
    """Each month of ``year`` up to today's (key 1..12): its flows, and stocks at its last day
    (today for the current month). All from ``stat_agency_month``: the stocks start from the
    months before the year; the current month's row holds its whole month, so its stocks lose
    its days after today from ``stat_agency_day`` (events dated later, deadlines still to pass)."""
    months = 12 if year < today.year else today.month if year == today.year else 0
    if not months:
        return []
    first, last = date(year, 1, 1), date(year, months, 1)
    filters = lambda table: [col(table.agency_id).in_(list(scope.agency_ids))] if scope.agency_ids is not None else []  # noqa: E731
    per_month: dict[int, list[int]] = {}
    stocks_at = len(FLOWS)
    _add_rows(per_month, _rows(session,
        select(StatAgencyMonth.month, *_flow_sums(StatAgencyMonth), *_stock_sums(StatAgencyMonth))
        .where(StatAgencyMonth.month >= first, StatAgencyMonth.month <= last, *filters(StatAgencyMonth))
        .group_by(StatAgencyMonth.month)), 0)
    before = _rows(session, select(*_stock_sums(StatAgencyMonth))
                             .where(StatAgencyMonth.month < first, *filters(StatAgencyMonth))).one()
    later: tuple = ()
    if year == today.year and today < _month_end(last):
        later = _rows(session, select(*_stock_sums(StatAgencyDay))
                                .where(StatAgencyDay.day > today, StatAgencyDay.day <= _month_end(last),
                                       *filters(StatAgencyDay))).one()
    by_month = {as_day(month).month: running for month, running in per_month.items()}
    running_stocks = [int(value or 0) for value in before]
    result = []
    for month in range(1, months + 1):
        figures = by_month.get(month) or [0] * len(NAMES)
        for index in range(len(STOCKS)):
            running_stocks[index] += figures[stocks_at + index]
        stocks = running_stocks
        if month == months and later:
            stocks = [value - int(after or 0) for value, after in zip(running_stocks, later, strict=True)]
        result.append(_tally([*figures[:stocks_at], *stocks]))
    type_rows = _rows(session,
        select(StatAgencyMonthType.month, StatAgencyMonthType.type_name, func.sum(StatAgencyMonthType.issued))
        .where(StatAgencyMonthType.month >= first, StatAgencyMonthType.month <= last, *filters(StatAgencyMonthType))
        .group_by(StatAgencyMonthType.month, StatAgencyMonthType.type_name))
    for month, type_name, count in type_rows:
        add_to(result[as_day(month).month - 1].by_type, type_name, int(count))
    return [tally.row(month, f"Tháng {month}/{year}") for month, tally in enumerate(result, start=1)]


def refreshed_at(session: Session) -> datetime | None:
    """The oldest rebuild among the agencies (what every figure is at least as fresh as)."""
    return session.exec(select(func.min(StatRefresh.refreshed_at))).one()


def stale_since(session: Session, moment: datetime) -> list[int]:
    """Agencies whose rollups were rebuilt before ``moment`` (or never, among those with rows)."""
    return list(session.exec(select(StatRefresh.agency_id).where(StatRefresh.refreshed_at < moment)))


