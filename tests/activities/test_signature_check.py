"""Signature check before acceptance (QĐ44 Điều 10.1): the pure check and the activity around it."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign import fields, signers
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.signatures import SignatureActivities, VerifySignaturesInput, VerifySignaturesResult
from config.settings import Settings
from models.audit import AuditEvent
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.tables import Document, StoredFile
from models.signing import demo_pki, pki
from models.signing.tables import SignatureCheck
from models.signing.verification import SignatureReport, check_pdf_signatures
from tests.conftest import minimal_pdf
from tests.factories import make_document, make_org

# --- signed files -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki_settings(tmp_path_factory) -> Settings:
    """QLVB's demo PKI: its root is the one trust anchor."""
    settings = Settings(var_dir=tmp_path_factory.mktemp("var"))
    demo_pki.ensure_demo_pki(settings)
    return settings


@pytest.fixture(scope="module")
def foreign_settings(tmp_path_factory) -> Settings:
    """A self-made CA with the very same names as ours but other keys: it must not be trusted."""
    settings = Settings(var_dir=tmp_path_factory.mktemp("foreign"))
    demo_pki.ensure_demo_pki(settings)
    return settings


@pytest.fixture(scope="module")
def roots(pki_settings):
    return pki.trust_anchor_certificates(pki_settings)


def sign(pdf: bytes, settings: Settings, slug: str = "lanhdao", field_name: str = "NguoiKy", **meta) -> bytes:
    """A PAdES signature with a demo PKCS#12 identity, as an incremental update."""
    signer = signers.SimpleSigner.load_pkcs12(pki.demo_pkcs12_path(settings, slug),
                                              passphrase=pki.demo_password(settings))
    metadata = signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES, **meta)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=signer).getvalue()


def update(pdf: bytes, change) -> bytes:
    """Append an unsigned incremental update made by ``change(writer)``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(minimal_pdf())))
    writer.encrypt("chu-so-huu", "nguoi-doc")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_text_field(pdf: bytes) -> bytes:
    """Add an empty text field ``so_van_ban`` (what the issuer fills after the official signs)."""
    def add(writer):
        page_ref = writer.root["/Pages"]["/Kids"][0]
        page = page_ref.get_object()
        field = writer.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): generic.TextStringObject("so_van_ban"),
            pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (72, 700, 272, 720)]),
            pdf_name("/F"): generic.NumberObject(4), pdf_name("/P"): page_ref,
        }))
        page[pdf_name("/Annots")] = generic.ArrayObject([field])
        writer.update_container(page)
        writer.root[pdf_name("/AcroForm")] = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject([field])})
        writer.update_root()
    return update(pdf, add)


@pytest.fixture(scope="module")
def signed(pki_settings) -> bytes:
    return sign(minimal_pdf(), pki_settings)


# --- the pure check ------------------------------------------------------------------------------


def test_a_document_signed_with_a_trusted_certificate_is_valid(signed, roots):
    report = check_pdf_signatures(signed, roots)

    assert report.verdict == "valid"
    assert report.for_reference_only is False
    assert report.tampered is False
    [sig] = report.signatures
    assert sig.verdict == "valid" and sig.intact and sig.trusted
    assert sig.field_name == "NguoiKy"
    assert sig.signer_common_name == "Trần Văn Minh"
    assert sig.signer_organisation == "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"
    assert sig.trust_anchor == "QLVB Demo Root CA"
    assert sig.signing_time.endswith("+07:00") and sig.signing_time_source == "signer"
    assert (sig.coverage, sig.modification_level, sig.certification) == ("entire_file", "none", False)
    assert any("thu hồi" in line for line in report.explanations)  # revocation soft-fail is said


def test_the_official_then_agency_signing_order_is_valid(pki_settings, roots):
    official = sign(minimal_pdf(), pki_settings, "lanhdao.stc", certify=True,
                    docmdp_permissions=fields.MDPPerm.FILL_FORMS)
    both = sign(official, pki_settings, "000.00.03.H23", "CoQuan")

    report = check_pdf_signatures(both, roots)

    assert report.verdict == "valid"
    first, last = report.signatures
    assert (first.signer_common_name, first.certification, first.docmdp) == ("Bùi Đức Long", True, "fill_forms")
    assert (first.coverage, first.modification_level) == ("entire_revision", "form_filling")
    assert (last.signer_common_name, last.coverage) == ("Sở Tài chính tỉnh Hà Nam", "entire_file")


def test_bytes_changed_after_signing_make_it_invalid(signed, roots):
    tampered = signed.replace(b"Van ban den 1", b"Van ban dem 1")
    assert tampered != signed and len(tampered) == len(signed)

    report = check_pdf_signatures(tampered, roots)

    assert report.verdict == "invalid"
    assert report.tampered is True and report.for_reference_only is True
    assert report.signatures[0].intact is False
    assert "đã bị thay đổi sau khi ký" in report.signatures[0].explanations[0]
    assert any("trả lại cho bên gửi" in line for line in report.explanations)


def test_new_page_content_in_a_later_revision_makes_it_invalid(signed, roots):
    def rewrite_page(writer):
        content = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 700 Td (Da sua) Tj ET"))
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page[pdf_name("/Contents")] = content
        writer.update_container(page)

    report = check_pdf_signatures(update(signed, rewrite_page), roots)

    assert report.verdict == "invalid" and report.tampered
    assert report.signatures[0].modification_level == "other"
    assert report.signatures[0].docmdp_ok is False


def test_a_field_value_changed_after_the_last_signature_makes_it_invalid(pki_settings, roots):
    # Form filling is "allowed" after an approval signature, so the signature alone still reports
    # valid; the unsigned revision after the last signature is what gives it away (STACK-NOTES §1.1).
    signed_form = sign(with_text_field(minimal_pdf()), pki_settings)

    def fill(writer):
        field = writer.root["/AcroForm"]["/Fields"][0].get_object()
        field[pdf_name("/V")] = generic.TextStringObject("999/QĐ-GIẢ")
        writer.update_container(field)

    report = check_pdf_signatures(update(signed_form, fill), roots)

    assert check_pdf_signatures(signed_form, roots).verdict == "valid"
    assert report.verdict == "invalid" and report.tampered
    assert report.signatures[0].modification_level == "form_filling"
    assert any("sau chữ ký số cuối cùng" in line for line in report.explanations)


def test_a_certificate_from_a_ca_outside_the_trust_directory_is_untrusted(foreign_settings, roots):
    report = check_pdf_signatures(sign(minimal_pdf(), foreign_settings), roots)

    assert report.verdict == "untrusted"
    assert report.for_reference_only is True and report.tampered is False
    [sig] = report.signatures
    assert sig.intact and not sig.trusted and sig.trust_anchor == ""
    assert sig.signer_common_name == "Trần Văn Minh"  # the name alone proves nothing
    assert "danh sách tin cậy" in sig.explanations[0]


def test_with_no_trust_anchors_nothing_is_trusted(signed):
    report = check_pdf_signatures(signed, [])

    assert report.verdict == "untrusted"
    assert any("chưa có chứng thư gốc" in line for line in report.explanations)


def test_an_unsigned_document_is_for_reference_only():
    report = check_pdf_signatures(minimal_pdf(), [])

    assert (report.verdict, report.for_reference_only, report.signatures) == ("unsigned", True, [])
    assert "để biết, tham khảo" in report.explanations[0]


@pytest.mark.parametrize(("data", "reason"), [
    (encrypted_pdf(), "đặt mật khẩu"),
    (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "bị hỏng"),
    (b"", "bị hỏng"),
    (b"PK\x03\x04 not a pdf at all", "bị hỏng"),
])
def test_encrypted_or_corrupt_files_are_invalid_with_a_reason(data, reason, roots):
    report = check_pdf_signatures(data, roots)

    assert report.verdict == "invalid" and report.for_reference_only
    assert reason in report.explanations[0]


def test_a_truncated_signed_file_is_invalid(signed, roots):
    report = check_pdf_signatures(signed[: len(signed) - 200], roots)

    assert report.verdict == "invalid"


def test_the_report_round_trips_through_json(signed, roots):
    report = check_pdf_signatures(signed, roots)

    assert SignatureReport.from_json(report.to_json()) == report


# --- the activity --------------------------------------------------------------------------------


@pytest.fixture
def checker(engine, pki_settings, tmp_path):
    store = FileStore(tmp_path / "files")
    return SignatureActivities(engine, store, pki_settings)


def _document_with_file(checker: SignatureActivities, data: bytes) -> str:
    sha256 = checker.file_store.put(data)
    with transaction(checker.engine) as session:
        org = make_org(session)
        document = make_document(session, org)
        stored = StoredFile(sha256=sha256, size=len(data), content_type="application/pdf", filename="cv.pdf")
        session.add(stored)
        session.flush()
        document.file_id = stored.id
        session.add(document)
        return document.id


def _verify(checker: SignatureActivities, document_id: str) -> VerifySignaturesResult:
    return ActivityEnvironment().run(checker.verify_signatures, VerifySignaturesInput(document_id))


def _rows(engine, model, *conditions) -> list:
    with transaction(engine) as session:
        return list(session.exec(select(model).where(*conditions)))


def test_the_activity_records_a_valid_signature(checker, signed):
    document_id = _document_with_file(checker, signed)

    result = _verify(checker, document_id)

    assert result == VerifySignaturesResult("valid", 1, False)
    [check] = _rows(checker.engine, SignatureCheck, SignatureCheck.document_id == document_id)
    assert check.file_sha256 == hashlib.sha256(signed).hexdigest()
    assert check.report["signatures"][0]["signer_common_name"] == "Trần Văn Minh"
    [document] = _rows(checker.engine, Document, Document.id == document_id)
    assert document.for_reference_only is False
    [event] = _rows(checker.engine, AuditEvent, AuditEvent.code == "document.signature_checked")
    assert (event.subject_id, event.actor_id) == (document_id, None)
    assert event.data["verdict"] == "valid" and event.data["signers"] == ["Trần Văn Minh"]


def test_run_twice_it_leaves_one_row_and_one_audit_event(checker, signed):
    document_id = _document_with_file(checker, signed)

    first = _verify(checker, document_id)
    second = _verify(checker, document_id)

    assert first == second
    assert len(_rows(checker.engine, SignatureCheck, SignatureCheck.document_id == document_id)) == 1
    assert len(_rows(checker.engine, AuditEvent, AuditEvent.code == "document.signature_checked")) == 1


def test_an_unsigned_document_is_marked_for_reference_only(checker):
    document_id = _document_with_file(checker, minimal_pdf())

    result = _verify(checker, document_id)

    assert result == VerifySignaturesResult("unsigned", 0, True)
    [document] = _rows(checker.engine, Document, Document.id == document_id)
    assert document.for_reference_only is True


def test_an_encrypted_file_is_recorded_as_invalid_with_its_reason(checker):
    document_id = _document_with_file(checker, encrypted_pdf())

    result = _verify(checker, document_id)

    assert result == VerifySignaturesResult("invalid", 0, True)
    [check] = _rows(checker.engine, SignatureCheck, SignatureCheck.document_id == document_id)
    assert "đặt mật khẩu" in check.report["explanations"][0]


def test_an_untrusted_signature_is_recorded(checker, foreign_settings):
    document_id = _document_with_file(checker, sign(minimal_pdf(), foreign_settings))

    assert _verify(checker, document_id) == VerifySignaturesResult("untrusted", 1, True)


def test_a_replaced_file_is_checked_again(checker, signed):
    document_id = _document_with_file(checker, minimal_pdf())
    assert _verify(checker, document_id).verdict == "unsigned"
    sha256 = checker.file_store.put(signed)
    with transaction(checker.engine) as session:
        stored = StoredFile(sha256=sha256, size=len(signed), content_type="application/pdf", filename="cv.pdf")
        session.add(stored)
        session.flush()
        document = session.get(Document, document_id)
        document.file_id = stored.id
        session.add(document)

    assert _verify(checker, document_id) == VerifySignaturesResult("valid", 1, False)
    assert len(_rows(checker.engine, SignatureCheck, SignatureCheck.document_id == document_id)) == 2
    [document] = _rows(checker.engine, Document, Document.id == document_id)
    assert document.for_reference_only is False


def test_a_missing_document_fails_without_retries(checker):
    with pytest.raises(ApplicationError) as failure:
        _verify(checker, "00000000-0000-0000-0000-000000000000")

    assert failure.value.type == "document_missing" and failure.value.non_retryable


def test_concurrent_attempts_leave_one_row_and_one_audit_event(checker, signed):
    document_id = _document_with_file(checker, signed)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: _verify(checker, document_id), range(4)))

    assert results == [VerifySignaturesResult("valid", 1, False)] * 4
    assert len(_rows(checker.engine, SignatureCheck, SignatureCheck.document_id == document_id)) == 1
    assert len(_rows(checker.engine, AuditEvent, AuditEvent.code == "document.signature_checked")) == 1


async def test_calling_the_sync_check_from_a_coroutine_is_refused_not_recorded(signed, roots):
    with pytest.raises(RuntimeError, match="synchronous"):
        check_pdf_signatures(signed, roots)
