"""Process definitions: the data administrators redeploy (TEMPORAL-PATTERNS §10).

A published row is immutable; redeploying publishes version n+1. Workflows pin ``(key, version)``
at start and keep it until they end; an agency may bind the version its new workflows start with
(``ProcessBinding``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.vocab import DefinitionStatus


class ProcessDefinition(SQLModel, table=True):
    """One version of a process (the skeleton lives in code, the parameters here)."""

    __table_args__ = (UniqueConstraint("key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=50, index=True)
    version: int
    status: DefinitionStatus = Field(default=DefinitionStatus.PUBLISHED, sa_type=String(10))
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    checksum: str = Field(max_length=64)
    published_by: int | None = Field(default=None, foreign_key="user.id")
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProcessBinding(SQLModel, table=True):
    """The definition version an agency's new workflows of one direction start with.

    Set by the agency's administrator; without a row the agency follows the newest published
    version (incoming) or the most specific current definition (outgoing). Workflows already
    running keep the version they pinned at start.
    """

    __tablename__ = "process_binding"

    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    direction: str = Field(max_length=10, primary_key=True)  # incoming | outgoing
    key: str = Field(max_length=50)
    version: int
    bound_by: int | None = Field(default=None, foreign_key="user.id")
    bound_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
