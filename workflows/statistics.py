"""``StatisticsRefresh``: the rollups of the statistics rebuilt from the source rows, started by the
``qlvb-statistics`` schedule every ``STATISTICS_REFRESH_MINUTES`` (overlap SKIP).

One activity (``refresh_statistics``) rebuilds every agency a few at a time, one transaction per
batch, with a heartbeat per batch. A rebuild replaces an agency's rows, so a retry after a crash
or a kill simply rebuilds again: nothing is ever counted twice, and a round that fails leaves the
previous figures in place (``stat_refresh`` says how old they are).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName
    from workflows.work_contracts import StatisticsRefreshResult

REFRESH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=30), backoff_coefficient=2.0,
                            maximum_interval=timedelta(minutes=5), maximum_attempts=3)


@workflow.defn(name="StatisticsRefresh")
class StatisticsRefreshWorkflow:
    """One rebuild of every agency's rollups; returns what it did."""

    @workflow.run
    async def run(self) -> StatisticsRefreshResult:
        return await workflow.execute_activity(
            ActivityName.REFRESH_STATISTICS, result_type=StatisticsRefreshResult,
            start_to_close_timeout=timedelta(hours=1), heartbeat_timeout=timedelta(minutes=5),
            retry_policy=REFRESH_RETRY)
