"""The main journeys' pages in the real Chromium: how much HTML and script each costs, whether
anything scrolls sideways on a 390×844 phone, whether the phone's controls are big enough to tap,
and whether the header's menu opens without JavaScript. Every page is photographed at both sizes
(``test-artifacts/screenshots/``); the weights are written to ``test-artifacts/page-weights.json``.

"Weight" is what crosses the network for the page's HTML and its scripts with an empty cache
(compressed bytes plus headers), before the PDF itself and PDF.js's worker, which load afterwards.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import launch_chromium, log_in, needs_chromium
from tests.browser.journey_pages import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    journey_documents,
    journey_pages,
    screenshot,
    sideways_overflow,
)
from tests.conftest import DEMO_PASSWORD
from tests.helpers import make_settings, running_worker

pytestmark = [pytest.mark.browser, needs_chromium]

BUDGET = 300 * 1024
COUNTED = {"document", "script"}  # HTML and script; styles and images are reported, not budgeted


def _loads_after(url: str) -> bool:
    """The PDF and PDF.js's worker, which the viewer fetches after the page is shown."""
    path = urlsplit(url).path
    return "pdf.worker" in path or path.endswith(".pdf") or "view=1" in url or "/files/" in path


async def weigh(page, url: str) -> dict:
    """Open ``url`` with the cache off; return the bytes transferred by kind."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    finished = []

    def collect(request) -> None:
        finished.append(request)

    page.on("requestfinished", collect)
    try:
        await page.goto(url)
        await page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("requestfinished", collect)
    by_kind: dict[str, int] = {}
    files = []
    for request in finished:
        sizes = await request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        kind = "later" if _loads_after(request.url) else request.resource_type
        by_kind[kind] = by_kind.get(kind, 0) + size
        files.append({"url": urlsplit(request.url).path, "kind": kind, "bytes": size})
    await cdp.detach()
    counted = sum(size for kind, size in by_kind.items() if kind in COUNTED)
    return {"html_and_script": counted, "by_kind": by_kind, "files": files}


async def phone_context(browser, username: str | None, base: str, **options):
    """A phone-sized browser (390×844, touch) logged in as ``username`` through the form."""
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, service_workers="block", **options)
    page = await context.new_page()
    if username:
        await page.goto(f"{base}/login")
        await page.fill("#username", username)
        await page.fill("#password", DEMO_PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    return page


async def small_tap_targets(page) -> list[str]:
    """Visible controls of the header and the page that are under 44 px high (text links inside
    sentences excepted: WCAG exempts inline links)."""
    return await page.evaluate("""() => {
        const selectors = ['header a', 'header button', 'header summary', 'header input',
                           'main button', 'main a.button', 'main select', 'main .tabs a', 'main nav.pager a',
                           'main input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file])'];
        const small = [];
        for (const element of document.querySelectorAll(selectors.join(','))) {
            const box = element.getBoundingClientRect();
            if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === 'hidden') continue;
            if (element.closest('.skip-link') || element.classList.contains('skip-link')) continue;
            if (box.height < 43.5) small.push(`${element.tagName.toLowerCase()} "${(element.textContent || element.name || '').trim().slice(0, 40)}" ${Math.round(box.height)} px`);
        }
        return small;
    }""")


async def test_main_pages_are_light_fit_a_phone_and_are_photographed(
        live_server, seeded_sqlite, temporal_env, task_queue, tmp_path):
    from playwright.async_api import async_playwright

    settings = make_settings(tmp_path, task_queue)
    async with running_worker(temporal_env.client, seeded_sqlite, settings), async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            documents = await journey_documents(browser, live_server, tmp_path)
            pages = {"login": "/login", **journey_pages(documents)}

            weights: dict[str, dict] = {}
            # The service worker (static/pwa.js) would answer from its cache: blocked, to weigh a first visit.
            anonymous = await (await browser.new_context(viewport=DESKTOP, service_workers="block")).new_page()
            weights["login"] = await weigh(anonymous, f"{live_server}/login")
            await screenshot(anonymous, "login-desktop")
            signed_in = await log_in(browser, live_server, "lanhdao")
            state = await signed_in.context.storage_state()
            leader = await (await browser.new_context(viewport=DESKTOP, service_workers="block",
                                                      storage_state=state)).new_page()
            for name, path in pages.items():
                if name == "login":
                    continue
                weights[name] = await weigh(leader, f"{live_server}{path}")
                await screenshot(leader, f"{name}-desktop")

            overflowing, small = {}, {}
            anonymous_phone = await phone_context(browser, None, live_server)
            phone = await phone_context(browser, "lanhdao", live_server)
            for name, path in pages.items():
                page = anonymous_phone if name == "login" else phone
                await page.goto(f"{live_server}{path}")
                await page.wait_for_load_state("networkidle")
                await screenshot(page, f"{name}-phone")
                if (extra := await sideways_overflow(page)) > 0:
                    overflowing[name] = extra
                if targets := await small_tap_targets(page):
                    small[name] = targets
        finally:
            await browser.close()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-weights.json").write_text(json.dumps(weights, indent=2, ensure_ascii=False))
    (ARTIFACTS / "page-weights.txt").write_text("".join(
        f"{name:14} {weight['html_and_script'] / 1024:7.1f} KB HTML+script  "
        + "  ".join(f"{kind} {size / 1024:.1f}" for kind, size in sorted(weight["by_kind"].items())) + "\n"
        for name, weight in weights.items()))
    heavy = {name: weight["html_and_script"] for name, weight in weights.items() if weight["html_and_script"] > BUDGET}
    assert not heavy, f"pages over {BUDGET // 1024} KB of HTML and script: {heavy}"
    assert weights["document"]["by_kind"].get("script", 0) > 0, "the document page loaded no script at all"
    assert not overflowing, f"pages wider than a {PHONE['width']} px phone (extra px): {overflowing}"
    assert not small, f"controls under 44 px on a phone: {small}"


async def test_the_phone_menu_opens_and_leads_on_without_javascript(live_server):
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            page = await phone_context(browser, "lanhdao", live_server, java_script_enabled=False)
            await page.goto(f"{live_server}/home")
            menu_link = page.locator("header nav.menu-groups").get_by_role("link", name="Văn bản đến", exact=True)
            await expect(menu_link).to_be_hidden()
            await screenshot(page, "menu-closed-phone-no-js")
            header = await page.locator("header").bounding_box()
            assert header["height"] <= PHONE["height"] * 0.25, f"the closed header takes {header['height']} px"
            await page.locator("header summary").click()
            await expect(menu_link).to_be_visible()
            await screenshot(page, "menu-open-phone")
            await menu_link.click()
            await page.wait_for_url(f"{live_server}/documents")
            await expect(page.locator("h1")).to_be_visible()
            assert await sideways_overflow(page) == 0
        finally:
            await browser.close()


async def test_the_phone_menu_closes_with_escape_a_link_or_a_tap_outside(live_server):
    """At 390×844 the Menu closes as a menu does (``static/app.js``): Escape closes it and the focus
    goes back to its summary, from a link inside or from the summary; a tap outside closes it; a link
    inside closes it as it is followed. On a desktop Escape leaves the focus where it is."""
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            page = await phone_context(browser, "lanhdao", live_server)
            await page.goto(f"{live_server}/home")
            menu = page.locator("header details.site-menu")
            summary = menu.locator(":scope > summary")
            link = page.locator("header nav.menu-groups").get_by_role("link", name="Văn bản đến", exact=True)

            await summary.click()
            await expect(link).to_be_visible()
            await link.focus()
            await page.keyboard.press("Escape")
            await expect(menu).not_to_have_attribute("open", "")
            await expect(link).to_be_hidden()
            await expect(summary).to_be_focused()

            await page.keyboard.press("Enter")  # opened again from the keyboard, closed from its summary
            await expect(menu).to_have_attribute("open", "")
            await page.keyboard.press("Escape")
            await expect(menu).not_to_have_attribute("open", "")
            await expect(summary).to_be_focused()

            await summary.click()
            await expect(link).to_be_visible()
            search = await page.locator("#quick-search").bounding_box()
            await page.mouse.click(search["x"] + search["width"] / 2, search["y"] + search["height"] / 2)
            await expect(menu).not_to_have_attribute("open", "")

            await summary.click()
            await expect(link).to_be_visible()
            # Keep the page where it is, after the menu's own handler saw the click on its link.
            await page.evaluate("document.addEventListener('click', (event) => event.preventDefault())")
            await link.click()
            await expect(menu).not_to_have_attribute("open", "")
            assert urlsplit(page.url).path == "/home"

            await page.set_viewport_size(DESKTOP)
            await link.focus()
            await page.keyboard.press("Escape")
            await expect(link).to_be_focused()
            await expect(link).to_be_visible()
        finally:
            await browser.close()
