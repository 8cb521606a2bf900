"""Stored signature verdicts: one row per (document, file) checked.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class SignatureVerdict(StrEnum):
    """Outcome of the check, for one signature or for the whole document."""

    UNSIGNED = "unsigned"
    VALID = "valid"
    UNTRUSTED = "untrusted"
    INVALID = "invalid"


class SignatureCheck(SQLModel, table=True):
    """The stored result of checking one file of a document; written once per (document, file)."""

    __tablename__ = "signature_check"
    # ``ix_signature_check_verdict``: /metrics counts the verdicts from this index alone (migration 0037).
    __table_args__ = (UniqueConstraint("document_id", "file_sha256"),
                      Index("ix_signature_check_verdict", "verdict"))

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", max_length=36, index=True)
    file_sha256: str = Field(max_length=64)
    verdict: SignatureVerdict = Field(sa_type=String(20))
    for_reference_only: bool
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
