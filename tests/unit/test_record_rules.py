"""The rules of a hồ sơ's life without I/O (models/records/rules.py, models/records/sheets.py)."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest

from models.errors import DomainError
from models.records import rules
from models.records.sheets import in_words


@pytest.mark.parametrize(("typed", "kept"), [("01.TCCB", "01.TCCB"), (" 12.VP-HC ", "12.VP-HC"), ("105.Đ", "105.Đ")])
def test_a_so_va_ky_hieu_is_a_serial_a_dot_and_an_abbreviation(typed, kept):
    assert rules.clean_notation(typed) == kept


@pytest.mark.parametrize("typed", ["", "TCCB.01", "01 TCCB", "01.", "01.TCCB-QUÁ-DÀI-QUÁ-DÀI", "01.TC CB"])
def test_anything_else_is_refused(typed):
    with pytest.raises(DomainError) as refused:
        rules.clean_notation(typed)
    assert refused.value.code == "record_bad_notation"


def test_transfer_falls_due_a_year_after_the_work_or_three_months_after_settlement():
    assert rules.transfer_due(date(2026, 3, 2), False, None) == date(2027, 3, 2)
    assert rules.transfer_due(date(2024, 2, 29), False, None) == date(2025, 2, 28)
    assert rules.transfer_due(date(2026, 3, 2), True, date(2026, 11, 30)) == date(2027, 2, 28)
    assert rules.transfer_due(date(2026, 3, 2), True, None) is None  # no settlement yet


def test_every_hoso_kept_five_years_or_more_is_transferred():
    assert rules.must_transfer("Vĩnh viễn") and rules.must_transfer("5 năm") and rules.must_transfer("70 nam")
    assert not rules.must_transfer("3 năm")


def test_the_warning_counts_from_the_collection_list_and_never_without_one():
    due = date(2027, 3, 2)
    assert rules.warn_on(due, None) is None
    assert rules.warn_on(due, date(2027, 1, 10)) == date(2027, 1, 31)
    assert rules.warn_on(due, date(2027, 2, 20)) == date(2027, 2, 20)  # announced late: warned that day


def test_a_unit_keeps_a_due_hoso_at_most_two_more_years():
    rules.check_keep_until(date(2029, 3, 2), date(2027, 3, 2))
    with pytest.raises(DomainError) as too_long:
        rules.check_keep_until(date(2029, 3, 3), date(2027, 3, 2))
    assert too_long.value.code == "record_keep_too_long"
    with pytest.raises(DomainError):
        rules.check_keep_until(date(2027, 3, 1), date(2027, 3, 2))


def test_retention_counts_from_the_year_the_work_ended_and_permanent_never_ends():
    assert rules.retention_ends(date(2026, 6, 1), "10 năm") == date(2037, 1, 1)
    assert rules.retention_ends(date(2026, 6, 1), "Vĩnh viễn") is None


def _document(number: str, **values):
    base = {"id": number, "external_document_id": None, "duplicate_code": number, "issued_date": date(2026, 3, 2),
            "organ_name": "Sở Tài chính", "direction": "incoming", "status": "done"}
    return SimpleNamespace(**{**base, **values})


def test_duplicates_are_the_same_document_twice():
    twins = [_document("12", id="a"), _document("12", id="b", organ_name="SỞ TÀI CHÍNH")]
    other = _document("13", id="c")
    same_id = [_document("20", id="d", external_document_id="000.00.03.H23,2026/03/02,20/STC"),
               _document("21", id="e", external_document_id="000.00.03.H23,2026/03/02,20/STC")]
    groups = rules.duplicate_groups([*twins, other, *same_id])
    assert [[d.id for d in group] for group in groups] == [["a", "b"], ["d", "e"]]


def test_drafts_and_recalled_documents_are_not_final():
    found = rules.not_final([_document("1", id="ok"), _document("2", id="draft", direction="outgoing", status="draft"),
                             _document("3", id="recalled", status="recalled")])
    assert [d.id for d in found] == ["draft", "recalled"]


def test_the_listing_counts_documents_pages_and_dates():
    listed = rules.listing([(date(2026, 2, 10), 2), (date(2026, 6, 30), 3), (None, 1)], date(2026, 1, 5))
    assert (listed.doc_total, listed.page_total, listed.start_date, listed.end_date) == (
        3, 6, date(2026, 1, 5), date(2026, 6, 30))


def test_a_document_counts_by_its_own_date_else_the_day_it_arrived_in_vietnam():
    arrived = SimpleNamespace(issued_date=None, arrival_date=datetime.fromisoformat("2026-03-01T18:30:00+00:00"))
    assert rules.document_date(arrived) == date(2026, 3, 2)


@pytest.mark.parametrize(("number", "words"), [(0, "không"), (15, "mười lăm"), (21, "hai mươi mốt"),
                                                (24, "hai mươi tư"), (105, "một trăm linh năm"),
                                                (1005, "một nghìn không trăm linh năm")])
def test_totals_are_written_in_words(number, words):
    assert in_words(number) == words


def test_every_refusal_of_the_hoso_side_has_a_vietnamese_message():
    import re
    from pathlib import Path

    from web.messages import MESSAGES

    root = Path(__file__).resolve().parents[2]
    sources = ["commands/records.py", "commands/record_archive.py", "models/records/rules.py",
               "models/records/repo.py", "models/records/items_repo.py", "models/records/decisions.py",
               "models/records/corrections.py", "workflows/record_file.py", "web/reports/record_file.py"]
    pattern = r'(?:Error|Conflict|Forbidden|NotFound)\("((?:record|task|workflow)_[a-z_]+)"'
    codes = {code for path in sources for code in re.findall(pattern, (root / path).read_text())}
    workflow = (root / "workflows/record_file.py").read_text()
    # The workflow's refusals: its ApplicationError types and the refusal of each request kind.
    codes |= set(re.findall(r'ApplicationError\("(record_[a-z_]+)"', workflow))
    codes |= set(re.findall(r'\([A-Z]+, "(record_[a-z_]+)"\)', workflow)) | {"record_already_transferred"}
    assert {"record_notation_taken", "record_closed", "record_not_closed", "record_has_drafts"} <= codes
    assert sorted(code for code in codes if code not in MESSAGES) == []
