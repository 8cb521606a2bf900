"""Signing outgoing documents: the official's signature, the number and date, the agency's signature.

The issuing order (ND30 Điều 13.7, 17.2, 32; QĐ44 Điều 13.3-13.4) is fixed, and it is the only
order in which every signature still validates at the end (STACK-NOTES §1.1):

1. ``sign_as_official``: the competent person certifies the PDF (PAdES, DocMDP ``FILL_FORMS``)
   in field ``NguoiKy``, its stamp the blue handwritten signature image;
2. ``fill_number_and_date``: the văn thư writes the số/ký hiệu and the date into the text fields
   ``so_van_ban`` and ``ngay_ban_hanh``, a form fill the certification allows;
3. ``sign_as_agency``: the agency's approval signature in field ``CoQuan``, its stamp the red
   seal; that field was created with a lock on every field, so nothing can be filled later.

A separate attachment file gets ``sign_attachment`` instead: the agency's signature in a new
field at the top right of page 1, text only (ND30 PL I Phần I II.8).

The PDF, with its four empty fields, comes from the renderer; these functions refuse a PDF
without the field they need, or whose field is already signed.

Where the key lives is the provider's business (``models.signing.providers``): a PKCS#12 file, a
PKCS#11 token or HSM; for remote signing (``models.signing.remote``) a device elsewhere receives
only a hash. The certificate is checked first (``models.signing.certificates``).

**Threads.** Everything here is synchronous and uses pyHanko's sync API, which calls
``asyncio.run()``: call these functions from a sync activity or ``asyncio.to_thread``, never
directly from a coroutine (they raise ``RuntimeError`` there rather than fail obscurely).
"""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from models.errors import DomainError
from models.registers.numbering import VIETNAM
from models.signing.field_fill import fill_like_line
from models.signing.pades import (
    AGENCY_FIELD,
    DATE_FIELD,
    MD_ALGORITHM,
    NUMBER_FIELD,
    OFFICIAL_FIELD,
    aware,
    image_stamp,
    open_writer,
    refuse_if_in_event_loop,
    require_empty_signature_field,
    sign_writer,
    signature_fields,
)
from models.signing.providers import SigningProvider, opened_signer

# Noto fonts have unitsPerEm 1000, which pyHanko's CID widths assume (STACK-NOTES §1.3); Noto
# Serif is the tested stand-in for the Times New Roman that ND30 asks for.
NOTO_SERIF = Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")

ATTACHMENT_TEXT_SIZE = 10  # ND30 PL I Phần I II.8: the attachment's agency text, size 10, black
MM = 72 / 25.4
ATTACHMENT_BOX_MM = (70, 14)
ATTACHMENT_MARGIN_MM = 10
A4_POINTS = (595.28, 841.89)


# --- the signing interface ----------------------------------------------------------------


# --- certificate checks -------------------------------------------------------------------


# --- 1. the official's signature ------------------------------------------------------------


def sign_as_official(pdf: bytes, provider: SigningProvider, *, signature_image_png: bytes, signer_name: str,
                     reason: str, field: str = OFFICIAL_FIELD, at: datetime | None = None) -> bytes:
    """Certify the PDF with the official's key; the stamp is their signature image in ``field``.

    A certification signature allowing form filling and further signatures only (DocMDP
    ``FILL_FORMS``), so the number, the date and the agency signature can follow it. Check the
    certificate first (``check_signing_certificate``); this function only signs.
    """
    from pyhanko.sign import fields, signers

    refuse_if_in_event_loop("signing")
    writer = open_writer(pdf)
    require_empty_signature_field(writer, field)
    metadata = signers.PdfSignatureMetadata(
        field_name=field, certify=True, docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm=MD_ALGORITHM, reason=reason, name=signer_name)
    with opened_signer(provider) as signer:
        return sign_writer(writer, metadata, signer, image_stamp(signature_image_png), at)


# --- 2. number and date ---------------------------------------------------------------------


def fill_number_and_date(pdf: bytes, *, so_ky_hieu: str, date_text: str) -> bytes:
    """Write the số/ký hiệu and the date into their text fields, in one incremental update.

    Field filling is what the official's certification allows, so that signature stays valid.
    Each field becomes read-only, its text typeset like the printed label before it ("Số:", the
    place name): the same embedded font, size and baseline (``models.signing.field_fill``).
    """
    from pyhanko.pdf_utils.misc import FormFillingError, PdfWriteError

    refuse_if_in_event_loop("fill_number_and_date")
    writer = open_writer(pdf)
    for name, value in ((NUMBER_FIELD, so_ky_hieu), (DATE_FIELD, date_text)):
        try:
            fill_like_line(writer, pdf, name, value)
        except (FormFillingError, PdfWriteError) as exc:  # pyHanko says "no empty field" for both cases
            code = "form_field_filled" if _text_field_filled(writer, name) else "form_field_missing"
            raise DomainError(code, field=name) from exc
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _text_field_filled(writer, name: str) -> bool:
    # Subscripting dereferences indirect objects; ``.get`` would not.
    try:
        pending = list(writer.root["/AcroForm"]["/Fields"])
    except KeyError:
        return False
    while pending:
        node = pending.pop().get_object()
        if "/T" in node and node["/T"] == name and "/FT" in node and node["/FT"] == "/Tx":
            return "/V" in node and str(node["/V"]) != ""
        if "/Kids" in node:
            pending.extend(node["/Kids"])
    return False


# --- 3. the agency's signature ---------------------------------------------------------------


def sign_as_agency(pdf: bytes, signer: Any, *, seal_image_png: bytes, reason: str,
                   at: datetime | None = None) -> bytes:
    """The agency's approval signature in ``CoQuan``, its stamp the red seal.

    ``signer``: a ``SigningProvider`` or a pyHanko ``Signer``. The field's lock (made with the
    PDF) freezes every form field from here on. The seal PNG is transparent, so the official's
    signature under its left third stays visible.
    """
    from pyhanko.sign import fields, signers

    refuse_if_in_event_loop("signing")
    writer = open_writer(pdf)
    require_empty_signature_field(writer, AGENCY_FIELD)
    # NO_CHANGES is what the field's lock demands anyway; asking for it avoids pyHanko's warning.
    metadata = signers.PdfSignatureMetadata(field_name=AGENCY_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm=MD_ALGORITHM, reason=reason,
                                            docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    with opened_signer(signer) as opened:
        return sign_writer(writer, metadata, opened, image_stamp(seal_image_png), at)


def sign_attachment(pdf: bytes, signer: Any, *, so_ky_hieu: str, at: datetime,
                    reason: str = "Văn bản kèm theo") -> bytes:
    """The agency's signature on a separate attachment file (ND30 PL I Phần I II.8).

    A new visible field at the top right of page 1 (70 x 14 mm, 10 mm from the top and right
    edges), text only: the main document's số/ký hiệu and the signing time in ISO 8601 with
    +07:00, Noto Serif 10 pt, black, no border. The signature's own signing time is ``at`` too,
    so the visible text and the signed time agree.
    """
    from pyhanko.pdf_utils import layout, text
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    refuse_if_in_event_loop("signing")
    writer = open_writer(pdf)
    existing = signature_fields(writer)
    if existing.get(AGENCY_FIELD):
        raise DomainError("already_signed", field=AGENCY_FIELD)
    moment = aware(at)
    visible = f"{unicodedata.normalize('NFC', so_ky_hieu)}\n{moment.astimezone(VIETNAM).isoformat(timespec='seconds')}"
    style = TextStampStyle(
        stamp_text=visible.replace("%", "%%"),  # stamp_text is a %-template
        text_box_style=text.TextBoxStyle(
            font=GlyphAccumulatorFactory(str(NOTO_SERIF), font_size=ATTACHMENT_TEXT_SIZE),
            font_size=ATTACHMENT_TEXT_SIZE),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(2), inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT),
        border_width=0, background=None)
    metadata = signers.PdfSignatureMetadata(field_name=AGENCY_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm=MD_ALGORITHM, reason=reason)
    new_field = None if AGENCY_FIELD in existing else fields.SigFieldSpec(
        AGENCY_FIELD, on_page=0, box=_top_right_box(writer))
    with opened_signer(signer) as opened:
        return sign_writer(writer, metadata, opened, style, moment, new_field=new_field)


def _top_right_box(writer) -> tuple[float, float, float, float]:
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    try:
        _x0, _y0, x1, y1 = (float(v) for v in page["/MediaBox"])
    except KeyError:  # inherited from the page tree: assume A4, the only size ND30 allows
        x1, y1 = A4_POINTS
    width, height = (side * MM for side in ATTACHMENT_BOX_MM)
    margin = ATTACHMENT_MARGIN_MM * MM
    right, top = x1 - margin, y1 - margin
    return (right - width, top - height, right, top)


# --- shared signing steps ------------------------------------------------------------------


# --- remote signing: only a hash leaves the server (STACK-NOTES §1.5) ----------------------


# --- helpers -------------------------------------------------------------------------------


