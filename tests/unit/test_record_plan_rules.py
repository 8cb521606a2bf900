"""The Danh mục hồ sơ's pure rules: numerals, numbers, retention, totals, the outline, what may change."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from models.errors import DomainError
from models.records import plan_rules
from models.records.plan_rules import NumberSlot
from models.records.tables import EntryStatus, PlanNumbering, PlanStatus


@pytest.mark.parametrize(("number", "numeral"), [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"),
                                                 (1994, "MCMXCIV"), (3999, "MMMCMXCIX")])
def test_top_headings_take_roman_numerals(number, numeral):
    assert plan_rules.roman(number) == numeral
    assert plan_rules.heading_numeral(number, top=True) == numeral
    assert plan_rules.heading_numeral(number, top=False) == str(number)


@pytest.mark.parametrize("number", [0, -1, 4000])
def test_there_is_no_roman_numeral_outside_one_to_3999(number):
    with pytest.raises(ValueError, match="no Roman numeral"):
        plan_rules.roman(number)


def test_a_number_is_the_serial_zero_padded_and_the_top_headings_abbreviation():
    assert plan_rules.notation(1, "TCCB") == "01.TCCB"
    assert plan_rules.notation(12, "VP") == "12.VP"
    assert plan_rules.notation(105, "VP") == "105.VP"
    assert plan_rules.serial_of("07.TCCB") == 7
    assert plan_rules.serial_of("~12") == 0


@pytest.mark.parametrize(("typed", "clean"), [("tccb", "TCCB"), (" VP ", "VP"), ("đt", "ĐT"), ("TC-HC", "TC-HC"),
                                              ("K", "K"), ("KHTC2", "KHTC2")])
def test_an_abbreviation_is_kept_in_capitals(typed, clean):
    assert plan_rules.clean_abbreviation(typed) == clean


@pytest.mark.parametrize("typed", ["", "01", "T C", "TC-", "-TC", "TCCB.1", "ABCDEFGHIJKLM", "Tổ"])
def test_an_abbreviation_that_would_not_read_in_a_number_is_refused(typed):
    with pytest.raises(DomainError) as refused:
        plan_rules.clean_abbreviation(typed)
    assert refused.value.code == "plan_bad_abbreviation"


def _slots(*rows):
    return [NumberSlot(key, scope, abbreviation, frozen) for key, scope, abbreviation, frozen in rows]


def test_a_draft_is_numbered_in_reading_order_through_the_list():
    slots = _slots((10, 1, "TCCB", ""), (11, 1, "TCCB", ""), (12, 2, "VP", ""))
    assert plan_rules.assign_numbers(slots, PlanNumbering.THROUGH) == {10: "01.TCCB", 11: "02.TCCB", 12: "03.VP"}


def test_numbering_within_each_top_heading_starts_again_from_01():
    slots = _slots((10, 1, "TCCB", ""), (11, 1, "TCCB", ""), (12, 2, "VP", ""), (13, 2, "VP", ""))
    assert plan_rules.assign_numbers(slots, PlanNumbering.PER_HEADING) == {
        10: "01.TCCB", 11: "02.TCCB", 12: "01.VP", 13: "02.VP"}


def test_approved_entries_keep_their_numbers_and_additions_go_after_the_highest():
    # An addition placed between approved entries still takes the next number of its sequence.
    slots = _slots((10, 1, "TCCB", "01.TCCB"), (20, 1, "TCCB", ""), (11, 1, "TCCB", "02.TCCB"),
                   (12, 2, "VP", "03.VP"), (21, 2, "VP", ""))
    assert plan_rules.assign_numbers(slots, PlanNumbering.THROUGH) == {
        10: "01.TCCB", 20: "04.TCCB", 11: "02.TCCB", 12: "03.VP", 21: "05.VP"}
    per_heading = _slots((10, 1, "TCCB", "01.TCCB"), (20, 1, "TCCB", ""), (12, 2, "VP", "01.VP"), (21, 2, "VP", ""))
    assert plan_rules.assign_numbers(per_heading, PlanNumbering.PER_HEADING) == {
        10: "01.TCCB", 20: "02.TCCB", 12: "01.VP", 21: "02.VP"}


def test_two_top_headings_with_one_abbreviation_are_refused_when_numbered_per_heading():
    slots = _slots((10, 1, "VP", ""), (11, 2, "VP", ""))
    assert plan_rules.assign_numbers(slots, PlanNumbering.THROUGH) == {10: "01.VP", 11: "02.VP"}
    with pytest.raises(DomainError) as refused:
        plan_rules.assign_numbers(slots, PlanNumbering.PER_HEADING)
    assert (refused.value.code, refused.value.params) == ("plan_duplicate_notation", {"notation": "01.VP"})


@pytest.mark.parametrize(("typed", "years", "text"), [
    ("Vĩnh viễn", None, "Vĩnh viễn"), ("vĩnh viễn", None, "Vĩnh viễn"), ("VINH VIEN", None, "Vĩnh viễn"),
    ("  Vĩnh   viễn ", None, "Vĩnh viễn"), ("20 năm", 20, "20 năm"), ("20 nam", 20, "20 năm"), ("5", 5, "5 năm"),
    ("70năm", 70, "70 năm"), ("100 năm", 100, "100 năm"),
])
def test_a_retention_is_permanent_or_a_number_of_years(typed, years, text):
    retention = plan_rules.parse_retention(typed)
    assert (retention.years, retention.text, retention.permanent) == (years, text, years is None)


@pytest.mark.parametrize("typed", ["", "0 năm", "101 năm", "-5 năm", "mười năm", "20 tháng", "Vĩnh", "5.5 năm",
                                   "Đến khi thanh lý", "٢٠ năm"])
def test_anything_else_is_not_a_retention(typed):
    with pytest.raises(DomainError) as refused:
        plan_rules.parse_retention(typed)
    assert refused.value.code == "plan_bad_retention"


def test_the_footer_counts_permanent_and_fixed_term_hồ_sơ():
    assert plan_rules.totals(["Vĩnh viễn", "20 năm", "5 năm", "Vĩnh viễn", "10 năm"]) == plan_rules.Totals(5, 2, 3)
    assert plan_rules.totals([]) == plan_rules.Totals(0, 0, 0)


def _heading(id_, parent_id, position):
    return SimpleNamespace(id=id_, parent_id=parent_id, position=position)


def _entry(id_, heading_id, position):
    return SimpleNamespace(id=id_, heading_id=heading_id, position=position)


def test_the_outline_reads_top_headings_then_their_own_entries_then_their_sub_headings():
    headings = [_heading(3, 1, 1), _heading(1, None, 1), _heading(2, None, 2), _heading(4, 1, 2)]
    entries = [_entry(30, 3, 1), _entry(10, 1, 2), _entry(11, 1, 1), _entry(40, 4, 1), _entry(20, 2, 1)]
    lines = plan_rules.outline(headings, entries)
    assert [(line.kind, line.item.id, line.numeral) for line in lines] == [
        ("heading", 1, "I"), ("entry", 11, ""), ("entry", 10, ""), ("heading", 3, "1"), ("entry", 30, ""),
        ("heading", 4, "2"), ("entry", 40, ""), ("heading", 2, "II"), ("entry", 20, "")]
    assert [line.top for line in lines if line.kind == "heading"] == [True, False, False, True]


def test_what_may_change_depends_on_the_plans_status():
    assert plan_rules.status_of_new_entry(PlanStatus.DRAFT) == EntryStatus.DRAFT
    assert plan_rules.status_of_new_entry(PlanStatus.ISSUED) == EntryStatus.PROPOSED
    plan_rules.check_entry_editable(PlanStatus.DRAFT, EntryStatus.DRAFT)
    plan_rules.check_entry_editable(PlanStatus.ISSUED, EntryStatus.PROPOSED)
    plan_rules.check_draft(PlanStatus.DRAFT)
    refusals = [
        (lambda: plan_rules.status_of_new_entry(PlanStatus.PENDING), "plan_pending"),
        (lambda: plan_rules.check_entry_editable(PlanStatus.ISSUED, EntryStatus.APPROVED), "plan_entry_approved"),
        (lambda: plan_rules.check_entry_editable(PlanStatus.PENDING, EntryStatus.DRAFT), "plan_pending"),
        (lambda: plan_rules.check_draft(PlanStatus.ISSUED), "plan_issued"),
        (lambda: plan_rules.check_draft(PlanStatus.PENDING), "plan_pending"),
    ]
    for call, code in refusals:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == code


def test_a_submission_sends_the_draft_or_the_proposed_additions():
    statuses = [EntryStatus.DRAFT, EntryStatus.DRAFT]
    assert plan_rules.awaiting_approval(PlanStatus.DRAFT, statuses) == 2
    issued = [EntryStatus.APPROVED, EntryStatus.PROPOSED]
    assert plan_rules.awaiting_approval(PlanStatus.ISSUED, issued) == 1
    for status, entries, code in [(PlanStatus.DRAFT, [], "plan_nothing_to_submit"),
                                  (PlanStatus.ISSUED, [EntryStatus.APPROVED], "plan_nothing_to_submit"),
                                  (PlanStatus.PENDING, statuses, "plan_pending")]:
        with pytest.raises(DomainError) as refused:
            plan_rules.awaiting_approval(status, entries)
        assert refused.value.code == code


def test_every_refusal_of_the_danh_muc_has_a_vietnamese_message():
    from pathlib import Path

    from web.messages import MESSAGES

    root = Path(__file__).resolve().parents[2]
    sources = [root / "commands/record_plans.py", root / "models/records/plan_rules.py"]
    codes = {code for path in sources
             for code in re.findall(r'(?:Error|Conflict|Forbidden|NotFound)\("(plan_[a-z_]+)"', path.read_text())}
    assert {"plan_exists", "plan_bad_retention", "plan_duplicate_notation", "plan_entry_approved"} <= codes
    assert sorted(code for code in codes if code not in MESSAGES) == []
