"""An uploaded PDF checked and its text layer read in one limited child process.

An electronic upload needs both ``pdf_checks.inspect_pdf`` (is it a PDF anyone can open; how many
pages) and ``text_index.file_text`` (its text for the search index). Each is an isolated check,
and starting a child costs more than either does on an ordinary file: two children per upload
halved how many uploads a burst could take a second. Here both run in one child, under one
check's limits, the inspection first, so a file it refuses is never read for text. What the
caller gets is what the two calls one after the other would give.
"""

from __future__ import annotations

from models.documents.pdf_checks import inspect_pdf
from models.documents.sandbox import isolated
from models.documents.text_index import file_text


@isolated(fallback="corrupt_pdf")
def inspect_and_read(data: bytes) -> tuple[int, str]:
    """The page count (``inspect_pdf``'s refusals as they are), then the text layer (``""`` when
    it cannot be read: the file keeps its metadata only). Inside the child both run inline."""
    return inspect_pdf(data), file_text(data)
