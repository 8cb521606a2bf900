"""``FixityCheck``: one round of the fixity pass over the file store, started by the ``qlvb-fixity``
schedule every ``QLVB_FIXITY_ROUND_MINUTES`` (overlap SKIP).

A round asks how many files it must check so the pass ends within ``QLVB_FIXITY_PERIOD_DAYS``
(``plan_fixity_round``), then checks them in batches of at most ``QLVB_FIXITY_BATCH_FILES``
(``check_fixity_batch``: each file re-hashed, a heartbeat per file, and in one transaction at the
end the problems found, their report to the administrators and the cursor moved past the batch).
Where the pass stands is kept in the database, so a round that fails, a worker that stops, a
schedule that was paused all resume where the pass stood; a retried batch resumes from its last
heartbeat. A long round continues as new before its history grows large.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName
    from workflows.record_contracts import FixityBatchInput, FixityBatchResult, FixityPlan

PLAN_RETRY = RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=5))
# A disk or database that is back within minutes; a batch resumes from its last heartbeat.
BATCH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), backoff_coefficient=2.0,
                          maximum_interval=timedelta(minutes=5), maximum_attempts=5)


@workflow.defn(name="FixityCheck")
class FixityCheckWorkflow:
    """One round of the fixity pass; returns what it checked and found."""

    @workflow.run
    async def run(self) -> FixityBatchResult:
        plan = await workflow.execute_activity(
            ActivityName.PLAN_FIXITY_ROUND, result_type=FixityPlan,
            start_to_close_timeout=timedelta(minutes=1), retry_policy=PLAN_RETRY)
        total, remaining = FixityBatchResult(), plan.quota
        while remaining > 0:
            batch = await workflow.execute_activity(
                ActivityName.CHECK_FIXITY_BATCH, FixityBatchInput(limit=min(plan.batch, remaining)),
                result_type=FixityBatchResult, start_to_close_timeout=timedelta(hours=2),
                heartbeat_timeout=timedelta(minutes=2), retry_policy=BATCH_RETRY)
            total.checked += batch.checked
            total.problems += batch.problems
            total.reported += batch.reported
            remaining -= batch.checked
            if batch.checked == 0 or batch.pass_finished:
                total.pass_finished = batch.pass_finished
                break
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new()  # the next run plans again from where the pass stands
        return total
