"""The hub simulator's storage: its own SQLite file, its tables and every query on them.

``devservers.hub.simulator`` serves the hub API over a ``HubStore``; the store keeps the state
behind it (``var/hub/hub.db`` by default; stdlib ``sqlite3``, never the QLVB database) in four
tables:

* ``hub_system`` / ``hub_system_organ``: connected systems, their secrets and the agency codes
  each one receives for (one system per code);
* ``hub_package``: what was sent, byte for byte, with its sender, type and idempotency key;
* ``hub_delivery``: one row per recipient, the transport state of §9.4:
  ``pending`` → ``fetched`` (``getEdoc``) → ``done`` | ``fail`` (``updateStatus``, with a reason);
* ``hub_agency``: the directory, with both code forms, versions, old codes and closed units.

Refusals are ``HubFailure``s, which the app turns into the hub's JSON error answers.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from devservers.hub.directory import DirectoryEntry
from models.exchange.hub_systems import HubSystem

PENDING, FETCHED, DONE, FAIL = "pending", "fetched", "done", "fail"
VIETNAM_OFFSET = timedelta(hours=7)

SCHEMA = """
CREATE TABLE IF NOT EXISTS hub_system (
    id TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS hub_system_organ (
    organ_code TEXT PRIMARY KEY,
    system_id TEXT NOT NULL REFERENCES hub_system(id)
);
CREATE TABLE IF NOT EXISTS hub_package (
    id TEXT PRIMARY KEY,
    sender_system TEXT NOT NULL REFERENCES hub_system(id),
    from_code TEXT NOT NULL,
    to_codes TEXT NOT NULL,              -- JSON array, as requested
    message_type TEXT NOT NULL CHECK (message_type IN ('edoc', 'status')),
    service_type TEXT NOT NULL,
    body BLOB NOT NULL,
    body_sha256 TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (sender_system, idempotency_key)
);
CREATE TABLE IF NOT EXISTS hub_delivery (
    id TEXT PRIMARY KEY,                 -- the receiver's docId
    package_id TEXT NOT NULL REFERENCES hub_package(id),
    to_code TEXT NOT NULL,
    to_system TEXT NOT NULL REFERENCES hub_system(id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'fetched', 'done', 'fail')),
    reason TEXT NOT NULL DEFAULT '',
    fetch_count INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    acknowledged_at TEXT,
    UNIQUE (package_id, to_code)
);
CREATE INDEX IF NOT EXISTS hub_delivery_inbox ON hub_delivery (to_system, state);
CREATE TABLE IF NOT EXISTS hub_agency (
    id INTEGER PRIMARY KEY,
    code102 TEXT NOT NULL UNIQUE,
    code_qd20 TEXT NOT NULL,
    parent_code102 TEXT,
    name TEXT NOT NULL,
    mail TEXT NOT NULL DEFAULT '',
    old_code TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    modify_date TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    is_agency INTEGER NOT NULL DEFAULT 1
);
"""


class HubFailure(Exception):
    """A request the simulator refuses: HTTP status, hub ``ErrorCode`` and a Vietnamese ``ErrorDesc``."""

    def __init__(self, http_status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.error_code = error_code
        self.message = message


def _now_text(clock: Callable[[], datetime]) -> str:
    """API times are ISO 8601 in Vietnam time (+07:00), like the rest of QLVB's API."""
    return clock().astimezone(timezone(VIETNAM_OFFSET)).isoformat(timespec="seconds")


@dataclass
class HubStore:
    """The simulator's SQLite file; one short connection per operation (requests run in threads)."""

    path: Path
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def __post_init__(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.touch(mode=0o600, exist_ok=True)  # it holds the systems' secrets; -wal/-shm inherit the mode
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys=ON")
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE: take the write lock first, so two concurrent sends cannot both miss the
        # idempotency key and then collide.
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # --- systems and directory ---

    def register_system(self, system: HubSystem) -> None:
        """Add or update a system; its codes move to it from any system that served them before."""
        with self._transaction() as db:
            db.execute("INSERT INTO hub_system (id, secret) VALUES (?, ?) "
                       "ON CONFLICT (id) DO UPDATE SET secret = excluded.secret",
                       (system.system_id, system.secret))
            db.execute("DELETE FROM hub_system_organ WHERE system_id = ?", (system.system_id,))
            db.executemany("INSERT INTO hub_system_organ (organ_code, system_id) VALUES (?, ?) "
                           "ON CONFLICT (organ_code) DO UPDATE SET system_id = excluded.system_id",
                           [(code, system.system_id) for code in system.organ_codes])

    def secret_for(self, system_id: str) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT secret FROM hub_system WHERE id = ?", (system_id,)).fetchone()
        return row["secret"] if row else None

    def organ_codes_of(self, system_id: str) -> set[str]:
        with self._connect() as db:
            rows = db.execute("SELECT organ_code FROM hub_system_organ WHERE system_id = ?", (system_id,))
            return {row["organ_code"] for row in rows}

    def seed_directory(self, entries: Iterable[DirectoryEntry]) -> int:
        """Insert the agencies not in the directory yet (by QCVN 102 code); return how many."""
        added = 0
        with self._transaction() as db:
            for entry in entries:
                cursor = db.execute(
                    "INSERT INTO hub_agency (code102, code_qd20, parent_code102, name, mail, old_code, version, "
                    "modify_date, deleted, is_agency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (code102) DO NOTHING",
                    (entry.code102, entry.code_qd20, entry.parent_code102, entry.name, entry.mail,
                     entry.old_code, entry.version, entry.modify_date, int(entry.deleted), int(entry.is_agency)))
                added += cursor.rowcount
        return added

    def agencies(self) -> list[sqlite3.Row]:
        with self._connect() as db:
            return db.execute("SELECT a.*, p.id AS pid FROM hub_agency a "
                              "LEFT JOIN hub_agency p ON p.code102 = a.parent_code102 ORDER BY a.id").fetchall()

    # --- sending ---

    def _route(self, db: sqlite3.Connection, code: str) -> tuple[str, str] | None:
        """(current code, system) for a recipient code, directly or through a directory old code."""
        row = db.execute("SELECT system_id FROM hub_system_organ WHERE organ_code = ?", (code,)).fetchone()
        if row:
            return code, row["system_id"]
        row = db.execute("SELECT o.organ_code, o.system_id FROM hub_agency a "
                         "JOIN hub_system_organ o ON o.organ_code = a.code102 "
                         "WHERE a.old_code = ? AND a.deleted = 0", (code,)).fetchone()
        return (row["organ_code"], row["system_id"]) if row else None

    def send(self, sender: str, from_code: str, to_codes: list[str], message_type: str, service_type: str,
             body: bytes, idempotency_key: str | None) -> str:
        """Store a package and one delivery per recipient; return its DocId (the first one on a retry)."""
        digest = hashlib.sha256(body).hexdigest()
        key = idempotency_key or "sha256:" + hashlib.sha256(
            json.dumps([from_code, sorted(to_codes), message_type, digest]).encode()).hexdigest()
        with self._transaction() as db:
            existing = db.execute("SELECT id, body_sha256 FROM hub_package WHERE sender_system = ? "
                                  "AND idempotency_key = ?", (sender, key)).fetchone()
            if existing:
                if existing["body_sha256"] != digest:
                    raise HubFailure(409, "409", f"Khóa chống gửi trùng «{key}» đã dùng cho một gói khác.")
                return existing["id"]
            routes = {code: self._route(db, code) for code in to_codes}
            unknown = [code for code, route in routes.items() if route is None]
            if unknown:
                raise HubFailure(400, "404", "Không có hệ thống nào nhận văn bản cho mã định danh: "
                                 + ", ".join(unknown) + ".")
            package_id = str(uuid.uuid4())
            now = _now_text(self.clock)
            db.execute("INSERT INTO hub_package (id, sender_system, from_code, to_codes, message_type, "
                       "service_type, body, body_sha256, idempotency_key, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (package_id, sender, from_code, json.dumps(to_codes), message_type, service_type,
                        body, digest, key, now))
            for current, system_id in routes.values():
                db.execute("INSERT INTO hub_delivery (id, package_id, to_code, to_system, state, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (package_id, to_code) DO NOTHING",
                           (str(uuid.uuid4()), package_id, current, system_id, PENDING, now))
            return package_id

    def sent(self, sender: str, message_type: str) -> list[sqlite3.Row]:
        with self._connect() as db:
            return db.execute(
                "SELECT p.id AS package_id, p.from_code, p.message_type, p.service_type, p.created_at, "
                "d.id AS delivery_id, d.to_code, d.state, d.reason, d.acknowledged_at "
                "FROM hub_package p JOIN hub_delivery d ON d.package_id = p.id "
                "WHERE p.sender_system = ? AND p.message_type = ? ORDER BY p.created_at, p.id, d.to_code",
                (sender, message_type)).fetchall()

    # --- receiving ---

    def waiting(self, receiver: str, message_type: str) -> list[sqlite3.Row]:
        """Deliveries not yet acknowledged: listed again after a fetch (at-least-once delivery)."""
        with self._connect() as db:
            return db.execute(
                "SELECT d.*, p.from_code, p.message_type, p.service_type, p.created_at "
                "FROM hub_delivery d JOIN hub_package p ON p.id = d.package_id "
                "WHERE d.to_system = ? AND p.message_type = ? AND d.state IN ('pending', 'fetched') "
                "ORDER BY p.created_at, d.id", (receiver, message_type)).fetchall()

    def fetch(self, receiver: str, delivery_id: str) -> bytes:
        with self._transaction() as db:
            row = db.execute("SELECT d.state, p.body FROM hub_delivery d JOIN hub_package p ON p.id = d.package_id "
                             "WHERE d.id = ? AND d.to_system = ?", (delivery_id, receiver)).fetchone()
            if row is None:
                raise HubFailure(404, "404", f"Không có gói «{delivery_id}» gửi cho hệ thống này.")
            db.execute("UPDATE hub_delivery SET fetch_count = fetch_count + 1, updated_at = ?, "
                       "state = CASE state WHEN 'pending' THEN 'fetched' ELSE state END WHERE id = ?",
                       (_now_text(self.clock), delivery_id))
            return bytes(row["body"])

    def acknowledge(self, receiver: str, delivery_id: str, status: str, reason: str) -> None:
        """``done`` or ``fail``; repeating the same acknowledgement is harmless, changing it is refused."""
        with self._transaction() as db:
            row = db.execute("SELECT state FROM hub_delivery WHERE id = ? AND to_system = ?",
                             (delivery_id, receiver)).fetchone()
            if row is None:
                raise HubFailure(404, "404", f"Không có gói «{delivery_id}» gửi cho hệ thống này.")
            if row["state"] in (DONE, FAIL):
                if row["state"] != status:
                    raise HubFailure(409, "409", f"Gói «{delivery_id}» đã được xác nhận «{row['state']}».")
                return
            now = _now_text(self.clock)
            db.execute("UPDATE hub_delivery SET state = ?, reason = ?, updated_at = ?, acknowledged_at = ? "
                       "WHERE id = ?", (status, reason, now, now, delivery_id))
