"""Password policy (QĐ44 Điều 21.2.b), argon2 hashing and generated passwords."""

from __future__ import annotations

import pytest

from models.errors import DomainError
from models.org.passwords import (
    check_policy,
    generate_password,
    hash_password,
    needs_rehash,
    policy_violations,
    verify_password,
)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Ab1!xyz", "too_short"),
        ("abcdef1!", "no_upper"),
        ("ABCDEF1!", "no_lower"),
        ("Abcdefg!", "no_digit"),
        ("Abcdefg1", "no_special"),
    ],
)
def test_it_reports_exactly_the_one_broken_rule(password, rule):
    assert policy_violations(password) == [rule]


def test_it_reports_every_broken_rule_at_once():
    assert policy_violations("") == ["too_short", "no_upper", "no_lower", "no_digit", "no_special"]


@pytest.mark.parametrize("password", ["Demo@2026pass", "Xk9#mmmm", "Dài-quá-1-chút"])
def test_it_accepts_a_good_password(password):
    assert policy_violations(password) == []
    check_policy(password)  # does not raise


def test_it_raises_weak_password_listing_the_rules():
    with pytest.raises(DomainError) as error:
        check_policy("abc")
    assert error.value.code == "weak_password"
    assert error.value.params["rules"] == ["too_short", "no_upper", "no_digit", "no_special"]


def test_it_counts_vietnamese_letters_as_letters():
    # The only upper-case letter is Đ, the only lower-case ones carry diacritics.
    assert policy_violations("ĐƯỜNGđi1!") == []
    assert policy_violations("ĐẶNG1234!") == ["no_lower"]
    assert policy_violations("ưu tiên1!") == ["no_upper"]


def test_it_does_not_count_vietnamese_letters_as_special_characters():
    assert policy_violations("Đườngdài1") == ["no_special"]


def test_it_hashes_with_argon2id_and_verifies_the_round_trip():
    hashed = hash_password("Demo@2026pass")
    assert hashed.startswith("$argon2id$")
    assert "Demo@2026pass" not in hashed
    assert verify_password(hashed, "Demo@2026pass")
    assert not verify_password(hashed, "Demo@2026pasS")
    assert not needs_rehash(hashed)


def test_it_salts_every_hash():
    assert hash_password("Demo@2026pass") != hash_password("Demo@2026pass")


def test_it_treats_a_corrupt_hash_as_a_mismatch():
    assert verify_password("not-a-hash", "Demo@2026pass") is False


def test_it_generates_passwords_that_satisfy_the_policy():
    passwords = [generate_password() for _ in range(100)]
    for password in passwords:
        assert policy_violations(password) == [], password
    assert len(set(passwords)) == 100
