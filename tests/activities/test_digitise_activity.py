"""Digitising paper (QĐ44 Điều 10.2): OCR of a rendered Vietnamese page, then the agency signature.

OCR costs about 1.2 s per page: the scans here have one or two pages.
"""

from __future__ import annotations

import io
import subprocess
import threading

import pytest
from PIL import Image, ImageDraw, ImageFont
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.digitise import DigitiseActivities, DigitiseInput, OcrScanResult, SignDigitisedResult
from config.settings import Settings
from models.audit import AuditEvent
from models.db import transaction
from models.documents.digitise import DigitiseJob
from models.documents.file_store import FileStore
from models.documents.scans import ScanLimits, images_to_pdf
from models.documents.search import fold
from models.documents.search_repo import DocumentSearch
from models.documents.tables import Document, DocumentFile, StoredFile
from models.errors import DomainError
from models.signing import demo_pki, pki
from models.signing.verification import check_pdf_signatures
from tests.factories import make_document, make_org

FONT = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
PAGE_ONE = [
    "ỦY BAN NHÂN DÂN TỈNH HÀ NAM",
    "Số: 125/QĐ-UBND",
    "Hà Nam, ngày 05 tháng 01 năm 2026",
    "",
    "QUYẾT ĐỊNH",
    "Về việc ban hành Quy chế làm việc",
    "",
    "Căn cứ Luật Tổ chức chính quyền địa phương;",
    "Xét đề nghị của Giám đốc Sở Nội vụ tỉnh Hà Nam.",
]
PAGE_TWO = ["Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc.", "", "KT. CHỦ TỊCH",
            "PHÓ CHỦ TỊCH", "", "Nguyễn Văn Bình"]


def render_page(lines: list[str], dpi: int = 250) -> bytes:
    """An A4 page of Vietnamese text in 13 pt Noto Serif, as a PNG declaring its resolution."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, int(13 / 72 * dpi))
    y = int(0.8 * dpi)
    for line in lines:
        draw.text((int(0.8 * dpi), y), line, font=font, fill="black")
        y += int(0.3 * dpi)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pki_settings(tmp_path_factory) -> Settings:
    settings = Settings(var_dir=tmp_path_factory.mktemp("var"))
    demo_pki.ensure_demo_pki(settings)
    return settings


@pytest.fixture(scope="module")
def scan_pdf() -> bytes:
    return images_to_pdf([("trang-1.png", render_page(PAGE_ONE)), ("trang-2.png", render_page(PAGE_TWO))])


@pytest.fixture
def digitiser(sqlite_engine, pki_settings, tmp_path) -> DigitiseActivities:
    return DigitiseActivities(sqlite_engine, FileStore(tmp_path / "files"), pki_settings)


def document_with_scan(digitiser: DigitiseActivities, data: bytes, agency_code: str = "000.00.01.H23") -> str:
    sha256 = digitiser.file_store.put(data)
    with transaction(digitiser.engine) as session:
        org = make_org(session, code=agency_code)
        document = make_document(session, org)
        stored = StoredFile(sha256=sha256, size=len(data), content_type="application/pdf", filename="scan.pdf")
        session.add(stored)
        session.flush()
        document.file_id = stored.id
        session.add(DocumentFile(document_id=document.id, file_id=stored.id, role="main"))
        session.add(document)
        return document.id


def run(digitiser: DigitiseActivities, method, document_id: str, heartbeats: list | None = None):
    env = ActivityEnvironment()
    if heartbeats is not None:
        env.on_heartbeat = lambda *details: heartbeats.append(details)
    return env.run(method, DigitiseInput(document_id))


def rows(engine, model, *conditions) -> list:
    from sqlmodel import select

    with transaction(engine) as session:
        return list(session.exec(select(model).where(*conditions)))


def current_pdf(digitiser: DigitiseActivities, document_id: str) -> bytes:
    with transaction(digitiser.engine) as session:
        document = session.get(Document, document_id)
        return digitiser.file_store.read(session.get(StoredFile, document.file_id).sha256)


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def digitised(digitiser, scan_pdf):
    """A document OCR'd once, with its heartbeats."""
    document_id = document_with_scan(digitiser, scan_pdf)
    heartbeats: list = []
    result = run(digitiser, digitiser.ocr_scan, document_id, heartbeats)
    return document_id, result, heartbeats


def test_ocr_adds_a_vietnamese_text_layer_and_makes_it_current(digitiser, digitised):
    document_id, result, heartbeats = digitised
    assert isinstance(result, OcrScanResult)
    assert result.page_count == 2
    folded = fold(pdftotext(current_pdf(digitiser, document_id)))
    for phrase in ["uy ban nhan dan tinh ha nam", "quy che lam viec", "chinh quyen dia phuong",
                   "giam doc so noi vu", "nguyen van binh"]:
        assert phrase in folded
    # Progress: real, per page, and it reached the total.
    assert heartbeats == [(0, 2), (1, 2), (2, 2)]
    [job] = rows(digitiser.engine, DigitiseJob, DigitiseJob.document_id == document_id)
    assert (job.status, job.done_pages, job.total_pages) == ("done", 2, 2)
    assert job.result_sha256 == result.file_sha256
    # The OCR'd file is the current one, with role "digitised"; the scan stays.
    roles = {f.role for f in rows(digitiser.engine, DocumentFile, DocumentFile.document_id == document_id)}
    assert roles == {"main", "digitised"}
    [index] = rows(digitiser.engine, DocumentSearch, DocumentSearch.document_id == document_id)
    assert "chinh quyen dia phuong" in fold(str(index.model_dump()))
    # Registration suggestions from the text.
    assert result.suggestions["code_number"] == "125"
    assert result.suggestions["issued_date"] == "2026-01-05"
    assert result.suggestions["type_name"] == "Quyết định"
    assert result.suggestions["page_amount"] == 2


def test_ocr_twice_does_not_ocr_again(digitiser, digitised, monkeypatch):
    document_id, first, _ = digitised
    monkeypatch.setattr(DigitiseActivities, "_ocr", lambda *a: pytest.fail("OCR ran again"))
    again = run(digitiser, digitiser.ocr_scan, document_id)
    assert again.file_sha256 == first.file_sha256
    assert len(rows(digitiser.engine, AuditEvent, AuditEvent.code == "document.digitised")) == 1


def test_the_agency_signature_validates_and_is_applied_once(digitiser, digitised, pki_settings):
    document_id, ocr, _ = digitised
    result = run(digitiser, digitiser.sign_digitised, document_id)
    assert isinstance(result, SignDigitisedResult) and not result.already_signed
    signed = current_pdf(digitiser, document_id)
    report = check_pdf_signatures(signed, pki.trust_anchor_certificates(pki_settings))
    assert report.verdict == "valid"
    [signature] = report.signatures
    assert "Văn phòng" in signature.signer_common_name
    assert "quy che lam viec" in fold(pdftotext(signed))
    again = run(digitiser, digitiser.sign_digitised, document_id)
    assert again == SignDigitisedResult(result.file_sha256, already_signed=True)
    assert len(rows(digitiser.engine, AuditEvent, AuditEvent.code == "document.agency_signed")) == 1
    # OCR after signing returns the stored OCR result and leaves the signed file current.
    assert run(digitiser, digitiser.ocr_scan, document_id).file_sha256 == ocr.file_sha256
    assert current_pdf(digitiser, document_id) == signed


def test_an_agency_without_a_certificate_is_a_clear_non_retryable_error(digitiser):
    document_id = document_with_scan(digitiser, images_to_pdf([("a.png", render_page(["Thông báo"], dpi=200))]),
                                     agency_code="000.99.99.H23")
    with pytest.raises(ApplicationError) as caught:
        run(digitiser, digitiser.sign_digitised, document_id)
    assert caught.value.type == "agency_certificate_missing"
    assert caught.value.non_retryable


def encrypted_pdf(data: bytes) -> bytes:
    import pikepdf

    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="o", user="u"))
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["corrupt", "encrypted", "signed"])
def test_an_unprocessable_scan_is_quarantined(digitiser, scan_pdf, kind):
    if kind == "corrupt":
        data = b"%PDF-1.7\n" + b"\x00garbage" * 50
    elif kind == "encrypted":
        data = encrypted_pdf(scan_pdf)
    else:
        data = _signed(digitiser, scan_pdf)
    document_id = document_with_scan(digitiser, data)
    for _ in range(2):  # a retry meets the same verdict without OCR
        with pytest.raises(ApplicationError) as caught:
            run(digitiser, digitiser.ocr_scan, document_id)
        assert caught.value.type == "scan_unprocessable"
        assert caught.value.non_retryable
    [job] = rows(digitiser.engine, DigitiseJob, DigitiseJob.document_id == document_id)
    assert job.status == "quarantined" and job.error
    [document] = rows(digitiser.engine, Document, Document.id == document_id)
    assert document.status == "new"
    assert len(rows(digitiser.engine, AuditEvent, AuditEvent.code == "document.digitise_quarantined")) == 1


def _signed(digitiser: DigitiseActivities, pdf: bytes) -> bytes:
    from activities.digitise import _sign
    from activities.keys import agency_signing_key

    with agency_signing_key(digitiser.settings, "000.00.01.H23").open_signer() as signer:
        return _sign(pdf, signer)


def test_uploads_that_are_not_scans_or_over_the_limits_are_refused():
    with pytest.raises(DomainError) as caught:
        images_to_pdf([("cv.docx", b"PK\x03\x04 not an image")])
    assert caught.value.code == "scan_not_image"
    page = render_page(["Trang"], dpi=200)
    with pytest.raises(DomainError) as caught:
        images_to_pdf([("a.png", page)] * 3, ScanLimits(max_pages=2))
    assert caught.value.code == "scan_too_many_pages"
    with pytest.raises(DomainError) as caught:
        images_to_pdf([("a.png", page)], ScanLimits(max_pixels_per_page=1_000_000))
    assert caught.value.code == "scan_too_large"


def test_progress_is_visible_while_ocr_runs(digitiser, scan_pdf):
    """Another reader sees done_pages grow while the activity is still running."""
    document_id = document_with_scan(digitiser, scan_pdf)
    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            [job] = rows(digitiser.engine, DigitiseJob, DigitiseJob.document_id == document_id) or [None]
            if job is not None and job.status == "running":
                seen.append((job.done_pages, job.total_pages))
            stop.wait(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run(digitiser, digitiser.ocr_scan, document_id)
    finally:
        stop.set()
        watcher.join()
    assert (1, 2) in seen
