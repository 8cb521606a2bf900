"""Test material for signing: an outgoing-document PDF with its four fields, and odd certificates.

The real PDF comes from the renderer; this one has the same fields in the same places (A4, points):
``NguoiKy`` 60 x 25 mm, ``CoQuan`` 36 mm square over the left third of it and locking every field,
and the empty text fields ``so_van_ban`` and ``ngay_ban_hanh``.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import fields

from config.settings import Settings
from models.signing import demo_pki, pki

MM = 72 / 25.4
A4 = (0, 0, 595.28, 841.89)
OFFICIAL_BOX = (330.0, 150.0, 330.0 + 60 * MM, 150.0 + 25 * MM)
_seal = 36 * MM
_seal_centre_x = OFFICIAL_BOX[0] + (OFFICIAL_BOX[2] - OFFICIAL_BOX[0]) / 6  # middle of the left third
_seal_centre_y = (OFFICIAL_BOX[1] + OFFICIAL_BOX[3]) / 2
AGENCY_BOX = (_seal_centre_x - _seal / 2, _seal_centre_y - _seal / 2,
              _seal_centre_x + _seal / 2, _seal_centre_y + _seal / 2)
NUMBER_BOX = (60.0, 730.0, 260.0, 750.0)
DATE_BOX = (300.0, 730.0, 540.0, 750.0)


def outgoing_pdf(*, with_fields: bool = True) -> bytes:
    """A one-page A4 PDF with a line of text and (by default) the four fields of an outgoing document."""
    writer = PdfFileWriter()
    font = generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
                                     pdf_name("/BaseFont"): pdf_name("/Helvetica")})
    resources = generic.DictionaryObject({pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font})})
    content = generic.StreamObject(stream_data=b"BT /F1 14 Tf 220 600 Td (QUYET DINH - test) Tj ET")
    page_ref = writer.insert_page(PageObject(writer.add_object(content), A4, resources=resources))
    if with_fields:
        fields.append_signature_field(writer, fields.SigFieldSpec("NguoiKy", on_page=0, box=OFFICIAL_BOX))
        fields.append_signature_field(writer, fields.SigFieldSpec(
            "CoQuan", on_page=0, box=AGENCY_BOX,
            field_mdp_spec=fields.FieldMDPSpec(fields.FieldMDPAction.ALL),
            doc_mdp_update_value=fields.MDPPerm.NO_CHANGES))
        for name, box in (("so_van_ban", NUMBER_BOX), ("ngay_ban_hanh", DATE_BOX)):
            _text_field(writer, page_ref, name, box)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _text_field(writer: PdfFileWriter, page_ref, name: str, box) -> None:
    widget = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"),
        pdf_name("/T"): generic.TextStringObject(name),
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in box),
        pdf_name("/F"): generic.NumberObject(4),
        pdf_name("/P"): page_ref,
        pdf_name("/DA"): generic.TextStringObject("/Helv 0 Tf 0 g"),
    })
    ref = writer.add_object(widget)
    writer.register_annotation(page_ref, ref)
    writer.root["/AcroForm"]["/Fields"].append(ref)


def demo_settings(var_dir) -> Settings:
    settings = Settings(var_dir=var_dir)
    demo_pki.ensure_demo_pki(settings)
    return settings


def issue_from_demo_ca(settings: Settings, common_name: str, *, not_before: datetime, not_after: datetime,
                       key_usage: bool = True) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A certificate from the demo issuing CA with the given validity (and signing key usage, or none)."""
    folder = pki.demo_dir(settings)
    issuing = x509.load_pem_x509_certificate((folder / "issuing-ca.pem").read_bytes())
    issuing_key = serialization.load_pem_private_key((folder / "issuing-ca.key.pem").read_bytes(),
                                                     pki.demo_password(settings))
    return _leaf(common_name, issuing.subject, issuing_key, not_before, not_after, key_usage=key_usage)


def untrusted_chain(common_name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate, x509.Certificate]:
    """(key, leaf, root) from a CA nobody configured as a trust anchor."""
    now = datetime.now(UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Unknown Test Root")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(root_key, hashes.SHA256()))
    key, leaf = _leaf(common_name, root_name, root_key, now - timedelta(days=1), now + timedelta(days=30))
    return key, leaf, root


def _leaf(common_name, issuer_name, issuer_key, not_before, not_after, *, key_usage: bool = True):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
               .issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    builder = builder.add_extension(x509.KeyUsage(
        digital_signature=key_usage, content_commitment=key_usage, key_encipherment=not key_usage,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False), critical=True)
    return key, builder.sign(issuer_key, hashes.SHA256())
