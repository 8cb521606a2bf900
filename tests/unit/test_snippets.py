"""The passage under a search result: found by the folded words, shown as written, bounded."""

from __future__ import annotations

import re
import unicodedata

import pytest

from models.documents.search import MAX_TEXT_CHARS, fold, indexable_text, words
from models.documents.snippets import SNIPPET_CHARS, plain, snippet

TEXT = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM. Căn cứ Luật Tổ chức chính quyền địa phương; theo đề nghị của "
        "Giám đốc Sở Nội vụ, ỦY BAN NHÂN DÂN TỈNH quyết định phê duyệt Đề án tinh giản biên chế giai đoạn "
        "2026-2030 của các cơ quan, đơn vị; Điều 2. Chánh Văn phòng Ủy ban nhân dân tỉnh chịu trách nhiệm thi hành.")


def marked(text: str, query: str) -> list[str]:
    return [part for part, is_match in snippet(text, words(query)) if is_match]


@pytest.mark.parametrize("query, expected", [
    ("dang", []),
    ("đề án", ["Đề", "án"]),
    ("de an", ["Đề", "án"]),
    ("DE AN", ["Đề", "án"]),
    ("biên chế", ["biên", "chế"]),
    ("tinh gian", ["tinh", "giản"]),
    ("giam doc so noi vu", ["Giám", "đốc", "Sở", "Nội", "vụ"]),
    ("chu nghia", ["CHỦ", "NGHĨA"]),
    ("2026", ["2026"]),
])
def test_words_are_found_by_their_folded_form_and_shown_as_written(query, expected):
    found = marked(TEXT, query)
    assert " ".join(expected) in " ".join(found) and set(found) <= set(re.findall(r"[^\W_]+", TEXT))
    assert bool(found) == bool(expected)


def test_every_word_of_the_text_is_found_by_its_own_folded_form():
    for word in re.findall(r"[^\W_]+", TEXT):
        found = marked(TEXT, fold(word))
        assert found and all(fold(match).startswith(fold(word)) for match in found), word
        assert word in marked(f"đầu {word} cuối", fold(word)), word


def test_u_with_hook_folds_alike_in_upper_and_lower_case_and_decomposed():
    assert marked(TEXT, "Ủy ban")[:2] == ["ỦY", "BAN"]
    assert marked(TEXT, "ủy ban")[:2] == ["ỦY", "BAN"]
    decomposed = unicodedata.normalize("NFD", "Ủy ban")
    assert marked(TEXT, decomposed)[:2] == ["ỦY", "BAN"]
    assert marked(TEXT, "UY BAN")[:2] == ["ỦY", "BAN"]


def test_a_token_matches_words_it_starts_never_inside_a_word():
    assert marked("Phương án phòng chống lụt bão", "an") == ["án"]
    assert marked("xuân hoan", "an") == []
    assert marked("quyết định số 15", "dinh") == ["định"]


def test_the_passage_holding_most_of_the_words_wins_and_is_cut_with_ellipses():
    filler = "lorem ipsum dolor sit amet " * 40
    text = f"biên bản đầu tiên {filler} biên chế công chức và chế độ {filler} kết thúc"
    parts = snippet(text, words("biên chế"))
    passage = plain(parts)
    assert passage.startswith("…") and passage.endswith("…")
    assert "biên chế công chức" in passage and "biên bản" not in passage
    assert len(passage) <= SNIPPET_CHARS + 2
    assert [p for p, m in parts if m] == ["biên", "chế", "chế"]


def test_the_passage_shown_is_the_one_that_holds_the_words():
    # An early "NGHĨA" lies within a passage's width of "đề nghị", but a passage starting before it
    # would end before them: the passage shown must be the one counted.
    text = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n" + "báo cáo tình hình " * 8
            + "\nVăn\xa0phòng\xa0UBND\xa0tỉnh\xa0đề\xa0nghị\xa0Sở\xa0Nội\xa0vụ")
    parts = snippet(text, words("de nghi"))
    assert [part for part, is_match in parts if is_match][-2:] == ["đề", "nghị"]
    assert parts[1][0][0] != " "  # no blank after the ellipsis


def test_no_word_of_the_query_in_the_text_gives_no_passage():
    assert snippet(TEXT, words("ngan sach")) == []
    assert snippet("", words("bien che")) == []
    assert snippet(TEXT, []) == []


def test_markup_and_blanks_are_kept_as_text_and_tidied():
    parts = snippet("<b>Kính\n\ngửi</b>\f<script>x</script>", words("gui script"))
    assert parts == [("<b>Kính ", False), ("gửi", True), ("</b> <", False), ("script", True),
                     (">x</", False), ("script", True), (">", False)]


def test_a_long_text_is_searched_whole_and_bounded():
    text = indexable_text(("văn bản hành chính " * 20_000) + " lưu trữ điện tử")
    assert len(text) == MAX_TEXT_CHARS
    assert marked(text, "luu tru") == []  # cut by the index bound
    text = ("văn bản hành chính " * 10_000) + " lưu trữ điện tử"
    assert marked(text, "luu tru") == ["lưu", "trữ"]
    assert len(snippet(text, words("van ban"))) < 200  # a passage, not every match of the text
