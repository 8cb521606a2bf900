"""Password policy (QĐ44 Điều 21.2.b), argon2 hashing and generated passwords."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

import models.org.passwords
from models.errors import DomainError
from models.org.passwords import (
    check_policy,
    generate_password,
    hash_password,
    needs_rehash,
    policy_violations,
    verify_password,
)
from tests.conftest import PRODUCTION_PASSWORD_HASHER


@pytest.fixture(autouse=True)
def production_hasher(monkeypatch):
    """These tests check the hasher the product uses, not the cheap one the other tests share."""
    monkeypatch.setattr(models.org.passwords, "_hasher", PRODUCTION_PASSWORD_HASHER)


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


def test_it_hashes_at_the_argon2_librarys_recommended_cost():
    """The cost the product hashes with is the library's default (RFC 9106's second choice), and a
    hash made at a lower cost is upgraded at the next login."""
    parameters = PRODUCTION_PASSWORD_HASHER
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)
    assert "$m=65536,t=3,p=4$" in hash_password("Demo@2026pass")
    assert needs_rehash(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Demo@2026pass"))


def test_it_salts_every_hash():
    assert hash_password("Demo@2026pass") != hash_password("Demo@2026pass")


def test_it_treats_a_corrupt_hash_as_a_mismatch():
    assert verify_password("not-a-hash", "Demo@2026pass") is False


def test_it_generates_passwords_that_satisfy_the_policy():
    passwords = [generate_password() for _ in range(100)]
    for password in passwords:
        assert policy_violations(password) == [], password
    assert len(set(passwords)) == 100
