"""Numbering throughput (issue 4): 32 concurrent issuers taking outgoing numbers on one register
through ``register_repo.allocate_number`` in ``models.db.transaction``, next to 32 threads doing
only the raw counter bump (``UPDATE register_counter … RETURNING``) on the same database in the
same run. The ratio says what the idempotency check and the ledger row cost on top of the lock
every allocation must queue on anyway.

Each thread has its own engine and holds one connection for the whole run (production pool
settings would cap PostgreSQL at 30). Runs on a SQLite file in a temporary directory and, with
``--postgres-url`` or ``TEST_DATABASE_URL``, on PostgreSQL in a throwaway schema. Both series
must come out as exactly 1..N; the section fails otherwise.

Alone: ``python bench/numbering.py [--count N] [--postgres-url URL]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Connection, Engine  # noqa: E402
from sqlmodel import SQLModel, select  # noqa: E402

import models.all  # noqa: E402, F401
from bench.common import out  # noqa: E402
from bench.registers import _postgres_url  # noqa: E402
from models.db import make_engine, transaction  # noqa: E402
from models.documents import types_repo as doc_type_repo  # noqa: E402
from models.documents.tables import Document  # noqa: E402
from models.registers import repo as register_repo
from models.registers.numbering import register_year  # noqa: E402
from models.registers.tables import Register, RegisterCounter, RegisterEntry  # noqa: E402
from models.seed.data import DOCUMENT_TYPES  # noqa: E402
from models.vocab import Direction, DocumentStatus, RegisterKind  # noqa: E402
from tests.factories import make_org  # noqa: E402

COUNT = 2000
THREADS = 32
ISSUED_AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
# The issue's "register_counter" is the table SQLModel names ``registercounter``.
RAW_BUMP = text(f"UPDATE {RegisterCounter.__tablename__} SET last_number = last_number + 1 "
                "WHERE register_id = :register_id AND year = :year RETURNING last_number")


def _prepare(engine: Engine, count: int) -> tuple[int, int, list[tuple[str, str]]]:
    """Schema, one agency, ``count`` signed outgoing documents, the general outgoing register
    and a second register whose counter only the raw threads bump; return their ids and the
    documents as (workflow id, document id)."""
    # The database is brand new (a temporary file, a fresh schema): create without looking, since
    # on PostgreSQL the look would also see tables in public, which stays on the search path.
    SQLModel.metadata.create_all(engine, checkfirst=False)
    with transaction(engine) as session:
        doc_type_repo.seed_types(session, DOCUMENT_TYPES)
        org = make_org(session)
        register = register_repo.outgoing_register_for(
            session, org.agency_id, doc_type_repo.type_by_name(session, "Công văn"))
        raw = Register(agency_id=org.agency_id, kind=RegisterKind.OUTGOING, name="Bench: raw counter",
                       doc_types=["bench-raw"])
        session.add(raw)
        session.flush()
        session.add(RegisterCounter(register_id=raw.id, year=register_year(ISSUED_AT), last_number=0))
        documents = []
        for _ in range(count):
            document_id = str(uuid.uuid4())
            session.add(Document(id=document_id, direction=Direction.OUTGOING, agency_id=org.agency_id,
                                 status=DocumentStatus.SIGNED, type_name="Công văn",
                                 subject="V/v đôn đốc thực hiện nhiệm vụ", workflow_id=f"outgoing-{document_id}",
                                 created_by=org.users["clerk"].id))
            documents.append((f"outgoing-{document_id}", document_id))
        return register.id, raw.id, documents


def _run_threads(url: str, jobs: list, work: Callable[[Connection, object], int]) -> tuple[float, list[int]]:
    """Start ``THREADS`` threads, each on its own engine and connection, released together;
    they take jobs from a shared list until it is empty. Return elapsed seconds and results."""
    lock = threading.Lock()
    pending = list(reversed(jobs))
    results: list[int] = []
    errors: list[BaseException] = []
    ready = threading.Barrier(THREADS + 1)

    def worker() -> None:
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                ready.wait()
                while True:
                    with lock:
                        if not pending:
                            return
                        job = pending.pop()
                    number = work(connection, job)
                    with lock:
                        results.append(number)
        except BaseException as error:  # reported after the run, never swallowed
            errors.append(error)
            ready.abort()  # a thread that failed before the start must not leave the others waiting
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise errors[0] from None
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, results


def _bench(url: str, count: int) -> dict:
    engine = make_engine(url)
    try:
        register_id, raw_id, documents = _prepare(engine, count)
        year = register_year(ISSUED_AT)

        def allocate(connection: Connection, document) -> int:
            workflow_id, document_id = document
            # ``transaction`` accepts the thread's connection: a Session bound to it begins
            # (IMMEDIATE on SQLite) and commits on it, exactly as on an engine.
            with transaction(connection) as session:
                entry, _ = register_repo.allocate_number(session, register_id, workflow_id, document_id, ISSUED_AT)
                return entry.number

        def bump(connection: Connection, _job) -> int:
            with connection.begin():
                return connection.execute(RAW_BUMP, {"register_id": raw_id, "year": year}).scalar_one()

        allocate_seconds, returned = _run_threads(url, documents, allocate)
        raw_seconds, raw_numbers = _run_threads(url, list(range(count)), bump)
        with transaction(engine) as session:
            stored = list(session.exec(select(RegisterEntry.number).where(RegisterEntry.register_id == register_id)))
        expected = list(range(1, count + 1))
        return {
            "allocate_seconds": allocate_seconds, "raw_seconds": raw_seconds,
            "allocate_ok": sorted(returned) == expected and sorted(stored) == expected,
            "raw_ok": sorted(raw_numbers) == expected,
        }
    finally:
        engine.dispose()


def bench_numbering(count: int, postgres: str) -> list[tuple[str, dict]]:
    """Return (backend, figures) for SQLite and, when a URL is given, PostgreSQL."""
    results = []
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-") as temp:
        results.append(("sqlite (file)", _bench(f"sqlite:///{Path(temp) / 'numbering.db'}", count)))
    if postgres:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = make_engine(_postgres_url(postgres, "public"))
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            # public stays on the path: pg_trgm's operator classes (search index) live there.
            results.append(("postgresql", _bench(_postgres_url(postgres, f"{schema}%2Cpublic"), count)))
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()
    return results


def main(count: int = COUNT, postgres_url: str | None = None) -> bool:
    """Run and print the section; return whether both series were exactly 1..N everywhere."""
    postgres = postgres_url or os.environ.get("TEST_DATABASE_URL", "")
    out(f"(e) Outgoing numbering: {THREADS} issuers on one register, {count} numbers, "
        f"allocate_number in models.db.transaction vs the raw counter UPDATE … RETURNING")
    out(f"    {'backend':<15} {'allocate/s':>10} {'raw/s':>9} {'ratio':>6}  1..N (allocate, raw)")
    ok = True
    rows = bench_numbering(count, postgres)
    for backend, figures in rows:
        allocate_rate = count / figures["allocate_seconds"]
        raw_rate = count / figures["raw_seconds"]
        ok &= figures["allocate_ok"] and figures["raw_ok"]
        out(f"    {backend:<15} {allocate_rate:>10.0f} {raw_rate:>9.0f} {allocate_rate / raw_rate:>6.2f}  "
            f"{'yes' if figures['allocate_ok'] else 'NO'}, {'yes' if figures['raw_ok'] else 'NO'}")
    if not postgres:
        out("    postgresql: skipped (neither --postgres-url nor TEST_DATABASE_URL is set)")
    return ok


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=COUNT, help="numbers to allocate in each run")
    parser.add_argument("--postgres-url", default=None, help="PostgreSQL URL (default: TEST_DATABASE_URL)")
    arguments = parser.parse_args()
    sys.exit(0 if main(arguments.count, arguments.postgres_url) else 1)
