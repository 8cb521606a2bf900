"""What the audit hash chain costs: audit events per second, one event per transaction, with 1 and
8 threads, with the chain (``models.audit.link_recorded_events``) and without it (the listener
removed: the trail as it was before the chain), on a SQLite file and, when ``TEST_DATABASE_URL``
is set, on PostgreSQL in a throwaway schema. Each chained run is checked to be 1..N in one line.

Alone: ``python bench/audit_chain.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.orm import Session as OrmSession  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import models.all  # noqa: E402, F401
from bench.common import out  # noqa: E402
from models import audit  # noqa: E402
from models.audit_trail.verify import verify_chain  # noqa: E402
from models.db import make_engine, reading, transaction  # noqa: E402

EVENTS = 2000
THREAD_COUNTS = (1, 8)


def _write(engine, threads: int) -> float:
    def one(number: int) -> None:
        with transaction(engine) as session:
            audit.record(session, None, "document.viewed", "document", f"doc-{number % 97}", via="bench")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(EVENTS)))
    return time.perf_counter() - started


def _run(engine, threads: int, chained: bool) -> tuple[float, bool]:
    # The search index's trigram indexes need pg_trgm in the schema: the audit trail does not.
    SQLModel.metadata.create_all(engine, tables=[t for t in SQLModel.metadata.sorted_tables
                                                 if t.name != "document_search"])
    if not chained:
        event.remove(OrmSession, "before_commit", audit.link_recorded_events)
    try:
        seconds = _write(engine, threads)
    finally:
        if not chained:
            event.listen(OrmSession, "before_commit", audit.link_recorded_events)
    if not chained:
        return seconds, True
    with reading(engine) as session:
        report = verify_chain(session)
    return seconds, report.intact and report.events_checked == EVENTS


def _postgres_url(url: str, schema: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def bench() -> list[tuple[str, int, bool, float, bool]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-") as temp:
        for threads in THREAD_COUNTS:
            for chained in (False, True):
                engine = make_engine(f"sqlite:///{Path(temp) / f'audit-{threads}-{chained}.db'}")
                results.append(("sqlite (file)", threads, chained, *_run(engine, threads, chained)))
                engine.dispose()
    postgres = os.environ.get("TEST_DATABASE_URL", "")
    if postgres:
        admin = make_engine(_postgres_url(postgres, "public"))
        for threads in THREAD_COUNTS:
            for chained in (False, True):
                schema = f"bench_{uuid.uuid4().hex[:12]}"
                with admin.begin() as connection:
                    connection.execute(text(f"CREATE SCHEMA {schema}"))
                engine = make_engine(_postgres_url(postgres, schema))
                try:
                    results.append(("postgresql", threads, chained, *_run(engine, threads, chained)))
                finally:
                    engine.dispose()
                    with admin.begin() as connection:
                        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
    return results


def main() -> bool:
    ok = True
    out(f"Audit hash chain: {EVENTS} events, one transaction each")
    out(f"    {'backend':<15} {'threads':>7} {'chain':>6} {'seconds':>8} {'events/s':>9}  one line 1..N")
    for backend, threads, chained, seconds, intact in bench():
        ok &= intact
        out(f"    {backend:<15} {threads:>7} {'yes' if chained else 'no':>6} {seconds:>8.2f} "
            f"{EVENTS / seconds:>9.0f}  {'yes' if intact else 'NO'}" if chained else
            f"    {backend:<15} {threads:>7} {'no':>6} {seconds:>8.2f} {EVENTS / seconds:>9.0f}  -")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
