"""Append-only audit log: every login, document action and register change (ND30 PL VI III.5.a).

``record`` is called inside the transaction of the change it describes, so the two commit or
fail together. A document's processing history is its audit rows.

**A hash chain makes the log tamper-evident.** Just before a transaction that recorded events
commits, ``link_recorded_events`` locks the one row of ``audit_chain_head`` (``SELECT … FOR
UPDATE`` on PostgreSQL; SQLite already has one writer at a time), gives each new event the next
gapless ``seq``, the head's hash as ``prev_hash`` and ``hash`` = SHA-256 over its canonical form
(``event_hash``), and moves the head. The lock is taken last and held only until the commit, so
concurrent writers queue for a moment and the chain stays one line: no gap, no fork. A row edited,
deleted or inserted afterwards breaks a link that ``models.audit_trail.verify`` finds; each day's
head is signed (``models.audit_trail.day_heads``) so rewriting the whole chain shows too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, event, text
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, select

from models.db import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event of the chain."""


class AuditEvent(SQLModel, table=True):
    """Who did what, to which subject, when."""

    __table_args__ = (
        Index("ix_audit_subject", "subject_type", "subject_id", "at"),
        Index("ix_audit_seq", "seq"),
        Index("ix_audit_at", "at"),
        Index("ix_audit_actor", "actor_id", "at"),
        Index("ix_audit_code", "code", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    code: str = Field(max_length=50)  # namespaced: document.registered, auth.login_failed…
    subject_type: str = Field(max_length=20)
    subject_id: str = Field(max_length=80)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The hash chain (set at commit by ``link_recorded_events``; NULL only on a row written around it).
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class AuditChainHead(SQLModel, table=True):
    """The last link of the audit chain: one row (id 1), locked by every transaction that audits."""

    __tablename__ = "audit_chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    hash: str = Field(default=GENESIS_HASH, max_length=64)


def canonical_json(value: Any) -> str:
    """One text per JSON value: keys sorted, no spaces, non-ASCII kept (what the hash covers)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def event_hash(seq: int, event_id: int, at: datetime, actor_id: int | None, code: str, subject_type: str,
               subject_id: str, data: Any, prev_hash: str) -> str:
    """SHA-256 (hex) of an event's canonical form, which names the previous link."""
    body = canonical_json({
        "seq": seq, "id": event_id, "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_id, "code": code, "subject": [subject_type, subject_id],
        # Through JSON once, as the column stores it (tuples become lists, keys text).
        "data": json.loads(json.dumps(data)), "prev": prev_hash,
    })
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hash_of(row: AuditEvent, prev_hash: str) -> str:
    """What ``row.hash`` must be if the row is unchanged and follows ``prev_hash``."""
    return event_hash(row.seq, row.id, row.at, row.actor_id, row.code, row.subject_type, row.subject_id,
                      row.data, prev_hash)


UNLINKED_IN_SESSION = "qlvb_audit_unlinked"
"""``session.info`` key of the audit rows added in this transaction and not yet in the chain."""


@event.listens_for(OrmSession, "before_flush")
def _note_new_events(session: OrmSession, _context, _instances) -> None:
    # Rows added without ``record`` are chained too.
    fresh = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if fresh:
        unlinked = session.info.setdefault(UNLINKED_IN_SESSION, {})
        unlinked.update((id(obj), obj) for obj in fresh)


@event.listens_for(OrmSession, "before_commit")
def link_recorded_events(session: OrmSession) -> None:
    """Chain the audit rows of this transaction, just before it commits (see the module docstring)."""
    if not session.info.get(UNLINKED_IN_SESSION) and not any(isinstance(o, AuditEvent) for o in session.new):
        return
    session.flush()  # ids first: they are part of the hash
    pending = session.info.pop(UNLINKED_IN_SESSION, {}).values()
    events = sorted((e for e in pending if e.seq is None and e.id is not None), key=lambda e: e.id)
    if not events:
        return
    connection = session.connection()
    seq, head_hash = _lock_head(connection)
    links = []
    for row in events:
        seq += 1
        # Set as loaded, not as changes: one plain UPDATE below instead of another ORM flush,
        # which keeps the time the head stays locked short.
        set_committed_value(row, "seq", seq)
        set_committed_value(row, "prev_hash", head_hash)
        set_committed_value(row, "hash", hash_of(row, head_hash))
        links.append({"row_id": row.id, "seq": seq, "prev_hash": head_hash, "hash": row.hash})
        head_hash = row.hash
    connection.execute(_LINK, links)
    connection.execute(_MOVE_HEAD, {"seq": seq, "hash": head_hash})


# Plain SQL, built once: this runs in every auditing transaction while the head is locked.
_LINK = text("UPDATE auditevent SET seq = :seq, prev_hash = :prev_hash, hash = :hash WHERE id = :row_id")
_MOVE_HEAD = text("UPDATE audit_chain_head SET seq = :seq, hash = :hash WHERE id = 1")
_READ_HEAD = text("SELECT seq, hash FROM audit_chain_head WHERE id = 1")
_LOCK_HEAD = text("SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")
_CREATE_HEAD = {
    "postgresql": text("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, :hash) ON CONFLICT DO NOTHING"),
    "sqlite": text("INSERT OR IGNORE INTO audit_chain_head (id, seq, hash) VALUES (1, 0, :hash)"),
}


def _lock_head(connection) -> tuple[int, str]:
    # SQLite has one writer at a time (BEGIN IMMEDIATE): reading the row is enough there.
    query = _LOCK_HEAD if connection.dialect.name == "postgresql" else _READ_HEAD
    row = connection.execute(query).first()
    if row is None:  # a database made by create_all (the migration inserts the row)
        connection.execute(_CREATE_HEAD[connection.dialect.name], {"hash": GENESIS_HASH})
        row = connection.execute(query).first()
    return row[0], row[1]


RECORDED_IN_SESSION = "qlvb_audit_events"
"""``session.info`` key of the events ``record`` added to a transaction: a change is whatever was
audited, so a commit watcher (``models.db.watching_commits``) reads them to know a request took
effect and on what."""


def record(
    session: Session,
    actor_id: int | None,
    code: str,
    subject_type: str,
    subject_id: str | int,
    **data: Any,
) -> AuditEvent:
    """Add an audit row to the caller's transaction (the caller commits)."""
    event = AuditEvent(
        actor_id=actor_id,
        code=code,
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=data,
    )
    session.add(event)
    session.info.setdefault(RECORDED_IN_SESSION, []).append(event)
    return event


def recorded_in(session: Session) -> list[AuditEvent]:
    """The audit events written so far in this transaction."""
    return list(session.info.get(RECORDED_IN_SESSION, ()))


def already_recorded(session: Session, code: str, document_id: str, **key: str) -> bool:
    """Whether event ``code`` was already written on a document with these data (an idempotency key,
    e.g. ``task_key=…`` for one step or ``workflow_id=…`` for one run)."""
    events = session.exec(select(AuditEvent).where(AuditEvent.code == code, AuditEvent.subject_id == document_id))
    return any(all(event.data.get(name) == value for name, value in key.items()) for event in events)


def first_since(session: Session, code: str, document_id: str, since: datetime) -> AuditEvent | None:
    """The first event ``code`` on a document at or after ``since`` (what one request did)."""
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.code == code, AuditEvent.subject_type == "document", AuditEvent.subject_id == document_id,
               AuditEvent.at >= since)
        .order_by(AuditEvent.id)
    ).first()
