"""Checks on uploaded PDFs before anything is stored."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader

from models.errors import DomainError


def inspect_pdf(data: bytes) -> int:
    """Return the page count of a well-formed PDF; raise ``not_pdf`` or ``corrupt_pdf`` otherwise."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise DomainError("not_pdf")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        pages = int(reader.root["/Pages"]["/Count"])
    except (PdfReadError, KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise DomainError("corrupt_pdf") from error
    if pages < 1:
        raise DomainError("corrupt_pdf")
    return pages
