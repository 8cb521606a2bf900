"""Outgoing drafts as ND30 PDFs with issuing fields, and the whole signing order on them.

Needs poppler-utils (pdftotext, pdffonts), fonts-croscore (Tinos) and fonts-noto-core, which
``make system-deps`` installs.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic, layout, text
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.form_tools import populate_static_text_field
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from models.errors import DomainError
from models.outgoing.drafting import DraftContent, date_text
from models.outgoing.render import (
    AGENCY_FIELD,
    DATE_FIELD,
    FIELD_NAMES,
    NUMBER_FIELD,
    OFFICIAL_FIELD,
    render_document,
)
from models.outgoing.upload import convert_docx_to_pdf, prepare_uploaded_pdf
from tests.conftest import minimal_pdf

NOTO_SERIF = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
MM = 72 / 25.4

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def draft(**changes) -> DraftContent:
    values = dict(
        parent_agency_name="UBND TỈNH HÀ NAM", agency_name="SỞ NỘI VỤ", type_name="Quyết định", type_abbr="QĐ",
        notation="QĐ-SNV", place_name="Hà Nam",
        subject="Về việc phê duyệt kế hoạch tuyển dụng công chức năm 2026",
        body="Căn cứ Luật Cán bộ, công chức;\n\nĐiều 1. Phê duyệt kế hoạch tuyển dụng công chức.\n\n"
             "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        noi_nhan=["Như Điều 2", "UBND tỉnh (để b/c)"], storage_unit_abbr="TCCB",
        signer_competence="KT. GIÁM ĐỐC", signer_position="PHÓ GIÁM ĐỐC", signer_full_name="Nguyễn Văn Ánh")
    values.update(changes)
    return DraftContent(**values)


def pdf_text(pdf: bytes, *args: str) -> str:
    out = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return unicodedata.normalize("NFC", out.decode())


def pdf_fonts(pdf: bytes) -> list[str]:
    """Font names pdffonts lists (it reads files, not standard input)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(["pdffonts", handle.name], capture_output=True, check=True).stdout.decode()
    return [line.split()[0] for line in out.splitlines()[2:] if line.strip()]


def form_fields(pdf: bytes) -> dict[str, generic.DictionaryObject]:
    reader = PdfFileReader(io.BytesIO(pdf))
    return {str(ref.get_object()["/T"]): ref.get_object() for ref in reader.root["/AcroForm"]["/Fields"]}


@pytest.fixture(scope="module")
def rendered():
    return render_document(draft(urgency="khan"))


# --- layout ------------------------------------------------------------------------------------


def test_the_document_shows_the_nd30_parts(rendered):
    assert rendered.page_count == 1
    assert PdfFileReader(io.BytesIO(rendered.pdf)).root["/Pages"]["/Count"] == 1
    words = pdf_text(rendered.pdf)
    for part in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH HÀ NAM",
                 "SỞ NỘI VỤ", "QUYẾT ĐỊNH", "Về việc phê duyệt kế hoạch tuyển dụng công chức năm 2026",
                 "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Ánh", "Nơi nhận:", "- Lưu: VT, TCCB.", "KHẨN"):
        assert part in words, part
    assert "V/v" not in words


def test_only_the_times_metric_font_is_embedded(rendered):
    fonts = pdf_fonts(rendered.pdf)
    assert fonts, "no font found"
    assert all(name.split("+")[-1].startswith("Tinos") for name in fonts), fonts


def test_a_cong_van_puts_the_subject_under_the_number_and_lists_recipients():
    result = render_document(draft(type_name="Công văn", type_abbr="", notation="SNV-TCCB",
                                   subject="góp ý dự thảo quy chế", kinh_gui=["Sở Tài chính", "Sở Tư pháp"]))
    words = pdf_text(result.pdf)
    assert "V/v góp ý dự thảo quy chế" in words
    assert "CÔNG VĂN" not in words
    assert "Kính gửi:" in words and "- Sở Tài chính;" in words and "- Sở Tư pháp." in words


def test_markup_in_the_draft_is_printed_as_text():
    result = render_document(draft(subject="<b>Về</b> việc & thử"))
    assert "<b>Về</b> việc & thử" in pdf_text(result.pdf)


def test_a_long_body_runs_to_several_pages_with_the_signer_fields_on_the_last():
    body = "\n\n".join(f"Điều {i}. Nội dung quy định chi tiết về tổ chức thực hiện nhiệm vụ được giao, "
                       "bảo đảm đúng quy định của pháp luật và yêu cầu quản lý nhà nước." for i in range(1, 60))
    result = render_document(draft(body=body))
    assert result.page_count >= 2
    last = result.page_count - 1
    assert result.field_boxes[OFFICIAL_FIELD][0] == last
    assert result.field_boxes[AGENCY_FIELD][0] == last
    assert result.field_boxes[NUMBER_FIELD][0] == 0
    pages = pdf_text(result.pdf).split("\f")
    assert "Nguyễn Văn Ánh" in pages[last]
    assert "Điều" in pages[last]  # the signer block never stands alone on the last page
    # Page numbers in the top margin from page 2 on, not on page 1.
    assert pages[1].strip().startswith("2")
    assert not pages[0].strip().startswith("1")


# --- fields ------------------------------------------------------------------------------------


def test_the_four_fields_exist_with_their_types_and_the_agency_lock(rendered):
    found = form_fields(rendered.pdf)
    assert set(found) == set(FIELD_NAMES)
    assert found[NUMBER_FIELD]["/FT"] == "/Tx" and found[DATE_FIELD]["/FT"] == "/Tx"
    assert found[OFFICIAL_FIELD]["/FT"] == "/Sig" and found[AGENCY_FIELD]["/FT"] == "/Sig"
    assert found[AGENCY_FIELD]["/Lock"]["/Action"] == "/All"
    assert "/Lock" not in found[OFFICIAL_FIELD]
    reader = PdfFileReader(io.BytesIO(rendered.pdf))
    assert reader.root["/AcroForm"]["/NeedAppearances"] == generic.BooleanObject(False)
    annots = [a.get_object().get("/T") for a in reader.root["/Pages"]["/Kids"][0].get_object()["/Annots"]]
    assert set(FIELD_NAMES) <= set(annots)


def test_field_geometry(rendered):
    boxes = rendered.field_boxes
    _, x1, y1, x2, y2 = boxes[OFFICIAL_FIELD]
    assert x2 - x1 == pytest.approx(60 * MM, abs=1) and y2 - y1 == pytest.approx(25 * MM, abs=1)
    _, sx1, sy1, sx2, sy2 = boxes[AGENCY_FIELD]
    assert sx2 - sx1 == pytest.approx(36 * MM, abs=1) and sy2 - sy1 == pytest.approx(36 * MM, abs=1)
    # The seal covers the left third of the signature, vertically centred on it.
    assert sx2 == pytest.approx(x1 + (x2 - x1) / 3, abs=0.5)
    assert (sy1 + sy2) / 2 == pytest.approx((y1 + y2) / 2, abs=0.5)
    # The signature lies in the right (signer) column and above the bottom margin.
    assert x1 > 595 / 2 - 30 * MM and x2 < 595 - 15 * MM and y1 > 20 * MM
    # Number on the left, date on the right, on the same row near the top.
    _, nx1, ny1, nx2, _ = boxes[NUMBER_FIELD]
    _, dx1, dy1, _, _ = boxes[DATE_FIELD]
    assert nx2 < dx1 and ny1 == pytest.approx(dy1, abs=2) and ny1 > 842 * 0.75


def test_the_blanks_are_empty_in_the_printed_text(rendered):
    words = pdf_text(rendered.pdf, "-layout")
    assert "Số:" in words and "Hà Nam," in words
    assert "/QĐ-SNV" not in words  # the whole số/ký hiệu goes into the field at issue


def fill_style(size: int = 12) -> text.TextBoxStyle:
    mid_left = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
        inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT)
    return text.TextBoxStyle(font=GlyphAccumulatorFactory(NOTO_SERIF, font_size=size), font_size=size,
                             box_layout_rule=mid_left)


def fill_fields(pdf: bytes, values: dict[str, str]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for name, value in values.items():
        populate_static_text_field(writer, name, fill_style(), value)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_text_fields_can_be_filled_later(rendered):
    filled = fill_fields(rendered.pdf, {NUMBER_FIELD: "125/QĐ-SNV", DATE_FIELD: date_text(date(2026, 1, 5))})
    words = pdf_text(filled)
    assert "125/QĐ-SNV" in words
    assert "ngày 05 tháng 01 năm 2026" in words
    fields = form_fields(filled)
    assert fields[NUMBER_FIELD]["/V"] == "125/QĐ-SNV"
    assert int(fields[NUMBER_FIELD]["/Ff"]) & 1  # read-only once filled


# --- the signing order (STACK-NOTES §1.1) ------------------------------------------------------


def _certificate(subject: str, key, issuer: str, issuer_key, *, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=not ca, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                                            crl_sign=ca, encipher_only=False, decipher_only=False), critical=True))
    return builder.sign(issuer_key, hashes.SHA256())


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@pytest.fixture(scope="module")
def pki():
    """A throw-away root and two signers: the official and the agency."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _certificate("Test Root", root_key, "Test Root", root_key, ca=True)
    result = {"root": _asn1(root)}
    for who in ("official", "agency"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = _certificate(f"Test {who}", key, "Test Root", root_key, ca=False)
        result[who] = signers.SimpleSigner(
            signing_cert=_asn1(cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            cert_registry=SimpleCertificateStore.from_certs([_asn1(root)]))
    return result


def sign(pdf: bytes, field: str, signer, *, certify: bool = False) -> bytes:
    meta = signers.PdfSignatureMetadata(field_name=field, certify=certify, subfilter=SigSeedSubFilter.PADES,
                                        docmdp_permissions=MDPPerm.FILL_FORMS)
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, existing_fields_only=True)
    return out.getvalue()


def statuses(pdf: bytes, root) -> dict:
    reader = PdfFileReader(io.BytesIO(pdf))
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    return {sig.field_name: validate_pdf_signature(sig, context) for sig in reader.embedded_signatures}


def test_official_signs_clerk_fills_agency_signs_and_locks(rendered, pki):
    signed = sign(rendered.pdf, OFFICIAL_FIELD, pki["official"], certify=True)
    numbered = fill_fields(signed, {NUMBER_FIELD: "125/QĐ-SNV", DATE_FIELD: date_text(date(2026, 1, 5))})
    issued = sign(numbered, AGENCY_FIELD, pki["agency"])

    result = statuses(issued, pki["root"])
    official, agency = result[OFFICIAL_FIELD], result[AGENCY_FIELD]
    assert official.bottom_line and official.intact and official.valid, official.pretty_print_details()
    assert official.modification_level == ModificationLevel.FORM_FILLING
    assert agency.bottom_line and agency.intact and agency.valid, agency.pretty_print_details()
    assert "125/QĐ-SNV" in pdf_text(issued)

    # Changing the number after the agency signature is caught.
    writer = IncrementalPdfFileWriter(io.BytesIO(issued))
    field_ref = next(ref for ref in writer.root["/AcroForm"]["/Fields"] if ref.get_object()["/T"] == NUMBER_FIELD)
    field_ref.get_object()["/V"] = generic.TextStringObject("999/QĐ-SNV")
    writer.mark_update(field_ref)
    tampered = io.BytesIO()
    writer.write(tampered)
    after = statuses(tampered.getvalue(), pki["root"])
    assert not after[AGENCY_FIELD].bottom_line


# --- uploaded drafts ---------------------------------------------------------------------------


def test_an_uploaded_pdf_gets_the_four_fields():
    result = prepare_uploaded_pdf(minimal_pdf(pages=3))
    assert result.page_count == 3
    assert set(form_fields(result.pdf)) == set(FIELD_NAMES)
    assert result.field_boxes[NUMBER_FIELD][0] == 0 and result.field_boxes[OFFICIAL_FIELD][0] == 2
    _, x1, y1, x2, y2 = result.field_boxes[OFFICIAL_FIELD]
    _, sx1, sy1, sx2, sy2 = result.field_boxes[AGENCY_FIELD]
    assert sx2 == pytest.approx(x1 + (x2 - x1) / 3, abs=0.5)
    assert (sy1 + sy2) / 2 == pytest.approx((y1 + y2) / 2, abs=0.5)
    assert sy1 > 0 and sx2 < 595
    assert form_fields(result.pdf)[AGENCY_FIELD]["/Lock"]["/Action"] == "/All"
    filled = fill_fields(result.pdf, {NUMBER_FIELD: "07/SNV-TCCB"})
    assert "07/SNV-TCCB" in pdf_text(filled)


def test_the_signer_page_can_be_the_first():
    result = prepare_uploaded_pdf(minimal_pdf(pages=2), signer_page="first")
    assert result.field_boxes[OFFICIAL_FIELD][0] == 0


@pytest.mark.parametrize("data, code", [
    (b"hello", "not_pdf"),
    (b"%PDF-1.7\nbroken", "corrupt_pdf"),
])
def test_unreadable_uploads_are_refused(data, code):
    with pytest.raises(DomainError) as caught:
        prepare_uploaded_pdf(data)
    assert caught.value.code == code


def test_an_upload_that_already_has_our_fields_or_a_signature_is_refused(rendered, pki):
    with pytest.raises(DomainError) as caught:
        prepare_uploaded_pdf(rendered.pdf)
    assert caught.value.code == "draft_has_issuing_fields"
    signed = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(minimal_pdf())),
                              signers.PdfSignatureMetadata(field_name="Other"), signer=pki["official"]).getvalue()
    with pytest.raises(DomainError) as caught:
        prepare_uploaded_pdf(signed)
    assert caught.value.code == "draft_already_signed"


def test_an_encrypted_upload_is_refused():
    pikepdf = pytest.importorskip("pikepdf")
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(minimal_pdf())) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="o", user=""))
    with pytest.raises(DomainError) as caught:
        prepare_uploaded_pdf(out.getvalue())
    assert caught.value.code == "draft_encrypted"


# --- .docx drafts ------------------------------------------------------------------------------


def docx_bytes() -> bytes:
    """A minimal WordprocessingML package (enough for LibreOffice)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                         'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels",
                         '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                         '2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                         '</Relationships>')
        archive.writestr("word/document.xml",
                         '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                         'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Dự thảo công văn</w:t></w:r>'
                         '</w:p></w:body></w:document>')
    return buffer.getvalue()


def test_docx_conversion_without_libreoffice_says_so():
    with pytest.raises(DomainError) as caught:
        convert_docx_to_pdf(docx_bytes(), soffice="qlvb-no-such-soffice")
    assert caught.value.code == "docx_converter_missing"


@pytest.mark.parametrize("data", [b"not a zip", minimal_pdf()])
def test_a_file_that_is_not_docx_is_refused(data):
    with pytest.raises(DomainError) as caught:
        convert_docx_to_pdf(data, soffice="qlvb-no-such-soffice")
    assert caught.value.code == "not_a_docx"


def test_zip_without_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(DomainError) as caught:
        convert_docx_to_pdf(buffer.getvalue())
    assert caught.value.code == "not_a_docx"


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_docx_converts_to_pdf_with_libreoffice():
    pdf = convert_docx_to_pdf(docx_bytes())
    assert pdf.startswith(b"%PDF-")
    assert "Dự thảo công văn" in pdf_text(pdf)
    assert prepare_uploaded_pdf(pdf).page_count == 1


def test_a_rendered_draft_passes_the_format_checks(rendered):
    from models.outgoing.format_checks import check_format

    checks = check_format(draft(urgency="khan"), pdf_text(rendered.pdf))
    assert [c for c in checks if not c.ok] == []


@pytest.mark.parametrize("typed", [
    "báo cáo tình hình năm 2026", "V/v báo cáo tình hình năm 2026", "v/v. báo cáo tình hình năm 2026",
    "Về việc báo cáo tình hình năm 2026", "VỀ VIỆC: báo cáo tình hình năm 2026", "ve viec báo cáo tình hình năm 2026",
    "V / V báo cáo tình hình năm 2026",
])
def test_a_cong_van_subject_gets_one_v_v_whatever_the_drafter_typed(typed):
    from models.outgoing.drafting import subject_line

    assert subject_line(draft(type_name="Công văn", type_abbr="", subject=typed)) == "V/v báo cáo tình hình năm 2026"


def test_a_subject_that_merely_starts_with_the_letters_keeps_them():
    from models.outgoing.drafting import subject_line

    assert subject_line(draft(type_name="Công văn", type_abbr="", subject="Vận động quyên góp")) == \
        "V/v Vận động quyên góp"
