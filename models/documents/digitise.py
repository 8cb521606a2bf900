"""The digitising job of a paper incoming document (QĐ44 Điều 10.2; DOMAIN §6.4).

``DigitiseJob`` is the progress row of the OCR step (one per document), written by
``activities.digitise``, with its read for the web layer. The pure steps of digitising live in
their own modules: ``scans`` (the uploaded scans joined into one PDF, with limits and checks)
and ``suggestions`` (registration suggestions from the OCR text).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class DigitiseJob(SQLModel, table=True):
    """OCR and agency-signing progress of a digitised paper document (one row per document)."""

    __tablename__ = "digitise_job"

    document_id: str = Field(primary_key=True, max_length=36, foreign_key="document.id")
    source_sha256: str = Field(default="", max_length=64)  # the scan being OCR'd
    result_sha256: str = Field(default="", max_length=64)  # the OCR'd PDF
    total_pages: int = 0
    done_pages: int = 0
    status: str = Field(default="pending", sa_type=String(20))  # pending|running|done|quarantined
    error: str = Field(default="", max_length=500)
    suggestions: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def digitise_job(session, document_id: str) -> DigitiseJob | None:
    """The document's digitising progress row (for the web layer's progress fragment)."""
    return session.get(DigitiseJob, document_id)
