"""``DailyBackup``: the day's backup, started by the ``qlvb-backup`` schedule.

The worker creates the schedule only when ``QLVB_BACKUP_DIR`` is set (``workflows.starter``). A
run names the backup after the Vietnam date of its start (``qlvb-YYYY-MM-DD``), so a retried
activity or a re-run the same day finds the same backup: a complete one is kept as it is, a
partial one is started again. The activity heartbeats while it copies and, once the backup is
complete, deletes the oldest copies beyond ``QLVB_BACKUP_KEEP``. When it fails for good the
administrators are told (a notification each, with its e-mail copy through the outbox) and the
run fails, so the schedule's list in the Temporal UI shows it too.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.backup_contracts import BackupFailure, DailyBackupInput, DailyBackupResult
    from workflows.contracts import ActivityName

VIETNAM_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving time
# A disk that filled up or a database that restarted may be back within the hour; a refusal
# (pg_dump too old, a corrupt blob) is final at once (non-retryable).
BACKUP_RETRY = RetryPolicy(initial_interval=timedelta(minutes=1), backoff_coefficient=2.0,
                           maximum_interval=timedelta(minutes=15), maximum_attempts=4)
REPORT_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=10)


def _reason(error: ActivityError) -> str:
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.message:
        return cause.message
    return str(cause or error)


@workflow.defn(name="DailyBackup")
class DailyBackupWorkflow:
    """One day's backup; returns what it holds and what was removed."""

    @workflow.run
    async def run(self) -> DailyBackupResult:
        name = f"qlvb-{(workflow.now() + VIETNAM_OFFSET).date().isoformat()}"
        try:
            return await workflow.execute_activity(
                ActivityName.TAKE_DAILY_BACKUP, DailyBackupInput(name), result_type=DailyBackupResult,
                start_to_close_timeout=timedelta(hours=6), heartbeat_timeout=timedelta(minutes=2),
                retry_policy=BACKUP_RETRY)
        except ActivityError as error:
            reason = _reason(error)
            await workflow.execute_activity(
                ActivityName.REPORT_BACKUP_FAILURE, BackupFailure(name, reason),
                start_to_close_timeout=timedelta(minutes=1), retry_policy=REPORT_RETRY)
            raise ApplicationError(f"backup {name} failed: {reason}", type="backup_failed",
                                   non_retryable=True) from error
