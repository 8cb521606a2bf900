"""``StatisticsRefresh`` on the dev server: a round rebuilds every agency's rollups from the source
rows (the figures then equal the direct count), a second round rewrites the same rows, and the
worker keeps a schedule for it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlmodel import func, select

from bench.province_corpus import seed_organisation, seed_work
from config.settings import Settings
from models.db import reading
from models.statistics import direct, repo, rollup_repo
from models.statistics.direct import Scope
from models.statistics.schema import parse_period
from models.statistics.tables import StatPersonDay
from tests.helpers import running_worker
from workflows.starter import ensure_statistics_schedule
from workflows.statistics import StatisticsRefreshWorkflow
from workflows.work_contracts import STATISTICS_REFRESH_MINUTES, STATISTICS_SCHEDULE_ID

TODAY = date(2026, 11, 20)


async def test_a_round_rebuilds_the_rollups_and_a_second_round_changes_nothing(sqlite_engine, temporal_env, task_queue,
                                                                                tmp_path):
    engine, client = sqlite_engine, temporal_env.client
    province = seed_organisation(engine, 12, units_per_agency=2, people_per_unit=2)
    seed_work(engine, province, 300, random.Random(5), start=datetime(2026, 1, 1, tzinfo=UTC),
              end=datetime(2026, 11, 20, tzinfo=UTC))
    settings = Settings(var_dir=tmp_path, temporal_task_queue=task_queue)
    year = parse_period("year", "2026", today=TODAY)

    async with running_worker(client, engine, settings):
        first = await client.execute_workflow(StatisticsRefreshWorkflow.run, id=f"stats-{task_queue}-1",
                                              task_queue=task_queue, execution_timeout=timedelta(minutes=2))
        with reading(engine) as session:
            rows_after_first = session.exec(select(func.count()).select_from(StatPersonDay)).one()
            figures = rollup_repo.tallies(session, year, Scope("agency"), today=TODAY)
        second = await client.execute_workflow(StatisticsRefreshWorkflow.run, id=f"stats-{task_queue}-2",
                                               task_queue=task_queue, execution_timeout=timedelta(minutes=2))

    assert first.agencies >= 12 and first.rows == second.rows == rows_after_first > 0
    with reading(engine) as session:
        assert session.exec(select(func.count()).select_from(StatPersonDay)).one() == rows_after_first
        expected = direct.tallies(session, year, Scope("agency"), today=TODAY)
        assert rollup_repo.tallies(session, year, Scope("agency"), today=TODAY) == figures
        assert {key: tally.row(key, "") for key, tally in figures.items()} == \
            {key: tally.row(key, "") for key, tally in expected.items() if not tally.is_empty()}
        assert repo.refreshed_at(session) is not None


async def test_the_worker_keeps_a_statistics_schedule(temporal_env, task_queue):
    client = temporal_env.client
    await ensure_statistics_schedule(client, task_queue)
    await ensure_statistics_schedule(client, task_queue)  # idempotent: updated, not duplicated
    description = await client.get_schedule_handle(STATISTICS_SCHEDULE_ID).describe()
    assert description.schedule.action.workflow == "StatisticsRefresh"
    assert description.schedule.spec.intervals[0].every == timedelta(minutes=STATISTICS_REFRESH_MINUTES)
    await client.get_schedule_handle(STATISTICS_SCHEDULE_ID).delete()
