"""An error nobody foresaw answers in Vietnamese with an id to quote, never a trace, with every header."""

from __future__ import annotations

import logging

from tests.web.conftest import api_token, browser_login


def _install_failing_routes(app) -> None:
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/api/v1/_boom", boom)
    app.add_api_route("/_boom", boom)


async def test_an_unexpected_error_is_a_vietnamese_answer_with_an_error_id(web, caplog):
    _install_failing_routes(web.app)
    await browser_login(web, "vanthu")
    with caplog.at_level(logging.ERROR, logger="qlvb.web"):
        api = await web.get("/api/v1/_boom")
        page = await web.get("/_boom")
        fragment = await web.get("/_boom", headers={"HX-Request": "true"})
    for response in (api, page, fragment):
        assert response.status_code == 500
        assert "secret internal detail" not in response.text and "Traceback" not in response.text
        assert response.headers["content-security-policy"] and response.headers["x-content-type-options"] == "nosniff"
        assert "server" not in response.headers
        assert response.headers["x-error-id"] in response.text
    assert api.json()["code"] == "internal_error" and api.json()["error_id"] == api.headers["x-error-id"]
    assert "lỗi ngoài dự kiến" in page.text
    # The trace is in the log, under the id the person can quote.
    logged = [record for record in caplog.records if api.headers["x-error-id"] in record.getMessage()]
    assert logged and logged[0].exc_info is not None


async def test_an_unreachable_database_is_503_with_retry_after_and_changes_nothing(web, caplog):
    """While PostgreSQL restarts, every route answers 503 with Retry-After in Vietnamese (a client
    or load balancer retries), not 500; the same requests succeed once it is back."""
    from dataclasses import replace

    from models.db import make_engine

    token = await api_token(web, "vanthu")
    await browser_login(web, "vanthu")
    state = web.app.state.qlvb
    # A real connection failure: nothing listens on port 1, as while the server restarts.
    down = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/qlvb?connect_timeout=2")
    web.app.state.qlvb = replace(state, engine=down)
    try:
        with caplog.at_level(logging.ERROR, logger="qlvb.web"):
            api = await web.get("/api/v1/tasks", headers=token)
            page = await web.get("/")
            fragment = await web.get("/", headers={"HX-Request": "true"})
    finally:
        web.app.state.qlvb = state
        down.dispose()
    assert api.status_code == 503 and api.json()["code"] == "database_unavailable"
    assert api.headers["retry-after"] == "5" and "thử lại" in api.json()["detail"]
    for response in (page, fragment):
        assert response.status_code == 503 and "Cơ sở dữ liệu tạm thời không phản hồi" in response.text
        assert "Traceback" not in response.text and "127.0.0.1" not in response.text
    assert (await web.get("/api/v1/tasks", headers=token)).status_code == 200
