"""The login throttle's counts live in the database: exact under concurrent failures, on both backends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from commands import auth
from models.errors import AuthFailed
from models.org.tables import LoginThrottle
from models.org.throttle import throttle_key
from models.vocab import SessionKind
from tests.conftest import DEMO_PASSWORD
from tests.helpers import make_settings, rows


def _fail(engine, settings, username: str, address: str) -> str:
    try:
        auth.login(engine, settings, username, "Sai-mat-khau-1", SessionKind.API, ip_address=address)
    except AuthFailed as refusal:
        return refusal.code
    return "logged_in"


def test_concurrent_failures_from_many_workers_are_all_counted(seeded, tmp_path):
    settings = make_settings(tmp_path, "unused").model_copy(update={"login_max_failures": 100})
    addresses = [f"10.1.0.{n}" for n in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(lambda address: _fail(seeded, settings, "chuyenvien", address), addresses))
    assert codes == ["bad_credentials"] * 12
    counted = {row.key: row for row in rows(seeded, LoginThrottle)}
    assert counted[throttle_key("account", "chuyenvien")].failures == 12
    assert all(counted[throttle_key("client", address)].failures == 1 for address in addresses)


@pytest.mark.parametrize("username", ["chuyenvien", "khong-co-ai"])
def test_the_block_and_its_end_are_the_same_for_any_name(seeded, tmp_path, username):
    settings = make_settings(tmp_path, "unused")
    codes = [_fail(seeded, settings, username, "10.2.0.1") for _ in range(6)]
    assert codes == ["bad_credentials"] * 4 + ["login_throttled"] * 2
    row = next(r for r in rows(seeded, LoginThrottle) if r.key == throttle_key("account", username))
    # The sixth attempt, made while blocked, counted too and doubled the wait.
    assert row.failures == 6 and (row.blocked_until - row.last_failure_at).total_seconds() == 60
    with pytest.raises(AuthFailed) as refused:  # even the right password waits, and waits longer
        auth.login(seeded, settings, username, DEMO_PASSWORD, SessionKind.API, ip_address="10.2.0.1")
    assert refused.value.code == "login_throttled" and 60 < refused.value.params["seconds"] <= 120
