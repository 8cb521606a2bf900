"""Engine, sessions and column types shared by every table.

SQLite is the embedded default and PostgreSQL the production database; the same code runs on
both. Two SQLite details matter for legal registers (STACK-NOTES §7.4): every write transaction
starts with ``BEGIN IMMEDIATE`` so concurrent registrations queue instead of failing with
SQLITE_BUSY, and ``synchronous=FULL`` so a committed number survives a power cut.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine


def utcnow() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


READ_ONLY_OPTION = "qlvb_read_only"


# How many pooled connections one thread may hold at once: a read session plus a write
# transaction opened inside it (the document page reads with one and records the view with another;
# measured with the pool's checkout events, README «Production: connections»).
CONNECTIONS_PER_THREAD = 2
# The threads of a web process that run sync routes and dependencies: AnyIO's default limiter.
WEB_THREADS = 40


@dataclass(frozen=True)
class PoolSize:
    """A PostgreSQL connection pool: ``size`` connections kept open, up to ``overflow`` more while
    busy, and how long a thread waits for one before the request fails."""

    size: int
    overflow: int
    timeout: float = 30.0

    @property
    def most(self) -> int:
        """The most connections the process opens."""
        return self.size + self.overflow

    @classmethod
    def for_threads(cls, threads: int, size: int | None = None, overflow: int | None = None,
                    timeout: float = 30.0) -> PoolSize:
        """A pool no thread ever waits on: ``threads`` × ``CONNECTIONS_PER_THREAD`` at most.

        ``size`` (kept open) defaults to one per thread, capped at 10: idle connections cost the
        server memory and a slot of ``max_connections``; the rest open under load and close when
        returned. An operator's ``size``/``overflow`` replace either part.
        """
        most = threads * CONNECTIONS_PER_THREAD
        kept = size if size is not None else min(threads, 10)
        return cls(kept, overflow if overflow is not None else max(most - kept, 0), timeout)


# Commands, migrations, tests and benchmarks: the pool every engine had before it was configurable.
DEFAULT_POOL = PoolSize(10, 20)


def make_engine(url: str, *, echo: bool = False, pool: PoolSize = DEFAULT_POOL) -> Engine:
    """Create an engine with the pragmas and transaction mode QLVB relies on.

    ``pool`` sizes the connection pool (the web app and the worker size theirs from the threads
    they run, ``PoolSize.for_threads``), on SQLite too: SQLAlchemy's own 5 + 10 there left 40 request
    threads waiting for one another's connections.
    """
    if url.startswith("sqlite"):
        in_memory = make_url(url).database in (None, "", ":memory:")  # one connection per thread, no queue
        sizes = {} if in_memory else {"pool_size": pool.size, "max_overflow": pool.overflow,
                                      "pool_timeout": pool.timeout}
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **sizes
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=pool.size, max_overflow=pool.overflow,
                         pool_timeout=pool.timeout)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A deferred transaction that later writes fails at once with SQLITE_BUSY under
        # concurrency, which busy_timeout does not cure; IMMEDIATE takes the write lock up front.
        # Read-only transactions (``reading``) must not: under WAL readers never block each
        # other, and queueing them behind the write lock made inbox reads time out under load.
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITER_LOCKS_GUARD = threading.Lock()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Open a session whose whole body is one transaction: commit on success, else roll back.

    This is the single place activities and commands own their transaction; repositories
    called inside never commit.
    """
    with _sqlite_writer(engine), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            for watcher in _COMMIT_WATCHERS.get():
                watcher(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise


CommitWatcher = Callable[[Session], None]
_COMMIT_WATCHERS: ContextVar[tuple[CommitWatcher, ...]] = ContextVar("qlvb_commit_watchers", default=())


@contextmanager
def watching_commits(watcher: CommitWatcher) -> Iterator[None]:
    """Run ``watcher`` inside every write transaction of this context, just before it commits.

    It may add rows to the same transaction or raise to roll it back. An HTTP request with an
    Idempotency-Key uses it to record, atomically with the change itself, that the request took
    effect (``models.idempotency.watch``). Context variables follow the request into the thread
    pool, so commands need not know about it.
    """
    token = _COMMIT_WATCHERS.set((*_COMMIT_WATCHERS.get(), watcher))
    try:
        yield
    finally:
        _COMMIT_WATCHERS.reset(token)


def _sqlite_writer(engine: Engine):
    """On SQLite, write transactions of one process take turns on a lock of the process.

    SQLite has one writer at a time. Threads that all ``BEGIN IMMEDIATE`` wait in SQLite's busy
    handler, which sleeps in growing steps (up to 100 ms) before trying again: with 30 concurrent
    uploads that sleeping cut accepted uploads from 69 to 8.5 a second. Waiting on a lock instead
    hands the write over the moment it is free. Other processes (web, worker) still meet at
    SQLite's own lock. Re-entrant, so a transaction opened inside another in the same thread
    behaves as before. PostgreSQL needs no such turn-taking: nothing is held there.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(engine, threading.RLock())


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only transaction: a deferred BEGIN on SQLite, so readers never wait for writers.

    Nothing in it may write (on SQLite a write would fail with "database is locked" under
    contention); the session is rolled back at the end.
    """
    with Session(engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def insert_ignoring_conflict(session: Session, table, values: dict, conflict_columns: list[str]):
    """``INSERT … ON CONFLICT (cols) DO NOTHING`` on SQLite and PostgreSQL alike.

    Returns the result; ``rowcount`` is 1 when a row was inserted and 0 when it already existed,
    which is how idempotent writes tell "first time" from "retry".
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported backends
        raise RuntimeError(f"unsupported database: {dialect}")
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
    # SQLAlchemy keeps ``rowcount`` only for UPDATE and DELETE unless asked: on PostgreSQL the
    # implicit ``RETURNING id`` consumes the cursor, so a new row and a conflict both read -1.
    return session.execute(statement, execution_options={"preserve_rowcount": True})
