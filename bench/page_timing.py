"""The inbox and a document page as a person meets them: real Chromium against the real app (issue 14).

1. Seed ``--documents`` incoming documents (default 1,000,000) with ``bench/inbox_search.py``'s bulk
   seeding on a SQLite file (``--database`` keeps it for the next run, which reuses it), 90 % of them
   in the demo Văn phòng UBND, with their tasks and assignments.
2. Give one document of the leader's waiting direction a real PDF of ``PAGES`` pages in the file store.
3. Serve the app with uvicorn in this process (its pages read only the database; no Temporal call is
   made by the two pages measured) and drive Debian's Chromium with Playwright, logged in as the
   leader (``lanhdao``) and the handler (``chuyenvien``): each page opened ``--repeats`` times.
4. Report per page and person, p50 and p95 of: the server's time to the first byte, DOMContentLoaded
   (the page's scripts have run: it answers clicks and keys), the load event, and on the document
   page the first PDF page drawn by the viewer (from the start of the navigation); and the HTML's size.
   Scripts and stylesheets come from the browser's cache after the first view, as they do for a
   person at work; ``tests/browser/test_page_weight.py`` weighs the pages with an empty cache.

Alone: ``python bench/page_timing.py [--documents N] [--repeats N] [--database FILE]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn  # noqa: E402
from sqlmodel import col, select  # noqa: E402

import models.all  # noqa: E402, F401
from app import create_app  # noqa: E402
from bench.common import out, percentile  # noqa: E402
from bench.inbox_search import seed  # noqa: E402
from config.settings import Settings  # noqa: E402
from models.db import make_engine, transaction  # noqa: E402
from models.documents.file_store import FileStore  # noqa: E402
from models.documents.tables import Document, StoredFile  # noqa: E402
from models.org.repo import get_by_username  # noqa: E402
from models.tasks.tables import Task  # noqa: E402
from tests.conftest import minimal_pdf  # noqa: E402

DOCUMENTS = 1_000_000
REPEATS = 10
PAGES = 8
PASSWORD = "Bench@2026pass"  # bench/inbox_search.py's demo password
PEOPLE = ("lanhdao", "chuyenvien")
CHROMIUM = "/usr/bin/chromium"
TIMINGS = """() => { const n = performance.getEntriesByType('navigation')[0];
  return {server: n.responseStart - n.requestStart, interactive: n.domContentLoadedEventEnd,
          load: n.loadEventEnd}; }"""
PDF_DRAWN = "() => [...document.querySelectorAll('.pdf-pages canvas')].some(c => c.width > 0)"


def _with_pdf(engine, var_dir: Path) -> str:
    """A document waiting for the leader's direction, given a real PDF; its id."""
    store = FileStore(var_dir / "files")
    pdf = minimal_pdf(PAGES, "Van ban do kiem thu toc do trang")
    sha = store.put(pdf)
    with transaction(engine) as session:
        leader = get_by_username(session, "lanhdao")
        task = session.exec(select(Task).where(Task.step == "direct", col(Task.status) == "open",
                                               Task.agency_id == leader.agency_id).limit(1)).first()
        stored = session.exec(select(StoredFile).where(StoredFile.sha256 == sha)).first()
        if stored is None:
            stored = StoredFile(sha256=sha, size=len(pdf), content_type="application/pdf", filename="van-ban.pdf",
                                created_by=leader.id)
            session.add(stored)
            session.flush()
        document = session.get(Document, task.document_id)
        document.file_id = stored.id
        session.add(document)
        return document.id


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread of this process: the main thread keeps the signals
        pass


def _serve(app, port: int) -> _Server:
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


async def _measure(base: str, document_id: str, repeats: int) -> dict[tuple[str, str], dict[str, list[float]]]:
    from playwright.async_api import async_playwright

    results: dict[tuple[str, str], dict[str, list[float]]] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        for username in PEOPLE:
            context = await browser.new_context(viewport={"width": 1280, "height": 800})
            page = await context.new_page()
            await page.goto(f"{base}/login")
            await page.fill("#username", username)
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(lambda url: "/login" not in url)
            pages = {"hộp công việc": f"{base}/"}
            if username == "lanhdao":
                pages["trang văn bản"] = f"{base}/documents/{document_id}"
            for name, url in pages.items():
                figures: dict[str, list[float]] = {"server": [], "interactive": [], "load": [], "pdf": [], "kb": []}
                for _ in range(repeats):
                    began = time.perf_counter()
                    response = await page.goto(url, wait_until="load")
                    if name == "trang văn bản":
                        await page.wait_for_function(PDF_DRAWN, timeout=30_000)
                        figures["pdf"].append((time.perf_counter() - began) * 1000)
                    timing = await page.evaluate(TIMINGS)
                    for key in ("server", "interactive", "load"):
                        figures[key].append(timing[key])
                    figures["kb"].append(len(await response.body()) / 1024)
                results[(username, name)] = figures
            await context.close()
        await browser.close()
    return results


def main(documents: int = DOCUMENTS, repeats: int = REPEATS, database: str | None = None) -> bool:
    out(f"== pages in Chromium: inbox and document page, {documents:,} documents (SQLite)")
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-pages-") as temp:
        path = Path(database or f"{temp}/qlvb.db")
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        if database and path.exists():
            out(f"    reusing the database seeded before in {path}")
        else:
            began = time.perf_counter()
            seed(engine, documents, random.Random(2026))
            out(f"    seeded in {time.perf_counter() - began:.0f} s")
        var_dir = Path(temp) / "var"
        document_id = _with_pdf(engine, var_dir)
        settings = Settings(var_dir=var_dir, database_url=url)
        port = 18000 + random.randint(0, 999)
        server = _serve(create_app(settings, engine=engine, client=object()), port)
        try:
            results = asyncio.run(_measure(f"http://127.0.0.1:{port}", document_id, repeats))
        finally:
            server.should_exit = True
            engine.dispose()
    for (username, name), figures in results.items():
        line = ", ".join(f"{label} p50 {percentile(figures[key], 0.5):.0f} / p95 {percentile(figures[key], 0.95):.0f} ms"
                         for key, label in (("server", "server"), ("interactive", "interactive"),
                                            ("load", "load"), ("pdf", "first PDF page")) if figures[key])
        out(f"    {username}, {name}: {line}; HTML {percentile(figures['kb'], 0.5):.0f} KB")
    return True


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--database", default=None, help="a SQLite file to seed once and reuse")
    arguments = parser.parse_args()
    sys.exit(0 if main(arguments.documents, arguments.repeats, arguments.database) else 1)
