"""Web-tier fixtures: the real app on a seeded SQLite database, a real worker and dev server."""

from __future__ import annotations

import re

import httpx
import pytest

from app import create_app
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


async def api_token(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> dict:
    """Log in through API v1 and return the Authorization header."""
    response = await client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def browser_login(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> str:
    """Log in through the HTML form; return the session's CSRF token (read from the page)."""
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": token, "next": "/"})
    assert response.status_code == 303, response.text
    inbox = await client.get("/")
    return re.search(r'"X-CSRF-Token": "([^"]+)"', inbox.text).group(1)
