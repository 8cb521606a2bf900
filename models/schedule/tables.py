"""The weekly work schedule (lịch công tác tuần): one per agency and ISO week, its events, and
the secret addresses of the calendar feeds.

Each event exists as a working copy (``published`` false), which the văn phòng edits, and, once a
round of approval published it, as a published copy (``published`` true) that every page, print
and feed of the agency reads. Both copies of one event share ``uid``: approving a round replaces
the published copies by the working ones, and what changed between the two is what the people
concerned are told. So a change after publication never shows before the head of the agency
approved it, and the published schedule stays in force while the change is prepared.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class ScheduleStatus(StrEnum):
    """Where a week's schedule stands; values are stored, never renamed."""

    DRAFT = "du_thao"                   # never published: the văn phòng drafts it
    PENDING = "cho_duyet"               # submitted for its first publication
    PUBLISHED = "da_ban_hanh"           # published, no change in preparation
    CHANGING = "dang_dieu_chinh"        # published; a change is being drafted on the working copy
    CHANGE_PENDING = "cho_duyet_dieu_chinh"  # published; the change waits for the head of the agency


class WorkSchedule(SQLModel, table=True):
    """The schedule of one agency for one ISO week (``week_start`` is its Monday)."""

    __table_args__ = (UniqueConstraint("agency_id", "week_start"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    week_start: date
    status: ScheduleStatus = Field(default=ScheduleStatus.DRAFT, sa_type=String(24))
    # Each submission is one run of the approval workflow ``lichtuan-<id>-<round>``.
    approval_round: int = 0
    workflow_id: str = Field(default="", max_length=80)
    submitted_by: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Why the head of the agency sent the last round back (cleared by the next submission).
    returned_reason: str = Field(default="", max_length=1000)
    # How many times it was published (0: never); the feeds' SEQUENCE follows the events' own.
    published_version: int = 0
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScheduleEvent(SQLModel, table=True):
    """One engagement of the week: when, where, what, who attends and who prepares it."""

    __table_args__ = (
        UniqueConstraint("schedule_id", "uid", "published"),
        Index("ix_scheduleevent_copy", "schedule_id", "published", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="workschedule.id")
    # The event's identity across its working and published copies (and its iCalendar UID).
    uid: str = Field(max_length=36)
    published: bool = False
    day: date
    start_time: time
    end_time: time
    content: str = Field(max_length=1000)  # Nội dung
    place: str = Field(default="", max_length=300)  # Địa điểm
    # Lãnh đạo dự, chủ trì: people of the agency holding its leader role.
    leader_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Thành phần: people and units of the agency, and anyone else in words ("đại diện Sở Tài chính").
    participant_user_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    participant_unit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    participants_note: str = Field(default="", max_length=500)
    preparing_unit_id: int | None = Field(default=None, foreign_key="orgunit.id")  # Chuẩn bị
    # Documents the event needs (a giấy mời, a report); each shown only to those who may see it.
    document_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # RFC 5545 SEQUENCE: raised each time a publication changes the event.
    sequence: int = 0
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A person's secret calendar address: calendar apps cannot log in, so the URL is the key.

    Only a hash of the token is kept; a new token replaces the old one (the old address stops).
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
