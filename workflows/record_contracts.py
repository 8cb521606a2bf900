"""Inputs and outputs crossing the boundary of the hồ sơ workflow (``workflows/record_file.py``).

Kept beside ``workflows.contracts`` (which names the activities) so neither grows past reading
size; the same rules hold: stdlib dataclasses, ids and small values, new fields with defaults,
aware UTC ``datetime`` values and ISO dates as text (``date`` does not cross the converter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


def record_workflow_id(record_uuid: str) -> str:
    """Workflow id of a hồ sơ's life: kind + UUID, never a title or a số và ký hiệu."""
    return f"hoso-{record_uuid}"


@dataclass
class RecordFileInput:
    """Start input of ``RecordFileWorkflow``; shaped like a document start for the human steps
    (``document_id`` "", ``urgency_rank`` 0), the hồ sơ named by ``record_id``."""

    record_id: int
    agency_id: int
    document_id: str = ""
    urgency_rank: int = 0


@dataclass
class LoadRecordInput:
    record_id: int


@dataclass
class RecordState:
    """Where the hồ sơ stands, read afresh before each phase (a correction, a handover or a
    reorganisation may have changed it): who acts, and when the timers fall."""

    status: str
    agency_id: int
    unit_id: int | None = None
    creator_id: int | None = None
    must_transfer: bool = False
    # When to warn the creator and the archive of the coming transfer; None when there is nothing
    # to warn about (not due, warned already, or no collection list announced yet).
    warn_at: datetime | None = None
    # When the fixed retention ends and disposal is proposed; None for a permanent hồ sơ.
    retention_ends_at: datetime | None = None
    # Requests to read the hồ sơ still waiting for a step (ids of ``record_access`` rows).
    pending_access: list[int] = field(default_factory=list)


@dataclass
class RecordRequest:
    """Someone asks the hồ sơ's process for its next step: ``review`` (its creator's review before
    closing), ``transfer`` (to the archive) or ``keep`` (past the transfer date, until ``until``)."""

    request_id: str
    kind: str
    actor_id: int
    until: str = ""  # YYYY-MM-DD, for ``keep``
    reason: str = ""


@dataclass
class RecordRequestInput:
    """What the ``record_requested`` activity records for a request (and, for a transfer, does)."""

    record_id: int
    workflow_id: str
    request: RecordRequest


@dataclass
class RecordRequestResult:
    """The step the request opened (its task key), or "" when it opened none."""

    task_key: str = ""
    status: str = ""


@dataclass
class WarnTransferInput:
    record_id: int
    workflow_id: str


@dataclass
class CorrectRecordInput:
    """A correction of the hồ sơ's metadata, with its reason (its own audited step)."""

    request_id: str
    record_id: int
    actor_id: int
    reason: str
    changes: dict[str, str] = field(default_factory=dict)


@dataclass
class RemoveFilesInput:
    record_id: int


# --- the approval of a Danh mục hồ sơ (workflows/record_plan.py) ------------------------------


def record_plan_workflow_id(plan_id: int, approval_round: int) -> str:
    """Workflow id of one approval round of a Danh mục hồ sơ (the first list, or later additions)."""
    return f"danhmuc-{plan_id}-{approval_round}"


@dataclass
class RecordPlanApprovalInput:
    """Start input of ``RecordPlanApprovalWorkflow``; shaped like a document start for the human
    steps (``document_id`` "", ``urgency_rank`` 0), the plan named by ``record_plan_id``."""

    record_plan_id: int
    agency_id: int
    approval_round: int
    document_id: str = ""
    urgency_rank: int = 0


# --- fixity of the file store (workflows/fixity.py) --------------------------------------------

FIXITY_SCHEDULE_ID = "qlvb-fixity"


@dataclass
class FixityPlan:
    """How many files this round checks (``quota``), and at most how many per activity."""

    quota: int = 0
    batch: int = 200


@dataclass
class FixityBatchInput:
    """Check at most ``limit`` stored files from where the pass stands."""

    limit: int


@dataclass
class FixityBatchResult:
    """What a batch (or a whole round) checked and found."""

    checked: int = 0
    problems: int = 0  # changed or missing files found
    reported: int = 0  # of which new, told to the administrators
    pass_finished: bool = False


# --- the export of a hồ sơ (workflows/record_export.py) ----------------------------------------


def record_export_workflow_id(export_id: str) -> str:
    """Workflow id of one export of a hồ sơ (its ``record_export`` row's UUID)."""
    return f"xuathoso-{export_id}"


@dataclass
class PrepareRecordPackageInput:
    """The hồ sơ whose package (as it is now) to prepare once it is closed or corrected."""

    record_id: int


@dataclass
class RecordExportInput:
    """The ``record_export`` row to build."""

    export_id: str


@dataclass
class RecordExportResult:
    """What the built package holds."""

    documents: int = 0
    size: int = 0
    preservation_failed: int = 0  # documents whose PDF/A copy could not be made


@dataclass
class RecordExportFailure:
    """An export that failed for good: its row is marked failed with the reason."""

    export_id: str
    error: str  # the refusal's code (web/messages.py), or what went wrong
    params: dict[str, str] = field(default_factory=dict)
