"""Two-factor login (TOTP): enrolment, the code step, replays, recovery codes, throttling, the
administrators' obligation, API v1 and turning it off. Codes are computed with pyotp, as an
authenticator app would. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import re

import httpx
import pyotp
import pytest
from sqlmodel import select

from app import create_app
from commands.auth import device_key
from models.audit import AuditEvent
from models.db import reading, transaction
from models.org.repo import create_user
from models.org.tables import RecoveryCode, TwoFactor, User, UserSession
from models.org.two_factor import decrypt_secret
from models.seed.data import OFFICE_CODE
from models.vocab import Role
from tests.conftest import DEMO_PASSWORD
from tests.helpers import make_settings
from tests.web.conftest import _totp, browser_login, enrol_two_factor, next_code


@pytest.fixture
async def client(seeded, temporal_env, task_queue, tmp_path):
    settings = make_settings(tmp_path, task_queue)
    app = create_app(settings, engine=seeded, client=temporal_env.client, strict_templates=True)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            c.engine = seeded
            c.settings = settings
            yield c


def _audit_codes(engine, username: str) -> list[str]:
    with reading(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return [e.code for e in session.exec(select(AuditEvent).where(AuditEvent.subject_id == str(user.id))
                                             .order_by(AuditEvent.id))]


async def _password_step(client, username: str, password: str = DEMO_PASSWORD) -> tuple[httpx.Response, str]:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": token, "next": "/"})
    return response, token


async def _code_step(client, token: str, code: str) -> httpx.Response:
    return await client.post("/login/code", data={"code": code, "csrf_token": token, "next": "/"})


async def _logout(client, csrf: str) -> None:
    await client.post("/logout", headers={"X-CSRF-Token": csrf})
    client.cookies.delete("qlvb_session")


async def _enrolled(client, username: str = "chuyenvien") -> tuple[str, list[str]]:
    csrf = await browser_login(client, username)
    codes = await enrol_two_factor(client, username)
    await _logout(client, csrf)
    return csrf, codes


async def test_enrol_then_log_in_with_a_code(client):
    csrf = await browser_login(client, "chuyenvien")
    page = await client.get("/account/two-factor")
    assert "<svg" in page.text and 'id="two-factor-secret"' in page.text  # QR inline, secret as text
    assert not re.search(r'src="(https?:)?//', page.text)  # nothing loaded from elsewhere
    codes = await enrol_two_factor(client, "chuyenvien")
    assert len(set(codes)) == 10
    with reading(client.engine) as session:
        user = session.exec(select(User).where(User.username == "chuyenvien")).one()
        sealed = session.get(TwoFactor, user.id).secret
        stored = [r.code_hash for r in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id))]
    secret = _totp(client)["chuyenvien"][0]
    assert secret not in sealed  # encrypted at rest
    assert decrypt_secret(device_key(client.settings), sealed) == secret
    assert not set(codes) & set(stored) and len(stored) == 10  # only hashes kept
    after = await client.get("/account/two-factor")
    assert secret[:8] not in after.text.replace(" ", "") and "đang bật" in after.text  # never shown again
    await _logout(client, csrf)

    response, token = await _password_step(client, "chuyenvien")
    assert response.status_code == 303 and response.headers["location"].startswith("/login/code")
    assert "qlvb_session" not in client.cookies  # no session before the code
    assert (await client.get("/")).status_code == 303
    response = await _code_step(client, token, next_code(client, "chuyenvien"))
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert (await client.get("/")).status_code == 200
    assert _audit_codes(client.engine, "chuyenvien").count("auth.two_factor_enabled") == 1


async def test_a_wrong_code_is_refused_and_throttled(client):
    await _enrolled(client)
    response, token = await _password_step(client, "chuyenvien")
    first = await _code_step(client, token, "12")
    assert first.status_code == 401 and "Mã xác thực không đúng" in first.text
    wrong = "000000" if pyotp.TOTP(_totp(client)["chuyenvien"][0]).now() != "000000" else "111111"
    statuses = []
    for _ in range(6):
        statuses.append((await _code_step(client, token, wrong)).status_code)
        assert "qlvb_session" not in client.cookies
    assert 429 in statuses  # wrong codes count like wrong passwords
    # While blocked even the right code is not checked.
    blocked = await _code_step(client, token, next_code(client, "chuyenvien"))
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert "auth.throttled" in _audit_codes(client.engine, "chuyenvien")


async def test_a_code_cannot_be_used_twice(client):
    await _enrolled(client)
    response, token = await _password_step(client, "chuyenvien")
    code = next_code(client, "chuyenvien")
    assert (await _code_step(client, token, code)).status_code == 303
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', (await client.get("/")).text).group(1)
    await _logout(client, csrf)
    response, token = await _password_step(client, "chuyenvien")
    replay = await _code_step(client, token, code)
    assert replay.status_code == 401 and "qlvb_session" not in client.cookies


async def test_a_recovery_code_works_once(client):
    _, codes = await _enrolled(client)
    response, token = await _password_step(client, "chuyenvien")
    assert (await _code_step(client, token, codes[3].upper())).status_code == 303
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', (await client.get("/")).text).group(1)
    await _logout(client, csrf)
    response, token = await _password_step(client, "chuyenvien")
    assert (await _code_step(client, token, codes[3])).status_code == 401
    assert "auth.recovery_code_used" in _audit_codes(client.engine, "chuyenvien")


async def test_an_administrator_must_enrol_after_the_password(client):
    response, _ = await _password_step(client, "admin")
    assert response.status_code == 303 and response.headers["location"] == "/account/two-factor"
    for path in ("/admin/users", "/", "/admin/audit"):
        page = await client.get(path)
        assert page.status_code == 303 and page.headers["location"] == "/account/two-factor", path
    # Background polling never moves the enrolment page.
    poll = await client.get("/inbox/_counts", headers={"HX-Request": "true", "X-QLVB-Poll": "1"})
    assert poll.status_code == 204 and "HX-Redirect" not in poll.headers
    enrolment = await client.get("/account/two-factor")
    assert enrolment.status_code == 200 and "bắt buộc dùng xác thực hai bước" in enrolment.text
    assert "data-poll" not in enrolment.text
    await enrol_two_factor(client, "admin")
    assert (await client.get("/admin/users")).status_code == 200


async def test_admin_reset_of_a_second_factor_is_audited(client):
    await _enrolled(client)
    csrf = await browser_login(client, "admin")
    users = await client.get("/admin/users")
    assert "/admin/users/chuyenvien/two-factor/reset" in users.text
    done = await client.post("/admin/users/chuyenvien/two-factor/reset", headers={"X-CSRF-Token": csrf},
                             follow_redirects=True)
    assert [r.status_code for r in done.history] == [303] and "Đã đặt lại xác thực hai bước" in done.text
    assert "auth.two_factor_reset" in _audit_codes(client.engine, "chuyenvien")
    client.cookies.clear()
    response, _ = await _password_step(client, "chuyenvien")
    assert response.headers["location"] == "/"  # the password alone is enough again


async def test_api_token_needs_the_otp_field(client):
    await _enrolled(client)
    refused = await client.post("/api/v1/auth/token", data={"username": "chuyenvien", "password": DEMO_PASSWORD})
    assert refused.status_code == 401 and refused.json()["code"] == "otp_required"
    assert "xác thực hai bước" in refused.json()["detail"]
    wrong = await client.post("/api/v1/auth/token", data={"username": "chuyenvien", "password": DEMO_PASSWORD,
                                                          "otp": "12345x"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "otp_invalid"
    ok = await client.post("/api/v1/auth/token", data={"username": "chuyenvien", "password": DEMO_PASSWORD,
                                                       "otp": next_code(client, "chuyenvien")})
    assert ok.status_code == 200, ok.text
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {ok.json()['access_token']}"})
    assert me.json()["username"] == "chuyenvien"


async def test_an_administrator_gets_no_api_token_before_enrolling(client):
    with transaction(client.engine) as session:
        create_user(session, username="qthethong.moi", full_name="Quản trị hệ thống mới", agency_code=OFFICE_CODE,
                    roles=[Role.SYSTEM_ADMIN], password="Quan@Tri2026")
    for username, password in (("admin", DEMO_PASSWORD), ("qthethong.moi", "Quan@Tri2026")):
        refused = await client.post("/api/v1/auth/token", data={"username": username, "password": password})
        assert refused.status_code == 403 and refused.json()["code"] == "two_factor_enrolment_required", username
        assert "access_token" not in refused.json()
        assert "bật xác thực hai bước" in refused.json()["detail"] and "ứng dụng web" in refused.json()["detail"]
        codes = _audit_codes(client.engine, username)
        assert codes[-1] == "auth.login_refused" and "auth.login" not in codes, codes
        with reading(client.engine) as session:
            user = session.exec(select(User).where(User.username == username)).one()
            assert session.exec(select(UserSession).where(UserSession.user_id == user.id)).first() is None
            assert session.exec(select(TwoFactor).where(TwoFactor.user_id == user.id)).first() is None
    # A wrong password is refused as for anyone: the refusal does not tell who is an administrator.
    wrong = await client.post("/api/v1/auth/token", data={"username": "admin", "password": "Sai@Matkhau1"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "bad_credentials"
    # Enrolled in the web app, the administrator gets a token with a code.
    csrf = await browser_login(client, "admin")
    await _logout(client, csrf)
    ok = await client.post("/api/v1/auth/token", data={"username": "admin", "password": DEMO_PASSWORD,
                                                       "otp": next_code(client, "admin")})
    assert ok.status_code == 200, ok.text


async def test_disabling_needs_the_password_and_a_code(client):
    csrf = await browser_login(client, "chuyenvien")
    await enrol_two_factor(client, "chuyenvien")
    wrong_password = await client.post("/account/two-factor/disable", headers={"X-CSRF-Token": csrf},
                                       data={"password": "Sai-mat-khau-1",
                                             "code": pyotp.TOTP(_totp(client)["chuyenvien"][0]).now()})
    assert wrong_password.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong_password.text
    wrong_code = await client.post("/account/two-factor/disable", headers={"X-CSRF-Token": csrf},
                                   data={"password": DEMO_PASSWORD, "code": "abc"})
    assert wrong_code.status_code == 401
    with reading(client.engine) as session:
        assert session.exec(select(TwoFactor)).first() is not None  # still on
    done = await client.post("/account/two-factor/disable", headers={"X-CSRF-Token": csrf},
                             data={"password": DEMO_PASSWORD, "code": next_code(client, "chuyenvien")},
                             follow_redirects=True)
    assert done.status_code == 200 and "Đã tắt xác thực hai bước" in done.text
    with reading(client.engine) as session:
        assert session.exec(select(TwoFactor)).first() is None
        assert session.exec(select(RecoveryCode)).first() is None
    codes = _audit_codes(client.engine, "chuyenvien")
    assert "auth.two_factor_disabled" in codes and codes.count("auth.two_factor_check_failed") == 2


async def test_new_recovery_codes_replace_the_old_ones(client):
    csrf = await browser_login(client, "chuyenvien")
    old = await enrol_two_factor(client, "chuyenvien")
    response = await client.post("/account/two-factor/recovery-codes", headers={"X-CSRF-Token": csrf},
                                 data={"code": next_code(client, "chuyenvien")}, follow_redirects=True)
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.text)
    assert len(new) == 10 and not set(new) & set(old)
    await _logout(client, csrf)
    _, token = await _password_step(client, "chuyenvien")
    assert (await _code_step(client, token, old[0])).status_code == 401
    assert (await _code_step(client, token, new[0])).status_code == 303
    assert "auth.recovery_codes_generated" in _audit_codes(client.engine, "chuyenvien")


async def test_a_new_administrator_changes_the_password_first_then_enrols(client):
    with transaction(client.engine) as session:
        _, one_time = create_user(session, username="quantri.moi", full_name="Quản trị mới",
                                  agency_code=OFFICE_CODE, roles=[Role.ADMIN])
    response, _ = await _password_step(client, "quantri.moi", one_time)
    assert response.headers["location"] == "/account/password"
    early = await client.get("/account/two-factor")
    assert early.status_code == 303 and early.headers["location"] == "/account/password"  # password first
    form = await client.get("/account/password")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', form.text).group(1)
    changed = await client.post("/account/password", headers={"X-CSRF-Token": csrf},
                                data={"current": one_time, "new": "Quan@Tri2026", "confirm": "Quan@Tri2026"})
    assert changed.status_code == 303
    inbox = await client.get("/")
    assert inbox.status_code == 303 and inbox.headers["location"] == "/account/two-factor"  # then enrolment
    await enrol_two_factor(client, "quantri.moi")
    assert (await client.get("/admin/users")).status_code == 200
