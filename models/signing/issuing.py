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

Where the key lives is the provider's business (``SigningProvider``): a PKCS#12 file, a PKCS#11
token or HSM, or, for remote signing (``prepare_remote_signature`` /
``complete_remote_signature``), a device elsewhere that receives only a hash.

**Threads.** Everything here is synchronous and uses pyHanko's sync API, which calls
``asyncio.run()``: call these functions from a sync activity or ``asyncio.to_thread``, never
directly from a coroutine (they raise ``RuntimeError`` there rather than fail obscurely).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509

from models.errors import INTERRUPTIONS, DomainError

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Noto fonts have unitsPerEm 1000, which pyHanko's CID widths assume (STACK-NOTES §1.3); Noto
# Serif is the tested stand-in for the Times New Roman that ND30 asks for.
NOTO_SERIF = Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")

OFFICIAL_FIELD = "NguoiKy"
AGENCY_FIELD = "CoQuan"
NUMBER_FIELD = "so_van_ban"
DATE_FIELD = "ngay_ban_hanh"
FIELD_TEXT_SIZE = 13  # ND30: số, ký hiệu and date in size 13-14
ATTACHMENT_TEXT_SIZE = 10  # ND30 PL I Phần I II.8: the attachment's agency text, size 10, black
MM = 72 / 25.4
ATTACHMENT_BOX_MM = (70, 14)
ATTACHMENT_MARGIN_MM = 10
A4_POINTS = (595.28, 841.89)
MD_ALGORITHM = "sha256"


# --- the signing interface ----------------------------------------------------------------


@runtime_checkable
class SigningProvider(Protocol):
    """Where a signing key lives. The certificate is known without signing (for the checks);
    ``open_signer`` yields a pyHanko ``Signer`` for one signing and releases the key after it
    (a token session is closed, a PIN forgotten)."""

    @property
    def certificate(self) -> asn1_x509.Certificate: ...

    @property
    def ca_chain(self) -> list[asn1_x509.Certificate]: ...

    def open_signer(self) -> Any: ...  # a context manager yielding a pyhanko Signer


class Pkcs12Provider:
    """A key in a PKCS#12 file (the demo PKI's ``people/<username>.p12``, ``agencies/<code>.p12``)."""

    def __init__(self, path: str | Path, passphrase: str | bytes | None) -> None:
        self.path = Path(path)
        self.passphrase = passphrase.encode() if isinstance(passphrase, str) else passphrase
        self._signer = None

    def _load(self):
        from pyhanko.sign import signers

        if self._signer is None:
            self._signer = signers.SimpleSigner.load_pkcs12(str(self.path), passphrase=self.passphrase)
            if self._signer is None:  # pyHanko logs the reason and returns None
                raise DomainError("signing_key_unavailable")
        return self._signer

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._load().signing_cert

    @property
    def ca_chain(self) -> list[asn1_x509.Certificate]:
        leaf = self.certificate
        return [cert for cert in self._load().cert_registry if cert.dump() != leaf.dump()]

    @contextmanager
    def open_signer(self) -> Iterator[Any]:
        yield self._load()


def agency_key(settings, agency_code: str) -> Pkcs12Provider:
    """The agency's own signing key (the agency signature of ND30 Điều 32.2): its PKCS#12 file.

    Raises ``DomainError("agency_certificate_missing")`` when the agency has none, which a caller
    must not retry: an administrator has to install the key first.
    """
    from models.signing import pki

    try:
        path = pki.demo_pkcs12_path(settings, agency_code)
    except KeyError:
        path = None
    if path is None or not path.exists():
        raise DomainError("agency_certificate_missing", agency_code=agency_code)
    return Pkcs12Provider(path, pki.demo_password(settings))


class Pkcs11Provider:
    """A key on a PKCS#11 token or HSM; the session is opened per signing and always closed."""

    def __init__(self, module_path: str | Path, token_label: str, pin: str, key_label: str,
                 cert_label: str | None = None, ca_chain: Iterable[Any] = ()) -> None:
        self.module_path = str(module_path)
        self.token_label = token_label
        self.pin = pin
        self.key_label = key_label
        self.cert_label = cert_label or key_label
        self._ca_chain = [_as_asn1(cert) for cert in ca_chain]
        self._certificate: asn1_x509.Certificate | None = None

    @property
    def certificate(self) -> asn1_x509.Certificate:
        if self._certificate is None:
            with self.open_signer() as signer:
                self._certificate = signer.signing_cert
        return self._certificate

    @property
    def ca_chain(self) -> list[asn1_x509.Certificate]:
        return list(self._ca_chain)

    @contextmanager
    def open_signer(self) -> Iterator[Any]:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        try:
            session = open_pkcs11_session(self.module_path, token_criteria=TokenCriteria(label=self.token_label),
                                          user_pin=self.pin)
        except INTERRUPTIONS:  # a cancellation or worker stop passes through
            raise
        except Exception as exc:  # no token, wrong PIN, module missing: the user can act on it
            raise DomainError("signing_key_unavailable") from exc
        try:
            yield PKCS11Signer(session, key_label=self.key_label, cert_label=self.cert_label,
                               ca_chain=self._ca_chain)
        finally:
            session.close()


@contextmanager
def _opened(provider_or_signer: Any) -> Iterator[Any]:
    """A provider's signer for one signing, or a pyHanko ``Signer`` given directly."""
    if isinstance(provider_or_signer, SigningProvider):
        with provider_or_signer.open_signer() as signer:
            yield signer
    else:
        yield provider_or_signer


# --- certificate checks -------------------------------------------------------------------


def check_signing_certificate(cert: Any, *, expected_full_name: str, at: datetime, trust_roots: Iterable[Any],
                              crl_der_list: Iterable[bytes] = (), intermediates: Iterable[Any] = ()) -> None:
    """Refuse a certificate the designated signer must not sign with; return None when it may.

    Checked in the order a person can best act on: whose certificate it is
    (``certificate_not_signers``: common name against the designated signer's full name, NFC,
    case-insensitive), what it may sign (``certificate_wrong_usage``: digitalSignature or
    nonRepudiation), when (``certificate_expired`` / ``certificate_not_yet_valid`` at ``at``),
    then the chain: ``certificate_untrusted`` when no path reaches ``trust_roots``,
    ``certificate_revoked`` when a given CRL lists it. Nothing is fetched. When a CRL of the
    certificate's issuer is given it must be usable (``certificate_status_unknown`` if it is
    stale or forged); without one, and for the CAs above (the demo root publishes no CRL), the
    status is checked only where the certificate names a distribution point.

    ``cert``, roots and intermediates: asn1crypto or ``cryptography`` certificates, or DER.
    Synchronous (certvalidator is async inside): do not call it from a coroutine.
    """
    leaf = _as_asn1(cert)
    common_name = str(leaf.subject.native.get("common_name", ""))
    if _name_key(common_name) != _name_key(expected_full_name):
        raise DomainError("certificate_not_signers", certificate_name=common_name, signer_name=expected_full_name)
    usage = set(leaf.key_usage_value.native) if leaf.key_usage_value is not None else set()
    if not usage & {"digital_signature", "non_repudiation"}:
        raise DomainError("certificate_wrong_usage", certificate_name=common_name)
    not_before = leaf["tbs_certificate"]["validity"]["not_before"].native
    not_after = leaf["tbs_certificate"]["validity"]["not_after"].native
    if at > not_after:
        raise DomainError("certificate_expired", expired_on=_vn_date(not_after))
    if at < not_before:
        raise DomainError("certificate_not_yet_valid", valid_from=_vn_date(not_before))
    _refuse_if_in_event_loop("check_signing_certificate")
    asyncio.run(_check_chain(leaf, at, [_as_asn1(c) for c in trust_roots],
                             [_as_asn1(c) for c in intermediates], list(crl_der_list)))


async def _check_chain(leaf, at: datetime, roots, intermediates, crls: list[bytes]) -> None:
    from asn1crypto import crl as asn1_crl
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InsufficientRevinfoError,
        InvalidCertificateError,
        NotYetValidError,
        PathBuildingError,
        PathValidationError,
        RevokedError,
    )
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    # certvalidator's stock modes consult a CRL only when the certificate names a distribution
    # point, which the demo certificates (and some real ones) do not: demand the CRL for the
    # end-entity certificate exactly when its issuer's CRL was handed to us.
    lists = [asn1_crl.CertificateList.load(der) for der in crls]
    issuer_listed = any(item.issuer == leaf.issuer for item in lists)
    rule = RevocationCheckingRule.CRL_REQUIRED if issuer_listed else RevocationCheckingRule.CHECK_IF_DECLARED_SOFT
    policy = CertRevTrustPolicy(RevocationCheckingPolicy(
        ee_certificate_rule=rule, intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT))
    context = ValidationContext(trust_manager=SimpleTrustManager.build(trust_roots=roots),
                                other_certs=intermediates, crls=lists, allow_fetching=False,
                                revinfo_policy=policy, moment=at)
    validator = CertificateValidator(leaf, intermediate_certs=intermediates, validation_context=context)
    common_name = str(leaf.subject.native.get("common_name", ""))
    try:
        await validator.async_validate_path()
    except RevokedError as exc:
        raise DomainError("certificate_revoked", certificate_name=common_name) from exc
    except InsufficientRevinfoError as exc:
        raise DomainError("certificate_status_unknown", certificate_name=common_name) from exc
    except (ExpiredError, NotYetValidError) as exc:  # an expired CA in the chain
        raise DomainError("certificate_expired", expired_on=_vn_date(at)) from exc
    except PathBuildingError as exc:
        raise DomainError("certificate_untrusted", certificate_name=common_name) from exc
    except (PathValidationError, InvalidCertificateError) as exc:
        raise DomainError("certificate_untrusted", certificate_name=common_name) from exc


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _vn_date(instant: datetime) -> str:
    return instant.astimezone(VIETNAM).strftime("%d/%m/%Y")


# --- 1. the official's signature ------------------------------------------------------------


def sign_as_official(pdf: bytes, provider: SigningProvider, *, signature_image_png: bytes, signer_name: str,
                     reason: str, field: str = OFFICIAL_FIELD, at: datetime | None = None) -> bytes:
    """Certify the PDF with the official's key; the stamp is their signature image in ``field``.

    A certification signature allowing form filling and further signatures only (DocMDP
    ``FILL_FORMS``), so the number, the date and the agency signature can follow it. Check the
    certificate first (``check_signing_certificate``); this function only signs.
    """
    from pyhanko.sign import fields, signers

    _refuse_if_in_event_loop("signing")
    writer = _writer(pdf)
    _require_empty_signature_field(writer, field)
    metadata = signers.PdfSignatureMetadata(
        field_name=field, certify=True, docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm=MD_ALGORITHM, reason=reason, name=signer_name)
    with _opened(provider) as signer:
        return _sign(writer, metadata, signer, _image_stamp(signature_image_png), at)


# --- 2. number and date ---------------------------------------------------------------------


def fill_number_and_date(pdf: bytes, *, so_ky_hieu: str, date_text: str) -> bytes:
    """Write the số/ký hiệu and the date into their text fields, in one incremental update.

    Field filling is what the official's certification allows, so that signature stays valid;
    each field becomes read-only with an appearance in embedded Noto Serif.
    """
    from pyhanko.pdf_utils import layout, text
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.form_tools import populate_static_text_field
    from pyhanko.pdf_utils.misc import FormFillingError, PdfWriteError

    _refuse_if_in_event_loop("fill_number_and_date")
    writer = _writer(pdf)
    # Middle-left: the default bottom alignment clips descenders (STACK-NOTES §1.2); the same size
    # for the glyph factory and the box style keeps lines where they belong.
    style = text.TextBoxStyle(
        font=GlyphAccumulatorFactory(str(NOTO_SERIF), font_size=FIELD_TEXT_SIZE), font_size=FIELD_TEXT_SIZE,
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT))
    for name, value in ((NUMBER_FIELD, so_ky_hieu), (DATE_FIELD, date_text)):
        try:
            populate_static_text_field(writer, name, style, unicodedata.normalize("NFC", value))
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

    _refuse_if_in_event_loop("signing")
    writer = _writer(pdf)
    _require_empty_signature_field(writer, AGENCY_FIELD)
    # NO_CHANGES is what the field's lock demands anyway; asking for it avoids pyHanko's warning.
    metadata = signers.PdfSignatureMetadata(field_name=AGENCY_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm=MD_ALGORITHM, reason=reason,
                                            docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    with _opened(signer) as opened:
        return _sign(writer, metadata, opened, _image_stamp(seal_image_png), at)


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

    _refuse_if_in_event_loop("signing")
    writer = _writer(pdf)
    existing = _signature_fields(writer)
    if existing.get(AGENCY_FIELD):
        raise DomainError("already_signed", field=AGENCY_FIELD)
    moment = _aware(at)
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
    with _opened(signer) as opened:
        return _sign(writer, metadata, opened, style, moment, new_field=new_field)


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


def _writer(pdf: bytes):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError

    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfReadError, ValueError) as exc:
        raise DomainError("pdf_unreadable") from exc


def _signature_fields(writer) -> dict[str, bool]:
    """Signature field name → whether it is already signed."""
    from pyhanko.sign.fields import enumerate_sig_fields

    return {name: value is not None for name, value, _ref in enumerate_sig_fields(writer, filled_status=None)}


def _require_empty_signature_field(writer, name: str) -> None:
    found = _signature_fields(writer)
    if name not in found:
        raise DomainError("signature_field_missing", field=name)
    if found[name]:
        raise DomainError("already_signed", field=name)


def _image_stamp(png: bytes):
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


def _pdf_signer(metadata, signer, stamp_style, at: datetime | None, new_field=None):
    from pyhanko.sign import signers

    class _PdfSignerAt(signers.PdfSigner):
        # pyHanko takes the signing time from the clock; the attachment's visible text states a
        # time, and the signed time must be the same one. Its signing session keeps it in
        # ``system_time``, read when the signed attributes are built.
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            if at is not None:
                session.system_time = _aware(at)
            return session

    return _PdfSignerAt(metadata, signer=signer, stamp_style=stamp_style, new_field_spec=new_field)


def _sign(writer, metadata, signer, stamp_style, at: datetime | None, *, new_field=None) -> bytes:
    _refuse_if_in_event_loop("signing")
    pdf_signer = _pdf_signer(metadata, signer, stamp_style, at, new_field)
    return pdf_signer.sign_pdf(writer, existing_fields_only=new_field is None).getvalue()


# --- remote signing: only a hash leaves the server (STACK-NOTES §1.5) ----------------------


@dataclass
class PendingRemoteSignature:
    """Everything kept between preparing the PDF and receiving the device's signature.

    Plain bytes, ints and strings, so ``to_json`` fits in a database row: the wait for a
    person at their token may span restarts. ``data_to_sign_sha256`` is what the device signs
    (a prehashed SHA-256: the hash of the DER-encoded signed attributes).
    """

    prepared_pdf: bytes
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    signed_attributes: bytes
    data_to_sign_sha256: bytes
    signer_certificate: bytes
    ca_chain: list[bytes] = field(default_factory=list)
    md_algorithm: str = MD_ALGORITHM

    def to_json(self) -> str:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, bytes):
                data[key] = base64.b64encode(value).decode("ascii")
        data["ca_chain"] = [base64.b64encode(cert).decode("ascii") for cert in self.ca_chain]
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> PendingRemoteSignature:
        data = json.loads(text)
        binary = {"prepared_pdf", "document_digest", "signed_attributes", "data_to_sign_sha256",
                  "signer_certificate"}
        for key in binary:
            data[key] = base64.b64decode(data[key])
        data["ca_chain"] = [base64.b64decode(cert) for cert in data.get("ca_chain", [])]
        return cls(**data)


def prepare_remote_signature(pdf: bytes, signer_cert_pem_or_der: bytes, ca_chain: Iterable[Any], *,
                             signature_image_png: bytes, field: str = OFFICIAL_FIELD,
                             reason: str = "", signer_name: str = "",
                             at: datetime | None = None) -> PendingRemoteSignature:
    """Step 1 of the official's signature with a key the server never sees.

    The same certification signature as ``sign_as_official``, prepared with room for the
    signature; the caller sends ``data_to_sign_sha256`` to the device and persists the result.
    """
    _refuse_if_in_event_loop("prepare_remote_signature")
    return asyncio.run(_prepare_remote(pdf, _as_asn1(signer_cert_pem_or_der), [_as_asn1(c) for c in ca_chain],
                                       signature_image_png, field, reason, signer_name, at))


async def _prepare_remote(pdf, cert, chain, image_png, field_name, reason, signer_name, at):
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    writer = _writer(pdf)
    _require_empty_signature_field(writer, field_name)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name, certify=True, docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm=MD_ALGORITHM, reason=reason or None,
        name=signer_name or None)
    # A placeholder of the key's signature length: it sizes the space reserved for the CMS.
    placeholder = signers.ExternalSigner(cert, SimpleCertificateStore.from_certs(chain),
                                         signature_value=_signature_length(cert))
    pdf_signer = _pdf_signer(metadata, placeholder, _image_stamp(image_png), at)
    prep_digest, _tbs, output = await pdf_signer.async_digest_doc_for_signing(writer, existing_fields_only=True)
    signed_attrs = await placeholder.signed_attrs(
        prep_digest.document_digest, MD_ALGORITHM,
        attr_settings=PdfCMSSignedAttributes(signing_time=_aware(at) if at else datetime.now(VIETNAM)),
        use_pades=True)
    der = signed_attrs.dump()
    return PendingRemoteSignature(
        prepared_pdf=output.getvalue(), document_digest=prep_digest.document_digest,
        reserved_region_start=prep_digest.reserved_region_start,
        reserved_region_end=prep_digest.reserved_region_end, signed_attributes=der,
        data_to_sign_sha256=hashlib.sha256(der).digest(), signer_certificate=cert.dump(),
        ca_chain=[c.dump() for c in chain])


def complete_remote_signature(pending: PendingRemoteSignature, raw_signature: bytes) -> bytes:
    """Step 2: embed the device's raw signature and return the signed PDF.

    The signature is verified against the certificate's public key first, so a wrong or garbled
    value is refused (``remote_signature_invalid``) instead of producing a broken PDF.
    """
    _verify_raw_signature(pending.signer_certificate, pending.signed_attributes, raw_signature)
    _refuse_if_in_event_loop("complete_remote_signature")
    return asyncio.run(_complete_remote(pending, raw_signature))


async def _complete_remote(pending: PendingRemoteSignature, raw_signature: bytes) -> bytes:
    from pyhanko.sign import signers
    from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = asn1_x509.Certificate.load(pending.signer_certificate)
    chain = [asn1_x509.Certificate.load(der) for der in pending.ca_chain]
    external = signers.ExternalSigner(cert, SimpleCertificateStore.from_certs(chain), signature_value=raw_signature)
    cms_object = await external.async_sign_prescribed_attributes(
        pending.md_algorithm, signed_attrs=asn1_cms.CMSAttributes.load(pending.signed_attributes))
    prepared = PreparedByteRangeDigest(document_digest=pending.document_digest,
                                       reserved_region_start=pending.reserved_region_start,
                                       reserved_region_end=pending.reserved_region_end)
    output = io.BytesIO(pending.prepared_pdf)
    prepared.fill_with_cms(output, cms_object)
    return output.getvalue()


def _verify_raw_signature(cert_der: bytes, signed_attributes: bytes, raw_signature: bytes) -> None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = x509.load_der_x509_certificate(cert_der).public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(raw_signature, signed_attributes, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(raw_signature, signed_attributes, ec.ECDSA(hashes.SHA256()))
        else:
            raise DomainError("remote_signature_invalid")
    except (InvalidSignature, ValueError) as exc:
        raise DomainError("remote_signature_invalid") from exc


def _signature_length(cert: asn1_x509.Certificate) -> int:
    public_key = cert.public_key
    if public_key.algorithm == "rsa":
        return (public_key.bit_size + 7) // 8
    return 2 * ((public_key.bit_size + 7) // 8) + 9  # a DER ECDSA signature, at most


# --- helpers -------------------------------------------------------------------------------


def _as_asn1(cert: Any) -> asn1_x509.Certificate:
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


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("signing times must be timezone-aware")
    return instant


def _refuse_if_in_event_loop(what: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{what} is synchronous: run it in a thread (asyncio.to_thread), not in a coroutine")
