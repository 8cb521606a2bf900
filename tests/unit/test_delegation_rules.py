"""The pure rules of a delegation: the ND30 signature block, the period, scopes and states."""

from __future__ import annotations

from datetime import date

import pytest

from models.delegation import rules
from models.errors import DomainError


@pytest.mark.parametrize(("form", "expected"), [
    ("KT.", ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A")),
    ("TL.", ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Nguyễn Văn A")),
    ("TUQ.", ("TUQ. CHỦ TỊCH", "GIÁM ĐỐC SỞ NỘI VỤ", "Nguyễn Văn A")),
    ("Q.", ("", "Q. CHỦ TỊCH", "Nguyễn Văn A")),
])
def test_the_signature_block_prints_the_form_and_the_heads_title_above_the_signers_own(form, expected):
    own = {"KT.": "Phó Chủ tịch", "TL.": "Chánh Văn phòng", "TUQ.": "Giám đốc Sở Nội vụ", "Q.": "Phó Chủ tịch"}[form]
    block = rules.signature_block(form, "Chủ tịch", own, "Nguyễn Văn A")
    assert (block.competence, block.position, block.full_name) == expected


def test_periods_forms_and_kinds_are_checked():
    rules.check_terms("ky", "KT.", date(2026, 12, 1), date(2026, 12, 1))  # one day is a period
    for kind, form, start, end, code in (
        ("ky", "KT.", date(2026, 12, 8), date(2026, 12, 1), "delegation_bad_period"),
        ("ky", "KT.", None, date(2026, 12, 1), "delegation_bad_period"),
        ("ky", "TM.", date(2026, 12, 1), date(2026, 12, 8), "delegation_bad_form"),
        ("xoa", "KT.", date(2026, 12, 1), date(2026, 12, 8), "delegation_bad_kind"),
        ("ky", "KT.", date(2026, 1, 1), date(2027, 1, 2), "delegation_too_long"),
    ):
        with pytest.raises(DomainError) as error:
            rules.check_terms(kind, form, start, end)
        assert error.value.code == code


def test_scopes_and_states():
    assert rules.scopes_overlap([], [3]) and rules.scopes_overlap([1, 2], [2]) and not rules.scopes_overlap([1], [2])
    assert rules.covers([], [], 5, None) and rules.covers([5], [7], 5, 7)
    assert not rules.covers([5], [], 6, None) and not rules.covers([], [7], 5, None)
    day = date(2026, 12, 4)
    assert rules.state(date(2026, 12, 5), date(2026, 12, 9), False, day) == "future"
    assert rules.state(date(2026, 12, 4), date(2026, 12, 4), False, day) == "in_force"
    assert rules.state(date(2026, 11, 1), date(2026, 12, 3), False, day) == "expired"
    assert rules.state(date(2026, 12, 1), date(2026, 12, 9), True, day) == "revoked"
    assert rules.periods_overlap(date(2026, 12, 1), date(2026, 12, 4), date(2026, 12, 4), date(2026, 12, 9))
    assert not rules.periods_overlap(date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 9))
