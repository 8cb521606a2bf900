"""End-to-end exchange latency between two installations on one machine (issue 5 "Benchmarks").

A (the province) and B (the ministry) run side by side as in tests/workflows/test_two_installations.py
(tests/exchange_installations.py): each its own SQLite file, var directory, demo PKI, Temporal
namespace and worker on one dev server, one in-process hub simulator between them; B trusts A's
root. Both receive loops run continuously (``poll_hub`` rounds with a short sleep between them,
standing for a short ``hub_poll_seconds``). For N documents, one at a time, A issues a Công văn to
Bộ Nội vụ and the clock starts when the văn thư's ``ban_hanh`` decision returns; then A's
``HubDelivery`` sends the package, B's round stores it (and queues 01), B's văn thư registers it at
once (``vao_so``: documents from another agency wait for the văn thư), B's worker queues and sends
03, and A's round records 01 and 03 on its recipient row. Every document must reach 03 exactly once.

Alone: ``python bench/exchange_latency.py [--exchange-docs N]``.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temporalio.testing import WorkflowEnvironment  # noqa: E402

import models.all  # noqa: E402, F401
from bench.common import TEMPORAL_BIN, out, percentile, table  # noqa: E402
from models.documents.tables import Document  # noqa: E402
from models.exchange.tables import HubOutbox  # noqa: E402
from models.outgoing.tables import Recipient, RecipientEvent  # noqa: E402
from models.seed.profiles import MINISTRY_CODE  # noqa: E402
from models.vocab import DocumentSource  # noqa: E402
from tests.exchange_installations import Installation, dispose, make_pki, set_up, trust  # noqa: E402
from tests.helpers import rows  # noqa: E402
from tests.outgoing_helpers import act_on_step, issue_document, open_task_of  # noqa: E402
from workflows import search_attributes  # noqa: E402

DOCUMENTS = 10
POLL_SECONDS = 0.05  # sleep between two rounds of each receive loop
TIMEOUT = 120.0  # per document, issue → A sees 03
SETTLE_SECONDS = 2.0  # rounds after the last document, so a duplicate would show


@dataclass
class Tracked:
    """The document in flight and when each side saw what (perf_counter seconds)."""

    a_id: str
    external_id: str
    issued: float
    arrived: float | None = None
    b_id: str | None = None
    accepted: float | None = None
    seen_01: float | None = None
    seen_03: float | None = None


@dataclass
class Loops:
    """Both receive loops, running until stopped; they stamp the document in flight."""

    a: Installation
    b: Installation
    current: Tracked | None = None
    rounds: dict[str, int] = field(default_factory=lambda: {"a": 0, "b": 0})
    errors: list[str] = field(default_factory=list)
    stopping: bool = False

    async def run_b(self) -> None:
        while not self.stopping:
            try:
                result = await self.b.poll()
            except Exception as error:  # noqa: BLE001 - counted and reported, the loop goes on
                self.errors.append(f"B poll: {error}")
                result = None
            now = time.perf_counter()
            self.rounds["b"] += 1
            tracked = self.current
            if result is not None and result.stored and tracked is not None and tracked.arrived is None:
                found = rows(self.b.engine, Document, Document.external_document_id == tracked.external_id,
                             Document.source == DocumentSource.HUB)
                if found:
                    tracked.arrived, tracked.b_id = now, found[0].id
            await asyncio.sleep(POLL_SECONDS)

    async def run_a(self) -> None:
        while not self.stopping:
            try:
                result = await self.a.poll()
            except Exception as error:  # noqa: BLE001 - counted and reported, the loop goes on
                self.errors.append(f"A poll: {error}")
                result = None
            now = time.perf_counter()
            self.rounds["a"] += 1
            tracked = self.current
            if result is not None and result.statuses and tracked is not None:
                codes = set(_codes(self.a, tracked.a_id))
                if "01" in codes and tracked.seen_01 is None:
                    tracked.seen_01 = now
                if "03" in codes and tracked.seen_03 is None:
                    tracked.seen_03 = now
            await asyncio.sleep(POLL_SECONDS)


def _ministry_row(a: Installation, document_id: str) -> Recipient:
    return rows(a.engine, Recipient, Recipient.document_id == document_id, Recipient.organ_id == MINISTRY_CODE)[0]


def _codes(a: Installation, document_id: str) -> list[str]:
    """The statuses A recorded for Bộ Nội vụ on the document (one entry per recorded event)."""
    recipient = _ministry_row(a, document_id)
    return [e.code for e in rows(a.engine, RecipientEvent, RecipientEvent.recipient_id == recipient.id)]


async def _until(check, timeout: float, interval: float = 0.01):
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(interval)
    return value


async def _exchange(loops: Loops, index: int) -> Tracked:
    a, b = loops.a, loops.b
    document = await issue_document(a.engine, a.client, a.settings, f"x{index}", outside_codes=(MINISTRY_CODE,))
    issued = time.perf_counter()  # A's ban_hanh decision has returned
    external_id = rows(a.engine, Document, Document.id == document.id)[0].external_document_id
    tracked = loops.current = Tracked(document.id, external_id, issued)
    remaining = lambda: TIMEOUT - (time.perf_counter() - issued)  # noqa: E731
    await _until(lambda: tracked.b_id, remaining())
    # B's văn thư registers it as soon as the accept task is open.
    await _until(lambda: open_task_of(b.engine, tracked.b_id, "accept"), remaining())
    await act_on_step(b.engine, b.client, "vanthu.bnv", tracked.b_id, "accept", "vao_so", f"x{index}-v")
    tracked.accepted = time.perf_counter()
    await _until(lambda: tracked.seen_03, remaining())
    return tracked


async def _measure(temp: Path, count: int) -> dict:
    sources = (make_pki(temp / "pki-a"), make_pki(temp / "pki-b"))
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_BIN), search_attributes=search_attributes.ALL, ui=False)
    done: list[Tracked] = []
    failed: list[str] = []
    try:
        a, b = await set_up(env.client, temp, sources)
        trust(b, a)
        loops = Loops(a, b)
        try:
            async with a.worker(), b.worker():
                began = time.perf_counter()
                runners = [asyncio.create_task(loops.run_b()), asyncio.create_task(loops.run_a())]
                try:
                    for index in range(count):
                        try:
                            done.append(await _exchange(loops, index))
                        except TimeoutError:
                            failed.append(f"document {index + 1} did not reach 03 within {TIMEOUT:.0f} s")
                            break
                    loops.current = None
                    await asyncio.sleep(SETTLE_SECONDS)  # later rounds would bring any duplicate
                finally:
                    loops.stopping = True
                    await asyncio.gather(*runners)
                elapsed = time.perf_counter() - began
            ministry_rows = rows(a.engine, Recipient, Recipient.organ_id == MINISTRY_CODE)
            codes = {row.document_id: [e.code for e in rows(a.engine, RecipientEvent,
                                                             RecipientEvent.recipient_id == row.id)]
                     for row in ministry_rows}
            received = rows(b.engine, Document, Document.source == DocumentSource.HUB)
            unsent = rows(a.engine, HubOutbox, HubOutbox.transport_status != "sent") + rows(
                b.engine, HubOutbox, HubOutbox.transport_status != "sent")
        finally:
            dispose(a, b)
    finally:
        await env.shutdown()
    exactly_once = (len(codes) == count and len(received) == count
                    and all(c.count("03") == 1 and c.count("01") == 1 for c in codes.values()))
    return {"done": done, "failed": failed + loops.errors, "exactly_once": exactly_once, "unsent": len(unsent),
            "received": len(received), "rounds": loops.rounds, "elapsed": elapsed,
            "threes": sum(c.count("03") for c in codes.values())}


def main(count: int = DOCUMENTS) -> bool:
    """Run and print the section; return whether every document reached 03 exactly once."""
    out(f"(h) Exchange latency: {count} documents A (province) → hub → B (ministry), one at a time, "
        f"two SQLite files + two namespaces on one dev server, receive loops every {POLL_SECONDS * 1000:.0f} ms")
    began = time.perf_counter()
    temp = Path(tempfile.mkdtemp(prefix="qlvb-bench-exchange-"))
    try:
        result = asyncio.run(_measure(temp, count))
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    done = result["done"]
    for problem in result["failed"]:
        out(f"    ! {problem}")
    if not done:
        out("    no document completed")
        return False

    def spread(values: list[float]) -> str:
        ms = lambda q: f"{percentile(values, q) * 1000:.0f}"  # noqa: E731
        return f"{ms(.5)} / {ms(.95)} / {max(values) * 1000:.0f} ms"

    rounds = result["rounds"]
    table([
        ("A issue → package stored at B   p50 / p95 / max", spread([d.arrived - d.issued for d in done])),
        ("A issue → A sees 01             p50 / p95 / max", spread([d.seen_01 - d.issued for d in done])),
        ("A issue → A sees 03             p50 / p95 / max", spread([d.seen_03 - d.issued for d in done])),
        ("B vao_so decision → A sees 03   p50 / p95 / max", spread([d.seen_03 - d.accepted for d in done])),
        ("poll sleep between rounds (each loop)", f"{POLL_SECONDS * 1000:.0f} ms"),
        ("rounds A / B (mean period)", f"{rounds['a']} / {rounds['b']} "
         f"({result['elapsed'] / max(rounds['a'], 1) * 1000:.0f} / {result['elapsed'] / max(rounds['b'], 1) * 1000:.0f} ms)"),
        ("documents at 03 / 03 events at A / received at B", f"{len(done)}/{count} / {result['threes']} / "
         f"{result['received']}"),
        ("01 and 03 exactly once each; outbox rows not sent", f"{result['exactly_once']}; {result['unsent']}"),
        ("section time", f"{time.perf_counter() - began:.1f} s"),
    ])
    return (len(done) == count and not result["failed"] and result["exactly_once"] and result["unsent"] == 0)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchange-docs", type=int, default=DOCUMENTS)
    sys.exit(0 if main(parser.parse_args().exchange_docs) else 1)
