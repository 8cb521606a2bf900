"""Inputs and outputs crossing the workflow boundary: stdlib dataclasses only.

They carry ids and small values, never ORM objects or file bytes. New fields get defaults so
running histories still decode (TEMPORAL-PATTERNS §9). ``datetime`` values are aware UTC;
``date`` is avoided because the default data converter cannot encode it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ActivityName(StrEnum):
    """Every activity a workflow schedules, by the name the worker registers it under.

    Workflows name activities (they may not import activity code); ``tests/unit/test_activity_names.py``
    checks these names against ``worker.activities_for``. Names are in histories: never rename one.
    """

    APPLY_DECISION = "apply_decision"
    DELIVER_MAIL = "deliver_mail"
    DELIVER_PUSH = "deliver_push"
    PUT_BACK_LOST_DECISIONS = "put_back_lost_decisions"
    REPORT_RECIPIENTS_NOT_REACHED = "report_recipients_not_reached"
    RESTART_LOST_STARTS = "restart_lost_starts"
    SIGN_AUDIT_DAY_HEADS = "sign_audit_day_heads"
    APPLY_OUTGOING_DECISION = "apply_outgoing_decision"
    APPLY_RECALL_DECISION = "apply_recall_decision"
    CLOSE_WORKFLOW_TASKS = "close_workflow_tasks"
    COMPUTE_DUE_AT = "compute_due_at"
    DISPATCH_OUTGOING = "dispatch_outgoing"
    ESCALATE_OVERDUE = "escalate_overdue"
    HUB_SEND_FAILED = "hub_send_failed"
    INDEX_TEXT_LAYERS = "index_text_layers"
    ISSUE_OUTGOING = "issue_outgoing"
    LOAD_DEFINITION = "load_definition"
    MARK_TASK_OVERDUE = "mark_task_overdue"
    OCR_SCAN = "ocr_scan"
    OPEN_TASK = "open_task"
    POLL_HUB = "poll_hub"
    REGISTER_INCOMING = "register_incoming"
    SEND_HUB_PACKAGE = "send_hub_package"
    SEND_REMINDER = "send_reminder"
    SIGN_DIGITISED = "sign_digitised"
    STOP_DOCUMENT_WORKFLOW = "stop_document_workflow"
    SYNC_HUB_DIRECTORY = "sync_hub_directory"
    VERIFY_SIGNATURES = "verify_signatures"
    WITHDRAW_BRANCH = "withdraw_branch"
    TAKE_DAILY_BACKUP = "take_daily_backup"
    REPORT_BACKUP_FAILURE = "report_backup_failure"
    PLAN_FIXITY_ROUND = "plan_fixity_round"
    CHECK_FIXITY_BATCH = "check_fixity_batch"
    REFRESH_STATISTICS = "refresh_statistics"
    EXPORT_RECORD = "export_record"
    FAIL_RECORD_EXPORT = "fail_record_export"
    PREPARE_RECORD_PACKAGE = "prepare_record_package"
    APPLY_ASSIGNMENT_DECISION = "apply_assignment_decision"
    CLOSE_ASSIGNMENT = "close_assignment"
    APPLY_RECORD_PLAN_DECISION = "apply_record_plan_decision"
    # The hồ sơ (workflows/record_file.py; its inputs in workflows/record_contracts.py).
    LOAD_RECORD = "load_record"
    RECORD_REQUESTED = "record_requested"
    APPLY_RECORD_DECISION = "apply_record_decision"
    WARN_RECORD_TRANSFER = "warn_record_transfer"
    CORRECT_RECORD = "correct_record"
    REMOVE_DISPOSED_FILES = "remove_disposed_files"
    APPLY_SCHEDULE_DECISION = "apply_schedule_decision"


INCOMING_TASK_QUEUE_DEFAULT = "qlvb"


def incoming_workflow_id(document_id: str) -> str:
    """Workflow id of a document's incoming lifecycle: kind + UUID, never a subject or a number."""
    return f"incoming-{document_id}"


# --- process definitions --------------------------------------------------------------------


@dataclass
class StepSpec:
    """One step of a process as the interpreter needs it (from the pinned definition)."""

    kind: str  # incoming: register | direct | …; outgoing: consult | review | … | issue
    candidate_role: str = ""
    working_days: int = 1
    urgent_working_days: int = 0
    actions: list[str] = field(default_factory=list)
    # Outgoing steps form a graph: their id, the step that follows ("" after the last) and where
    # a send-back goes ("draft": the drafter revises).
    id: str = ""
    next: str = ""
    return_to: str = ""


@dataclass
class ProcessPlan:
    """A pinned definition version, loaded once by an activity so it lands in history."""

    key: str
    version: int
    steps: list[StepSpec]


@dataclass
class LoadDefinitionInput:
    key: str
    version: int


# --- the incoming lifecycle -----------------------------------------------------------------


@dataclass
class IncomingInput:
    """Start input of ``IncomingDocumentWorkflow``."""

    document_id: str
    agency_id: int
    agency_code: str
    urgency_rank: int
    process_key: str
    process_version: int
    source: str = ""  # "paper": digitise (OCR, agency signature) before anything else


@dataclass
class VerifySignaturesInput:
    """Which document to check (its current file is the one checked)."""

    document_id: str


@dataclass
class VerifySignaturesResult:
    """The overall verdict: unsigned | valid | untrusted | invalid."""

    verdict: str
    signature_count: int
    for_reference_only: bool


@dataclass
class RegisterIncomingInput:
    document_id: str
    workflow_id: str
    actor_id: int | None = None


@dataclass
class RegisterIncomingResult:
    register_id: int
    year: int
    arrival_number: int
    arrival_date: datetime
    # The số/ký hiệu the sender gave it, for the workflow's details in the Temporal UI; empty in
    # results recorded before these fields existed.
    code_number: str = ""
    code_notation: str = ""


@dataclass
class DueAtInput:
    start: datetime
    working_days: int
    # A deadline the leader gave as a date (YYYY-MM-DD) wins over working days: due at the end
    # of that working day.
    due_date: str = ""


@dataclass
class DueAtResult:
    due_at: datetime


@dataclass
class OpenTaskInput:
    workflow_id: str
    task_key: str
    document_id: str
    step: str
    agency_id: int
    candidate_role: str
    actions: list[str]
    urgency_rank: int
    due_at: datetime | None
    unit_id: int | None = None
    # Set when the step is for one named person (the handler chosen by the unit head).
    assignee_id: int | None = None
    # The subject when it is not a document (``document_id`` then ""): a hồ sơ or a Danh mục hồ sơ.
    record_id: int | None = None
    record_plan_id: int | None = None
    # Work assigned without a document (giao việc).
    work_assignment_id: int | None = None
    # A weekly work schedule (lịch công tác tuần) waiting for the head of the agency.
    schedule_id: int | None = None


@dataclass
class TaskRef:
    workflow_id: str
    task_key: str
    document_id: str


@dataclass
class DecideInput:
    """A human decision on the open task, sent as a Workflow Update by the web layer.

    The web layer has already checked who may act; the workflow checks process state.
    """

    task_key: str
    action: str
    actor_id: int
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class DecideResult:
    task_key: str
    action: str
    document_status: str


@dataclass
class ApplyDecisionInput:
    document_id: str
    workflow_id: str
    task_key: str
    step: str
    action: str
    actor_id: int
    fields: dict[str, str] = field(default_factory=dict)
    unit_id: int | None = None
    branch_role: str = ""  # chu_tri | phoi_hop for steps of a handling branch


@dataclass
class ApplyDecisionResult:
    document_status: str


@dataclass
class EscalateInput:
    """A step passed its deadline: tell the unit head and the agency leaders."""

    document_id: str
    workflow_id: str
    task_key: str
    step: str
    unit_id: int | None = None


@dataclass
class CloseWorkflowTasksInput:
    """The document is finished or its workflow cancelled: cancel whatever steps are still open."""

    document_id: str
    workflow_id: str
    reason: str = ""  # why the workflow was cancelled (recorded); empty when it simply finished


@dataclass
class RerouteInput:
    """The agency leader changes the routing while handling runs (issue 3: reassign, withdraw)."""

    request_id: str
    actor_id: int
    unit_id: int
    new_unit_id: int | None = None
    reason: str = ""


@dataclass
class WithdrawBranchInput:
    """Close one unit's open steps and routing rows; route to the new unit when there is one."""

    document_id: str
    workflow_id: str
    task_keys: list[str]
    unit_id: int
    new_unit_id: int | None
    role: str
    actor_id: int
    reason: str = ""


# --- the outgoing lifecycle -----------------------------------------------------------------


def outgoing_workflow_id(document_id: str) -> str:
    """Workflow id of a document's outgoing lifecycle."""
    return f"outgoing-{document_id}"


@dataclass
class ConsultTarget:
    """One unit of the drafting agency, or one agency of the installation, asked for its opinion."""

    unit_id: int | None = None
    agency_id: int | None = None
    due_date: str = ""  # YYYY-MM-DD; empty: the step's working days


@dataclass
class OutgoingInput:
    """Start input of ``OutgoingDocumentWorkflow`` (the drafter submitted the draft)."""

    document_id: str
    agency_id: int
    agency_code: str
    urgency_rank: int
    process_key: str
    process_version: int
    drafter_id: int
    signer_id: int
    drafting_unit_id: int | None = None
    consultations: list[ConsultTarget] = field(default_factory=list)


@dataclass
class IssueInput:
    """Number, date-stamp and seal the signed document; deliver it to its recipients."""

    document_id: str
    workflow_id: str
    actor_id: int
    # False since patch 2026-12-04-dispatch-children: the outgoing workflow starts the recipients'
    # workflows itself, as children; the activity only delivers and queues, and returns them.
    start_workflows: bool = True


@dataclass
class IssueResult:
    code_number: str
    code_notation: str
    external_document_id: str
    issued_late: bool = False


@dataclass
class HubSend:
    """A queued hub package whose delivery workflow is to start."""

    outbox_id: int
    outbox_uuid: str


@dataclass
class DispatchResult:
    delivered: int  # recipients inside the installation, now in their intake queue
    waiting: int  # outside recipients waiting for the exchange hub
    intake_starts: list[IncomingInput] = field(default_factory=list)  # for the workflow to start
    hub_sends: list[HubSend] = field(default_factory=list)
    # The issued số/ký hiệu, for the workflow's details in the Temporal UI (empty in older results).
    code_number: str = ""
    code_notation: str = ""


# --- recall (thu hồi) of a document delivered inside the installation ----------------------


def recall_workflow_id(document_id: str) -> str:
    """Workflow id of the recall of one received document (one recall per document)."""
    return f"recall-{document_id}"


@dataclass
class RecallInput:
    """Start input of ``RecallDocumentWorkflow``: the sender asks a recipient to give it back."""

    document_id: str  # the recipient's incoming document
    agency_id: int  # the recipient agency, whose văn thư answers
    urgency_rank: int
    sender_document_id: str
    reason: str
    requested_by: str = ""


@dataclass
class StopWorkflowInput:
    """End a document's own workflow after its recall was agreed."""

    workflow_id: str
    reason: str


# --- the national document exchange hub ---------------------------------------------------------


def hub_delivery_workflow_id(outbox_uuid: str) -> str:
    """Workflow id of the delivery of one queued hub package."""
    return f"hub-send-{outbox_uuid}"


HUB_POLL_SCHEDULE_ID = "hub-poll"
MAINTENANCE_SCHEDULE_ID = "qlvb-reconcile"
HUB_DIRECTORY_SCHEDULE_ID = "hub-directory"


@dataclass
class PollResult:
    """What one round of the receive loop did."""

    stored: int = 0
    statuses: int = 0
    duplicates: int = 0
    refused: int = 0
    revoked: int = 0
    queued_sends: list[int] = field(default_factory=list)  # outbox rows whose delivery was started
    failed: bool = False  # the round gave up (retried three times); the next round polls again


@dataclass
class SendInput:
    outbox_id: int


@dataclass
class SendFailedInput:
    outbox_id: int
    reason: str
