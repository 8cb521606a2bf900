"""Reading the text layer of a PDF (electronic documents carry one; scans get one from OCR).

pypdfium2 (PDFium, which ocrmypdf already brings) reads text layers in milliseconds a page, so
suggestions can be made while the văn thư waits. PDFium is C code reading files from outside, so
it runs in a limited child process (``models.documents.sandbox``).
"""

from __future__ import annotations

import unicodedata

import pypdfium2 as pdfium

from models.documents.sandbox import isolated
from models.errors import DomainError


@isolated(fallback="corrupt_pdf")
def pdf_text(data: bytes, max_pages: int = 3) -> str:
    """The NFC text of the first ``max_pages`` pages, pages separated by form feeds."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise DomainError("corrupt_pdf") from error
    try:
        pages = []
        for index in range(min(len(document), max_pages)):
            try:
                page = document[index]
                textpage = page.get_textpage()
            except pdfium.PdfiumError:  # a damaged page has no text to give; the others still do
                pages.append("")
                continue
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return unicodedata.normalize("NFC", "\f".join(pages))
    finally:
        document.close()
