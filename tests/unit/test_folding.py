"""Folding Vietnamese text for search, số/ký hiệu normalisation and reading the search box."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from models.documents.search import (
    InvalidSearch,
    SearchQuery,
    fold,
    fts5_match,
    include_name,
    normalise_code,
    parse_text,
    so_ky_hieu_of,
    tsquery,
    words,
)
from models.vocab import DocumentStatus, Urgency


@pytest.mark.parametrize("text, folded", [
    ("Quyết định", "quyet dinh"),
    ("Đảng ủy", "dang uy"),
    ("ĐÀO TẠO", "dao tao"),
    ("đào tạo", "dao tao"),
    ("Hỏa tốc", "hoa toc"),
    ("Hoả tốc", "hoa toc"),
    ("Thượng khẩn", "thuong khan"),
    ("ư ơ ă â ê ô", "u o a a e o"),
    ("125/QĐ-UBND", "125/qd-ubnd"),
    ("", ""),
])
def test_it_folds_tones_vowel_marks_and_d(text, folded):
    assert fold(text) == folded


def test_decomposed_and_composed_input_fold_alike():
    composed = "Nghị quyết của Ban Chấp hành Đảng bộ tỉnh"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert fold(decomposed) == fold(composed) == "nghi quyet cua ban chap hanh dang bo tinh"


def test_words_split_on_punctuation_the_same_way_on_every_backend():
    assert words("V/v: 125/QĐ-UBND, ngày 20.11.2026 (Đợt_2)") == [
        "v", "v", "125", "qd", "ubnd", "ngay", "20", "11", "2026", "dot", "2"]


def test_so_ky_hieu_is_upper_case_nfc_without_spaces():
    assert normalise_code(" 125 / qđ-ubnd ") == "125/QĐ-UBND"
    assert normalise_code(unicodedata.normalize("NFD", "qđ-ubnd")) == "QĐ-UBND"
    assert so_ky_hieu_of("125", "QĐ-UBND") == "125/QĐ-UBND"
    assert so_ky_hieu_of("45", "") == "45"
    assert so_ky_hieu_of("", "") == ""


@pytest.mark.parametrize("text, tokens, code, number", [
    ("quyết định", ["quyet", "dinh"], "", False),
    ("125", ["125"], "125", True),
    ("QĐ-UBND", ["qd", "ubnd"], "QĐ-UBND", False),
    ("125/qđ-ubnd", ["125", "qd", "ubnd"], "125/QĐ-UBND", False),
    ("Đảng", ["dang"], "", False),
    ("dang dang", ["dang"], "", False),
    ("%_", [], "", False),
    ("-", [], "", False),
])
def test_it_reads_the_search_box(text, tokens, code, number):
    parsed = parse_text(text)
    assert (parsed.tokens, parsed.code, parsed.code_is_number) == (tokens, code, number)


def test_full_text_expressions_are_ands_of_safe_tokens_the_last_a_prefix():
    tokens = parse_text('quyết "định" OR NEAR(*)').tokens
    assert tokens == ["quyet", "dinh", "or", "near"]
    # Whole words, except the last, which may still be being typed.
    assert fts5_match(tokens) == '"quyet" "dinh" "or" "near"*'
    assert tsquery(tokens) == "quyet & dinh & or & near:*"
    assert fts5_match(["ngan"]) == '"ngan"*'
    assert tsquery(["ngan"]) == "ngan:*"


def test_search_parameters_round_trip_and_refuse_bad_values():
    query = SearchQuery.from_params({"q": " đào tạo ", "urgency": "khan", "status": "directed", "unit_id": "3",
                                     "arrival_from": "2026-11-01", "issued_to": "", "page": "2", "x": "y"})
    assert query == SearchQuery(text="đào tạo", urgency=Urgency.URGENT, status=DocumentStatus.DIRECTED,
                                unit_id=3, arrival_from=date(2026, 11, 1), page=2)
    assert query.to_params() == {"q": "đào tạo", "urgency": "khan", "status": "directed", "unit_id": "3",
                                 "arrival_from": "2026-11-01"}
    assert query.to_params(with_page=True)["page"] == "2"
    assert SearchQuery.from_params(query.to_params()) == query.with_page(1)
    with pytest.raises(InvalidSearch) as error:
        SearchQuery.from_params({"arrival_from": "20/11/2026", "urgency": "mat", "unit_id": "0", "q": "x" * 201})
    assert error.value.params["fields"] == {"q": "too_long", "urgency": "enum", "unit_id": "int_parsing",
                                            "arrival_from": "date_parsing"}


def test_alembic_comparisons_skip_only_the_full_text_objects():
    assert not include_name("document_search_fts", "table", {})
    assert not include_name("document_search_fts_docsize", "table", {})
    assert not include_name("document_search_fts_gin", "index", {})
    assert not include_name("document_search_fts_vector", "column", {"table_name": "document_search"})
    assert include_name("document_search", "table", {})
    assert include_name("ix_document_search_so_ky_hieu", "index", {})
    assert include_name(None, "schema", {})
