"""A published report of the province's figures: a frozen snapshot, never changed once written.

``figures`` holds one object per agency of the installation (``models.publications.figures``) as
they were counted when published; pages and the public page read them from here, never recount.
A correction is a new row whose ``supersedes_id`` names the one it replaces; being superseded is
read from that link, so no published row is ever updated. The unique ``supersedes_id`` keeps the
history a single line: two corrections of one report cannot both be published.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class StatisticsPublication(SQLModel, table=True):
    """One published report: its period, title, who published it and when, and the figures."""

    __tablename__ = "statistics_publication"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    period_kind: str = Field(max_length=10)  # day, week, month, quarter, year or range
    period_start: date
    period_end: date  # inclusive
    period_label: str = Field(max_length=100)
    # One object per agency (key, label and the counts); the totals of the province beside them.
    figures: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    totals: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=1000)  # what a correction corrects
    supersedes_id: int | None = Field(default=None, foreign_key="statistics_publication.id", unique=True)
    published_by: int = Field(foreign_key="user.id")
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
