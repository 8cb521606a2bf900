"""Issuing an outgoing document: official signs, văn thư fills số/ngày, agency signs; attachments;
certificate checks; remote signing where only a hash leaves the server."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from models.errors import DomainError
from models.signing import certificates as signing_certificates
from models.signing import demo_pki, pades, pki
from models.signing import issuing as signing
from models.signing import providers as signing_providers
from models.signing import remote as signing_remote
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from tests.unit.signing_fixtures import demo_settings, issue_from_demo_ca, outgoing_pdf, untrusted_chain

OFFICIAL, AGENCY = "lanhdao", "000.00.01.H23"
OFFICIAL_NAME = "Trần Văn Minh"
SO_KY_HIEU = "125/QĐ-UBND"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return demo_settings(tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="module")
def official(settings):
    return signing_providers.Pkcs12Provider(pki.demo_pkcs12_path(settings, OFFICIAL), pki.demo_password(settings))


@pytest.fixture(scope="module")
def agency(settings):
    return signing_providers.Pkcs12Provider(pki.demo_pkcs12_path(settings, AGENCY), pki.demo_password(settings))


@pytest.fixture(scope="module")
def roots(settings):
    return pki.trust_anchor_certificates(settings)


@pytest.fixture(scope="module")
def official_signed(settings, official):
    return signing.sign_as_official(
        outgoing_pdf(), official, signature_image_png=pki.signature_image_path(settings, OFFICIAL).read_bytes(),
        signer_name=OFFICIAL_NAME, reason="Ký ban hành văn bản")


@pytest.fixture(scope="module")
def issued(settings, official_signed, agency):
    filled = signing.fill_number_and_date(official_signed, so_ky_hieu=SO_KY_HIEU,
                                          date_text="Hà Nam, ngày 26 tháng 11 năm 2026")
    return signing.sign_as_agency(filled, agency, seal_image_png=pki.seal_image_path(settings, AGENCY).read_bytes(),
                                  reason="Phát hành văn bản")


def _statuses(pdf: bytes, roots):
    context = ValidationContext(trust_roots=[pades.as_asn1_certificate(cert) for cert in roots], allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(pdf))
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    return [validate_pdf_signature(sig, context, key_usage_settings=usage) for sig in reader.embedded_signatures]


def _pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _widget(pdf: bytes, name: str):
    reader = PdfFileReader(io.BytesIO(pdf))
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == name:
            return field
    raise AssertionError(name)


def _appearance_images(pdf: bytes, name: str) -> list:
    """Image XObjects reachable from a widget's normal appearance (stamps nest form XObjects)."""
    found, pending = [], [_widget(pdf, name)["/AP"]["/N"]]
    while pending:
        stream = pending.pop()
        for xobject in stream.get("/Resources", {}).get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Image":
                found.append(xobject)
            else:
                pending.append(xobject)
    return found


# --- the issuing chain ----------------------------------------------------------------------


def test_the_issued_document_validates_with_every_signature_intact_and_trusted(issued, roots):
    report = check_pdf_signatures(issued, roots)

    assert report.verdict == SignatureVerdict.VALID, report.explanations
    assert [s.field_name for s in report.signatures] == ["NguoiKy", "CoQuan"]
    assert all(s.intact and s.trusted for s in report.signatures)
    assert [s.signer_common_name for s in report.signatures] == [OFFICIAL_NAME,
                                                                 "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"]
    assert report.signatures[0].certification and report.signatures[0].docmdp == "fill_forms"
    first, last = _statuses(issued, roots)
    assert first.bottom_line and last.bottom_line
    assert first.modification_level.name == "FORM_FILLING"
    assert last.coverage.name == "ENTIRE_FILE"


def test_the_number_and_date_are_in_the_text_fields(issued):
    text = _pdftotext(issued)

    assert SO_KY_HIEU in text and "ngày 26 tháng 11 năm 2026" in text
    assert str(_widget(issued, "so_van_ban")["/V"]) == SO_KY_HIEU
    assert int(_widget(issued, "so_van_ban")["/Ff"]) & 1  # read-only


def test_the_stamps_are_the_transparent_images(issued):
    for field in ("NguoiKy", "CoQuan"):
        images = _appearance_images(issued, field)
        assert len(images) == 1, field
        assert "/SMask" in images[0], field  # transparency kept: the seal lets the signature show


def test_changing_a_field_after_the_agency_signature_is_detected(issued, roots):
    writer = IncrementalPdfFileWriter(io.BytesIO(issued))
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == "so_van_ban":
            field["/V"] = generic.TextStringObject("999/QĐ-UBND")
            writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)

    report = check_pdf_signatures(out.getvalue(), roots)

    assert report.verdict == SignatureVerdict.INVALID
    assert report.tampered


def test_a_pdf_without_the_field_or_with_it_signed_is_refused(settings, official, agency, official_signed):
    image = pki.signature_image_path(settings, OFFICIAL).read_bytes()
    with pytest.raises(DomainError) as missing:
        signing.sign_as_official(outgoing_pdf(with_fields=False), official, signature_image_png=image,
                                 signer_name=OFFICIAL_NAME, reason="x")
    assert missing.value.code == "signature_field_missing"
    with pytest.raises(DomainError) as twice:
        signing.sign_as_official(official_signed, official, signature_image_png=image,
                                 signer_name=OFFICIAL_NAME, reason="x")
    assert twice.value.code == "already_signed"


def test_the_number_cannot_be_written_twice(official_signed):
    filled = signing.fill_number_and_date(official_signed, so_ky_hieu=SO_KY_HIEU, date_text="ngày 26")

    with pytest.raises(DomainError) as error:
        signing.fill_number_and_date(filled, so_ky_hieu="126/QĐ-UBND", date_text="ngày 27")
    assert error.value.code == "form_field_filled"


def test_signing_from_a_coroutine_is_refused_clearly(official):
    import asyncio

    async def inside_a_loop():
        signing.sign_as_official(outgoing_pdf(), official, signature_image_png=b"", signer_name="", reason="")

    with pytest.raises(RuntimeError, match="thread"):
        asyncio.run(inside_a_loop())


# --- attachments ------------------------------------------------------------------------------


def test_an_attachment_gets_a_text_only_agency_signature_at_the_top_right(agency, roots):
    at = datetime(2026, 11, 26, 2, 30, 15, tzinfo=UTC)

    signed = signing.sign_attachment(outgoing_pdf(with_fields=False), agency, so_ky_hieu=SO_KY_HIEU, at=at)

    text = _pdftotext(signed)
    assert SO_KY_HIEU in text and "2026-11-26T09:30:15+07:00" in text
    report = check_pdf_signatures(signed, roots)
    assert report.verdict == SignatureVerdict.VALID, report.explanations
    assert report.signatures[0].signing_time == "2026-11-26T09:30:15+07:00"  # the signed time is the shown one
    x0, y0, x1, y1 = (float(v) for v in _widget(signed, "CoQuan")["/Rect"])
    mm = 72 / 25.4
    assert (x1 - x0, y1 - y0) == pytest.approx((70 * mm, 14 * mm), abs=0.5)
    assert (595.28 - x1, 841.89 - y1) == pytest.approx((10 * mm, 10 * mm), abs=0.5)
    assert _appearance_images(signed, "CoQuan") == []
    with pytest.raises(DomainError) as twice:
        signing.sign_attachment(signed, agency, so_ky_hieu=SO_KY_HIEU, at=at)
    assert twice.value.code == "already_signed"


# --- certificate checks -------------------------------------------------------------------------


def _check(settings, roots, cert, *, name=OFFICIAL_NAME, at=None, intermediates=None):
    signing_certificates.check_signing_certificate(
        cert, expected_full_name=name, at=at or datetime.now(UTC), trust_roots=roots,
        crl_der_list=[pki.crl_path(settings).read_bytes()],
        intermediates=intermediates if intermediates is not None else
        [(pki.demo_dir(settings) / "issuing-ca.pem").read_bytes()])


def _code(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def test_the_designated_signers_valid_certificate_passes(settings, roots, official):
    _check(settings, roots, official.certificate)
    _check(settings, roots, official.certificate, name="  TRẦN  văn minh ")  # case and spacing
    decomposed = "Tra\u0300n Va\u0306n Minh".replace("Tra\u0300n", "Tra\u0302\u0300n")  # NFD input
    _check(settings, roots, official.certificate, name=decomposed)


def test_another_persons_certificate_is_refused(settings, roots, official):
    assert _code(lambda: _check(settings, roots, official.certificate, name="Bùi Đức Long")) == \
        "certificate_not_signers"


def test_expired_and_not_yet_valid_certificates_are_refused(settings, roots):
    now = datetime.now(UTC)
    _key, expired = issue_from_demo_ca(settings, OFFICIAL_NAME, not_before=now - timedelta(days=400),
                                       not_after=now - timedelta(days=1))
    _key, future = issue_from_demo_ca(settings, OFFICIAL_NAME, not_before=now + timedelta(days=2),
                                      not_after=now + timedelta(days=400))

    with pytest.raises(DomainError) as error:
        _check(settings, roots, expired)
    assert error.value.code == "certificate_expired" and error.value.params["expired_on"]
    assert _code(lambda: _check(settings, roots, future)) == "certificate_not_yet_valid"


def test_a_certificate_without_signing_usage_is_refused(settings, roots):
    now = datetime.now(UTC)
    _key, cert = issue_from_demo_ca(settings, OFFICIAL_NAME, not_before=now - timedelta(days=1),
                                    not_after=now + timedelta(days=30), key_usage=False)

    assert _code(lambda: _check(settings, roots, cert)) == "certificate_wrong_usage"


def test_a_certificate_from_an_unknown_ca_is_refused(settings, roots):
    _key, leaf, root = untrusted_chain(OFFICIAL_NAME)

    assert _code(lambda: _check(settings, roots, leaf, intermediates=[root])) == "certificate_untrusted"


def test_a_revoked_certificate_is_refused(settings, roots):
    _key, cert, _chain = pkcs12.load_key_and_certificates(
        pki.demo_pkcs12_path(settings, "lanhdao.stc").read_bytes(), pki.demo_password(settings))
    _check(settings, roots, cert, name="Bùi Đức Long")

    demo_pki.revoke_demo_certificate(settings, "lanhdao.stc")
    demo_pki.revoke_demo_certificate(settings, "lanhdao.stc")  # twice: one entry

    assert _code(lambda: _check(settings, roots, cert, name="Bùi Đức Long")) == "certificate_revoked"
    from cryptography import x509

    assert len(list(x509.load_der_x509_crl(pki.crl_path(settings).read_bytes()))) == 1


# --- remote signing ------------------------------------------------------------------------------


def _device_sign(settings, digest: bytes) -> bytes:
    """What a token or remote HSM does: sign a prehashed SHA-256 with PKCS#1 v1.5."""
    key, _cert, _chain = pkcs12.load_key_and_certificates(
        pki.demo_pkcs12_path(settings, OFFICIAL).read_bytes(), pki.demo_password(settings))
    return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def _prepare(settings, official):
    return signing_remote.prepare_remote_signature(
        outgoing_pdf(), official.certificate.dump(), official.ca_chain,
        signature_image_png=pki.signature_image_path(settings, OFFICIAL).read_bytes(),
        reason="Ký ban hành văn bản", signer_name=OFFICIAL_NAME)


def test_remote_signing_round_trip_through_a_stored_row(settings, official, agency, roots):
    pending = _prepare(settings, official)
    stored = pending.to_json()  # the row kept while the person signs on their device
    restored = signing_remote.PendingRemoteSignature.from_json(stored)
    assert restored == pending

    signed = signing_remote.complete_remote_signature(restored, _device_sign(settings, restored.data_to_sign_sha256))

    report = check_pdf_signatures(signed, roots)
    assert report.verdict == SignatureVerdict.VALID, report.explanations
    assert report.signatures[0].field_name == "NguoiKy" and report.signatures[0].docmdp == "fill_forms"
    assert len(_appearance_images(signed, "NguoiKy")) == 1
    # The rest of the issuing chain works on it as on a locally signed file.
    filled = signing.fill_number_and_date(signed, so_ky_hieu=SO_KY_HIEU, date_text="ngày 26")
    final = signing.sign_as_agency(filled, agency, seal_image_png=pki.seal_image_path(settings, AGENCY).read_bytes(),
                                   reason="Phát hành")
    assert check_pdf_signatures(final, roots).verdict == SignatureVerdict.VALID


def test_a_wrong_remote_signature_is_refused(settings, official):
    pending = _prepare(settings, official)

    assert _code(lambda: signing_remote.complete_remote_signature(pending, b"\x00" * 256)) == "remote_signature_invalid"
    other = _device_sign(settings, b"\x11" * 32)  # the right key, another document
    assert _code(lambda: signing_remote.complete_remote_signature(pending, other)) == "remote_signature_invalid"


def test_certificates_are_accepted_as_pem_der_or_objects(official):
    der = official.certificate.dump()
    from cryptography import x509

    pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
    for form in (der, pem, x509.load_der_x509_certificate(der), official.certificate):
        assert pades.as_asn1_certificate(form).dump() == der
    assert isinstance(official.certificate, asn1_x509.Certificate)
