"""Gapless registrations per second: ``register_repo.allocate_number`` in its own transaction
per number, 2,000 allocations into one register, with 1 and 8 threads, on a SQLite file in a
temporary directory and, when ``TEST_DATABASE_URL`` is set, on PostgreSQL (in a throwaway schema,
so nothing else in that database is touched). Every run is checked to be 1..N with no gap and no
duplicate.

Alone: ``python bench/registers.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import SQLModel, select  # noqa: E402

import models.all  # noqa: E402, F401
from bench.common import out  # noqa: E402
from models.db import make_engine, transaction  # noqa: E402
from models.registers import repo as register_repo  # noqa: E402
from models.registers.tables import RegisterEntry  # noqa: E402
from tests.factories import make_document, make_org  # noqa: E402

ALLOCATIONS = 2000
THREAD_COUNTS = (1, 8)
ALLOCATED_AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


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


def main() -> bool:
    """Run and print the section; return whether every run was gapless."""
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
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
