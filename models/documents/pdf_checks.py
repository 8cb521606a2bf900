"""Checks on uploaded PDFs before anything is stored."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader

from models.errors import DomainError

# More pages than any document an agency registers; a file claiming more is refused, not followed
# (a hostile page count of a billion would otherwise drive every later loop over the pages).
MAX_PAGES = 5_000


def inspect_pdf(data: bytes) -> int:
    """Return the page count of a well-formed PDF that anyone can open.

    Raises ``not_pdf``, ``corrupt_pdf`` (unreadable, a nesting too deep to follow, or no pages),
    ``pdf_encrypted`` (a password-protected file: nobody could read or check it later) or
    ``pdf_too_many_pages``.
    """
    if not data.lstrip()[:5] == b"%PDF-":
        raise DomainError("not_pdf")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise DomainError("pdf_encrypted")
        pages = int(reader.root["/Pages"]["/Count"])
    except DomainError:
        raise
    except (PdfReadError, KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as error:
        raise DomainError("corrupt_pdf") from error
    if pages < 1:
        raise DomainError("corrupt_pdf")
    if pages > MAX_PAGES:
        raise DomainError("pdf_too_many_pages", limit=MAX_PAGES)
    return pages
