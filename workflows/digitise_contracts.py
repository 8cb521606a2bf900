"""What crosses the boundary when a paper document is digitised (``IncomingDocument``'s OCR and
agency-signature steps, ``activities/digitise.py``), kept apart from ``workflows/contracts.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DigitiseInput:
    """Which document to digitise (its current file is the scan)."""

    document_id: str


@dataclass
class OcrScanResult:
    """The OCR'd PDF, now the document's current file, and what was read from it."""

    file_sha256: str
    page_count: int
    text_chars: int = 0
    suggestions: dict[str, Any] = field(default_factory=dict)  # models.documents.suggestions.suggest_metadata


@dataclass
class SignDigitisedResult:
    """The agency-signed PDF, now the document's current file."""

    file_sha256: str
    already_signed: bool = False
