"""Accessibility in the real Chromium: axe-core (vendored for tests only, ``vendor/VERSIONS.txt``)
over the main pages of every demo role, at desktop size and on a 390×844 phone, finds no serious or
critical violation; and a person using only the keyboard gets through the header to the inbox's
first task, seeing where the focus is at every step, on both sizes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import launch_chromium, log_in, needs_chromium
from tests.browser.journey_pages import (
    ARTIFACTS,
    DESKTOP,
    INCOMING_SUBJECT,
    PHONE,
    journey_documents,
    journey_pages,
    screenshot,
)
from tests.helpers import make_settings, running_worker

pytestmark = [pytest.mark.browser, needs_chromium]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
BLOCKING = {"serious", "critical"}

EVERYONE = ["/home", "/", "/notifications", "/documents", "/outgoing", "/search?q=%C4%91%C3%A0o+t%E1%BA%A1o",
            "/schedule", "/assignments", "/records", "/record-plans", "/statistics/published",
            "/account/sessions", "/account/password", "/trang-khong-co"]
BY_ROLE = {
    "admin": ["/admin/users", "/admin/organisation", "/admin/processes", "/admin/calendar",
              "/admin/configuration", "/admin/audit", "/delegations", "/statistics", "/registers"],
    "vanthu": ["/documents/new", "/registers", "/statistics", "/outgoing/new", "{document}"],
    "lanhdao": ["/statistics", "/delegations", "/assignments/new", "{document}", "{outgoing}"],
    "chuyenvien": ["/outgoing/new", "{outgoing}"],
    "giamsat": ["/statistics/province"],
}


async def violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"rule": item["id"], "impact": item["impact"], "help": item["help"],
             "where": [" ".join(node["target"]) for node in item["nodes"]][:5]}
            for item in result["violations"] if item["impact"] in BLOCKING]


async def audited_page(browser, base: str, username: str):
    """The person's signed-in page in a context that lets the test inject axe-core (CSP bypassed
    for the test's own script only; the app's headers are unchanged)."""
    signed_in = await log_in(browser, base, username)
    state = await signed_in.context.storage_state()
    await signed_in.context.close()
    context = await browser.new_context(viewport=DESKTOP, bypass_csp=True, storage_state=state)
    return await context.new_page()


async def test_main_pages_of_every_role_pass_axe_at_desktop_and_phone_size(
        live_server, seeded_sqlite, temporal_env, task_queue, tmp_path):
    from playwright.async_api import async_playwright

    found: dict[str, list[dict]] = {}
    async with running_worker(temporal_env.client, seeded_sqlite, make_settings(tmp_path, task_queue)), \
            async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            documents = await journey_documents(browser, live_server, tmp_path)
            known = journey_pages(documents)
            anonymous = await (await browser.new_context(viewport=DESKTOP, bypass_csp=True)).new_page()
            for path in ("/login", "/trang-khong-co"):
                await anonymous.goto(f"{live_server}{path}")
                for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                    await anonymous.set_viewport_size(viewport)
                    if problems := await violations(anonymous):
                        found[f"anonymous {size} {path}"] = problems
                await anonymous.set_viewport_size(DESKTOP)
            # Every page at both sizes; a page seen again by another role only at desktop size: what
            # a role changes (its menu, its rows) does not depend on the width, and the phone layout
            # (the same stylesheet for everyone) was checked on that page already.
            phone_checked: set[str] = set()
            for username, own in BY_ROLE.items():
                page = await audited_page(browser, live_server, username)
                for path in EVERYONE + own:
                    path = path.format(document=known["document"], outgoing=known["outgoing"])
                    await page.set_viewport_size(DESKTOP)
                    await page.goto(f"{live_server}{path}")
                    await page.wait_for_load_state("networkidle")
                    sizes = (("desktop", DESKTOP),) if path in phone_checked else (("desktop", DESKTOP), ("phone", PHONE))
                    phone_checked.add(path)
                    for size, viewport in sizes:
                        await page.set_viewport_size(viewport)
                        if problems := await violations(page):
                            found[f"{username} {size} {path}"] = problems
                            await screenshot(page, f"axe-{username}-{size}-{path.strip('/').replace('/', '_')[:40]}")
                await page.context.close()
        finally:
            await browser.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-violations.json").write_text(json.dumps(found, indent=2, ensure_ascii=False))
    assert not found, "serious or critical accessibility violations:\n" + json.dumps(found, indent=1, ensure_ascii=False)


async def _focused(page) -> dict:
    return await page.evaluate("""() => {
        const element = document.activeElement;
        const style = getComputedStyle(element);
        const box = element.getBoundingClientRect();
        return {tag: element.tagName.toLowerCase(), text: (element.textContent || element.value || '').trim().slice(0, 60),
                href: element.getAttribute('href'), inHeader: !!element.closest('header'),
                menu: !!element.closest('.menu-groups'), taskLink: element.matches('table.inbox tbody a:not(.button)'),
                outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                shown: box.width > 0 && box.height > 0};
    }""")


async def _tab_until(page, wanted, limit: int = 80) -> list[dict]:
    """Press Tab until the focused element satisfies ``wanted``; every stop must show its focus."""
    path = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await _focused(page)
        path.append(focused)
        assert focused["shown"], f"the focus went to something not on screen: {focused}"
        assert focused["outlined"], f"no visible focus on {focused}"
        if wanted(focused):
            return path
    raise AssertionError(f"not reached in {limit} presses of Tab: {[f['text'] for f in path]}")


async def test_the_keyboard_alone_goes_through_the_header_to_the_first_task(
        live_server, seeded_sqlite, temporal_env, task_queue, tmp_path):
    from playwright.async_api import async_playwright, expect

    async with running_worker(temporal_env.client, seeded_sqlite, make_settings(tmp_path, task_queue)), \
            async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            documents = await journey_documents(browser, live_server, tmp_path)
            leader = await log_in(browser, live_server, "lanhdao")
            await leader.goto(f"{live_server}/?scope=unit")
            await expect(leader.locator("table.inbox tbody tr").first).to_contain_text(INCOMING_SUBJECT)

            # Desktop: the skip link first, then the day's links, the search, every menu group.
            path = await _tab_until(leader, lambda focused: focused["taskLink"])
            assert path[0]["text"].startswith("Bỏ qua menu")
            passed = [stop["text"] for stop in path if stop["inHeader"]]
            for label in ("Trang chủ", "Hộp công việc", "Thông báo", "Văn bản đến", "Lịch công tác", "Đăng xuất"):
                assert any(text.startswith(label) for text in passed), f"{label} was never focused: {passed}"
            assert path[-1]["href"] == f"/documents/{documents.incoming_id}"
            await leader.keyboard.press("Enter")
            await leader.wait_for_url(f"{live_server}/documents/{documents.incoming_id}")

            # Phone: the menu is a disclosure; Enter opens it and Tab walks into its links.
            await leader.set_viewport_size(PHONE)
            await leader.goto(f"{live_server}/?scope=unit")
            await _tab_until(leader, lambda focused: focused["tag"] == "summary")
            await leader.keyboard.press("Enter")
            await expect(leader.locator("header details.site-menu")).to_have_attribute("open", "")
            inside = await _tab_until(leader, lambda focused: focused["menu"])
            assert inside[-1]["shown"]
            await screenshot(leader, "keyboard-menu-phone")
            await _tab_until(leader, lambda focused: focused["taskLink"], limit=60)
        finally:
            await browser.close()
