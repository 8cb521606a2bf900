"""Giao việc: work a leader hands out that is not tied to an incoming document (issue 13).

An agency leader, or a unit head within their unit, assigns a task (``WorkAssignment``) to a lead
person or unit with supporting people and units (``AssignmentParty``), a deadline and optional
links to documents (``AssignmentDocument``). Each assignment is a durable workflow
``giaoviec-<uuid>`` (``workflows/assignment.py``) whose steps are task rows with
``task.work_assignment_id`` set.

The row keeps what statistics count, so a count is one query: ``status``, ``due_at`` (moved by a
granted extension), ``finished_at`` (when the accepted result was reported) and ``on_time``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class AssignmentStatus(StrEnum):
    """Where an assignment stands; ``DONE`` and ``CANCELLED`` are final."""

    NAMING = "naming"            # a lead unit's head is to name the lead person
    IN_PROGRESS = "in_progress"  # the lead carries it out (also after a result was sent back)
    SUBMITTED = "submitted"      # the lead reported a result; the assigner accepts or sends it back
    DONE = "done"                # the assigner accepted the result, with a rating
    CANCELLED = "cancelled"      # the assigner cancelled it; its open steps were closed


OPEN_STATUSES = (AssignmentStatus.NAMING, AssignmentStatus.IN_PROGRESS, AssignmentStatus.SUBMITTED)


class PartyRole(StrEnum):
    """A participant's part: the one who answers for the result, or one who contributes."""

    LEAD = "chu_tri"
    SUPPORT = "phoi_hop"


class WorkAssignment(SQLModel, table=True):
    """One assignment and the facts statistics count (status, deadline, finish, on time)."""

    __table_args__ = (
        Index("ix_workassignment_agency_status_due", "agency_id", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(max_length=80, unique=True)  # giaoviec-<uuid>: no personal data
    agency_id: int = Field(foreign_key="agency.id")
    assigner_id: int = Field(foreign_key="user.id", index=True)
    # The unit a unit head assigned within (None for an agency leader): statistics per unit.
    assigner_unit_id: int | None = Field(default=None, foreign_key="orgunit.id")
    # The role the assigner acted in (lanh_dao_co_quan or lanh_dao_don_vi): their review steps'.
    assigner_role: str = Field(max_length=30)
    title: str = Field(max_length=300)
    content: str = Field(default="", sa_type=Text)
    # The lead: a person, or a unit until its head names the person (then both are set).
    lead_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    lead_unit_id: int | None = Field(default=None, foreign_key="orgunit.id", index=True)
    status: AssignmentStatus = Field(default=AssignmentStatus.IN_PROGRESS, sa_type=String(12))
    # The deadline as given (working days counted on the calendar, or a date), and as it stands.
    working_days: int | None = None
    due_at: datetime = Field(sa_type=UTCDateTime)
    extensions: int = 0  # extensions granted
    progress_percent: int | None = None
    progress_note: str = Field(default="", max_length=2000)
    progress_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    result: str = Field(default="", sa_type=Text)
    result_document_id: str | None = Field(default=None, foreign_key="document.id", max_length=36)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the result is accepted: when it was reported, and whether that was by the deadline.
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    on_time: bool | None = None
    rating: int | None = None  # 1..5 (models.assignments.rules.RATING_WORDS)
    rating_comment: str = Field(default="", max_length=2000)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssignmentParty(SQLModel, table=True):
    """A person or a unit taking part in an assignment, and what a supporting one contributed."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="workassignment.id", index=True)
    role: PartyRole = Field(sa_type=String(10))
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="orgunit.id", index=True)
    contribution: str = Field(default="", sa_type=Text)
    contributed_by: int | None = Field(default=None, foreign_key="user.id")
    contributed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AssignmentDocument(SQLModel, table=True):
    """A document the assigner linked to an assignment (its participants may then read it)."""

    assignment_id: int = Field(foreign_key="workassignment.id", primary_key=True)
    document_id: str = Field(foreign_key="document.id", primary_key=True, max_length=36, index=True)
