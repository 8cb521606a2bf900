"""The statistics rollups equal the direct count (issue 13), on both backends.

A generated province (``bench/province_corpus.py``: documents in every state, routing rows, some
withdrawn, recipients with and without acknowledgements, extension requests, giao việc in every
status) is counted both ways for many periods and at every level; then more documents arrive,
and the rollups agree again only after a refresh.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from bench.province_corpus import seed_organisation, seed_work
from models.db import reading, transaction
from models.statistics import direct, repo, rollup_build, rollup_repo
from models.statistics.direct import Scope
from models.statistics.schema import parse_period

TODAY = date(2026, 11, 20)
START, END = datetime(2025, 10, 1, tzinfo=UTC), datetime(2026, 11, 20, 9, tzinfo=UTC)
PERIODS = [("year", "2026"), ("year", "2025"), ("quarter", "2026-Q1"), ("month", "2026-03"), ("month", "2026-11"),
           ("week", "2026-W10"), ("day", "2026-02-02")]


def _rows(tallies) -> dict:
    return {key: tally.row(key, "") for key, tally in tallies.items() if not tally.is_empty()}


def _differences(engine, province) -> list[str]:
    """Every (period, scope) whose figures differ between the rollups and the direct count."""
    first, second = province.agency_ids[:2]
    scopes = [Scope("agency"), Scope("total"), Scope("total", agency_ids=[second]), Scope("unit", agency_id=first),
              Scope("person", agency_id=second), Scope("person", agency_id=second, unit_id=province.units[second][1])]
    periods = [parse_period(kind, value, today=TODAY) for kind, value in PERIODS]
    periods.append(parse_period("range", start="2025-12-15", end="2026-01-20", today=TODAY))
    found = []
    with reading(engine) as session:
        for period in periods:
            for scope in scopes:
                expected = _rows(direct.tallies(session, period, scope, today=TODAY))
                actual = _rows(rollup_repo.tallies(session, period, scope, today=TODAY))
                if expected != actual:
                    key = next(key for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key))
                    found.append(f"{period.label} {scope}: {expected.get(key)} != {actual.get(key)}")
    return found


def _rebuild(engine, province) -> None:
    with transaction(engine) as session:
        rollup_build.rebuild(session, province.agency_ids[:2])
    with transaction(engine) as session:
        rollup_build.rebuild(session, province.agency_ids[2:])


def test_rollups_equal_the_direct_count_before_and_after_more_documents(engine):
    province = seed_organisation(engine, 3, units_per_agency=3, people_per_unit=2)
    seed_work(engine, province, 700, random.Random(13), start=START, end=END)
    _rebuild(engine, province)
    _rebuild(engine, province)  # a second run (a retry) rewrites the same rows, never adds to them
    assert _differences(engine, province) == []

    with reading(engine) as session:
        year = parse_period("year", "2026", today=TODAY)
        before = repo.agency_rows(session, year, province.agency_ids, today=TODAY)
        trend = repo.monthly_trend(session, 2026, province.agency_ids[0], today=TODAY)
        assert [row.key for row in trend] == list(range(1, 12))
        for row in trend:  # each month's figures are the direct count of that month
            month = parse_period("month", f"2026-{row.key:02d}", today=TODAY)
            expected = direct.tallies(session, month, Scope("total", agency_ids=[province.agency_ids[0]]), today=TODAY)
            assert expected[0].row(row.key, row.label) == row
        units = repo.unit_rows(session, year, province.agency_ids[0], today=TODAY)
        assert sum(row.received for row in units) == before[0].received
        assert sum(row.open for row in units) == before[0].open
    assert sum(row.received for row in before) > 0 and any(row.overdue for row in before)
    assert any(row.unacknowledged for row in before) and any(row.extension_requests for row in before)

    seed_work(engine, province, 300, random.Random(14), start=datetime(2026, 1, 1, tzinfo=UTC), end=END)
    assert _differences(engine, province) != []  # the rollups are stale until the next refresh
    _rebuild(engine, province)
    assert _differences(engine, province) == []
    with reading(engine) as session:
        after = repo.agency_rows(session, year, province.agency_ids, today=TODAY)
        assert sum(row.received for row in after) > sum(row.received for row in before)
        assert repo.refreshed_at(session) is not None


def test_oldest_overdue_lists_open_work_past_its_deadline_oldest_first(engine):
    province = seed_organisation(engine, 2, units_per_agency=2, people_per_unit=2)
    seed_work(engine, province, 200, random.Random(7), start=START, end=END)
    with reading(engine) as session:
        items = repo.oldest_overdue(session, limit=15, today=TODAY)
        mine = repo.oldest_overdue(session, agency_id=province.agency_ids[1], today=TODAY)
    assert len(items) == 15
    assert [item.due_at for item in items] == sorted(item.due_at for item in items)
    assert all(item.due_at.date() < TODAY and item.days_overdue > 0 for item in items)
    assert {item.kind for item in items} <= {"document", "assignment"}
    assert mine and {item.agency_id for item in mine} == {province.agency_ids[1]}
    assert all(item.url.startswith(("/documents/", "/assignments/")) for item in items)
