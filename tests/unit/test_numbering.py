"""Pure numbering rules: register year, số formatting, số/ký hiệu and the document identifier."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.registers.numbering import (
    document_identifier,
    format_number,
    notation_for_successor,
    register_year,
    so_ky_hieu,
)


def test_it_puts_an_instant_after_17h_utc_on_new_years_eve_into_the_next_year():
    assert register_year(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == 2027


def test_it_keeps_an_instant_just_before_vietnam_midnight_in_the_current_year():
    assert register_year(datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC)) == 2026
    assert register_year(datetime(2027, 1, 1, 0, 0, tzinfo=UTC)) == 2027


def test_it_refuses_a_naive_instant_for_the_register_year():
    with pytest.raises(ValueError):
        register_year(datetime(2026, 12, 31, 23, 30))


@pytest.mark.parametrize(("number", "printed"), [(1, "01"), (5, "05"), (10, "10"), (99, "99"), (125, "125")])
def test_it_zero_pads_numbers_below_ten(number, printed):
    assert format_number(number) == printed


@pytest.mark.parametrize("number", [0, -1])
def test_it_refuses_numbers_below_one(number):
    with pytest.raises(ValueError):
        format_number(number)


def test_it_joins_so_ky_hieu_without_spaces():
    assert so_ky_hieu("125", "QĐ - UBND") == "125/QĐ-UBND"
    assert so_ky_hieu(" 07 ", " UBND-VP ") == "07/UBND-VP"


def test_it_prints_a_bare_number_when_there_is_no_notation():
    assert so_ky_hieu("12", "") == "12"
    assert so_ky_hieu("12", "   ") == "12"


def test_it_builds_the_document_identifier():
    assert (
        document_identifier("000.00.00.G22", date(2015, 9, 30), "7816", "VPCP-TTĐT")
        == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    )


def test_it_zero_pads_the_identifier_date_and_strips_notation_spaces():
    assert (
        document_identifier("000.00.01.H23", date(2026, 1, 5), "3", "UBND - VP")
        == "000.00.01.H23,2026/01/05,3/UBND-VP"
    )


@pytest.mark.parametrize(("notation", "expected"), [
    ("QĐ-SNV", "QĐ-SNVTC"),  # a type's ký hiệu names the issuing agency
    ("SNV-TCBM", "SNVTC-TCCB"),  # a công văn's also the drafting unit, mapped to the successor's
    ("SNV-TTra", "SNVTC"),  # a unit mapped to none leaves the agency alone
    ("SNV-KHTC", "SNVTC-KHTC"),  # not a unit of the map: kept as written
    ("SNV", "SNVTC"),
    ("QĐ-UBND", "QĐ-UBND"),  # another agency's ký hiệu (or one typed by hand) is not touched
])
def test_a_predecessors_draft_takes_the_successors_abbreviation_in_its_ký_hiệu(notation, expected):
    units = {"TCBM": "TCCB", "TTra": None}
    assert notation_for_successor(notation, "SNV", "SNVTC", units) == expected
