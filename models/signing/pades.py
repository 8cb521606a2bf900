"""PAdES building blocks shared by the issuing steps and remote signing (STACK-NOTES §1.1-1.5).

The signature field names the renderer creates, opening a PDF for an incremental update, checking
that a field is there and empty, the visible stamp, pyHanko's signer set-up and the signing call
itself. Everything is synchronous and uses pyHanko's sync API, which calls ``asyncio.run()``:
``refuse_if_in_event_loop`` makes a call from a coroutine fail loudly instead of obscurely.
"""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509

from models.errors import DomainError

OFFICIAL_FIELD = "NguoiKy"


AGENCY_FIELD = "CoQuan"


NUMBER_FIELD = "so_van_ban"


DATE_FIELD = "ngay_ban_hanh"


MD_ALGORITHM = "sha256"


def open_writer(pdf: bytes):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError

    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfReadError, ValueError) as exc:
        raise DomainError("pdf_unreadable") from exc


def signature_fields(writer) -> dict[str, bool]:
    """Signature field name → whether it is already signed."""
    from pyhanko.sign.fields import enumerate_sig_fields

    return {name: value is not None for name, value, _ref in enumerate_sig_fields(writer, filled_status=None)}


def require_empty_signature_field(writer, name: str) -> None:
    found = signature_fields(writer)
    if name not in found:
        raise DomainError("signature_field_missing", field=name)
    if found[name]:
        raise DomainError("already_signed", field=name)


def image_stamp(png: bytes):
    """A stamp that is only the image: as large as the box allows, centred, no border, no text."""
    from PIL import Image
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import StaticStampStyle

    image = Image.open(io.BytesIO(png))
    image.load()
    if image.mode not in ("RGBA", "LA"):
        image = image.convert("RGBA")  # keep the background transparent (an SMask in the PDF)
    return StaticStampStyle(
        background=PdfImage(image), background_opacity=1.0, border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0), inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT))


def make_pdf_signer(metadata, signer, stamp_style, at: datetime | None, new_field=None):
    from pyhanko.sign import signers

    class _PdfSignerAt(signers.PdfSigner):
        # pyHanko takes the signing time from the clock; the attachment's visible text states a
        # time, and the signed time must be the same one. Its signing session keeps it in
        # ``system_time``, read when the signed attributes are built.
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            if at is not None:
                session.system_time = aware(at)
            return session

    return _PdfSignerAt(metadata, signer=signer, stamp_style=stamp_style, new_field_spec=new_field)


def sign_writer(writer, metadata, signer, stamp_style, at: datetime | None, *, new_field=None) -> bytes:
    refuse_if_in_event_loop("signing")
    pdf_signer = make_pdf_signer(metadata, signer, stamp_style, at, new_field)
    return pdf_signer.sign_pdf(writer, existing_fields_only=new_field is None).getvalue()


def as_asn1_certificate(cert: Any) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, bytes | bytearray):
        data = bytes(cert)
        if data.lstrip().startswith(b"-----BEGIN"):
            from asn1crypto import pem

            _type, _headers, data = pem.unarmor(data)
        return asn1_x509.Certificate.load(data)
    from cryptography.hazmat.primitives.serialization import Encoding

    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("signing times must be timezone-aware")
    return instant


def refuse_if_in_event_loop(what: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{what} is synchronous: run it in a thread (asyncio.to_thread), not in a coroutine")
