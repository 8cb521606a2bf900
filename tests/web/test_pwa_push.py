"""The installable app (manifest, service worker, offline page) and turning push notifications on
and off for a browser: CSRF, the push services accepted, the audit trail."""

from __future__ import annotations

import io
import re

from PIL import Image
from py_vapid.utils import b64urldecode

from models.audit import AuditEvent
from models.push.tables import PushSubscription
from tests.helpers import rows
from web.pwa import SERVICE_WORKER, WEB_STATIC

ENDPOINT = "https://fcm.googleapis.com/fcm/send/dGVzdC1kZXZpY2U"
KEYS = {"p256dh": "B" + "A" * 86, "auth": "c2VjcmV0LWF1dGgtMTIzNA"}


async def test_the_manifest_makes_qlvb_installable_with_its_icons(web):
    response = await web.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert (manifest["start_url"], manifest["display"], manifest["lang"]) == ("/home", "standalone", "vi")
    assert manifest["short_name"] == "QLVB" and "văn bản" in manifest["name"]
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = set()
    for icon in manifest["icons"]:
        served = await web.get(icon["src"])
        assert served.status_code == 200, icon
        if icon["type"] == "image/png":
            image = Image.open(io.BytesIO(served.content))
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"
            sizes.add((icon["sizes"], icon["purpose"]))
        else:
            assert served.content.lstrip().startswith(b"<svg")
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}


async def test_the_service_worker_is_served_for_the_whole_site_and_stores_only_static_files(web):
    response = await web.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == "no-cache"
    script = response.text
    precached = re.search(r"const PRECACHE = \[([^\]]*)\]", script).group(1)
    files = re.findall(r"'(/static/[^']+)'", precached)
    assert files and all((WEB_STATIC / path.removeprefix("/static/")).is_file() for path in files)
    offline = (await web.get("/offline")).text
    linked = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', offline))
    assert linked <= set(files), "the offline page needs files the worker does not store"
    assert SERVICE_WORKER.read_text() == script


async def test_the_offline_page_says_so_in_vietnamese_and_names_nobody(web):
    from tests.web.conftest import browser_login

    anonymous = await web.get("/offline")
    assert anonymous.status_code == 200 and "Không có kết nối mạng" in anonymous.text
    await browser_login(web, "lanhdao")
    signed_in = await web.get("/offline")
    assert "Trần Văn Minh" not in signed_in.text and "csrf" not in signed_in.text.lower()
    assert signed_in.text == anonymous.text


async def test_the_settings_page_offers_push_on_this_device(web):
    from tests.web.conftest import browser_login

    assert (await web.get("/account/notifications")).status_code == 303  # to the login form
    assert (await web.get("/push/public-key")).status_code in (303, 401)
    await browser_login(web, "lanhdao")
    page = await web.get("/account/notifications")
    assert page.status_code == 200
    assert "Bật thông báo trên thiết bị này" in page.text and '<script src="/static/push.js"' in page.text
    key = (await web.get("/push/public-key")).json()["publicKey"]
    assert len(b64urldecode(key.encode())) == 65
    assert (await web.get("/push/public-key")).json()["publicKey"] == key  # one key per installation


async def test_subscribing_needs_the_session_s_csrf_token_and_is_audited(web):
    from tests.web.conftest import browser_login

    csrf = await browser_login(web, "lanhdao")
    body = {"endpoint": ENDPOINT, **KEYS}
    refused = await web.post("/account/notifications/subscribe", json=body)
    assert refused.status_code == 403 and rows(web.engine, PushSubscription) == []
    forged = await web.post("/account/notifications/subscribe", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert forged.status_code == 403 and rows(web.engine, PushSubscription) == []

    headers = {"X-CSRF-Token": csrf}
    done = await web.post("/account/notifications/subscribe", json=body, headers=headers)
    assert done.status_code == 200 and done.json() == {"enabled": True, "changed": True}
    again = await web.post("/account/notifications/subscribe", json=body, headers=headers)
    assert again.json() == {"enabled": True, "changed": False}
    [device] = rows(web.engine, PushSubscription)
    assert device.endpoint == ENDPOINT and device.revoked_at is None
    [event] = rows(web.engine, AuditEvent, AuditEvent.code == "push.subscribed")
    assert event.data == {"subscription_id": device.id, "service": "fcm.googleapis.com"}  # never the endpoint
    page = await web.get("/account/notifications")
    assert "Chrome, Edge hoặc Cốc Cốc" in page.text

    off = await web.post("/account/notifications/unsubscribe", json={"endpoint": ENDPOINT}, headers=headers)
    assert off.json() == {"enabled": False, "changed": True}
    assert rows(web.engine, PushSubscription)[0].revoked_reason == "tat"
    assert len(rows(web.engine, AuditEvent, AuditEvent.code == "push.unsubscribed")) == 1
    assert "push-no-devices" in (await web.get("/account/notifications")).text


async def test_bad_subscriptions_are_refused_in_vietnamese_and_change_nothing(web):
    from tests.web.conftest import browser_login

    headers = {"X-CSRF-Token": await browser_login(web, "lanhdao")}
    for body, code in (({"endpoint": "https://10.0.0.5/push", **KEYS}, "push_service_refused"),
                       ({"endpoint": "http://fcm.googleapis.com/fcm/send/x", **KEYS}, "push_service_refused"),
                       ({"endpoint": ENDPOINT, "p256dh": "short", "auth": KEYS["auth"]}, "push_subscription_invalid"),
                       ({"endpoint": ENDPOINT}, "push_subscription_invalid"),
                       ([ENDPOINT], "push_subscription_invalid")):
        refused = await web.post("/account/notifications/subscribe", json=body, headers=headers)
        assert refused.status_code == 422, body
        assert refused.json()["code"] == code and "Vui lòng" in refused.json()["detail"]
    assert rows(web.engine, PushSubscription) == []
    assert rows(web.engine, AuditEvent, AuditEvent.code == "push.subscribed") == []


async def test_a_device_is_turned_off_from_the_list_only_by_its_owner(web):
    from tests.web.conftest import browser_login

    csrf = await browser_login(web, "lanhdao")
    await web.post("/account/notifications/subscribe", json={"endpoint": ENDPOINT, **KEYS},
                   headers={"X-CSRF-Token": csrf})
    [device] = rows(web.engine, PushSubscription)

    other = await browser_login(web, "chuyenvien")  # the same client now holds another person's session
    refused = await web.post(f"/account/notifications/devices/{device.id}/off", data={"csrf_token": other})
    assert refused.status_code == 404 and rows(web.engine, PushSubscription)[0].revoked_at is None

    csrf = await browser_login(web, "lanhdao")
    page = await web.get("/account/notifications")
    assert f"/account/notifications/devices/{device.id}/off" in page.text
    done = await web.post(f"/account/notifications/devices/{device.id}/off", data={"csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/account/notifications"
    assert rows(web.engine, PushSubscription)[0].revoked_reason == "tat"
    [event] = rows(web.engine, AuditEvent, AuditEvent.code == "push.unsubscribed")
    assert event.data["from_list"] is True
    assert "Đã tắt thông báo trên thiết bị đã chọn." in (await web.get("/account/notifications")).text


async def test_with_push_turned_off_nothing_can_be_turned_on(web):
    from tests.web.conftest import browser_login

    headers = {"X-CSRF-Token": await browser_login(web, "lanhdao")}
    web.app.state.qlvb.settings.push_enabled = False
    page = await web.get("/account/notifications")
    assert "push-disabled" in page.text and "push.js" not in page.text
    assert (await web.get("/push/public-key")).status_code == 404
    refused = await web.post("/account/notifications/subscribe", json={"endpoint": ENDPOINT, **KEYS}, headers=headers)
    assert refused.status_code == 409 and rows(web.engine, PushSubscription) == []
