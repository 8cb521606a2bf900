"""Fuzz target: registration suggestions read from OCR or text-layer text (``suggest_metadata``).

The bytes are decoded as UTF-8 (invalid bytes replaced), as text from PDFium or OCR would be.
"""

from __future__ import annotations

from models.documents.suggestions import suggest_metadata


def check(data: bytes) -> None:
    """Crash: any exception at all (text is never refused, it only gives fewer suggestions)."""
    result = suggest_metadata(data.decode("utf-8", "replace"))
    if not isinstance(result, dict):
        raise TypeError("suggestions must be a dict")
