"""The installable app (manifest, service worker, offline page) and turning push notifications on
and off for a browser: CSRF, the push services accepted, the audit trail."""

from __future__ import annotations

import io
import re

import httpx
from PIL import Image
from py_vapid.utils import b64urldecode

from models.audit import AuditEvent
from models.db import transaction, utcnow
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


RENEWED = "https://fcm.googleapis.com/fcm/send/cmVuZXdlZC1kZXZpY2U"
RENEWED_KEYS = {"p256dh": "B" + "Q" * 86, "auth": "bmV3LWF1dGgtc2VjcmV0LTk"}


def _renewal(old_endpoint: str = ENDPOINT, old_auth: str = KEYS["auth"], endpoint: str = RENEWED) -> dict:
    """What the service worker posts on ``pushsubscriptionchange`` (static/sw.js)."""
    return {"old_endpoint": old_endpoint, "old_auth": old_auth, "endpoint": endpoint, **RENEWED_KEYS}


async def _subscribed(web, username: str = "lanhdao", endpoint: str = ENDPOINT) -> PushSubscription:
    from tests.web.conftest import browser_login

    csrf = await browser_login(web, username)
    done = await web.post("/account/notifications/subscribe", json={"endpoint": endpoint, **KEYS},
                          headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200, done.text
    return next(row for row in rows(web.engine, PushSubscription) if row.endpoint == endpoint)


def _devices(web) -> list[tuple]:
    return sorted((r.id, r.user_id, r.endpoint, r.p256dh, r.auth, r.revoked_reason)
                  for r in rows(web.engine, PushSubscription))


async def test_the_service_worker_reports_a_renewed_subscription_without_the_csrf_token(web):
    device = await _subscribed(web)
    renewed = await web.post("/push/renew", json=_renewal())  # no X-CSRF-Token: the worker cannot read it
    assert renewed.status_code == 200 and renewed.json() == {"renewed": True}
    [row] = rows(web.engine, PushSubscription)
    assert (row.id, row.endpoint, row.p256dh, row.auth, row.revoked_at) == (
        device.id, RENEWED, RENEWED_KEYS["p256dh"], RENEWED_KEYS["auth"], None)
    [event] = rows(web.engine, AuditEvent, AuditEvent.code == "push.renewed")
    assert (event.actor_id, event.data) == (device.user_id, {"subscription_id": device.id, "service": "fcm.googleapis.com"})
    # The old endpoint proves nothing any more: reporting the same renewal again changes nothing.
    assert (await web.post("/push/renew", json=_renewal())).status_code == 403
    assert len(rows(web.engine, AuditEvent, AuditEvent.code == "push.renewed")) == 1


async def _refused_unchanged(web, body: dict, before: list[tuple], headers: dict | None = None) -> None:
    refused = await web.post("/push/renew", json=body, headers=headers or {})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] in ("push_renewal_refused", "csrf_failed")
    assert "Vui lòng" in refused.json()["detail"] or refused.json()["code"] == "csrf_failed"
    assert _devices(web) == before
    assert rows(web.engine, AuditEvent, AuditEvent.code == "push.renewed") == []


async def test_a_renewal_with_the_wrong_auth_secret_is_refused_and_changes_nothing(web):
    await _subscribed(web)
    before = _devices(web)
    await _refused_unchanged(web, _renewal(old_auth="d3JvbmctYXV0aC1zZWNyZXQ"), before)
    await _refused_unchanged(web, _renewal(old_auth=KEYS["auth"][:-1] + "B"), before)
    refused = await web.post("/push/renew", json=_renewal(old_auth="d3JvbmctYXV0aC1zZWNyZXQ"))
    assert refused.json()["detail"].startswith("Không cập nhật được đăng ký nhận thông báo")


async def test_a_renewal_of_another_persons_subscription_is_refused(web):
    from tests.web.conftest import browser_login

    await _subscribed(web, "lanhdao")
    before = _devices(web)
    await browser_login(web, "chuyenvien")  # knows the endpoint and even the secret: still not theirs
    await _refused_unchanged(web, _renewal(), before)


async def test_a_renewal_of_an_unknown_endpoint_is_refused(web):
    await _subscribed(web)
    before = _devices(web)
    await _refused_unchanged(web, _renewal(old_endpoint="https://fcm.googleapis.com/fcm/send/bm9ib2R5"), before)


async def test_a_renewal_needs_the_session_and_this_site_and_respects_a_device_turned_off(web):
    from tests.web.conftest import browser_login

    device = await _subscribed(web)
    before = _devices(web)
    await _refused_unchanged(web, _renewal(), before, headers={"Sec-Fetch-Site": "cross-site"})
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=web.app), base_url="http://testserver")
    assert (await anonymous.post("/push/renew", json=_renewal())).status_code in (303, 401)
    assert _devices(web) == before
    for body in (_renewal(endpoint="https://10.0.0.5/push"), {**_renewal(), "auth": "short"}, [ENDPOINT]):
        bad = await web.post("/push/renew", json=body)
        assert bad.status_code == 422 and _devices(web) == before
    # Turned off by its owner: a renewal does not turn it back on.
    csrf = await browser_login(web, "lanhdao")
    await web.post(f"/account/notifications/devices/{device.id}/off", data={"csrf_token": csrf})
    before = _devices(web)
    await _refused_unchanged(web, _renewal(), before)


async def test_a_device_the_push_service_had_expired_comes_back_with_its_renewed_subscription(web):
    device = await _subscribed(web)
    with transaction(web.engine) as session:
        row = session.get(PushSubscription, device.id)
        row.revoked_at, row.revoked_reason = utcnow(), "het_han"
        session.add(row)
    assert (await web.post("/push/renew", json=_renewal())).status_code == 200
    [row] = rows(web.engine, PushSubscription)
    assert (row.endpoint, row.revoked_at, row.revoked_reason) == (RENEWED, None, "")


async def test_a_renewal_the_settings_page_recorded_first_retires_the_old_device(web):
    from tests.web.conftest import browser_login

    old = await _subscribed(web)
    csrf = await browser_login(web, "lanhdao")
    await web.post("/account/notifications/subscribe", json={"endpoint": RENEWED, **RENEWED_KEYS},
                   headers={"X-CSRF-Token": csrf})
    assert (await web.post("/push/renew", json=_renewal())).status_code == 200
    by_endpoint = {r.endpoint: r for r in rows(web.engine, PushSubscription)}
    assert by_endpoint[ENDPOINT].revoked_reason == "doi_moi" and by_endpoint[RENEWED].revoked_at is None
    [event] = rows(web.engine, AuditEvent, AuditEvent.code == "push.renewed")
    assert event.data["previous_subscription_id"] == old.id
