"""Inputs and outputs crossing the boundary of the điều hành workflows: the approval of a weekly
work schedule (``workflows/schedule.py``) and work assigned without a document (``workflows/assignment.py``).

Kept beside ``workflows.contracts`` (which names the activities) so neither grows past reading
size; the same rules hold: stdlib dataclasses, ids and small values, new fields with defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- the approval of a weekly work schedule (workflows/schedule.py) -----------------------------


def schedule_workflow_id(schedule_id: int, approval_round: int, salt: str) -> str:
    """Workflow id of one approval round of a weekly work schedule (its first publication, or a change).

    ``salt`` is random and kept on the schedule's row with the id: schedule ids start again from 1
    in a new database, and a round must never meet the history of another database's round on the
    same Temporal server (a rebuilt test or demo installation).
    """
    return f"lichtuan-{schedule_id}-{approval_round}-{salt}"


@dataclass
class ScheduleApprovalInput:
    """Start input of ``ScheduleApprovalWorkflow``; shaped like a document start for the human
    steps (``document_id`` "", ``urgency_rank`` 0), the schedule named by ``schedule_id``."""

    schedule_id: int
    agency_id: int
    approval_round: int
    change: bool = False  # a change to a published schedule, not its first publication
    document_id: str = ""
    urgency_rank: int = 0


# --- work assigned without a document (giao việc, workflows/assignment.py) ----------------------


def assignment_workflow_id(key: str) -> str:
    """Workflow id of one assignment: ``giaoviec-`` and a UUID, never a title or a name."""
    return f"giaoviec-{key}"


@dataclass
class AssignmentPartyRef:
    """A supporting person or unit as the workflow needs it: its party row, its unit, the person."""

    party_id: int
    unit_id: int | None = None
    user_id: int | None = None  # None: the unit's head sends the unit's contribution


@dataclass
class AssignmentInput:
    """Start input of ``WorkAssignmentWorkflow``; shaped like a document start for the human steps
    (``document_id`` "", ``urgency_rank`` 0), the assignment named by ``assignment_id``."""

    assignment_id: int
    agency_id: int
    agency_code: str
    assigner_id: int
    assigner_role: str  # lanh_dao_co_quan | lanh_dao_don_vi: the role of the assigner's own steps
    due_date: str  # YYYY-MM-DD (Vietnam): due at the end of that working day
    assigner_unit_id: int | None = None
    lead_user_id: int | None = None  # None: the head of ``lead_unit_id`` names the lead person
    lead_unit_id: int | None = None  # the lead unit, or the lead person's unit
    supporters: list[AssignmentPartyRef] = field(default_factory=list)
    document_id: str = ""
    urgency_rank: int = 0


@dataclass
class CancelAssignmentInput:
    """The assigner cancels (``WorkAssignmentWorkflow.cancel``); ``request_id`` makes a retry one."""

    request_id: str
    actor_id: int
    reason: str


@dataclass
class CloseAssignmentInput:
    """Close an assignment's open steps: it was accepted (contributions not sent are no longer
    needed), or cancelled (by its assigner with a reason, or by an operator)."""

    assignment_id: int
    workflow_id: str
    cancelled: bool = False
    actor_id: int | None = None
    reason: str = ""


# --- statistics rollups (workflows/statistics.py) ------------------------------------------------

STATISTICS_SCHEDULE_ID = "qlvb-statistics"
# How often the rollups are rebuilt: the figures pages show are at most this old, plus one rebuild.
STATISTICS_REFRESH_MINUTES = 15


@dataclass
class StatisticsRefreshResult:
    """What one rebuild of the rollups did: agencies rebuilt, person-day rows written, seconds taken."""

    agencies: int = 0
    rows: int = 0
    seconds: float = 0.0
