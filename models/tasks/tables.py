"""Task rows: the inbox's only source (TEMPORAL-PATTERNS §4).

Workflows project rows here through idempotent activities; the web layer claims, releases and
completes them with conditional updates guarded by ``version``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.vocab import Role, TaskStatus


class Task(SQLModel, table=True):
    """A human step waiting for someone in ``candidate_role`` of ``agency_id`` (or a unit)."""

    __table_args__ = (
        UniqueConstraint("workflow_id", "task_key"),
        Index("ix_task_queue", "agency_id", "status", "due_at"),
        # "Did this person have a step on this document?", asked per document (migration 0040).
        Index("ix_task_document_assignee", "document_id", "assignee_id"),
        # The steps offered to a group (an agency's role, perhaps a unit): the inbox and its badges
        # count and list them from the index alone (migration 0040), whatever the agency's backlog.
        Index("ix_task_offered", "agency_id", "status", "candidate_role", "unit_id", "overdue", "urgency_rank",
              "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(max_length=80)
    task_key: str = Field(max_length=60)  # step + round, never the run id
    # What the step is about: a document, or (records workflows) a hồ sơ or a Danh mục hồ sơ.
    # Exactly one of the three is set (``models.tasks.subjects``).
    document_id: str | None = Field(default=None, foreign_key="document.id", index=True)
    record_id: int | None = Field(default=None, foreign_key="recordfile.id", index=True)
    record_plan_id: int | None = Field(default=None, foreign_key="recordplan.id", index=True)
    work_assignment_id: int | None = Field(default=None, foreign_key="workassignment.id", index=True)  # giao việc
    schedule_id: int | None = Field(default=None, foreign_key="workschedule.id", index=True)  # lịch công tác tuần
    step: str = Field(max_length=30)
    agency_id: int = Field(foreign_key="agency.id")
    unit_id: int | None = Field(default=None, foreign_key="orgunit.id")
    candidate_role: Role = Field(sa_type=String(30))
    assignee_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_type=String(12))
    actions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    urgency_rank: int = 0
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    overdue: bool = False
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When the status last changed: how the reconciler tells a stuck handshake from a fresh one.
    state_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str = Field(default="", max_length=30)
    # The nonce of the decision in flight or made (one per form render or API call): a retry with
    # the same nonce resumes or returns that decision instead of being refused as a second one.
    decision_nonce: str = Field(default="", max_length=80)
    completed_by: int | None = Field(default=None, foreign_key="user.id")
