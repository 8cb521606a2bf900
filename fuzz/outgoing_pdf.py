"""Fuzz target: an uploaded draft PDF given its issuing fields (``prepare_uploaded_pdf``), the
signer page chosen from the input's last byte."""

from __future__ import annotations

from models.errors import DomainError
from models.outgoing.upload import prepare_uploaded_pdf

PAGES = ("last", "first", "1", "2", "0", "x")


def check(data: bytes) -> None:
    """Crash: anything but a ``DomainError`` refusal."""
    signer_page = PAGES[data[-1] % len(PAGES)] if data else "last"
    try:
        prepare_uploaded_pdf.inline(data, signer_page=signer_page)
    except DomainError:
        return
