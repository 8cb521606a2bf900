"""Drafts the drafter uploads instead of filling the form: a PDF, or a .docx converted to PDF.

An uploaded PDF gets the same four issuing fields as a rendered draft (``models.outgoing.render``),
at fixed places, since we cannot know its layout. **The uploaded file must leave these places
empty** (measured from the edges of the page box, in mm):

* ``so_van_ban``: page 1, 25–32 mm from the top, 38–95 mm from the left (after a "Số:" printed
  at the 30 mm left margin);
* ``ngay_ban_hanh``: page 1, same band, the 80 mm before the 15 mm right margin (after
  "<Địa danh>,");
* ``NguoiKy``: the signer page (last by default), 60 × 25 mm, 35–60 mm above the bottom edge,
  centred 60.5 mm left of the right edge (the middle of a 55 % signer column, as rendered drafts
  have it): the space between the signer's position and name;
* ``CoQuan``: a 36 mm square, right edge one third into NguoiKy, vertically centred on it.

A file that is encrypted, already signed, or already has fields with these names is refused:
any of them would break the signing order (STACK-NOTES §1.1).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from models.bounds import parse_int
from models.documents.pdf_checks import MAX_TREE_DEPTH, READ_ERRORS, inspect_pdf
from models.documents.sandbox import isolated
from models.errors import DomainError
from models.outgoing.render import (
    AGENCY_FIELD,
    DATE_FIELD,
    FIELD_NAMES,
    GEOMETRY,
    MM_TO_PT,
    NUMBER_FIELD,
    OFFICIAL_FIELD,
    Box,
    RenderedDocument,
    add_issuing_fields,
    seal_box,
)

# Upload layout (mm from the page edges); see the module docstring.
FIELD_BAND_TOP_MM = 25
NUMBER_LEFT_MM, NUMBER_RIGHT_MM = 38, 95
DATE_WIDTH_MM, RIGHT_MARGIN_MM = 80, 15
SIGNATURE_BOTTOM_MM = 35
SIGNER_COLUMN_CENTRE_FROM_RIGHT_MM = 60.5


@isolated(fallback="corrupt_pdf", returns=(RenderedDocument,))
def prepare_uploaded_pdf(pdf: bytes, *, signer_page: str = "last") -> RenderedDocument:
    """Add the issuing fields to an uploaded draft PDF (in a limited child process).

    ``signer_page`` is "last", "first" or a 1-based page number as text.
    Raises ``not_pdf``/``corrupt_pdf``, ``draft_encrypted``, ``draft_already_signed``,
    ``draft_has_issuing_fields``, ``invalid_signer_page``, or the refusals of ``inspect_pdf``
    (a looping page tree, a deflate bomb…), checked before pyHanko follows anything.
    """
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise DomainError("not_pdf")
    if _encrypted(pdf):
        raise DomainError("draft_encrypted")
    page_count = inspect_pdf(pdf)
    try:
        return _with_issuing_fields(pdf, page_count, signer_page)
    except DomainError:
        raise
    except READ_ERRORS as error:  # a structure pyHanko cannot follow (boxes, fields, signatures)
        raise DomainError("corrupt_pdf") from error


def _with_issuing_fields(pdf: bytes, page_count: int, signer_page: str) -> RenderedDocument:
    reader = _open(pdf)
    if reader.embedded_signatures:
        raise DomainError("draft_already_signed")
    taken = sorted(set(FIELD_NAMES) & set(_field_names(reader)))
    if taken:
        raise DomainError("draft_has_issuing_fields", fields=", ".join(taken))
    signer_index = _page_index(signer_page, page_count)
    boxes = upload_field_boxes(_page_box(reader, 0), _page_box(reader, signer_index), signer_index)
    return RenderedDocument(pdf=add_issuing_fields(pdf, boxes), page_count=page_count, field_boxes=boxes)


def upload_field_boxes(first_page: tuple[float, float, float, float],
                       signer_page: tuple[float, float, float, float], signer_index: int) -> dict[str, Box]:
    """Field boxes for page boxes given as (x1, y1, x2, y2) in points."""
    mm = MM_TO_PT
    x1, _, x2, top = first_page
    band_top = top - FIELD_BAND_TOP_MM * mm
    band_bottom = band_top - GEOMETRY.line_mm * mm
    number = (0, x1 + NUMBER_LEFT_MM * mm, band_bottom, x1 + NUMBER_RIGHT_MM * mm, band_top)
    date_right = x2 - RIGHT_MARGIN_MM * mm
    date = (0, date_right - DATE_WIDTH_MM * mm, band_bottom, date_right, band_top)

    _, bottom, right, _ = signer_page
    centre = right - SIGNER_COLUMN_CENTRE_FROM_RIGHT_MM * mm
    half_width = GEOMETRY.signature_width_mm * mm / 2
    low = bottom + SIGNATURE_BOTTOM_MM * mm
    official = (signer_index, centre - half_width, low, centre + half_width, low + GEOMETRY.signature_height_mm * mm)
    return {NUMBER_FIELD: number, DATE_FIELD: date, OFFICIAL_FIELD: official, AGENCY_FIELD: seal_box(official)}


def convert_docx_to_pdf(data: bytes, *, soffice: str | None = None, timeout: float = 120) -> bytes:
    """Convert a .docx draft to PDF with LibreOffice (headless), which is optional.

    Each run has its own LibreOffice profile directory, so parallel conversions do not fight over
    one profile lock. Raises ``not_a_docx``, ``docx_converter_missing`` or ``docx_conversion_failed``.
    """
    if not _is_docx(data):
        raise DomainError("not_a_docx")
    binary = _find_soffice(soffice)
    with tempfile.TemporaryDirectory(prefix="qlvb-docx-") as work:
        folder = Path(work)
        source = folder / "draft.docx"
        source.write_bytes(data)
        command = [binary, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--convert-to", "pdf", "--outdir", str(folder / "out"), str(source)]
        _run_converter(command, timeout)
        result = folder / "out" / "draft.pdf"
        if not result.is_file():
            raise DomainError("docx_conversion_failed")
        return result.read_bytes()


def _run_converter(command: list[str], timeout: float) -> None:
    """Run LibreOffice in its own process group; on timeout the whole group is killed (``soffice``
    is a launcher: killing only it would leave the converter running)."""
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
    except OSError as error:
        raise DomainError("docx_conversion_failed") from error
    try:
        process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise DomainError("docx_conversion_failed") from None
    if process.returncode != 0:
        raise DomainError("docx_conversion_failed")


def _encrypted(pdf: bytes) -> bool:
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=False).encrypted
    except READ_ERRORS as error:
        raise DomainError("corrupt_pdf") from error


def _open(pdf: bytes) -> PdfFileReader:
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise DomainError("not_pdf")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    except READ_ERRORS as error:
        raise DomainError("corrupt_pdf") from error
    if reader.encrypted:
        raise DomainError("draft_encrypted")
    return reader


def _field_names(reader: PdfFileReader) -> list[str]:
    """Fully qualified names of every field in the AcroForm."""
    try:
        roots = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return []
    names: list[str] = []
    stack = [(ref, "") for ref in roots]
    while stack and len(names) < 10_000:  # bounded: a hostile file may loop
        ref, parent = stack.pop()
        node = ref.get_object()
        name = str(node.get("/T", ""))
        full = f"{parent}.{name}" if parent and name else (name or parent)
        if name:
            names.append(full)
        stack.extend((kid, full) for kid in node.get("/Kids", []))
    return names


def _page_box(reader: PdfFileReader, index: int) -> tuple[float, float, float, float]:
    """The visible page box (CropBox, else MediaBox) as (x1, y1, x2, y2)."""
    page = reader.find_page_for_modification(index)[0].get_object()
    try:
        box = _inherited(page, "/CropBox")
    except DomainError:
        box = _inherited(page, "/MediaBox")
    x1, y1, x2, y2 = (float(v) for v in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _inherited(page, key: str):
    node = page
    for _ in range(MAX_TREE_DEPTH + 1):  # bounded: a hostile /Parent chain may loop
        if node is None:
            break
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    raise DomainError("corrupt_pdf")


def _page_index(signer_page: str, page_count: int) -> int:
    if signer_page == "last":
        return page_count - 1
    if signer_page == "first":
        return 0
    page = parse_int(signer_page, 1, page_count)
    if page is not None:
        return page - 1
    raise DomainError("invalid_signer_page", pages=page_count)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def _find_soffice(name: str | None) -> str:
    candidates = [name] if name else ["soffice", "libreoffice"]
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    raise DomainError("docx_converter_missing")
