"""Hồ sơ (records) and the documents filed in them (ND30 PL VI Mục III; DOMAIN §9)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class RecordFile(SQLModel, table=True):
    """A hồ sơ of an agency for a year, identified by FileCode (OrganId, FileCatalog, FileNotation)."""

    __table_args__ = (UniqueConstraint("agency_id", "file_catalog", "file_notation"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    file_catalog: int  # Năm hình thành hồ sơ
    file_notation: str = Field(max_length=20)  # Số và ký hiệu hồ sơ, e.g. 01.TCCB
    title: str = Field(max_length=500)
    maintenance: str = Field(default="", max_length=30)  # "Vĩnh viễn" or "N năm"
    rights: str = Field(default="", max_length=30)
    creator_id: int | None = Field(default=None, foreign_key="user.id")
    language: str = Field(default="Tiếng Việt", max_length=50)
    start_date: date | None = None
    end_date: date | None = None
    description: str = Field(default="", max_length=500)
    closed: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecordItem(SQLModel, table=True):
    """A document filed in a hồ sơ at position ``doc_ordinal`` (DocOrdinal)."""

    __table_args__ = (
        UniqueConstraint("record_id", "doc_ordinal"),
        UniqueConstraint("record_id", "document_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="recordfile.id", index=True)
    document_id: str = Field(foreign_key="document.id")
    doc_ordinal: int
    filed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

