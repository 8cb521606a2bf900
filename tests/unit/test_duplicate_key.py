"""The comparison key of probable duplicates: one folding for every part, whatever the typing."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from models.documents.duplicates import (
    code_key,
    comparison_key,
    is_probable_duplicate,
    issuer_key,
    subject_key,
)

BASE = dict(code_number="12", code_notation="UBND-VP", organ_name="Ủy ban nhân dân tỉnh Ninh Bình",
            issued_date=date(2026, 12, 3), subject="V/v triển khai chuyển đổi số năm 2027")


def _key(**changes):
    return comparison_key(**{**BASE, **changes})


@pytest.mark.parametrize("number, notation", [
    ("12", "UBND-VP"), ("12", "ubnd-vp"), ("Số 12", "UBND-VP"), ("Số: 12", "ubnd-vp"), ("012", "UBND-VP"),
    ("12", " UBND - VP "), ("12", "UBND–VP"), ("12/UBND-VP", ""), ("", "12/ubnd-vp"), ("số 12", "UBND/VP"),
])
def test_every_way_of_typing_a_so_ky_hieu_folds_to_one_key(number, notation):
    assert code_key(number, notation) == "12/ubnd-vp"


def test_vietnamese_capitals_with_marks_fold_like_their_lower_case():
    assert code_key("5", "QĐ-UBND") == code_key("5", "qđ-ubnd") == "5/qd-ubnd"
    assert issuer_key("ỦY BAN NHÂN DÂN TỈNH NINH BÌNH") == issuer_key("ủy ban nhân dân tỉnh ninh bình")
    assert issuer_key("TRƯỜNG ĐẠI HỌC") == issuer_key("trường đại học") == "truong dai hoc"
    assert issuer_key("UBND tỉnh Ninh Bình") == issuer_key("Uỷ ban nhân dân  tỉnh   Ninh Bình")
    decomposed = unicodedata.normalize("NFD", BASE["organ_name"])
    assert decomposed != BASE["organ_name"] and issuer_key(decomposed) == issuer_key(BASE["organ_name"])


def test_a_subject_compares_without_its_v_v_prefix_or_extra_spaces():
    assert subject_key("V/v triển khai  chuyển đổi số") == subject_key("Về việc TRIỂN KHAI chuyển đổi số") \
        == subject_key("triển khai chuyển đổi số.") == "trien khai chuyen doi so"


@pytest.mark.parametrize("changes", [
    dict(code_notation="ubnd-vp"),
    dict(code_number="Số 12", code_notation="ubnd-vp"),
    dict(organ_name="ỦY BAN NHÂN DÂN TỈNH NINH BÌNH"),
    dict(organ_name=unicodedata.normalize("NFD", "ủy ban nhân dân tỉnh  Ninh Bình ")),
    dict(subject="v/v TRIỂN KHAI chuyển đổi số năm 2027"),
    # A date mistyped by one of the two: the same trích yếu in the same year still warns.
    dict(issued_date=date(2026, 12, 4)),
    # The same number and date with another subject typed: the same document, summarised differently.
    dict(subject="Triển khai kế hoạch"),
])
def test_the_same_document_typed_differently_is_a_probable_duplicate(changes):
    assert is_probable_duplicate(_key(**changes), _key())


@pytest.mark.parametrize("changes", [
    dict(code_number="13"),
    dict(code_notation="UBND-KT"),
    dict(organ_name="Ủy ban nhân dân tỉnh Hà Nam"),
    # Numbers restart every year: the same số a year later, about something else.
    dict(issued_date=date(2025, 12, 3), subject="V/v báo cáo tổng kết năm 2025"),
    dict(issued_date=date(2026, 5, 3), subject="V/v báo cáo tổng kết"),
])
def test_other_documents_are_not_flagged(changes):
    assert not is_probable_duplicate(_key(**changes), _key())


def test_the_same_document_identifier_is_a_duplicate_whatever_the_typed_names():
    identifier = "000.00.03.H23,2026/12/03,12/UBND-VP"
    assert is_probable_duplicate(_key(organ_name="UBND Ninh Bình", document_identifier=identifier),
                                 _key(document_identifier=identifier))
