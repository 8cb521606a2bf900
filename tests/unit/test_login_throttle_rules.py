"""The throttle's pure rules: doubling delays, and known-device cookies that cannot be forged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.org.throttle import DEVICE_LIFETIME, ThrottlePolicy, device_token, verified_device

KEY = b"k" * 32
NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_delays_are_free_then_double_up_to_the_ceiling():
    policy = ThrottlePolicy()
    assert [policy.delay("account", n) for n in range(1, 5)] == [None] * 4
    assert [policy.delay("account", n).total_seconds() for n in range(5, 11)] == [30, 60, 120, 240, 480, 900]
    assert policy.delay("account", 10**6) == policy.max_delay
    assert policy.delay("client", 19) is None and policy.delay("client", 20) == timedelta(seconds=30)


def test_a_device_cookie_is_honoured_only_for_its_account_key_and_password():
    token = device_token(KEY, 7, "hash-1", "abc123", NOW)
    assert verified_device(KEY, token, 7, "hash-1", NOW) == "abc123"
    assert verified_device(KEY, token, 8, "hash-1", NOW) is None  # another account
    assert verified_device(KEY, token, 7, "hash-2", NOW) is None  # the password was changed or reset
    assert verified_device(b"other" * 8, token, 7, "hash-1", NOW) is None  # another installation
    assert verified_device(KEY, token, 7, "hash-1", NOW + DEVICE_LIFETIME + timedelta(seconds=1)) is None


@pytest.mark.parametrize("forged", ["", "garbage", "7.abc123.²².AAAA", "7.abc123." + "9" * 5000 + ".AAAA",
                                    "7.abc١.123.AAAA", "7.a.b.c.d", "7..1.AAAA"])
def test_malformed_cookies_are_ignored_not_errors(forged):
    assert verified_device(KEY, forged, 7, "hash-1", NOW) is None


def test_an_altered_cookie_is_ignored():
    user, device, expires, mac = device_token(KEY, 7, "hash-1", "abc123", NOW).split(".")
    for token in (f"{user}.{device}.{int(expires) + 86400}.{mac}", f"{user}.zzz999.{expires}.{mac}",
                  f"{user}.{device}.{expires}.{mac[::-1]}"):
        assert verified_device(KEY, token, 7, "hash-1", NOW) is None
