"""The totals behind /metrics, read from the database at scrape time.

Reading them at scrape time (not counting in each process) is what lets several uvicorn worker
processes, and the Temporal worker, agree: every process answers the same numbers.

Cost of one read, a handful of grouped ``COUNT`` queries: documents by direction and status from the
index ``ix_document_agency_direction_status`` alone (an index-only pass, no table rows read); the
active tasks through ``ix_task_queue`` (agency, status), so closed tasks, the great majority, are
never read; the signature verdicts from ``ix_signature_check_verdict`` alone; the hub packages not
sent through the partial index ``ix_hub_outbox_unsent`` and the recalls asked through
``ix_recipient_recall_requested`` (migration 0037), so neither sent packages nor ordinary recipients
are read; and a few small tables (assignments, hồ sơ, plans, schedules). Measured on a busy
2-core machine: the demo data 10–80 ms a scrape; 100,000 documents, 200,000 tasks, 66,000 checks
and 10,000 hub packages 0.3–0.5 s on PostgreSQL and 0.5–0.9 s on SQLite, growing with the tables. So
the web layer caches one read for ``QLVB_METRICS_CACHE_SECONDS`` (30) per process, and several
scrapers cost one read. Exact figures at province scale without these passes need rollups such as
the statistics' (``models/statistics``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.assignments.tables import WorkAssignment
from models.documents.tables import Document
from models.exchange.tables import HubOutbox
from models.org.tables import Agency
from models.outgoing.tables import Recipient
from models.records.tables import RecordFile, RecordPlan
from models.schedule.tables import WorkSchedule
from models.signing.tables import SignatureCheck
from models.tasks.repo import ACTIVE
from models.tasks.tables import Task
from models.vocab import Direction, DocumentStatus

# An outgoing document was issued when it reached one of these (a recall keeps the issue).
ISSUED_STATUSES = (DocumentStatus.ISSUED, DocumentStatus.RECALLED)
# Transport states of hub packages that /metrics reports (``sent`` grows without bound: not a gauge).
HUB_STATES = ("pending", "failed")
SENT = "sent"


@dataclass
class OperationTotals:
    """What /metrics exposes, by label value."""

    documents: Counter = field(default_factory=Counter)  # (direction, status) → documents
    received: int = 0
    issued: int = 0
    workflows: Counter = field(default_factory=Counter)  # workflow type → starts recorded
    open_tasks: Counter = field(default_factory=Counter)  # step → active tasks
    overdue_tasks: Counter = field(default_factory=Counter)  # step → active overdue tasks
    verdicts: Counter = field(default_factory=Counter)  # signature verdict → files checked
    hub_deliveries: Counter = field(default_factory=Counter)  # pending | failed → packages


def _documents(session: Session, totals: OperationTotals) -> None:
    """From the index alone. Every incoming document starts its workflow at intake; an outgoing one
    leaves ``draft`` when its workflow starts (``commands.drafting``) and never goes back."""
    rows = session.exec(select(Document.direction, Document.status, func.count())
                        .group_by(Document.direction, Document.status))
    for direction, status, documents in rows:
        totals.documents[(str(direction), str(status))] += documents
        if direction == Direction.INCOMING:
            totals.received += documents
            totals.workflows["IncomingDocument"] += documents
        else:
            if status != DocumentStatus.DRAFT:
                totals.workflows["OutgoingDocument"] += documents
            if status in ISSUED_STATUSES:
                totals.issued += documents


def _tasks(session: Session, totals: OperationTotals) -> None:
    """The active tasks, each agency's found through ``ix_task_queue`` (agency, status, due)."""
    agencies = list(session.exec(select(Agency.id)))
    if not agencies:
        return
    rows = session.exec(select(Task.step, Task.overdue, func.count())
                        .where(col(Task.agency_id).in_(agencies), col(Task.status).in_(ACTIVE))
                        .group_by(Task.step, Task.overdue))
    for step, overdue, tasks in rows:
        totals.open_tasks[step] += tasks
        if overdue:
            totals.overdue_tasks[step] += tasks


def _other_workflows(session: Session, totals: OperationTotals) -> None:
    """The workflows recorded by rows other than documents: one per assignment, per hồ sơ with a
    lifecycle, per approval round of a Danh mục or a week's schedule, per hub package, per recall
    asked of a recipient inside the installation (``commands.recall``: its văn thư answers it)."""
    totals.workflows["WorkAssignment"] = session.exec(select(func.count()).select_from(WorkAssignment)).one()
    totals.workflows["RecordFile"] = session.exec(
        select(func.count()).select_from(RecordFile).where(col(RecordFile.workflow_id) != "")).one()
    totals.workflows["RecordPlanApproval"] = session.exec(
        select(func.coalesce(func.sum(RecordPlan.approval_round), 0))).one()
    totals.workflows["ScheduleApproval"] = session.exec(
        select(func.coalesce(func.sum(WorkSchedule.approval_round), 0))).one()
    totals.workflows["HubDelivery"] = session.exec(select(func.count()).select_from(HubOutbox)).one()
    totals.workflows["RecallDocument"] = session.exec(
        select(func.count()).select_from(Recipient)
        .where(col(Recipient.recall_requested_at).is_not(None), col(Recipient.incoming_document_id).is_not(None))).one()


def operation_totals(session: Session) -> OperationTotals:
    """Every figure of /metrics in one read."""
    totals = OperationTotals()
    _documents(session, totals)
    _tasks(session, totals)
    _other_workflows(session, totals)
    for verdict, files in session.exec(select(SignatureCheck.verdict, func.count()).group_by(SignatureCheck.verdict)):
        totals.verdicts[str(verdict)] = files
    # Written as the partial index's own condition, which both planners match (SQLite would not
    # infer it from an ``IN`` list).
    for state, packages in session.exec(select(HubOutbox.transport_status, func.count())
                                        .where(col(HubOutbox.transport_status) != SENT)
                                        .group_by(HubOutbox.transport_status)):
        if state in HUB_STATES:
            totals.hub_deliveries[state] = packages
    return totals
