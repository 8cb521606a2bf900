"""An outgoing draft rendered as an ND30 PDF that carries every field the issuing steps need.

The signing order (STACK-NOTES §1.1) needs all fields in the PDF *before* the first signature:
after a certification signature, a new visible field breaks validation. So the PDF made here
already holds

* ``so_van_ban`` – text field after "Số:", filled by the văn thư with "125/QĐ-UBND";
* ``ngay_ban_hanh`` – text field for the date part of the place/date line. The place and the
  comma are printed text ("Ninh Bình, "); the field gets "ngày 05 tháng 01 năm 2026"
  (``models.outgoing.drafting.date_text``), because the place is known when drafting and the date only
  at issue;
* ``NguoiKy`` – the official's signature field, 60 × 25 mm, centred in the signer column between
  the position line and the full name (ND30 PL I Phần I II.7.d);
* ``CoQuan`` – the agency seal, a 36 mm square whose right edge lies one third into NguoiKy,
  vertically centred on it (the seal covers the left third of the signature, II.8). It carries a
  field lock on every field (``FieldMDPAction.ALL``) and ``MDPPerm.NO_CHANGES``, so nothing can
  change after the agency has signed.

Positions come from WeasyPrint's own layout: the template gives each blank an ``id`` and
``Page.anchors`` reports its box, so no coordinate depends on text length. Box sizes come from
``GEOMETRY``, which the template also uses.

The text fields' default appearance uses Helvetica, which cannot show Vietnamese: they are
meant to be filled at issue by ``models.signing.field_fill`` (the printed label's embedded font,
size and baseline), never typed into by a viewer.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.sign import fields
from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec, MDPPerm, SigFieldSpec

from models.outgoing.drafting import DraftContent, drafter_mark, kinh_gui_lines, noi_nhan_lines, subject_line

TEMPLATES = Path(__file__).resolve().parent / "templates"
PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in
MM_TO_PT = 72 / 25.4

NUMBER_FIELD = "so_van_ban"
DATE_FIELD = "ngay_ban_hanh"
OFFICIAL_FIELD = "NguoiKy"
AGENCY_FIELD = "CoQuan"
FIELD_NAMES = (NUMBER_FIELD, DATE_FIELD, OFFICIAL_FIELD, AGENCY_FIELD)

# Ids of the blanks in document.html.
ANCHOR_IDS = {"number": "blank-so-van-ban", "date": "blank-ngay-ban-hanh", "signature": "blank-chu-ky"}

# WeasyPrint's CPU-heavy layout: at most two renders at once so a burst cannot take every core.
RENDER_SLOTS = threading.BoundedSemaphore(2)

Box = tuple[int, float, float, float, float]  # (page index, x1, y1, x2, y2) in PDF points


@dataclass(frozen=True)
class Geometry:
    """Sizes of the blanks (mm); the template and the field boxes both read them."""

    number_blank_mm: float = 42  # "125/QĐ-UBND" and longer notations such as "123/SNV-TCCB"
    date_blank_mm: float = 62  # "ngày 05 tháng 01 năm 2026", with room for a wider fill font
    line_mm: float = 7
    signature_width_mm: float = 60
    signature_height_mm: float = 25
    seal_mm: float = 36  # a real seal is 35–40 mm
    # The space between the position line and the name: tall enough for the whole seal.
    signature_space_mm: float = 38


GEOMETRY = Geometry()


@dataclass
class RenderedDocument:
    """A PDF ready for the signing order, and where its fields are."""

    pdf: bytes
    page_count: int
    field_boxes: dict[str, Box] = field(default_factory=dict)


_environment: Environment | None = None


def environment() -> Environment:
    """Jinja2 environment over the outgoing templates (autoescape on, strict undefined)."""
    global _environment
    if _environment is None:
        _environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return _environment


def document_html(content: DraftContent) -> str:
    """The draft as self-contained HTML (CSS inlined), testable without WeasyPrint."""
    return environment().get_template("document.html").render(
        d=content, g=GEOMETRY, ids=ANCHOR_IDS, subject_line=subject_line(content),
        kinh_gui=kinh_gui_lines(content.kinh_gui) if content.kinh_gui else [],
        noi_nhan=noi_nhan_lines(content), drafter_mark=drafter_mark(content))


def with_signature_block(content: DraftContent, competence: str, position: str, full_name: str) -> DraftContent:
    """The same draft with another signature block (boxes 7a–7c): a deputy signing for the leader
    under a delegation prints e.g. "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / their own name (ND30 PL I II.7.b)."""
    return replace(content, signer_competence=competence, signer_position=position, signer_full_name=full_name)


def render_document(content: DraftContent) -> RenderedDocument:
    """Render the draft (A4, Times New Roman) and add the four issuing fields."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = HTML(string=document_html(content), url_fetcher=URLFetcher(allowed_protocols=()))
    with RENDER_SLOTS:
        document = html.render()
        pdf = document.write_pdf()
    anchors = _anchor_boxes(document)
    page_count = len(document.pages)
    number_box = anchors[ANCHOR_IDS["number"]]
    date_box = anchors[ANCHOR_IDS["date"]]
    space = anchors[ANCHOR_IDS["signature"]]
    official = _centred_box(space, GEOMETRY.signature_width_mm * MM_TO_PT, GEOMETRY.signature_height_mm * MM_TO_PT)
    boxes = {NUMBER_FIELD: number_box, DATE_FIELD: date_box,
             OFFICIAL_FIELD: official, AGENCY_FIELD: seal_box(official)}
    return RenderedDocument(pdf=add_issuing_fields(pdf, boxes), page_count=page_count, field_boxes=boxes)


def seal_box(official: Box, seal_mm: float = GEOMETRY.seal_mm) -> Box:
    """The CoQuan square: right edge one third into NguoiKy, vertically centred on it."""
    page, x1, y1, x2, y2 = official
    side = seal_mm * MM_TO_PT
    right = x1 + (x2 - x1) / 3
    middle = (y1 + y2) / 2
    return page, right - side, middle - side / 2, right, middle + side / 2


def add_issuing_fields(pdf: bytes, boxes: dict[str, Box]) -> bytes:
    """Add the two text fields and two signature fields (in one incremental update)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page, *rect = boxes[OFFICIAL_FIELD]
    fields.append_signature_field(writer, SigFieldSpec(OFFICIAL_FIELD, box=_rounded(rect), on_page=page))
    page, *rect = boxes[AGENCY_FIELD]
    fields.append_signature_field(writer, SigFieldSpec(
        AGENCY_FIELD, box=_rounded(rect), on_page=page,
        field_mdp_spec=FieldMDPSpec(FieldMDPAction.ALL), doc_mdp_update_value=MDPPerm.NO_CHANGES))
    for name in (NUMBER_FIELD, DATE_FIELD):
        page, *rect = boxes[name]
        add_text_field(writer, name, page, _rounded(rect))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_text_field(writer: IncrementalPdfFileWriter, name: str, page_index: int,
                   rect: tuple[float, float, float, float]) -> None:
    """An empty single-line text field merged with its widget (pyHanko has no helper for it)."""
    form = _acro_form(writer)
    page_ref = writer.find_page_for_modification(page_index)[0]
    x1, y1, x2, y2 = rect
    empty_look = RawContent(b"", box=BoxConstraints(width=x2 - x1, height=y2 - y1)).as_form_xobject()
    widget = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"),
        pdf_name("/T"): pdf_string(name),
        pdf_name("/Ff"): generic.NumberObject(0),
        pdf_name("/DA"): pdf_string("/Helv 11 Tf 0 g"),
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/F"): generic.NumberObject(4),  # print
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in rect),
        pdf_name("/P"): page_ref,
        pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): writer.add_object(empty_look)}),
    })
    widget_ref = writer.add_object(widget)
    fields_array = form["/Fields"]
    fields_array.append(widget_ref)
    writer.update_container(fields_array)
    writer.register_annotation(page_ref, widget_ref)


def _acro_form(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    """The AcroForm (made by ``append_signature_field``), given a /DR font for /DA and no NeedAppearances."""
    form = writer.root["/AcroForm"]
    resources = form.get("/DR")
    if resources is None or "/Font" not in resources or "/Helv" not in resources["/Font"]:
        helvetica = writer.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Helvetica"), pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding")}))
        resources = resources if resources is not None else generic.DictionaryObject()
        fonts = resources.get("/Font") or generic.DictionaryObject()
        fonts[pdf_name("/Helv")] = helvetica
        resources[pdf_name("/Font")] = fonts
        form[pdf_name("/DR")] = resources
    # Our appearances are authoritative; a viewer must not regenerate them (with a non-Vietnamese font).
    form[pdf_name("/NeedAppearances")] = generic.BooleanObject(False)
    writer.update_container(form)
    return form


def _anchor_boxes(document) -> dict[str, Box]:
    """Every anchored element as (page, x1, y1, x2, y2) in PDF points, origin bottom-left."""
    result: dict[str, Box] = {}
    for index, page in enumerate(document.pages):
        height_pt = page.height * PX_TO_PT
        for name, (x1, y1, x2, y2) in page.anchors.items():
            result[name] = (index, x1 * PX_TO_PT, height_pt - y2 * PX_TO_PT,
                            x2 * PX_TO_PT, height_pt - y1 * PX_TO_PT)
    return result


def _centred_box(space: Box, width: float, height: float) -> Box:
    page, x1, y1, x2, y2 = space
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return page, cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def _rounded(rect) -> tuple:
    return tuple(round(v, 2) for v in rect)
