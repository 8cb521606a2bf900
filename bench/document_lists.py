"""Document lists at a province's scale: a page of văn bản đến at 1,000,000 documents.

Seeds ``bench/province_corpus.py`` (or reuses a SQLite file seeded before) and times
``models.documents.listing.list_page`` for the busiest agency's văn thư: the first page, a page
2,000 rows deep (the cursor of the row before it), a filtered page (a year and a status), and a
chuyên viên's first page (who sees only what they were assigned). Keyset pages read only their rows,
so the deep page should cost what the first does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import SQLModel

import models.all  # noqa: F401 (every table, for create_all)
from bench.province_corpus import seed_organisation, seed_work
from models.db import make_engine, reading
from models.documents.access import visible_documents
from models.documents.listing import Cursor, ListFilters, list_page
from models.documents.tables import Document
from models.org.tables import User
from models.vocab import Direction, Role

DOCUMENTS, AGENCIES, REPEATS = 1_000_000, 300, 7
START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _timed(action, repeats: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeats):
        began = time.perf_counter()
        found = len(action().documents)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), found


def _measure(engine, repeats: int) -> None:
    with reading(engine) as session:
        agency_id, count = session.execute(
            select(Document.agency_id, func.count()).where(Document.direction == Direction.INCOMING)
            .group_by(Document.agency_id).order_by(func.count().desc()).limit(1)).one()
        clerk = session.execute(select(User).where(User.agency_id == agency_id, User.unit_id.is_(None))).scalar_one()
        officer = session.execute(select(User).where(User.agency_id == agency_id, User.unit_id.is_not(None))
                                  .limit(1)).scalar_one()
        deep = session.execute(select(Document).where(Document.agency_id == agency_id,
                                                      Document.direction == Direction.INCOMING)
                               .order_by(Document.created_at.desc(), Document.id.desc())
                               .offset(min(1999, count // 2)).limit(1)).scalar_one()
        cursor = Cursor.of(deep).text()
        clerk_sees = visible_documents(clerk, {Role.CLERK})
        officer_sees = visible_documents(officer, {Role.OFFICER})
        out(f"    busiest agency: {count:,} văn bản đến")
        cases = {
            "first page (văn thư)": lambda: list_page(session, clerk, Direction.INCOMING,
                                                      ListFilters.from_query({}, Direction.INCOMING), clerk_sees),
            f"page after row {min(2000, count // 2 + 1):,}": lambda: list_page(session, clerk, Direction.INCOMING,
                                                      ListFilters.from_query({"after": cursor}, Direction.INCOMING),
                                                      clerk_sees),
            "year 2026 + status done": lambda: list_page(
                session, clerk, Direction.INCOMING,
                ListFilters.from_query({"year": "2026", "status": "done"}, Direction.INCOMING), clerk_sees),
            "issuing agency text": lambda: list_page(
                session, clerk, Direction.INCOMING,
                ListFilters.from_query({"organ": "Sở Y tế"}, Direction.INCOMING), clerk_sees),
            "first page (chuyên viên)": lambda: list_page(session, officer, Direction.INCOMING,
                                                          ListFilters.from_query({}, Direction.INCOMING),
                                                          officer_sees),
        }
        for name, action in cases.items():
            median, found = _timed(action, repeats)
            out(f"    {name:<28} {median:8.1f} ms  ({found} rows)")


def main(documents: int = DOCUMENTS, agencies: int = AGENCIES, repeats: int = REPEATS,
         postgres_url: str | None = None, database: str | None = None) -> None:
    out(f"== document lists: {documents:,} documents, {agencies} agencies "
        f"({'PostgreSQL' if postgres_url else 'SQLite'})")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(database or f"{folder}/lists.db")
        reuse = database is not None and path.exists() and not postgres_url
        engine = make_engine(postgres_url or f"sqlite:///{path}")
        try:
            if not reuse:
                if postgres_url:
                    with engine.begin() as connection:
                        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                        connection.exec_driver_sql("CREATE SCHEMA public")
                SQLModel.metadata.create_all(engine)
                began = time.perf_counter()
                province = seed_organisation(engine, agencies)
                seed_work(engine, province, documents, random.Random(2026), start=START, end=END)
                with engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
                out(f"    seeded in {time.perf_counter() - began:.0f} s")
            _measure(engine, repeats)
        finally:
            engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--agencies", type=int, default=AGENCIES)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--database", default=None, help="a SQLite file to seed once and reuse")
    arguments = parser.parse_args()
    main(arguments.documents, arguments.agencies, arguments.repeats, arguments.postgres_url, arguments.database)
