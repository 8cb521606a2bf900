"""QLVB as an installable app in the real Chromium: the manifest and its icons, the service worker
registered for the whole site, the offline page, and a document page that the worker never stores
(documents are confidential). Real Chromium cannot reach a push service here, so the push part
checks that the browser offers PushManager and that the opt-in on the account page says what
happens, at desktop and phone sizes, and runs the service worker's renewal of a subscription in the
page with only the push service faked.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.repo import store_file
from models.documents.tables import Document
from models.org.tables import User
from models.vocab import Direction, DocumentStatus, Urgency
from tests.browser.conftest import launch_chromium, log_in, needs_chromium
from tests.browser.test_accessibility import audited_page, violations
from tests.conftest import minimal_pdf
from tests.helpers import make_settings

pytestmark = [pytest.mark.browser, needs_chromium]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SUBJECT = "V/v triển khai khẩn cấp phương án ứng phó bão số 15 trên địa bàn tỉnh"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Every URL the page's origin keeps in the Cache Storage, from inside the page.
STORED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(request.url);
  }
  return urls;
}"""


def _urgent_document(engine, var_dir: Path, task_queue: str) -> str:
    """A registered hỏa tốc document with its PDF, as the intake workflow leaves it."""
    store = FileStore(make_settings(var_dir, task_queue).files_dir)
    with transaction(engine) as session:
        clerk = session.exec(select(User).where(User.username == "vanthu")).one()
        data = minimal_pdf(2, "Phuong an ung pho bao")
        stored = store_file(session, sha256=store.put(data), size=len(data), content_type="application/pdf",
                            filename="van-ban.pdf", user_id=clerk.id)
        document_id = str(uuid.uuid4())
        session.add(Document(id=document_id, direction=Direction.INCOMING, agency_id=clerk.agency_id,
                             status=DocumentStatus.REGISTERED, subject=SUBJECT, code_number="88",
                             code_notation="BCH-PCTT", organ_name="Ban Chỉ huy phòng chống thiên tai tỉnh",
                             type_name="Công văn", urgency=Urgency.FLASH, file_id=stored.id, page_amount=2,
                             workflow_id=f"incoming-{document_id}", created_by=clerk.id))
    return document_id


async def _controlled(page) -> str:
    """Wait until the service worker controls the page; return its scope."""
    scope = await page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    await page.wait_for_function("navigator.serviceWorker.controller !== null")
    return scope


async def test_the_app_installs_works_offline_and_never_stores_a_document(live_server, seeded_sqlite, task_queue,
                                                                          tmp_path):
    from playwright.async_api import async_playwright, expect

    document_id = _urgent_document(seeded_sqlite, tmp_path, task_queue)
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            page = await log_in(browser, live_server, "lanhdao")
            await page.goto(f"{live_server}/home")
            manifest_url = await page.eval_on_selector("link[rel=manifest]", "link => link.href")
            manifest = json.loads(await page.evaluate("(url) => fetch(url).then((r) => r.text())", manifest_url))
            assert manifest["start_url"] == "/home" and manifest["display"] == "standalone"
            assert {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"} == {"192x192",
                                                                                                   "512x512"}
            assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
            for icon in manifest["icons"]:
                size = await page.evaluate("""(src) => new Promise((done) => {
                    const image = new Image(); image.onload = () => done(image.naturalWidth);
                    image.onerror = () => done(0); image.src = src; })""", icon["src"])
                assert size > 0, icon["src"]

            assert await _controlled(page) == f"{live_server}/"
            for path in (f"/documents/{document_id}", "/", "/notifications", "/account/notifications"):
                await page.goto(f"{live_server}{path}")
                await expect(page.locator("h1").first).to_be_visible()
            await expect(page.locator("body")).not_to_contain_text("Không có kết nối mạng")
            await page.goto(f"{live_server}/documents/{document_id}")
            await expect(page.locator("body")).to_contain_text("BCH-PCTT")

            stored = {urlsplit(url).path for url in await page.evaluate(STORED_URLS)}
            assert "/offline" in stored and "/static/app.css" in stored
            assert all(path == "/offline" or path.startswith("/static/") for path in stored), stored
            assert not any(path.startswith(("/documents", "/api/", "/files")) for path in stored)

            # Without network a page opens the stored offline page, never a stored copy of the document.
            await page.context.set_offline(True)
            await page.goto(f"{live_server}/documents/{document_id}")
            await expect(page.locator("h1")).to_have_text("Không có kết nối mạng…")
            await expect(page.locator("body")).not_to_contain_text("BCH-PCTT")
            await expect(page.locator("body")).not_to_contain_text("Trần Văn Minh")
            await page.context.set_offline(False)

            offline = await page.goto(f"{live_server}/offline")
            assert offline.status == 200
            await expect(page.locator("h1")).to_have_text("Không có kết nối mạng…")
        finally:
            await browser.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_the_person_opts_in_to_push_on_the_account_page(live_server, size):
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            page = await audited_page(browser, live_server, "lanhdao")  # axe-core may be injected
            await page.set_viewport_size(size)
            await page.context.grant_permissions(["notifications"], origin=live_server)
            await page.goto(f"{live_server}/offline")
            assert await violations(page) == []
            await page.goto(f"{live_server}/account/notifications")
            assert await page.evaluate("'PushManager' in window && 'serviceWorker' in navigator")
            await expect(page.locator("#push-status")).to_have_text("Thông báo trên thiết bị này đang tắt.")
            assert await violations(page) == []
            turn_on = page.get_by_role("button", name="Bật thông báo trên thiết bị này")
            await expect(turn_on).to_be_visible()
            await expect(page.locator("#push-off")).to_be_hidden()
            box = await turn_on.bounding_box()
            assert box["height"] >= 44 or size is DESKTOP
            assert await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOTS / f"push-settings-{'phone' if size is PHONE else 'desktop'}.png"),
                                  full_page=True)
            # This Chromium has no push service to reach: the page says so in Vietnamese and keeps the offer.
            await turn_on.click()
            await expect(page.locator("#push-status")).to_contain_text("Không bật được thông báo trên thiết bị này",
                                                                       timeout=30_000)
            await expect(turn_on).to_be_enabled()
        finally:
            await browser.close()


# static/sw.js run in the page, only the browser's push service faked: its pushsubscriptionchange
# handler subscribes again with the old subscription's key and posts the renewal with the page's
# own fetch, so the signed-in session cookie goes with it as it does from the service worker.
RUN_RENEWAL = """async ({script, old, fresh}) => {
  const bytes = (text) => Uint8Array.from(
    atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)),
    (c) => c.charCodeAt(0)).buffer;
  const subscription = (fields) => ({ endpoint: fields.endpoint, options: { applicationServerKey: bytes(fields.key) },
                                      getKey: (name) => bytes(fields[name]) });
  const handlers = {};
  let asked = null;
  const worker = {
    addEventListener: (type, handler) => { handlers[type] = handler; },
    location: window.location,
    registration: { pushManager: { subscribe: async (options) => { asked = options; return subscription(fresh); } } },
  };
  new Function('self', script)(worker);
  let waited = null;
  handlers.pushsubscriptionchange({ oldSubscription: subscription(old), newSubscription: null,
                                    waitUntil: (promise) => { waited = promise; } });
  await waited;
  return { userVisibleOnly: asked.userVisibleOnly,
           key: btoa(String.fromCharCode(...new Uint8Array(asked.applicationServerKey))) };
}"""


async def test_the_service_worker_reports_a_renewed_subscription(live_server, seeded_sqlite):
    from playwright.async_api import async_playwright

    from models.push import repo as push_repo
    from models.push.tables import PushSubscription
    from tests.helpers import rows

    old = {"endpoint": "https://fcm.googleapis.com/fcm/send/b2xkLWRldmljZQ", "p256dh": "B" + "A" * 86,
           "auth": "c2VjcmV0LWF1dGgtMTIzNA"}
    fresh = {"endpoint": "https://fcm.googleapis.com/fcm/send/bmV3LWRldmljZQ", "p256dh": "B" + "Q" * 86,
             "auth": "bmV3LWF1dGgtc2VjcmV0LQ"}
    with transaction(seeded_sqlite) as session:
        leader = session.exec(select(User).where(User.username == "lanhdao")).one()
        device, _, _ = push_repo.subscribe(session, leader.id, old["endpoint"], old["p256dh"], old["auth"])
        device_id = device.id
    script = (Path(__file__).resolve().parents[2] / "web" / "static" / "sw.js").read_text()
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            page = await log_in(browser, live_server, "lanhdao")
            await page.goto(f"{live_server}/account/notifications")
            key = (await (await page.request.get(f"{live_server}/push/public-key")).json())["publicKey"]
            async with page.expect_response(lambda r: urlsplit(r.url).path == "/push/renew") as answer:
                asked = await page.evaluate(RUN_RENEWAL, {"script": script, "old": {**old, "key": key},
                                                          "fresh": {**fresh, "key": key}})
            response = await answer.value
            assert response.status == 200, await response.text()
            assert asked["userVisibleOnly"] is True
            assert asked["key"].rstrip("=").replace("+", "-").replace("/", "_") == key.rstrip("=")
        finally:
            await browser.close()
    [row] = rows(seeded_sqlite, PushSubscription)
    assert (row.id, row.endpoint, row.p256dh, row.auth, row.revoked_at) == (
        device_id, fresh["endpoint"], fresh["p256dh"], fresh["auth"], None)
