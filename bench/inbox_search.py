"""Inbox and search latency on a large seeded corpus with concurrent users.

1. Seed a SQLite file: the demo organisation, then ``--documents`` incoming documents (default
   200,000; ``--documents 1000000`` is issue 3's figure) with their ``document_search`` rows
   (columns from ``models.documents.search.index_values``; the FTS5 index is kept by its triggers, as in
   the app), assignments and task rows, all with bulk ``executemany`` inserts, not workflows.
   90 % of the documents belong to the demo Văn phòng UBND, the rest to three Sở.
2. ``--users`` (50) threads, each a demo user (văn thư, lãnh đạo, trưởng phòng, chuyên viên in
   turn) loaded once like a logged-in principal, run ``--iterations`` rounds of: inbox ``unit``,
   inbox ``mine`` and one search (rotating through folded text, a số/ký hiệu, text with a
   filter, filters alone). Each operation is one ``reading(engine)`` session (a deferred,
   read-only transaction), exactly what the web's ``read_session`` opens, with ``make_engine``'s pragmas and one pooled connection
   per user (``make_engine``'s default pool of 5 + 10 times out after 30 s at 50 users).
3. An earlier version of the app began every read with ``BEGIN IMMEDIATE``; this bench showed
   reads queueing on the write lock (p95 20 s, 6 % "database is locked"), which is why reads
   now use deferred transactions.

Prints the seeding time, p50/p95 per operation, failures, and the overall throughput; failed
operations make the section (and ``bench/run.py``) exit 1.
Alone: ``python bench/inbox_search.py [--documents N] [--users N] [--iterations N]``.
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402
from sqlmodel import SQLModel, select  # noqa: E402

import models.all  # noqa: E402, F401
from bench.common import out, percentile  # noqa: E402
from bench.corpus_words import ORGANS, TOPICS, TYPES  # noqa: E402
from models.db import _configure_sqlite, make_engine, reading, transaction  # noqa: E402
from models.documents.search import DocumentSearch, SearchQuery, index_values  # noqa: E402
from models.documents.search_repo import search_documents  # noqa: E402
from models.documents.tables import Assignment, Document  # noqa: E402
from models.org.tables import Agency, OrgUnit  # noqa: E402
from models.seed.data import OFFICE_CODE  # noqa: E402
from models.seed.demo import seed_demo  # noqa: E402
from models.tasks import repo as task_repo  # noqa: E402
from models.tasks.tables import Task  # noqa: E402
from models.vocab import AssignmentRole, DocumentStatus, Role, TaskStatus, Urgency  # noqa: E402
from tests.helpers import user_and_roles  # noqa: E402
from web.inbox import PER_PAGE as INBOX_PAGE  # noqa: E402

DOCUMENTS = 200_000
USERS = 50
ITERATIONS = 3
CHUNK = 20_000
USERNAMES = ("vanthu", "lanhdao", "truongphong", "chuyenvien")
OTHER_AGENCIES = ("000.00.02.H23", "000.00.03.H23", "000.00.04.H23")

SIGNERS = [("Bùi Đức Long", "Giám đốc Sở"), ("Hoàng Văn Nam", "Giám đốc Sở"),
           ("Trần Văn Minh", "Chánh Văn phòng"), ("Nguyễn Văn An", "Phó Chủ tịch")]
STATUSES = [DocumentStatus.REGISTERED, DocumentStatus.DIRECTED, DocumentStatus.IN_PROGRESS,
            DocumentStatus.DONE, DocumentStatus.FILED_FOR_REFERENCE]
SEARCHES = [
    ("search 'quyet dinh'", SearchQuery(text="quyet dinh")),
    ("search '125/QĐ'", SearchQuery(text="125/QĐ")),
    ("search 'dao tao' + type", SearchQuery(text="dao tao", type_name="Kế hoạch")),
    ("search filters only", SearchQuery(status=DocumentStatus.IN_PROGRESS, arrival_from=date(2026, 1, 1),
                                        arrival_to=date(2026, 6, 30))),
    ("search 'ngan sach' + urgency", SearchQuery(text="ngân sách", urgency=Urgency.URGENT)),
]


def seed(engine, count: int, rng: random.Random) -> dict[str, int]:
    """Bulk-insert ``count`` documents with index rows, assignments and tasks; return row counts."""
    SQLModel.metadata.create_all(engine)
    with transaction(engine) as session:
        seed_demo(session, "Bench@2026pass")
    vanthu, _ = user_and_roles(engine, "vanthu")
    chuyenvien, _ = user_and_roles(engine, "chuyenvien")
    with transaction(engine) as session:
        agencies = {a.code: a.id for a in session.exec(select(Agency))}
        office = agencies[OFFICE_CODE]
        units = {u.abbreviation: u.id for u in session.exec(select(OrgUnit).where(OrgUnit.agency_id == office))}
    others = [agencies[code] for code in OTHER_AGENCIES]
    type_weights = [w for *_, w in TYPES]
    start = datetime(2021, 1, 1, 1, 0, tzinfo=UTC)
    span = (datetime(2026, 11, 20, tzinfo=UTC) - start).total_seconds()
    totals = defaultdict(int)
    open_every = 100  # 1 % of the office's documents still wait for the leader

    for offset in range(0, count, CHUNK):
        documents, index, assignments, tasks = [], [], [], []
        for i in range(offset, min(count, offset + CHUNK)):
            doc_id = str(uuid.uuid4())
            arrival = start + timedelta(seconds=span * i / count)
            type_name, notation, _ = rng.choices(TYPES, type_weights)[0]
            signer, position = rng.choice(SIGNERS)
            agency = office if rng.random() < 0.9 else rng.choice(others)
            status = rng.choice(STATUSES)
            values = dict(
                id=doc_id, direction="incoming", agency_id=agency, status=status, source="upload",
                code_number=str(rng.randint(1, 999)), code_notation=notation,
                issued_date=(arrival - timedelta(days=2)).date(), organ_name=rng.choice(ORGANS),
                organ_id="000.00.03.H23", type_name=type_name,
                subject=f"V/v {rng.choice(TOPICS)} ({rng.choice(TOPICS)})", language="Tiếng Việt",
                page_amount=rng.randint(1, 12), description="", signer_full_name=signer,
                signer_position=position,
                urgency=rng.choices(list(Urgency), [85, 10, 4, 1])[0], secrecy="khong",
                to_places="", arrival_number=i + 1, arrival_date=arrival, for_reference_only=False,
                paper_copy=False, workflow_id=f"incoming-{doc_id}", process_key="incoming",
                process_version=1, created_by=vanthu.id, created_at=arrival, updated_at=arrival,
            )
            documents.append(values)
            index.append(dict(document_id=doc_id, updated_at=arrival,
                              **index_values(SimpleNamespace(**values), "")))
            if agency != office:
                continue
            is_open = i % open_every == 0
            tasks.append(dict(
                workflow_id=values["workflow_id"], task_key="direct:1", document_id=doc_id, step="direct",
                agency_id=office, unit_id=None, candidate_role=Role.AGENCY_LEADER, assignee_id=None,
                status=TaskStatus.OPEN if is_open else TaskStatus.DONE, actions=["giao_xu_ly", "luu_tham_khao"],
                urgency_rank=0, due_at=arrival + timedelta(days=2), overdue=False, version=1,
                created_at=arrival, state_changed_at=arrival, closed_at=None if is_open else arrival,
                outcome="" if is_open else "giao_xu_ly", completed_by=None))
            if is_open or rng.random() < 0.5:
                continue
            unit = "TH" if rng.random() < 0.5 else rng.choice(["KT", "KGVX", "NC"])
            assignments.append(dict(document_id=doc_id, role=AssignmentRole.LEAD, unit_id=units[unit],
                                    user_id=None, opinion="", assigned_by=vanthu.id, assigned_at=arrival))
            if unit != "TH":
                continue
            waiting = i % (open_every * 3) == 1  # a few assignments and handlings still open
            tasks.append(dict(
                workflow_id=values["workflow_id"], task_key="assign:2", document_id=doc_id, step="assign",
                agency_id=office, unit_id=units["TH"], candidate_role=Role.UNIT_LEADER, assignee_id=None,
                status=TaskStatus.OPEN if waiting else TaskStatus.DONE, actions=["phan_cong"], urgency_rank=0,
                due_at=arrival + timedelta(days=3), overdue=False, version=1, created_at=arrival,
                state_changed_at=arrival, closed_at=None if waiting else arrival,
                outcome="" if waiting else "phan_cong", completed_by=None))
            if waiting:
                continue
            assignments.append(dict(document_id=doc_id, role=AssignmentRole.LEAD, unit_id=units["TH"],
                                    user_id=chuyenvien.id, opinion="", assigned_by=vanthu.id, assigned_at=arrival))
            handling = i % (open_every * 3) == 3
            tasks.append(dict(
                workflow_id=values["workflow_id"], task_key="handle:3", document_id=doc_id, step="handle",
                agency_id=office, unit_id=units["TH"], candidate_role=Role.OFFICER, assignee_id=chuyenvien.id,
                status=TaskStatus.CLAIMED if handling else TaskStatus.DONE,
                actions=["hoan_thanh", "xin_gia_han"], urgency_rank=0, due_at=arrival + timedelta(days=10),
                overdue=False, version=1, created_at=arrival, state_changed_at=arrival,
                closed_at=None if handling else arrival, outcome="" if handling else "hoan_thanh",
                completed_by=None))
        with engine.begin() as connection:
            for model, rows in ((Document, documents), (DocumentSearch, index), (Assignment, assignments),
                                (Task, tasks)):
                if rows:
                    connection.execute(model.__table__.insert(), rows)
                    totals[model.__tablename__] += len(rows)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return dict(totals)


def user_engine(url: str, users: int):
    """An engine for the simulated users with ``make_engine``'s pragmas and transaction modes,
    but a pool of one connection per user, so the pool's 30 s timeout cannot fail a user."""
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           pool_size=users, max_overflow=0, pool_timeout=3600)
    _configure_sqlite(engine)
    return engine


def run_users(engine, users: int, iterations: int) -> tuple[dict[str, list[float]], float, list[tuple[str, str]]]:
    """Run the simulated users; return latencies per operation, the elapsed seconds, and failures."""
    principals = [user_and_roles(engine, name) for name in USERNAMES]
    latencies: dict[str, list[float]] = defaultdict(list)
    failures = []
    lock = threading.Lock()
    barrier = threading.Barrier(users)

    def one_user(number: int) -> None:
        user, roles = principals[number % len(principals)]
        mine: list[tuple[str, float]] = []
        barrier.wait()
        for round_ in range(iterations):
            label, query = SEARCHES[(number + round_) % len(SEARCHES)]
            operations = [
                # What the inbox page does: the badge counts, then its first page.
                ("inbox unit", lambda s: (task_repo.counts(s, user, roles),
                                          task_repo.inbox(s, user, roles, "unit", limit=INBOX_PAGE))),
                ("inbox mine", lambda s: (task_repo.counts(s, user, roles),
                                          task_repo.inbox(s, user, roles, "mine", limit=INBOX_PAGE))),
                (label, lambda s, q=query: search_documents(s, user, roles, q)),
            ]
            for name, operation in operations:
                before = time.perf_counter()
                try:
                    with reading(engine) as session:  # what web/deps.read_session opens
                        operation(session)
                except Exception as error:  # noqa: BLE001 - counted and reported, the bench goes on
                    failures.append((name, f"{type(error).__name__}: {str(error).splitlines()[0]}"))
                    continue
                mine.append((name, time.perf_counter() - before))
        with lock:
            for name, seconds in mine:
                latencies[name].append(seconds)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(one_user, range(users)))
    return latencies, time.perf_counter() - began, failures


def _report(latencies: dict[str, list[float]], elapsed: float, failures: list[tuple[str, str]]) -> int:
    """Print one table; return the number of operations that succeeded."""
    operations = sum(len(values) for values in latencies.values())
    failed = defaultdict(int)
    for name, _ in failures:
        failed[name] += 1
    out(f"    {'operation':<30} {'n ok':>5} {'failed':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    everything = [v for values in latencies.values() for v in values]
    for name in ["inbox unit", "inbox mine", *(label for label, _ in SEARCHES)] + ["all operations"]:
        values = everything if name == "all operations" else latencies.get(name, [])
        if values:
            lost = len(failures) if name == "all operations" else failed[name]
            out(f"    {name:<30} {len(values):>5} {lost:>6} {percentile(values, 0.5) * 1000:>8.1f} "
                f"{percentile(values, 0.95) * 1000:>8.1f} {max(values) * 1000:>8.1f}")
    out(f"    throughput {operations / elapsed:.1f} operations/s ({operations} in {elapsed:.1f} s)"
        + (f"; {len(failures)} FAILED ({failures[0][1]})" if failures else ""))
    return operations


def main(documents: int = DOCUMENTS, users: int = USERS, iterations: int = ITERATIONS) -> bool:
    out(f"(c) Inbox and search: {documents:,} documents seeded in bulk, {users} concurrent users "
        f"({', '.join(USERNAMES)} in turn), {iterations} rounds of inbox unit + inbox mine + one search")
    ok = True
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-search-") as temp:
        url = f"sqlite:///{Path(temp) / 'qlvb.db'}"
        engine = make_engine(url)
        began = time.perf_counter()
        counts = seed(engine, documents, random.Random(2026))
        seeded = time.perf_counter() - began
        engine.dispose()
        size = (Path(temp) / "qlvb.db").stat().st_size
        out(f"    seeding {seeded:.1f} s ({documents / seeded:,.0f} docs/s), database {size / 2**20:,.0f} MiB; rows: "
            + ", ".join(f"{table} {number:,}" for table, number in counts.items()))
        engine = user_engine(url, users)
        latencies, elapsed, failures = run_users(engine, users, iterations)
        engine.dispose()
        ok &= _report(latencies, elapsed, failures) == users * iterations * 3
    return ok


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    args = parser.parse_args()
    sys.exit(0 if main(args.documents, args.users, args.iterations) else 1)
