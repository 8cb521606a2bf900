"""The Temporal worker: registers workflows and activities, and creates the schedules.

Activities are synchronous (SQLModel sessions, later pyHanko), so they run on a thread pool,
never on the worker's event loop.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError
from temporalio.worker import Worker

from activities.assignments import AssignmentActivities
from activities.audit import AuditActivities
from activities.backup import BackupActivities
from activities.calendar import CalendarActivities
from activities.definitions import DefinitionActivities
from activities.digitise import DigitiseActivities
from activities.documents import DocumentActivities, RoutingActivities
from activities.exchange import ExchangeActivities
from activities.fixity import FixityActivities
from activities.interceptors import DomainErrorsAreFinal
from activities.maintenance import MaintenanceActivities
from activities.outgoing import OutgoingActivities
from activities.push import PushActivities
from activities.recall import RecallActivities
from activities.record_export import RecordExportActivities
from activities.record_plans import RecordPlanActivities
from activities.records import RecordActivities
from activities.registers import RegisterActivities
from activities.schedule import ScheduleActivities
from activities.search_index import SearchIndexActivities
from activities.signatures import SignatureActivities
from activities.statistics import StatisticsActivities
from activities.tasks import TaskActivities
from config.settings import Settings, get_settings
from config.temporal import connect
from models.db import PoolSize, make_engine
from models.documents.file_store import FileStore
from workflows.assignment import WorkAssignmentWorkflow
from workflows.backup import DailyBackupWorkflow
from workflows.exchange import HubDeliveryWorkflow, HubDirectorySyncWorkflow, HubPollWorkflow
from workflows.fixity import FixityCheckWorkflow
from workflows.incoming import IncomingDocumentWorkflow
from workflows.maintenance import ReconcileWorkflow
from workflows.outgoing import OutgoingDocumentWorkflow
from workflows.recall import RecallDocumentWorkflow
from workflows.record_export import RecordExportWorkflow
from workflows.record_file import RecordFileWorkflow
from workflows.record_plan import RecordPlanApprovalWorkflow
from workflows.schedule import ScheduleApprovalWorkflow
from workflows.starter import (
    ensure_backup_schedule,
    ensure_fixity_schedule,
    ensure_hub_schedule,
    ensure_maintenance_schedule,
    ensure_statistics_schedule,
)
from workflows.statistics import StatisticsRefreshWorkflow

log = logging.getLogger("qlvb.worker")
# The threads that run the (synchronous) activities of one worker process; its pool is sized from them.
ACTIVITY_THREADS = 8

WORKFLOWS = [IncomingDocumentWorkflow, OutgoingDocumentWorkflow, RecallDocumentWorkflow, HubPollWorkflow,
             HubDeliveryWorkflow, HubDirectorySyncWorkflow, ReconcileWorkflow, DailyBackupWorkflow,
             WorkAssignmentWorkflow, RecordFileWorkflow,
             RecordPlanApprovalWorkflow, ScheduleApprovalWorkflow, FixityCheckWorkflow, RecordExportWorkflow,
             StatisticsRefreshWorkflow]


def activities_for(engine: Engine, settings: Settings, client: Client | None = None, hub_factory=None) -> list:
    """Instantiate every activity family with its dependencies.

    ``client`` lets activities start workflows at once (a document received through the hub, a
    delivery, a lost start restarted by the Reconcile round); without it those wait for a round
    run by a worker that has one. ``hub_factory`` replaces the exchange hub client built from the
    settings (tests point it at the in-process simulator).
    """
    calendar = CalendarActivities(engine)
    definitions = DefinitionActivities(engine)
    digitise = DigitiseActivities(engine, FileStore(settings.files_dir), settings)
    documents = DocumentActivities(engine)
    routing = RoutingActivities(engine)
    registers = RegisterActivities(engine)
    signatures = SignatureActivities(engine, FileStore(settings.files_dir), settings)
    tasks = TaskActivities(engine)
    outgoing = OutgoingActivities(engine, FileStore(settings.files_dir), settings, client)
    recall = RecallActivities(engine, client)
    exchange = ExchangeActivities(engine, FileStore(settings.files_dir), settings, client, hub_factory)
    maintenance = MaintenanceActivities(engine, settings, client)
    push = PushActivities(engine, settings)
    search_index = SearchIndexActivities(engine, FileStore(settings.files_dir))
    backup = BackupActivities(engine, settings)
    audit = AuditActivities(engine, settings)
    fixity = FixityActivities(engine, FileStore(settings.files_dir), settings)
    statistics = StatisticsActivities(engine)
    record_export = RecordExportActivities(engine, FileStore(settings.files_dir), settings)
    assignments = AssignmentActivities(engine)
    record_plans = RecordPlanActivities(engine)
    records = RecordActivities(engine, FileStore(settings.files_dir))
    schedule = ScheduleActivities(engine)
    return [
        calendar.compute_due_at,
        definitions.load_definition,
        digitise.ocr_scan,
        digitise.sign_digitised,
        documents.apply_decision,
        routing.withdraw_branch,
        registers.register_incoming,
        signatures.verify_signatures,
        tasks.open_task,
        tasks.mark_task_overdue,
        tasks.escalate_overdue,
        tasks.send_reminder,
        tasks.close_workflow_tasks,
        outgoing.apply_outgoing_decision,
        outgoing.issue_outgoing,
        outgoing.dispatch_outgoing,
        recall.apply_recall_decision,
        recall.stop_document_workflow,
        exchange.poll_hub,
        exchange.send_hub_package,
        exchange.hub_send_failed,
        exchange.sync_hub_directory,
        maintenance.restart_lost_starts,
        maintenance.put_back_lost_decisions,
        maintenance.report_recipients_not_reached,
        maintenance.deliver_mail,
        push.deliver_push,
        search_index.index_text_layers,
        backup.take_daily_backup,
        backup.report_backup_failure,
        audit.sign_audit_day_heads,
        fixity.plan_fixity_round,
        fixity.check_fixity_batch,
        record_export.export_record,
        record_export.fail_record_export,
        record_export.prepare_record_package,
        assignments.apply_assignment_decision,
        assignments.close_assignment,
        record_plans.apply_record_plan_decision,
        records.load_record,
        records.record_requested,
        records.apply_record_decision,
        records.warn_record_transfer,
        records.correct_record,
        records.remove_disposed_files,
        schedule.apply_schedule_decision,
        statistics.refresh_statistics,
    ]


def build_worker(client: Client, engine: Engine, settings: Settings, executor: ThreadPoolExecutor,
                 hub_factory=None) -> Worker:
    """Assemble a worker for the settings' task queue (the tests use the same function)."""
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=WORKFLOWS,
        activities=activities_for(engine, settings, client, hub_factory),
        activity_executor=executor,
        graceful_shutdown_timeout=timedelta(seconds=settings.worker_graceful_shutdown_seconds),
        interceptors=[DomainErrorsAreFinal()],
    )


def telemetry_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime exporting the SDK's own metrics (polls, task latencies, slots, activity
    and workflow outcomes) in the Prometheus format at ``worker_metrics_address``; None when empty.

    The SDK counts these itself; the web's /metrics covers what the database knows. One runtime
    per process: its exporter holds the port. A port already taken (a second worker on the machine
    with the same address) is logged and the worker runs without the exporter: metrics never stop
    the documents' work.
    """
    if not settings.worker_metrics_address:
        return None
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(
            bind_address=settings.worker_metrics_address, durations_as_seconds=True)))
    except ValueError:  # the exporter could not bind its address
        log.warning("Temporal SDK metrics not exported: %s is not available (set QLVB_WORKER_METRICS_ADDRESS)",
                    settings.worker_metrics_address, exc_info=True)
        return None


async def run_worker(settings: Settings | None = None) -> None:
    """Connect, then poll the task queue until cancelled."""
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url, pool=PoolSize.for_threads(
        ACTIVITY_THREADS, settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout))
    client = await connect(settings, telemetry_runtime(settings))
    with ThreadPoolExecutor(max_workers=ACTIVITY_THREADS) as executor:
        worker = build_worker(client, engine, settings, executor)
        try:  # the receive loop of the exchange hub (EDXML §9.5), every hub_poll_seconds
            await ensure_hub_schedule(client, settings.temporal_task_queue, timedelta(seconds=settings.hub_poll_seconds))
            # The reconciler and the mail sender: one run at a time whichever worker takes it.
            await ensure_maintenance_schedule(client, settings.temporal_task_queue,
                                              timedelta(seconds=settings.maintenance_seconds))
            # The daily backup, only when a backup directory is configured (removed otherwise).
            await ensure_backup_schedule(client, settings.temporal_task_queue,
                                         settings.backup_hour if settings.backup_dir else None)
            # Fixity of the file store: a round every fixity_round_minutes (none when the period is 0).
            await ensure_fixity_schedule(client, settings.temporal_task_queue,
                                         timedelta(minutes=settings.fixity_round_minutes)
                                         if settings.fixity_period_days > 0 else None)
            # The statistics rollups, rebuilt every STATISTICS_REFRESH_MINUTES.
            await ensure_statistics_schedule(client, settings.temporal_task_queue)
        except RPCError:
            log.warning("the schedules could not be created; retried at the next start", exc_info=True)
        await worker.run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run_worker())
