"""Web-tier fixtures: the real app on a seeded SQLite database, a real worker and dev server."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pyotp
import pytest
from sqlmodel import select

from app import create_app
from commands import two_factor as two_factor_commands
from models.db import reading
from models.org import repo as account_repo
from models.org import two_factor_repo
from models.org.tables import User
from models.vocab import Role
from tests.conftest import DEMO_PASSWORD
from tests.helpers import make_settings, running_worker


@pytest.fixture
async def web(seeded_sqlite, temporal_env, task_queue, tmp_path):
    """An httpx client talking to the app in-process, with a worker serving its task queue."""
    settings = make_settings(tmp_path, task_queue)
    app = create_app(settings, engine=seeded_sqlite, client=temporal_env.client, strict_templates=True)
    async with running_worker(temporal_env.client, seeded_sqlite, settings):
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                client.app = app
                client.engine = seeded_sqlite
                yield client


@asynccontextmanager
async def app_without_temporal(engine, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app on ``engine`` for pages that read the database only (no worker, no
    Temporal client): ``client.app`` and ``client.engine`` are set for the helpers below."""
    app = create_app(make_settings(tmp_path, "unused"), engine=engine, client=object(), strict_templates=True)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            client.app = app
            client.engine = engine
            yield client


async def api_token(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> dict:
    """Log in through API v1 and return the Authorization header (with a code from the
    authenticator when this client enrolled the person in two-factor login). An administrator
    gets no token before enrolling, so one not yet enrolled is enrolled first, as the web app's
    enrolment page does it (``commands.two_factor``)."""
    form = {"username": username, "password": password}
    if username not in _totp(client) and _unenrolled_admin(client, username):
        enrol_by_command(client, username)
    if username in _totp(client):
        form["otp"] = next_code(client, username)
    response = await client.post("/api/v1/auth/token", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _totp(client: httpx.AsyncClient) -> dict[str, list]:
    """The second factors this client enrolled: username → [secret, last step used]."""
    return client.__dict__.setdefault("totp_secrets", {})


def _app_state(client: httpx.AsyncClient):
    """The state of the app a test client talks to (fixtures differ in what they hang on the client)."""
    app = getattr(client, "app", None) or client._transport.app
    return app.state.qlvb


def _unenrolled_admin(client: httpx.AsyncClient, username: str) -> bool:
    with reading(_app_state(client).engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        return (user is not None and bool(account_repo.roles_of(session, user.id) & {Role.ADMIN, Role.SYSTEM_ADMIN})
                and not two_factor_repo.has_factor(session, user.id))


def enrol_by_command(client: httpx.AsyncClient, username: str) -> list[str]:
    """Enrol a person in two-factor login through the commands the enrolment page calls; return
    the recovery codes."""
    state = _app_state(client)
    settings = state.settings
    with reading(state.engine) as session:
        user_id = session.exec(select(User.id).where(User.username == username)).one()
    enrolment = two_factor_commands.start_enrolment(settings, username)
    # Confirmed with the previous step's code (one step of drift is accepted), so the current and
    # next steps stay free for the logins that follow.
    secret, step = enrolment.secret_text.replace(" ", ""), int(time.time()) // 30 - 1
    _totp(client)[username] = [secret, step]
    return two_factor_commands.enable(state.engine, settings, user_id, enrolment.sealed,
                                      pyotp.TOTP(secret).generate_otp(step))


def next_code(client: httpx.AsyncClient, username: str) -> str:
    """A code the server has not seen yet: the current step's, or the next one's (a code is
    accepted once, and one step of drift either way)."""
    record = _totp(client)[username]
    step = max(int(time.time()) // 30, record[1] + 1)
    record[1] = step
    return pyotp.TOTP(record[0]).generate_otp(step)


async def enrol_two_factor(client: httpx.AsyncClient, username: str) -> list[str]:
    """Enrol the signed-in person in two-factor login from the enrolment page; return the
    recovery codes it shows."""
    page = await client.get("/account/two-factor")
    assert page.status_code == 200, page.text
    secret = re.search(r'id="two-factor-secret">([^<]+)<', page.text).group(1).replace(" ", "")
    sealed = re.search(r'name="sealed" value="([^"]+)"', page.text).group(1)
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    _totp(client)[username] = [secret, 0]
    response = await client.post("/account/two-factor/enable", headers={"X-CSRF-Token": csrf},
                                 data={"sealed": sealed, "code": next_code(client, username)})
    assert response.status_code == 303, response.text  # Post/Redirect/Get: the codes are on the next page, once
    response = await client.get(response.headers["location"])
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.text)
    assert len(codes) == 10, response.text
    return codes


async def browser_login(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> str:
    """Log in through the HTML form; return the session's CSRF token (read from the page).

    A person with two-factor login answers the code step; an administrator not yet enrolled is
    sent to the enrolment page and enrols there, as a person would.
    """
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": token, "next": "/"})
    assert response.status_code == 303, response.text
    if response.headers["location"].startswith("/login/code"):
        await client.get(response.headers["location"])
        response = await client.post("/login/code", data={"code": next_code(client, username),
                                                          "csrf_token": token, "next": "/"})
        assert response.status_code == 303, response.text
    inbox = await client.get("/")
    if inbox.status_code == 303 and inbox.headers["location"] == "/account/two-factor":
        await enrol_two_factor(client, username)
        inbox = await client.get("/")
    return re.search(r'"X-CSRF-Token": "([^"]+)"', inbox.text).group(1)
