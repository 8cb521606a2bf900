"""In a real browser: an irreversible decision asks first, says what it did until read, and a
reload of the result page sends nothing again (web/flash.py, static/confirm.js).

The leader files a received document for reference (it ends the document's handling): refusing
the question leaves the task open, accepting it applies the decision.
"""

from __future__ import annotations

import pytest

from models.tasks.tables import Task
from tests.browser.conftest import accept_confirmations, launch_chromium, log_in, needs_chromium
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, upload

pytestmark = [pytest.mark.browser, needs_chromium]


async def test_a_decision_is_confirmed_reported_until_read_and_never_resent(live_server, seeded_sqlite,
                                                                           temporal_env, task_queue, tmp_path):
    from playwright.async_api import async_playwright, expect

    settings = make_settings(tmp_path, task_queue)
    async with running_worker(temporal_env.client, seeded_sqlite, settings), async_playwright() as p:
        document = await upload(seeded_sqlite, temporal_env.client, settings, minimal_pdf())
        task = await eventually(lambda: next(iter(rows(seeded_sqlite, Task, Task.document_id == document.id)), None))
        browser = await launch_chromium(p)
        try:
            leader = await log_in(browser, live_server, "lanhdao")
            leader.remove_listener("dialog", accept_confirmations)
            questions: list[str] = []
            answer = {"accept": False}

            async def answer_question(dialog):
                questions.append(dialog.message)
                await (dialog.accept() if answer["accept"] else dialog.dismiss())
            leader.on("dialog", answer_question)
            posts: list[str] = []
            leader.on("request", lambda request: request.method == "POST" and posts.append(request.url))

            await leader.goto(f"{live_server}/documents/{document.id}")
            decision = leader.locator("section.task details", has=leader.locator("input[value=luu_tham_khao]"))
            await decision.locator("summary").click()
            await decision.locator("textarea[name=opinion]").fill("Lưu để biết")

            # Refused: nothing is sent, the task stays open.
            await decision.locator("button[type=submit]").click()
            await expect(decision.locator("textarea[name=opinion]")).to_have_value("Lưu để biết")
            assert len(questions) == 1 and "Lưu tham khảo văn bản số" in questions[0]
            assert "không hoàn tác" in questions[0]
            assert not [url for url in posts if "/act" in url]
            assert rows(seeded_sqlite, Task, Task.id == task.id)[0].status == "open"

            # Accepted: applied, and the result page says so.
            answer["accept"] = True
            await decision.locator("button[type=submit]").click()
            message = leader.locator("#flash")
            await expect(message).to_contain_text("Lưu tham khảo", timeout=20_000)
            await expect(message).to_have_attribute("role", "status")
            await eventually(lambda: rows(seeded_sqlite, Task, Task.id == task.id)[0].status == "done")
            acted = [url for url in posts if "/act" in url]
            assert len(acted) == 1

            # A reload shows the message again and sends no request of the action again.
            await leader.reload()
            await expect(leader.locator("#flash")).to_contain_text("Lưu tham khảo")
            assert [url for url in posts if "/act" in url] == acted

            # Read: gone, and it stays gone.
            await leader.locator("#flash").get_by_role("button", name="Đã đọc").click()
            await expect(leader.locator("#flash")).to_have_count(0)
            await leader.reload()
            await expect(leader.locator("p.who")).to_be_visible()
            await expect(leader.locator("#flash")).to_have_count(0)
            assert len(questions) == 2
        finally:
            await browser.close()
