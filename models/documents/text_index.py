"""A document's text for the search index: the text layer of its PDFs (ND30 Phụ lục VI III.6.d).

Reading goes through ``models.documents.text_extract`` (the one way this project parses an
untrusted PDF for its text), file by file, main file first, and stops once the index has
``MAX_TEXT_CHARS``: at most ``MAX_PAGES`` pages of each file are read. A file that is not a PDF
(a .docx attachment) or cannot be read adds nothing. Callers run this outside any transaction
and off the event loop (a thread, a sync activity).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from models.documents.search import MAX_TEXT_CHARS, indexable_text
from models.documents.text_extract import pdf_text
from models.errors import DomainError

log = logging.getLogger("qlvb.search")

# Pages read from one file: dense A4 text is 3,000 to 4,000 characters a page, so the index
# bound is reached well before; the bound keeps a 5,000-page file from costing 5,000 pages.
MAX_PAGES = 100
PDF_HEADER = b"%PDF-"


def file_text(data: bytes) -> str:
    """The text layer of one PDF, ``""`` when it is not a PDF, has none or cannot be read."""
    if PDF_HEADER not in data[:1024]:  # the header may follow some bytes of garbage (ISO 32000 7.5.2)
        return ""
    try:
        return indexable_text(pdf_text(data, max_pages=MAX_PAGES))
    except DomainError as error:  # corrupt, encrypted or refused: the file keeps its metadata only
        log.info("no text layer read: %s", error.code)
        return ""


def document_text(read: Callable[[str], bytes], sha256s: Iterable[str]) -> str:
    """The text of a document's files (main file, then attachments), page breaks between files."""
    parts: list[str] = []
    size = 0
    for sha256 in sha256s:
        if size >= MAX_TEXT_CHARS:
            break
        text = file_text(read(sha256))
        if text.strip():
            parts.append(text)
            size += len(text) + 1
    return indexable_text("\f".join(parts))
