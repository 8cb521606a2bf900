"""Starting document workflows from outside (web requests, the reconciler).

Client-side code: it never runs inside a workflow. Starts are idempotent: the id is derived
from the document, a running workflow is returned as is, and a closed one is never started again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    WorkflowHandle,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from workflows.assignment import WorkAssignmentWorkflow
from workflows.backup import VIETNAM_OFFSET, DailyBackupWorkflow
from workflows.backup_contracts import BACKUP_SCHEDULE_ID
from workflows.contracts import (
    HUB_DIRECTORY_SCHEDULE_ID,
    HUB_POLL_SCHEDULE_ID,
    MAINTENANCE_SCHEDULE_ID,
    IncomingInput,
    OutgoingInput,
    RecallInput,
    SendInput,
    hub_delivery_workflow_id,
    incoming_workflow_id,
    outgoing_workflow_id,
    recall_workflow_id,
)
from workflows.exchange import HubDeliveryWorkflow, HubDirectorySyncWorkflow, HubPollWorkflow
from workflows.fixity import FixityCheckWorkflow
from workflows.incoming import IncomingDocumentWorkflow
from workflows.maintenance import ReconcileWorkflow
from workflows.outgoing import OutgoingDocumentWorkflow
from workflows.recall import RecallDocumentWorkflow
from workflows.record_contracts import (
    FIXITY_SCHEDULE_ID,
    RecordExportInput,
    RecordFileInput,
    RecordPlanApprovalInput,
    record_export_workflow_id,
    record_plan_workflow_id,
)
from workflows.record_export import RecordExportWorkflow
from workflows.record_file import RecordFileWorkflow
from workflows.record_plan import RecordPlanApprovalWorkflow
from workflows.schedule import ScheduleApprovalWorkflow
from workflows.search_attributes import (
    DOC_KIND,
    ORG_UNIT,
    STAGE,
    URGENCY_LEVEL,
    document_attributes,
)
from workflows.statistics import StatisticsRefreshWorkflow
from workflows.summaries import HUB_SEND_SUMMARY, incoming_summary, outgoing_summary, start_summary
from workflows.work_contracts import (
    STATISTICS_REFRESH_MINUTES,
    STATISTICS_SCHEDULE_ID,
    AssignmentInput,
    ScheduleApprovalInput,
)

log = logging.getLogger("qlvb.starter")

async def _start_once(client: Client, run, argument, *, workflow_id: str, task_queue: str,
                      attributes: list[SearchAttributePair], summary: str) -> WorkflowHandle | None:
    """Start a workflow whose id derives from its business key: a running one is returned as it
    is, a finished one is never started again (None)."""
    try:
        return await client.start_workflow(
            run, argument, id=workflow_id, task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=TypedSearchAttributes(attributes), static_summary=summary)
    except WorkflowAlreadyStartedError:
        return None


async def start_incoming(client: Client, task_queue: str, start: IncomingInput) -> WorkflowHandle | None:
    """Start a document's incoming workflow; None when it already ran to completion."""
    return await _start_once(
        client, IncomingDocumentWorkflow.run, start, workflow_id=incoming_workflow_id(start.document_id),
        task_queue=task_queue, summary=incoming_summary(start.agency_code),
        attributes=document_attributes("incoming", "received", start.agency_code, start.urgency_rank,
                                        start.process_key, start.process_version))


async def start_outgoing(client: Client, task_queue: str, start: OutgoingInput) -> WorkflowHandle | None:
    """Start a submitted draft's outgoing workflow; None when it already ran to completion."""
    return await _start_once(
        client, OutgoingDocumentWorkflow.run, start, workflow_id=outgoing_workflow_id(start.document_id),
        task_queue=task_queue, summary=outgoing_summary(start.agency_code),
        attributes=document_attributes("outgoing", "submitted", start.agency_code, start.urgency_rank,
                                        start.process_key, start.process_version))


async def start_recall(client: Client, task_queue: str, start: RecallInput, agency_code: str) -> WorkflowHandle | None:
    """Ask a recipient to answer a recall; None when that recall was already answered."""
    return await _start_once(
        client, RecallDocumentWorkflow.run, start, workflow_id=recall_workflow_id(start.document_id),
        task_queue=task_queue, summary=start_summary("recall", agency_code),
        attributes=[SearchAttributePair(DOC_KIND, "recall"), SearchAttributePair(STAGE, "recall"),
                    SearchAttributePair(ORG_UNIT, agency_code), SearchAttributePair(URGENCY_LEVEL, start.urgency_rank)])


async def start_record_file(client: Client, task_queue: str, start: RecordFileInput, workflow_id: str,
                            agency_code: str) -> WorkflowHandle | None:
    """Start a hồ sơ's workflow (``hoso-<uuid>``); the running one is returned, None when it ended."""
    return await _start_once(
        client, RecordFileWorkflow.run, start, workflow_id=workflow_id, task_queue=task_queue, summary=start_summary("Hồ sơ", agency_code),
        attributes=[SearchAttributePair(DOC_KIND, "record"), SearchAttributePair(STAGE, "dang_lap"),
                    SearchAttributePair(ORG_UNIT, agency_code)])


async def start_record_plan_approval(client: Client, task_queue: str, start: RecordPlanApprovalInput,
                                     agency_code: str) -> WorkflowHandle | None:
    """Ask the head of the agency to approve one round of a Danh mục hồ sơ; None when that round
    was already decided."""
    return await _start_once(
        client, RecordPlanApprovalWorkflow.run, start,
        workflow_id=record_plan_workflow_id(start.record_plan_id, start.approval_round),
        task_queue=task_queue, summary=start_summary("Phê duyệt Danh mục hồ sơ", agency_code),
        attributes=[SearchAttributePair(DOC_KIND, "record-plan"), SearchAttributePair(STAGE, "approve_plan"),
                    SearchAttributePair(ORG_UNIT, agency_code)])


async def start_assignment(client: Client, task_queue: str, start: AssignmentInput,
                           workflow_id: str) -> WorkflowHandle | None:
    """Start an assignment's workflow (giao việc); None when it already ran to completion."""
    return await _start_once(
        client, WorkAssignmentWorkflow.run, start, workflow_id=workflow_id, task_queue=task_queue,
        summary=start_summary("Giao việc", start.agency_code),
        attributes=[SearchAttributePair(DOC_KIND, "assignment"), SearchAttributePair(STAGE, "assigned"),
                    SearchAttributePair(ORG_UNIT, start.agency_code)])


async def start_schedule_approval(client: Client, task_queue: str, start: ScheduleApprovalInput, workflow_id: str,
                                  agency_code: str) -> WorkflowHandle | None:
    """Ask the head of the agency to approve one round of a weekly work schedule; None when that
    round was already decided."""
    return await _start_once(
        client, ScheduleApprovalWorkflow.run, start, workflow_id=workflow_id, task_queue=task_queue,
        summary=start_summary("Duyệt lịch công tác tuần", agency_code),
        attributes=[SearchAttributePair(DOC_KIND, "schedule"), SearchAttributePair(STAGE, "approve_schedule"),
                    SearchAttributePair(ORG_UNIT, agency_code)])


async def start_hub_delivery(client: Client, task_queue: str, outbox_id: int, outbox_uuid: str) -> WorkflowHandle | None:
    """Start the delivery of one queued hub package; a running or finished one is left as it is."""
    return await _start_once(
        client, HubDeliveryWorkflow.run, SendInput(outbox_id), workflow_id=hub_delivery_workflow_id(outbox_uuid),
        task_queue=task_queue, summary=HUB_SEND_SUMMARY,
        attributes=[SearchAttributePair(DOC_KIND, "hub-send")])


async def ensure_hub_schedule(client: Client, task_queue: str, every: timedelta) -> None:
    """Create the hub's schedules (receive loop, daily directory), or update their interval; idempotent."""
    await _ensure_schedule(client, HUB_POLL_SCHEDULE_ID, HubPollWorkflow.run, task_queue, every)
    await _ensure_schedule(client, HUB_DIRECTORY_SCHEDULE_ID, HubDirectorySyncWorkflow.run, task_queue,
                           timedelta(days=1))


async def ensure_maintenance_schedule(client: Client, task_queue: str, every: timedelta) -> None:
    """Create the ``Reconcile`` schedule, or update its interval; idempotent."""
    await _ensure_schedule(client, MAINTENANCE_SCHEDULE_ID, ReconcileWorkflow.run, task_queue, every)


async def ensure_backup_schedule(client: Client, task_queue: str, hour: int | None) -> None:
    """Create the ``DailyBackup`` schedule at ``hour`` o'clock Vietnam time, or update it; idempotent.

    ``None`` (no backup directory configured) removes a schedule left from an earlier configuration.
    """
    if hour is None:
        await _remove_schedule(client, BACKUP_SCHEDULE_ID)
        return
    utc_hour = (hour - int(VIETNAM_OFFSET.total_seconds()) // 3600) % 24
    await _put_schedule(client, BACKUP_SCHEDULE_ID, DailyBackupWorkflow.run, task_queue,
                        ScheduleSpec(calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(utc_hour)])]))


async def ensure_fixity_schedule(client: Client, task_queue: str, every: timedelta | None) -> None:
    """Create the ``FixityCheck`` schedule (a round every ``every``), or update it; idempotent.

    ``None`` (``QLVB_FIXITY_PERIOD_DAYS=0``) removes a schedule left from an earlier configuration.
    """
    if every is None:
        await _remove_schedule(client, FIXITY_SCHEDULE_ID)
        return
    await _ensure_schedule(client, FIXITY_SCHEDULE_ID, FixityCheckWorkflow.run, task_queue, every)


async def ensure_statistics_schedule(client: Client, task_queue: str) -> None:
    """Create the ``StatisticsRefresh`` schedule (the rollups rebuilt every
    ``STATISTICS_REFRESH_MINUTES``), or update it; idempotent."""
    await _ensure_schedule(client, STATISTICS_SCHEDULE_ID, StatisticsRefreshWorkflow.run, task_queue,
                           timedelta(minutes=STATISTICS_REFRESH_MINUTES))


async def _remove_schedule(client: Client, schedule_id: str) -> None:
    """Delete a schedule the configuration no longer asks for; one that is not there is no error."""
    try:
        await client.get_schedule_handle(schedule_id).delete()
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise


async def start_record_export(client: Client, task_queue: str, export_id: str) -> WorkflowHandle | None:
    """Build the package of one export of a hồ sơ (its ``record_export`` row)."""
    return await _start_once(
        client, RecordExportWorkflow.run, RecordExportInput(export_id), workflow_id=record_export_workflow_id(export_id),
        task_queue=task_queue, summary="Xuất hồ sơ", attributes=[SearchAttributePair(DOC_KIND, "record-export")])


async def _ensure_schedule(client: Client, schedule_id: str, run, task_queue: str, every: timedelta) -> None:
    """A schedule starting ``run`` every ``every``, one run at a time (overlap SKIP)."""
    await _put_schedule(client, schedule_id, run, task_queue, ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]))


async def _put_schedule(client: Client, schedule_id: str, run, task_queue: str, spec: ScheduleSpec) -> None:
    """Create the schedule, or replace its action and spec; one run at a time (overlap SKIP)."""
    action = ScheduleActionStartWorkflow(run, id=schedule_id, task_queue=task_queue)
    schedule = Schedule(action=action, spec=spec, policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP))
    try:
        await client.create_schedule(schedule_id, schedule)
    except ScheduleAlreadyRunningError:
        await client.get_schedule_handle(schedule_id).update(
            lambda _, schedule=schedule: ScheduleUpdate(schedule=schedule))


# --- after a command's commit ----------------------------------------------------------------
# A command commits first, then starts what its rows ask for. A start that fails here (Temporal
# unreachable) is not an error for the person: the row stays as it is and the Reconcile round
# (or, for hub packages, the next hub poll) starts it later with the same input.


async def start_intakes_after_commit(client: Client, task_queue: str, starts: list[IncomingInput]) -> None:
    """Start the intake workflow of each document the commit created."""
    for start in starts:
        try:
            await start_incoming(client, task_queue, start)
        except RPCError:
            log.warning("intake workflow start for %s deferred to the reconciler", start.document_id, exc_info=True)


async def start_hub_deliveries_after_commit(client: Client, task_queue: str, outbox: list[tuple[int, str]]) -> None:
    """Start the delivery workflow of each hub package the commit queued, (outbox id, uuid) each."""
    for outbox_id, outbox_uuid in outbox:
        try:
            await start_hub_delivery(client, task_queue, outbox_id, outbox_uuid)
        except RPCError:
            log.warning("hub delivery %s deferred to the next hub poll", outbox_id, exc_info=True)
