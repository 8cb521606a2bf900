"""Fuzz target: the PDF intake check and the text layer read for suggestions (incoming uploads,
paper scans given as PDF, the suggest call): ``inspect_pdf`` then, for a file it accepts,
``pdf_text`` and ``suggest_metadata``."""

from __future__ import annotations

from models.documents.pdf_checks import inspect_pdf
from models.documents.suggestions import suggest_metadata
from models.documents.text_extract import pdf_text
from models.errors import DomainError


def check(data: bytes) -> None:
    """Crash: anything but a ``DomainError`` refusal."""
    try:
        inspect_pdf.inline(data)
    except DomainError:
        return
    try:
        text = pdf_text.inline(data, max_pages=3)
    except DomainError:
        return
    suggest_metadata(text)
