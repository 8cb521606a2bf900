"""Reading the text layer of a PDF (electronic documents carry one; scans get one from OCR).

pypdfium2 (PDFium, which ocrmypdf already brings) reads text layers in milliseconds a page, so
suggestions can be made while the văn thư waits. PDFium is C code reading files from outside, so
it runs in a limited child process (``models.documents.sandbox``).
"""

from __future__ import annotations

import ctypes
import unicodedata

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

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
        document.init_forms()  # before any page is loaded, so filled form fields can be read
        pages = []
        for index in range(min(len(document), max_pages)):
            try:
                page = document[index]
                textpage = page.get_textpage()
            except pdfium.PdfiumError:  # a damaged page has no text to give; the others still do
                pages.append("")
                continue
            pages.append(_with_filled_fields(textpage.get_text_range(), textpage,
                                             _filled_text_fields(page, document.formenv)))
            textpage.close()
            page.close()
        return unicodedata.normalize("NFC", "\f".join(pages))
    finally:
        document.close()


# The text fields of an issued document hold its số/ký hiệu and date (models.outgoing.render): their
# values live in the form, not in the page's text, so they are put back where they are printed.
Field = tuple[str, tuple[float, float, float, float]]  # value, (left, bottom, right, top)


def _filled_text_fields(page, formenv) -> list[Field]:
    """The non-empty text fields of a page, with their boxes."""
    if formenv is None:
        return []
    fields = []
    for index in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
        annotation = pdfium_c.FPDFPage_GetAnnot(page.raw, index)
        try:
            if (pdfium_c.FPDFAnnot_GetSubtype(annotation) != pdfium_c.FPDF_ANNOT_WIDGET or
                    pdfium_c.FPDFAnnot_GetFormFieldType(formenv.raw, annotation) != pdfium_c.FPDF_FORMFIELD_TEXTFIELD):
                continue
            size = pdfium_c.FPDFAnnot_GetFormFieldValue(formenv.raw, annotation, None, 0)
            if size <= 2:
                continue
            buffer = (ctypes.c_ushort * (size // 2))()
            pdfium_c.FPDFAnnot_GetFormFieldValue(formenv.raw, annotation, buffer, size)
            value = bytes(buffer)[:size - 2].decode("utf-16-le", "replace").strip()
            rect = pdfium_c.FS_RECTF()
            if value and pdfium_c.FPDFAnnot_GetRect(annotation, rect):
                fields.append((value, (rect.left, min(rect.bottom, rect.top), rect.right, max(rect.bottom, rect.top))))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)
    return fields


def _with_filled_fields(text: str, textpage, fields: list[Field]) -> str:
    """``text`` with each field's value after the printed character just left of it on its line
    ("Số:" → "Số: 12/UBND-VP"); a field with nothing printed beside it goes on a line at the end."""
    if not fields:
        return text
    count = textpage.count_chars()
    boxes = [textpage.get_charbox(index) for index in range(count)] if count == len(text) else []
    placed: list[tuple[int, str]] = []
    for value, (left, bottom, _right, top) in fields:
        before = None
        for index, (char_left, char_bottom, char_right, char_top) in enumerate(boxes):
            middle = (char_bottom + char_top) / 2
            if (bottom <= middle <= top and char_left < char_right <= left + 2
                    and (before is None or char_right > boxes[before][2])):
                before = index
        placed.append((before if before is not None else -1, value))
    ending = [value for index, value in placed if index < 0]
    for index, value in sorted((item for item in placed if item[0] >= 0), reverse=True):
        space = "" if text[index].isspace() else " "
        after = "" if index + 1 >= len(text) or text[index + 1].isspace() else " "
        text = f"{text[:index + 1]}{space}{value}{after}{text[index + 1:]}"
    return "\r\n".join([text, *ending]) if ending else text
