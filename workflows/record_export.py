"""``RecordExport``: building the package of one export of a hồ sơ (``xuathoso-<export uuid>``).

Started by ``commands.record_export.request_export`` after the ``record_export`` row is
committed. Its one activity, ``export_record``, builds the package (heartbeating while the child
process that builds it reports progress, and writing that progress to the row the page polls);
it is idempotent on the export id. When it fails for good, ``fail_record_export`` marks the row
failed with the reason, which the page shows, and the run fails.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName
    from workflows.record_contracts import RecordExportFailure, RecordExportInput, RecordExportResult

# A worker stopped mid-build starts the build again; a refusal (a missing file) is final at once.
EXPORT_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), backoff_coefficient=2.0, maximum_attempts=3)
REPORT_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=10)


def _failure(export_id: str, error: ActivityError) -> RecordExportFailure:
    """The refusal's code and parameters (``DomainErrorsAreFinal``), or the error's text."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.type and cause.non_retryable:
        details = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        return RecordExportFailure(export_id, cause.type, {str(k): str(v) for k, v in details.items()})
    return RecordExportFailure(export_id, str(cause or error)[:400])


@workflow.defn(name="RecordExport")
class RecordExportWorkflow:
    """Build one export's package; returns what it holds."""

    @workflow.run
    async def run(self, request: RecordExportInput) -> RecordExportResult:
        try:
            return await workflow.execute_activity(
                ActivityName.EXPORT_RECORD, request, result_type=RecordExportResult,
                start_to_close_timeout=timedelta(hours=6), heartbeat_timeout=timedelta(minutes=2),
                retry_policy=EXPORT_RETRY)
        except ActivityError as error:
            failure = _failure(request.export_id, error)
            await workflow.execute_activity(
                ActivityName.FAIL_RECORD_EXPORT, failure, start_to_close_timeout=timedelta(minutes=1),
                retry_policy=REPORT_RETRY)
            raise ApplicationError(f"export {request.export_id} failed: {failure.error}", type="record_export_failed",
                                   non_retryable=True) from error
