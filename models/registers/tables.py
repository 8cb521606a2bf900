"""Registers (sổ đăng ký) and their gapless number ledger (ND30 Điều 15, 22; DOMAIN §4.5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.vocab import EntryStatus, RegisterKind


class Register(SQLModel, table=True):
    """A numbering series of one agency: its incoming register, outgoing series, copies…"""

    __table_args__ = (UniqueConstraint("agency_id", "kind", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    kind: RegisterKind = Field(sa_type=String(10))
    name: str = Field(max_length=200)
    # Document type abbreviations this series numbers; empty means every type not claimed by
    # another series (legal normative types get their own series, ND30 Điều 15.2).
    doc_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RegisterCounter(SQLModel, table=True):
    """Last number handed out per register and year; bumped in the allocating transaction."""

    register_id: int = Field(foreign_key="register.id", primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = 0


class RegisterEntry(SQLModel, table=True):
    """One allocated number. The unique keys make allocation gapless and idempotent."""

    __table_args__ = (
        UniqueConstraint("register_id", "year", "number"),
        UniqueConstraint("register_id", "workflow_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    register_id: int = Field(foreign_key="register.id", index=True)
    year: int
    number: int
    workflow_id: str = Field(max_length=80)
    document_id: str = Field(foreign_key="document.id", index=True)
    allocated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: EntryStatus = Field(default=EntryStatus.ALLOCATED, sa_type=String(10))
    void_reason: str = Field(default="", max_length=500)
