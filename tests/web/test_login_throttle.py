"""Login throttling: growing delays per client and per account name, never a lock-out of the owner.

Each client is its own httpx client with its own address (``ASGITransport(client=…)``) and cookie
jar; time passing is simulated by moving the stored block into the past.
"""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from app import create_app
from models.audit import AuditEvent
from models.db import transaction, utcnow
from models.org import repo as account_repo
from models.org.tables import LoginThrottle, User
from models.org.throttle import DEVICE_COOKIE
from tests.conftest import DEMO_PASSWORD
from tests.helpers import make_settings, rows

WRONG = "Sai-mat-khau-1"


@pytest.fixture
def settings(tmp_path, task_queue):
    return make_settings(tmp_path, task_queue)


@asynccontextmanager
async def running_app(settings, engine, temporal_env):
    """One web server process (no worker: logging in starts no workflow)."""
    app = create_app(settings, engine=engine, client=temporal_env.client, strict_templates=True)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def app(settings, seeded_sqlite, temporal_env):
    async with running_app(settings, seeded_sqlite, temporal_env) as app:
        yield app


@asynccontextmanager
async def client_at(app, address: str):
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def attempt(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return await client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def error_text(response: httpx.Response) -> str:
    found = re.search(r'<div class="notice error" id="login-error"><p>(.*?)</p>', response.text, re.S)
    return found.group(1) if found else ""


def carry_device_cookie(client: httpx.AsyncClient, value: str) -> None:
    """Put a known-device cookie in a client's jar as the browser would hold it."""
    client.cookies.set(DEVICE_COOKIE, value, domain="testserver.local", path="/login")


def let_blocks_expire(engine) -> None:
    """As if every running block had just ended (no waiting in tests)."""
    with transaction(engine) as session:
        session.execute(update(LoginThrottle).values(blocked_until=utcnow() - timedelta(seconds=1)))


async def test_an_attacker_elsewhere_does_not_keep_the_owner_out_of_their_known_browser(app, seeded_sqlite):
    async with client_at(app, "10.0.0.1") as owner, client_at(app, "10.0.0.66") as attacker, \
            client_at(app, "10.0.0.2") as new_browser:
        assert (await attempt(owner, "chuyenvien", DEMO_PASSWORD)).status_code == 303
        assert owner.cookies.get(DEVICE_COOKIE, path="/login")
        owner.cookies.delete("qlvb_session")

        answers = [await attempt(attacker, "chuyenvien", WRONG) for _ in range(12)]
        assert [a.status_code for a in answers[:4]] == [401] * 4
        assert all(a.status_code == 429 for a in answers[4:])
        # The right password from a browser that never logged in waits like the attacker …
        assert (await attempt(attacker, "chuyenvien", DEMO_PASSWORD)).status_code == 429
        assert (await attempt(new_browser, "chuyenvien", DEMO_PASSWORD)).status_code == 429
        # … but the owner's own browser gets in at once.
        assert (await attempt(owner, "chuyenvien", DEMO_PASSWORD)).status_code == 303
        assert (await owner.get("/")).status_code == 200


async def test_a_known_browser_shares_its_address_with_the_attacker_and_still_gets_in(app):
    """Offices sit behind one address: the device, not the address, identifies the owner's browser."""
    async with client_at(app, "10.0.0.9") as owner, client_at(app, "10.0.0.9") as attacker:
        assert (await attempt(owner, "truongphong", DEMO_PASSWORD)).status_code == 303
        owner.cookies.delete("qlvb_session")
        for _ in range(25):  # past the per-account and the per-address allowances
            await attempt(attacker, "truongphong", WRONG)
        assert (await attempt(attacker, "truongphong", DEMO_PASSWORD)).status_code == 429
        assert (await attempt(owner, "truongphong", DEMO_PASSWORD)).status_code == 303


async def test_a_forged_or_foreign_device_cookie_exempts_nothing(app):
    async with client_at(app, "10.0.1.1") as owner, client_at(app, "10.0.1.2") as attacker:
        assert (await attempt(owner, "chuyenvien", DEMO_PASSWORD)).status_code == 303
        genuine = owner.cookies.get(DEVICE_COOKIE, path="/login")
        user_id, device, expires, mac = genuine.split(".")
        for _ in range(5):
            await attempt(attacker, "chuyenvien", WRONG)
        forged = [f"{user_id}.{device}.{int(expires) + 1}.{mac}",  # extended expiry
                  f"{user_id}.{device}.{expires}.{mac[:-2]}AA",  # altered signature
                  "garbage"]
        for cookie in forged:
            carry_device_cookie(attacker, cookie)
            assert (await attempt(attacker, "chuyenvien", DEMO_PASSWORD)).status_code == 429, cookie
        carry_device_cookie(attacker, genuine)  # a stolen genuine cookie would pass: it is the control
        assert (await attempt(attacker, "chuyenvien", DEMO_PASSWORD)).status_code == 303
        # A genuine cookie of one account exempts nothing for another account.
        async with client_at(app, "10.0.1.3") as other:
            for _ in range(5):
                await attempt(other, "vanthu", WRONG)
            carry_device_cookie(other, genuine)
            assert (await attempt(other, "vanthu", DEMO_PASSWORD)).status_code == 429


async def test_a_known_browser_guessing_wrong_is_slowed_by_its_own_count(app):
    async with client_at(app, "10.0.2.1") as laptop:
        assert (await attempt(laptop, "chuyenvien", DEMO_PASSWORD)).status_code == 303
        laptop.cookies.delete("qlvb_session")
        statuses = [(await attempt(laptop, "chuyenvien", WRONG)).status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 401, 429]
        assert (await attempt(laptop, "chuyenvien", DEMO_PASSWORD)).status_code == 429


async def test_delays_grow_with_each_failure_past_the_allowance(app, seeded_sqlite):
    async with client_at(app, "10.0.3.1") as attacker:
        statuses, waits = [], []
        for _ in range(10):
            answer = await attempt(attacker, "vanthu", WRONG)
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                waits.append(int(answer.headers["Retry-After"]))
                assert f"Vui lòng thử lại sau {waits[-1]} giây." in error_text(answer)
        assert statuses == [401] * 4 + [429] * 6
        # Trying again while blocked is refused unchecked and doubles the wait, up to the ceiling.
        assert waits == [30, 60, 120, 240, 480, 900]
        assert (await attempt(attacker, "vanthu", DEMO_PASSWORD)).status_code == 429
    async with client_at(app, "10.0.3.2") as patient:
        for _ in range(4):
            await attempt(patient, "truongphong", WRONG)
        assert int((await attempt(patient, "truongphong", WRONG)).headers["Retry-After"]) == 30
        let_blocks_expire(seeded_sqlite)  # waited as told: the next failure waits twice as long
        assert int((await attempt(patient, "truongphong", WRONG)).headers["Retry-After"]) == 60
        let_blocks_expire(seeded_sqlite)
        assert (await attempt(patient, "truongphong", DEMO_PASSWORD)).status_code == 303
    codes = [event.code for event in rows(seeded_sqlite, AuditEvent, AuditEvent.code.like("auth.%"))]
    assert codes.count("auth.login_failed") == 4 + 1 + 6
    assert codes.count("auth.login_refused") == 6 and codes.count("auth.throttled") >= 3


async def test_one_address_trying_many_names_is_slowed(app):
    async with client_at(app, "10.0.4.1") as sprayer, client_at(app, "10.0.4.2") as colleague:
        statuses = [(await attempt(sprayer, f"nguoi{n}", WRONG)).status_code for n in range(20)]
        assert statuses == [401] * 19 + [429]
        assert (await attempt(sprayer, "vanthu", DEMO_PASSWORD)).status_code == 429
        assert (await attempt(colleague, "vanthu", DEMO_PASSWORD)).status_code == 303


async def test_unknown_disabled_and_real_names_get_the_same_answers(app, seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        session.execute(update(User).where(User.username == "lanhdao").values(disabled=True))
        session.execute(update(User).where(User.username == "truongphong")
                        .values(locked_until=utcnow() + timedelta(hours=1)))
    transcripts = {}
    for number, (name, password) in enumerate([("chuyenvien", WRONG), ("khong-co-ai", WRONG),
                                               ("lanhdao", DEMO_PASSWORD), ("truongphong", DEMO_PASSWORD)]):
        async with client_at(app, f"10.0.5.{number}") as client:
            answers = [await attempt(client, name, password) for _ in range(7)]
        transcripts[name] = [(a.status_code, a.headers.get("Retry-After"), error_text(a).replace(name, "…"),
                              sorted(a.cookies.keys())) for a in answers]
    first = transcripts["chuyenvien"]
    assert first[0][0] == 401 and "Tên đăng nhập hoặc mật khẩu không đúng." in first[0][2]
    assert first[4][0] == 429
    assert all(transcript == first for transcript in transcripts.values()), transcripts


def test_the_password_hash_runs_for_unknown_names_too(seeded_sqlite, monkeypatch):
    checked = []
    real = account_repo.verify_password
    monkeypatch.setattr(account_repo, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    for name in ("chuyenvien", "khong-co-ai"):
        with transaction(seeded_sqlite) as session, pytest.raises(account_repo.AuthFailed):
            account_repo.authenticate(session, name, WRONG)
    assert len(checked) == 2


async def test_throttling_holds_across_web_processes_and_restarts(settings, seeded_sqlite, temporal_env):
    async with running_app(settings, seeded_sqlite, temporal_env) as first, client_at(first, "10.0.6.1") as c:
        assert (await attempt(c, "chuyenvien", DEMO_PASSWORD)).status_code == 303
        device = c.cookies.get(DEVICE_COOKIE, path="/login")
        for _ in range(5):
            await attempt(c, "vanthu", WRONG)
    async with running_app(settings, seeded_sqlite, temporal_env) as second, client_at(second, "10.0.6.2") as c:
        assert (await attempt(c, "vanthu", DEMO_PASSWORD)).status_code == 429
        for _ in range(5):
            await attempt(c, "chuyenvien", WRONG)
        # The known-device cookie the first process signed is honoured by the second.
        carry_device_cookie(c, device)
        assert (await attempt(c, "chuyenvien", DEMO_PASSWORD)).status_code == 303


async def test_the_api_token_endpoint_is_throttled_with_a_vietnamese_answer(app):
    async with client_at(app, "10.0.7.1") as integrator:
        for _ in range(4):
            refused = await integrator.post("/api/v1/auth/token", data={"username": "vanthu", "password": WRONG})
            assert refused.status_code == 401
        throttled = await integrator.post("/api/v1/auth/token", data={"username": "vanthu", "password": WRONG})
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "30"
        assert throttled.json()["code"] == "login_throttled"
        assert "Vui lòng thử lại sau 30 giây" in throttled.json()["detail"]
        assert "server" not in throttled.headers
