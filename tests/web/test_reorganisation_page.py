"""The reorganisation page: a preview changes nothing; apply applies exactly the previewed change set."""

from __future__ import annotations

import html
import re

from sqlmodel import select

from models.db import transaction
from models.org.tables import Agency
from tests.unit.test_cli_org import CHANGE_SET
from tests.web.conftest import browser_login


def _field(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]+)"', page).group(1))


def _agency(engine, code: str) -> Agency | None:
    with transaction(engine) as session:
        return session.exec(select(Agency).where(Agency.code == code)).first()


async def _preview(web, text: str):
    page = await web.get("/admin/organisation/reorganise")
    return await web.post("/admin/organisation/reorganise/preview",
                          data={"csrf_token": _field(page.text, "csrf_token"), "change_set": text})


async def test_preview_then_apply_and_a_changed_change_set_is_refused(web):
    await browser_login(web, "admin")
    preview = await _preview(web, CHANGE_SET)
    assert preview.status_code == 200 and "Thêm Sở Tư pháp tỉnh Ninh Bình" in html.unescape(preview.text)
    assert _agency(web.engine, "000.00.04.H42") is None
    fingerprint = _field(preview.text, "fingerprint")

    edited = CHANGE_SET.replace("Sở Tư pháp tỉnh Ninh Bình", "Sở Tư pháp Ninh Bình")
    refused = await web.post("/admin/organisation/reorganise/apply", data={
        "csrf_token": _field(preview.text, "csrf_token"), "change_set": edited, "fingerprint": fingerprint})
    assert refused.status_code == 400 and "khác với bản xem trước" in html.unescape(refused.text)
    assert _agency(web.engine, "000.00.04.H42") is None

    applied = await web.post("/admin/organisation/reorganise/apply", follow_redirects=True, data={
        "csrf_token": _field(preview.text, "csrf_token"), "change_set": CHANGE_SET, "fingerprint": fingerprint})
    assert applied.status_code == 200 and "Đã áp dụng bộ thay đổi" in html.unescape(applied.text)
    assert str(_agency(web.engine, "000.00.04.H23").valid_to) == "2025-06-30"
    assert _agency(web.engine, "000.00.04.H42") is not None


async def test_malformed_input_and_a_non_admin_are_refused(web):
    await browser_login(web, "admin")
    bad = await _preview(web, "effective: [\n")
    assert bad.status_code == 400 and "YAML không hợp lệ" in html.unescape(bad.text)
    empty = await _preview(web, '{"effective": "2025-07-01", "changes": []}')
    assert empty.status_code == 400 and "không rỗng" in html.unescape(empty.text)

    await browser_login(web, "vanthu")
    assert (await web.get("/admin/organisation/reorganise")).status_code == 403


async def test_the_api_runs_dry_then_applies_and_refuses_a_clerk(web):
    import yaml

    from tests.web.conftest import api_token

    body = yaml.safe_load(CHANGE_SET)
    body["effective"] = str(body["effective"])
    admin = await api_token(web, "admin")
    dry = await web.post("/api/v1/organisation/reorganisation?dry_run=true", headers=admin, json=body)
    assert dry.status_code == 200 and dry.json()["report"][0].startswith("Chạy thử")
    assert _agency(web.engine, "000.00.04.H42") is None
    done = await web.post("/api/v1/organisation/reorganisation?dry_run=false", headers=admin, json=body)
    assert done.status_code == 200 and _agency(web.engine, "000.00.04.H42") is not None
    clerk = await api_token(web, "vanthu")
    assert (await web.post("/api/v1/organisation/reorganisation", headers=clerk, json=body)).status_code == 403
    assert "/api/v1/organisation/reorganisation" in (await web.get("/openapi.json")).json()["paths"]
