"""Digitising paper: scans joined into one PDF, and registration suggestions from OCR text."""

from __future__ import annotations

import io
import unicodedata

import pikepdf
import pytest
from PIL import Image

from models.documents.scans import ScanLimits, images_to_pdf, prepare_scan
from models.documents.suggestions import suggest_metadata
from models.errors import DomainError
from tests.conftest import minimal_pdf

# --- images_to_pdf ----------------------------------------------------------------------------


def image_bytes(fmt: str, size=(827, 1169), dpi: int | None = 100, mode="RGB", frames: int = 1) -> bytes:
    """A blank page; A4 at 100 dpi by default (small and fast)."""
    pages = [Image.new(mode, size, "white") for _ in range(frames)]
    buffer = io.BytesIO()
    options = {"dpi": (dpi, dpi)} if dpi else {}
    if frames > 1:
        options.update(save_all=True, append_images=pages[1:])
    pages[0].save(buffer, format=fmt, **options)
    return buffer.getvalue()


LOW = ScanLimits(min_dpi=100)


def pages_of(pdf: bytes) -> list:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [tuple(float(v) for v in page.mediabox) for page in doc.pages]


def test_several_files_become_one_pdf_in_order():
    files = [("a.jpg", image_bytes("JPEG")), ("b.png", image_bytes("PNG", size=(1169, 827))),
             ("c.tif", image_bytes("TIFF", frames=3)), ("d.pdf", minimal_pdf(pages=2))]
    scan = prepare_scan(files, LOW)
    assert scan.page_count == 7
    boxes = pages_of(scan.pdf)
    assert len(boxes) == 7
    # 100 % scale: 827 px at 100 dpi is 8.27 in = 595 pt (A4 width); the PNG is landscape.
    assert boxes[0][2] == pytest.approx(595.4, abs=1)
    assert boxes[1][2] == pytest.approx(841.7, abs=1)
    assert scan.warnings == []


def test_a_single_pdf_is_kept_as_it_is():
    pdf = minimal_pdf(pages=2)
    assert images_to_pdf([("scan.pdf", pdf)]) == pdf


def test_an_image_with_alpha_or_palette_is_flattened():
    scan = prepare_scan([("a.png", image_bytes("PNG", mode="RGBA")), ("b.png", image_bytes("PNG", mode="P"))], LOW)
    assert scan.page_count == 2


def test_unknown_resolution_is_a_warning_and_fits_a4():
    scan = prepare_scan([("photo.png", image_bytes("PNG", size=(2480, 3508), dpi=None))])
    assert scan.warnings == ["scan_dpi_unknown"]
    assert pages_of(scan.pdf)[0][3] == pytest.approx(841.9, abs=1)


def test_a_declared_resolution_below_200_dpi_is_refused():
    with pytest.raises(DomainError) as caught:
        images_to_pdf([("scan.jpg", image_bytes("JPEG", dpi=150))])
    assert caught.value.code == "scan_low_resolution"
    assert caught.value.params["dpi"] == 150


@pytest.mark.parametrize("data", [b"hello, not an image", b"GIF89a" + b"\0" * 40,
                                  image_bytes("JPEG")[:200]])
def test_a_file_that_is_not_an_image_is_refused(data):
    with pytest.raises(DomainError) as caught:
        images_to_pdf([("x.jpg", data)], LOW)
    assert caught.value.code == "scan_not_image"


def test_a_gif_is_refused():
    buffer = io.BytesIO()
    Image.new("L", (100, 100)).save(buffer, format="GIF")
    with pytest.raises(DomainError) as caught:
        images_to_pdf([("x.gif", buffer.getvalue())], LOW)
    assert caught.value.code == "scan_not_image"


def test_too_many_pages_are_refused():
    limits = ScanLimits(max_pages=3, min_dpi=100)
    with pytest.raises(DomainError) as caught:
        images_to_pdf([("a.tif", image_bytes("TIFF", size=(100, 100), frames=2)),
                       ("b.pdf", minimal_pdf(pages=2))], limits)
    assert caught.value.code == "scan_too_many_pages"
    with pytest.raises(DomainError):
        images_to_pdf([("a.tif", image_bytes("TIFF", size=(100, 100), frames=4))], limits)


def test_too_many_pixels_are_refused():
    limits = ScanLimits(max_pixels_per_page=1_000_000, min_dpi=100)
    with pytest.raises(DomainError) as caught:
        images_to_pdf([("big.png", image_bytes("PNG", size=(1200, 1000), mode="L"))], limits)
    assert caught.value.code == "scan_too_large"


def test_an_encrypted_or_corrupt_pdf_is_refused():
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(minimal_pdf())) as pdf:
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="o", user="u"))
    for data in (buffer.getvalue(), b"%PDF-1.7\nbroken"):
        with pytest.raises(DomainError) as caught:
            images_to_pdf([("x.pdf", data)])
        assert caught.value.code == "scan_unreadable"


def test_no_file_is_refused():
    with pytest.raises(DomainError):
        images_to_pdf([])


# --- suggest_metadata -------------------------------------------------------------------------

QUYET_DINH = """ỦY BAN NHÂN DÂN           CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH HÀ NAM                   Độc lập - Tự do - Hạnh phúc
_______                       ____________________
Số: 125/QĐ-UBND              Hà Nam, ngày 05 tháng 01 năm 2026

QUYẾT ĐỊNH
Về việc ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh
Hà Nam nhiệm kỳ 2021 - 2026

ỦY BAN NHÂN DÂN TỈNH HÀ NAM

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
\f
Điều 3. Quyết định này có hiệu lực kể từ ngày ký.

Nơi nhận:                                    KT. CHỦ TỊCH
- Như Điều 3;                                PHÓ CHỦ TỊCH
- Lưu: VT, TH.

                                             Nguyễn Văn Bình
"""

CONG_VAN = """UBND TỈNH HÀ NAM
SỞ TÀI CHÍNH
Số: 1234/STC-NS
V/v hướng dẫn lập dự toán
ngân sách năm 2027

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nam, ngày 20 tháng 11 năm 2026

Kính gửi: Các sở, ban, ngành tỉnh.

Thực hiện Luật Ngân sách nhà nước, Sở Tài chính hướng dẫn như sau:

Nơi nhận:                                    GIÁM ĐỐC
- Như trên;
- Lưu: VT, NS.
                                             Bùi Đức Long
"""

KE_HOACH = """UBND TỈNH HÀ NAM CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ NỘI VỤ Độc lập - Tự do - Hạnh phúc
Số: 45 / KH - SNV Hà Nam, ngày 3 tháng 2 năm 2026
KẾ HOẠCH
Cải cách hành chính năm 2026
Thực hiện Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ;
"""


def test_a_quyet_dinh_on_two_pages():
    found = suggest_metadata(QUYET_DINH)
    assert found["code_number"] == "125"
    assert found["code_notation"] == "QĐ-UBND"
    assert found["issued_date"] == "2026-01-05"
    assert found["organ_name"] == "Ủy ban nhân dân tỉnh Hà Nam"
    assert found["type_name"] == "Quyết định"
    assert found["subject"] == ("Về việc ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh "
                                "Hà Nam nhiệm kỳ 2021 - 2026")
    assert found["signer_position"] == "Phó Chủ tịch"
    assert found["signer_full_name"] == "Nguyễn Văn Bình"
    assert found["page_amount"] == 2


def test_a_cong_van_with_its_parent_agency():
    found = suggest_metadata(CONG_VAN)
    assert (found["code_number"], found["code_notation"]) == ("1234", "STC-NS")
    assert found["issued_date"] == "2026-11-20"
    assert found["organ_name"] == "Sở Tài chính tỉnh Hà Nam"
    assert found["type_name"] == "Công văn"
    assert found["subject"] == "V/v hướng dẫn lập dự toán ngân sách năm 2027"
    assert found["signer_position"] == "Giám đốc"
    assert found["signer_full_name"] == "Bùi Đức Long"
    assert found["page_amount"] == 1


def test_columns_merged_on_one_line_and_spaced_notation():
    found = suggest_metadata(KE_HOACH)
    assert (found["code_number"], found["code_notation"]) == ("45", "KH-SNV")
    assert found["issued_date"] == "2026-02-03"
    assert found["organ_name"] == "Sở Nội vụ tỉnh Hà Nam"
    assert found["type_name"] == "Kế hoạch"
    assert found["subject"] == "Cải cách hành chính năm 2026"


def test_decomposed_unicode_gives_the_same_result():
    decomposed = unicodedata.normalize("NFD", QUYET_DINH)
    assert decomposed != QUYET_DINH
    found = suggest_metadata(decomposed)
    assert found == suggest_metadata(QUYET_DINH)
    assert unicodedata.is_normalized("NFC", found["code_notation"])


def test_tone_mark_errors_from_ocr_are_tolerated():
    text = QUYET_DINH.replace("QUYẾT ĐỊNH", "QUYÊT ĐINH").replace("ngày 05 tháng 01 năm", "ngảy 05 thảng 01 năm")
    found = suggest_metadata(text)
    assert found["type_name"] == "Quyết định"
    assert found["issued_date"] == "2026-01-05"


def test_an_impossible_date_or_empty_text_suggests_nothing_wrong():
    assert "issued_date" not in suggest_metadata("Hà Nam, ngày 31 tháng 02 năm 2026")
    assert suggest_metadata("") == {}
    assert suggest_metadata("   \n  ") == {}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_image_is_refused_even_when_a_library_tolerates_truncation(fmt, monkeypatch):
    """Another library in the process may set Pillow's global flag; our check must not follow it."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    whole = image_bytes(fmt, size=(827, 1169), dpi=100)
    truncated = whole[: len(whole) * 2 // 3]
    with pytest.raises(DomainError) as caught:
        images_to_pdf([(f"x.{fmt.lower()}", truncated)], LOW)
    assert caught.value.code == "scan_not_image"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the other library's setting is left as it was
