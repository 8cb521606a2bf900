"""Automatic thể thức checks on outgoing drafts."""

from __future__ import annotations

import pytest

from models.outgoing.drafting import DraftContent
from models.outgoing.format_checks import check_format


def draft(**changes) -> DraftContent:
    values = dict(
        agency_name="SỞ NỘI VỤ", type_name="Quyết định", type_abbr="QĐ", notation="QĐ-SNV", place_name="Hà Nam",
        subject="Về việc tuyển dụng công chức", body="Điều 1. Tuyển dụng.", noi_nhan=["Như Điều 2"],
        storage_unit_abbr="TCCB", signer_competence="KT. GIÁM ĐỐC", signer_position="PHÓ GIÁM ĐỐC",
        signer_full_name="Nguyễn Văn Ánh")
    values.update(changes)
    return DraftContent(**values)


def by_code(checks) -> dict:
    return {check.code: check for check in checks}


def failed(checks) -> set[str]:
    return {check.code for check in checks if not check.ok}


def test_a_good_draft_passes_every_check():
    checks = check_format(draft(), "QUYẾT ĐỊNH Về việc tuyển dụng công chức")
    assert failed(checks) == set()
    assert {"ky_hieu", "trich_yeu", "noi_nhan", "luu_van_thu", "do_khan", "tham_quyen_ky"} <= set(by_code(checks))
    assert all(check.message_vi for check in checks)


@pytest.mark.parametrize("notation", ["QĐ - SNV", "QĐ-snv", "QĐ--SNV", "", "QĐ", "KH-SNV", "QĐ-S NV"])
def test_bad_notations_of_a_typed_document(notation):
    assert "ky_hieu" in failed(check_format(draft(notation=notation)))


def test_mixed_case_type_abbreviations_are_accepted():
    assert "ky_hieu" not in failed(check_format(draft(type_name="Tờ trình", type_abbr="TTr", notation="TTr-SNV")))


def test_cong_van_notation_does_not_start_with_a_type():
    cong_van = dict(type_name="Công văn", type_abbr="", kinh_gui=["Sở Tài chính"])
    assert "ky_hieu" not in failed(check_format(draft(notation="SNV-TCCB", **cong_van)))
    result = by_code(check_format(draft(notation="CV-SNV", **cong_van)))
    assert result["ky_hieu"].ok  # "CV" is not an ND30 type abbreviation
    result = by_code(check_format(draft(notation="QĐ-SNV", **cong_van)))
    assert not result["ky_hieu"].ok and "QĐ" in result["ky_hieu"].message_vi


def test_cong_van_needs_kinh_gui():
    checks = check_format(draft(type_name="Công văn", type_abbr="", notation="SNV-TCCB"))
    assert "kinh_gui" in failed(checks)


def test_missing_parts_are_named():
    checks = by_code(check_format(draft(agency_name="", subject=" ", body="", signer_full_name="", noi_nhan=[])))
    for code in ("ten_co_quan", "trich_yeu", "noi_dung", "ho_ten_nguoi_ky", "noi_nhan"):
        assert not checks[code].ok, code
    assert checks["trich_yeu"].message_vi == "Thiếu trích yếu nội dung."


def test_noi_nhan_must_end_with_the_storage_line():
    assert "luu_van_thu" in failed(check_format(draft(storage_unit_abbr="")))
    typed = draft(storage_unit_abbr="", noi_nhan=["Như Điều 2", "Lưu: VT, TCCB"])
    assert "luu_van_thu" not in failed(check_format(typed))


def test_signer_competence_prefix():
    assert "tham_quyen_ky" in failed(check_format(draft(signer_competence="THAY MẶT GIÁM ĐỐC")))
    assert "tham_quyen_ky" not in {c.code for c in check_format(draft(signer_competence=""))}


@pytest.mark.parametrize("urgency, text, ok", [
    ("khan", "Số: 12/QĐ-SNV KHẨN QUYẾT ĐỊNH", True),
    ("thuong_khan", "THƯỢNG\nKHẨN", True),
    ("hoa_toc", "HỎA TỐC", True),
    ("thuong", "Đề nghị khẩn trương thực hiện", True),
    ("thuong", "KHẨN", False),
    ("khan", "THƯỢNG KHẨN", False),
    ("hoa_toc", "không có dấu", False),
])
def test_urgency_stamp_matches_the_metadata(urgency, text, ok):
    assert by_code(check_format(draft(urgency=urgency), text))["do_khan"].ok is ok


def test_no_pdf_text_no_stamp_check():
    assert "do_khan" not in by_code(check_format(draft(urgency="khan")))


def test_metadata_mapping_is_accepted():
    checks = check_format({"agency_name": "SỞ NỘI VỤ", "type_name": "Công văn", "notation": "SNV-TCCB",
                           "subject": "góp ý", "urgency": "khan", "unknown_key": 1}, "KHẨN")
    result = by_code(checks)
    assert result["ky_hieu"].ok and result["do_khan"].ok
    assert not result["noi_dung"].ok
