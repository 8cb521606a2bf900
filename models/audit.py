"""Append-only audit log: every login, document action and register change (ND30 PL VI III.5.a).

``record`` is called inside the transaction of the change it describes, so the two commit or
fail together. A document's processing history is its audit rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, Session, SQLModel, select

from models.db import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what, to which subject, when."""

    __table_args__ = (Index("ix_audit_subject", "subject_type", "subject_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    code: str = Field(max_length=50)  # namespaced: document.registered, auth.login_failed…
    subject_type: str = Field(max_length=20)
    subject_id: str = Field(max_length=80)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


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
