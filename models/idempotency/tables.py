"""One row per Idempotency-Key a person used on a create request (IETF draft semantics)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class ClaimState:
    """Where a keyed request stands; only these values are stored."""

    STARTED = "started"      # a request holds the key and has not changed anything yet
    TOOK_EFFECT = "effect"   # its change committed (written in the change's own transaction)
    ANSWERED = "answered"    # and the answer it sent is kept, to be sent again on a retry


class IdempotentRequest(SQLModel, table=True):
    """A create request made with an Idempotency-Key, its fingerprint and its first answer.

    ``took_effect`` is written by the transaction that made the change, so a web process killed
    between the commit and the answer still leaves the truth behind: the retry is answered from
    the audited subject (``subject_type``/``subject_id``/``event_code``/``event_data``), never
    run a second time.
    """

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotent_request_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key: str = Field(max_length=255)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    fingerprint: str = Field(max_length=64)  # SHA-256 of the request as the route reads it
    state: str = Field(default=ClaimState.STARTED, max_length=10)
    holder: str = Field(max_length=120)  # the process holding a started claim: host:pid:start time
    held_until: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    subject_type: str = Field(default="", max_length=20)
    subject_id: str = Field(default="", max_length=80)
    event_code: str = Field(default="", max_length=50)
    event_data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    response_status: int | None = None
    response_headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    response_body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
