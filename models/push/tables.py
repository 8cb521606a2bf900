"""A person's devices that asked for push notifications, and the pushes waiting for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class PushSubscription(SQLModel, table=True):
    """One browser on one device where a person turned push notifications on.

    The endpoint is the push service's address for that browser (unique: a browser has one, and a
    device handed to someone else follows whoever subscribed last). Nothing is deleted: turning it
    off, or the push service answering that it expired, sets ``revoked_at`` and the reason.
    """

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    endpoint: str = Field(max_length=1000, unique=True)
    # The browser's keys (base64url): the payload is encrypted for it (RFC 8291), the push service cannot read it.
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=50)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Failures since the last success (the push service down, refusing, …); an expiry revokes instead.
    failures: int = 0
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str = Field(default="", max_length=20)  # "tat" (the person), "het_han" (404/410)


class PushMessage(SQLModel, table=True):
    """One notification to push to one device: filled with the notification, drained by the worker.

    Unique on (notification, subscription), so a retried notification or delivery pushes once.
    """

    __tablename__ = "push_message"
    __table_args__ = (UniqueConstraint("notification_id", "subscription_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id")
    subscription_id: int = Field(foreign_key="push_subscription.id", index=True)
    # What the device shows (``rules.payload``): the kind, urgency and số/ký hiệu, the path to open.
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Empty while waiting; then "sent", "expired" (the subscription is gone), "failed" (attempts
    # used up), "stale" (too old to be worth showing) or "dropped" (the device was turned off).
    outcome: str = Field(default="", max_length=10, index=True)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    # A sender claims a row before sending it, until this time: two workers never push it twice.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=200)
