"""A leader's delegation of signing or direction to a deputy, for a scope and a period.

Nothing is deleted: a revoked delegation keeps its row with ``revoked_at``; an expired one is
simply past ``ends_on`` (checked by date at each use, so no job is needed).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class Delegation(SQLModel, table=True):
    """``delegator`` lets ``deputy`` sign (``kind`` "ky") or direct ("chi_dao") in their place."""

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    delegator_id: int = Field(foreign_key="user.id", index=True)
    deputy_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(sa_type=String(10))  # "ky" (signing) | "chi_dao" (direction)
    form: str = Field(sa_type=String(5))  # "KT." | "TL." | "TUQ." | "Q."
    # The scope: document type ids and unit ids; an empty list covers every type or unit.
    doc_type_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    starts_on: date
    ends_on: date
    note: str = Field(default="", max_length=500)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: int | None = Field(default=None, foreign_key="user.id")
