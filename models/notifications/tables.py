"""Notifications and their e-mail copies, as stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """One message for one person about one document."""

    __table_args__ = (Index("ix_notification_inbox", "user_id", "read_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    document_id: str | None = Field(default=None, foreign_key="document.id")
    code: str = Field(max_length=40)  # new_task, urgent_task, overdue, …
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    urgent: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MailMessage(SQLModel, table=True):
    """One e-mail copy of one notification, waiting for delivery or delivered."""

    __tablename__ = "mail_message"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", unique=True)
    to_address: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    # The text without the link; ``render_body`` adds the link from the configured base URL.
    body_text: str
    link_path: str = Field(default="", max_length=200)
    urgent: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0
    # A sender claims a row before sending it, until this time: two workers never send it twice.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
