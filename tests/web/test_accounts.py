"""Browser-facing account rules: login errors, throttling, first-login change, CSRF, sessions."""

from __future__ import annotations

import html
import re

from models.audit import AuditEvent
from models.db import transaction
from models.org.tables import User
from tests.conftest import DEMO_PASSWORD
from tests.helpers import rows
from tests.web.conftest import browser_login


async def _login_form_token(web) -> str:
    page = await web.get("/login")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


async def test_it_shows_a_vietnamese_error_for_a_wrong_password(web):
    token = await _login_form_token(web)
    response = await web.post("/login", data={"username": "vanthu", "password": "Sai-mat-khau1",
                                              "csrf_token": token})
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert "qlvb_session" not in response.cookies


async def test_it_slows_logins_after_five_failures_and_audits_it(web):
    token = await _login_form_token(web)
    for _ in range(5):
        await web.post("/login", data={"username": "chuyenvien", "password": "Wrong-pass1", "csrf_token": token})
    slowed = await web.post("/login", data={"username": "chuyenvien", "password": DEMO_PASSWORD,
                                            "csrf_token": token})
    assert slowed.status_code == 429
    assert "Vui lòng thử lại sau" in slowed.text and slowed.headers["Retry-After"].isdigit()
    codes = [e.code for e in rows(web.engine, AuditEvent, AuditEvent.code.like("auth.%"))]
    assert codes.count("auth.login_failed") == 5
    assert "auth.throttled" in codes and codes[-1] == "auth.login_refused"


async def test_it_refuses_a_login_post_without_the_form_token(web):
    await web.get("/login")
    response = await web.post("/login", data={"username": "vanthu", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "yêu cầu không hợp lệ" in response.text


async def test_it_forces_a_password_change_at_first_login(web):
    with transaction(web.engine) as session:
        user = session.exec(User.__table__.select().where(User.username == "truongphong")).first()
        session.execute(User.__table__.update().where(User.id == user.id).values(must_change_password=True))
    token = await _login_form_token(web)
    response = await web.post("/login", data={"username": "truongphong", "password": DEMO_PASSWORD,
                                              "csrf_token": token})
    assert response.headers["location"] == "/account/password"
    blocked = await web.get("/")
    assert blocked.status_code == 303 and blocked.headers["location"] == "/account/password"

    page = await web.get("/account/password")
    assert 'data-poll' not in page.text  # no background polling on the form being typed into
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    for poll in ("/inbox/_counts", "/notifications/_count"):  # a poll from an older tab
        answer = await web.get(poll, headers={"HX-Request": "true", "X-QLVB-Poll": "1"})
        assert answer.status_code == 204 and "hx-redirect" not in answer.headers
    weak = await web.post("/account/password", data={"current": DEMO_PASSWORD, "new": "abc12345",
                                                     "confirm": "abc12345", "csrf_token": csrf})
    assert weak.status_code == 422
    assert "có chữ hoa" in weak.text and "có ký tự đặc biệt" in weak.text
    changed = await web.post("/account/password", data={"current": DEMO_PASSWORD, "new": "Moi@Matkhau2026",
                                                        "confirm": "Moi@Matkhau2026", "csrf_token": csrf})
    assert changed.status_code == 303  # reloading the result page sends nothing again
    assert "Đã đổi mật khẩu" in (await web.get(changed.headers["location"])).text
    assert (await web.get("/")).status_code == 200


async def test_it_refuses_state_changes_without_csrf_and_lets_users_revoke_sessions(web):
    csrf = await browser_login(web, "vanthu")
    refused = await web.post("/logout")
    assert refused.status_code == 403
    cross_site = await web.post("/logout", headers={"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403

    page = await web.get("/account/sessions")
    assert "(phiên này)" in page.text
    session_id = re.search(r'/account/sessions/(\d+)/revoke', page.text).group(1)
    revoked = await web.post(f"/account/sessions/{session_id}/revoke",
                             headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert revoked.headers["HX-Redirect"] == "/login"
    after = await web.get("/")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


async def test_it_lets_an_administrator_lock_and_reset_an_account(web):
    csrf = await browser_login(web, "admin")
    locked = await web.post("/admin/users/chuyenvien/lock", data={"reason": "Mất thiết bị", "csrf_token": csrf},
                            follow_redirects=True)
    # Post/Redirect/Get: the result page is a GET that says what happened (web/flash.py).
    assert [r.status_code for r in locked.history] == [303] and locked.status_code == 200
    assert "Đã khóa tài khoản chuyenvien" in locked.text
    web.cookies.clear()
    token = await _login_form_token(web)
    refused = await web.post("/login", data={"username": "chuyenvien", "password": DEMO_PASSWORD,
                                             "csrf_token": token})
    # Said exactly as for a wrong password: the form never tells that the account exists.
    assert refused.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng." in refused.text
    assert "khóa" not in refused.text

    csrf = await browser_login(web, "admin")
    reset = await web.post("/admin/users/chuyenvien/reset", data={"csrf_token": csrf}, follow_redirects=True)
    assert [r.status_code for r in reset.history] == [303]
    one_time = html.unescape(re.search(r"Mật khẩu dùng một lần: (\S+)</p>", reset.text).group(1))
    web.cookies.clear()
    token = await _login_form_token(web)
    response = await web.post("/login", data={"username": "chuyenvien", "password": one_time, "csrf_token": token})
    assert response.headers["location"] == "/account/password"
    not_admin = await web.get("/admin/users")
    assert not_admin.status_code == 303  # must change the password first


async def test_it_reminds_users_whose_password_is_too_old(web):
    from datetime import timedelta

    from models.db import utcnow

    with transaction(web.engine) as session:
        session.execute(User.__table__.update().where(User.username == "vanthu")
                        .values(password_changed_at=utcnow() - timedelta(days=120)))
    await browser_login(web, "vanthu")
    page = await web.get("/")
    assert "Mật khẩu của bạn đã dùng quá 90 ngày" in page.text


async def test_background_polls_never_redirect_or_show_errors(web):
    """A poll is nobody's request: an ended session or a refusal must not move the page."""
    web.cookies.clear()
    for poll in ("/inbox/_counts", "/notifications/_count", "/documents/999999/_signature"):
        answer = await web.get(poll, headers={"HX-Request": "true", "X-QLVB-Poll": "1"})
        assert answer.status_code == 204 and "hx-redirect" not in answer.headers, poll
    # The same request made by the person still leads to the login page.
    clicked = await web.get("/inbox/_counts", headers={"HX-Request": "true"})
    assert clicked.headers["hx-redirect"].startswith("/login")


def test_every_polling_element_is_marked_as_a_poll():
    """Elements that poll (``every``) or fire on ``load`` carry ``data-poll`` (see static/app.js)."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "web" / "templates"
    unmarked = []
    for template in templates.rglob("*.html"):
        for tag in re.findall(r"<[^>]*hx-trigger=\"[^\"]*\b(?:every|load)\b[^>]*>", template.read_text(), re.S):
            if "data-poll" not in tag:
                unmarked.append(f"{template.name}: {tag[:80]}")
    assert not unmarked
