"""Signed day heads: the chain's last link at the end of each Vietnam day, signed with the
installation's audit key (``day_heads``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class AuditDayHead(SQLModel, table=True):
    """The chain head (``seq``, ``hash``) as of the end of ``day``, and an Ed25519 signature over it."""

    __tablename__ = "audit_day_head"

    day: date = Field(primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))  # 0: no event yet
    hash: str = Field(max_length=64)
    key_id: str = Field(max_length=64)  # SHA-256 of the raw public key, hex
    signature: str = Field(max_length=128)  # hex of the 64-byte Ed25519 signature
    signed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
