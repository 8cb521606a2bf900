"""All SQL of the audit trail's checks, day heads and search (reads; ``add_day_head`` writes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.audit import GENESIS_HASH, AuditChainHead, AuditEvent
from models.audit_trail.tables import AuditDayHead
from models.org.tables import User

BATCH = 5000
NEAR_MIDNIGHT = 200  # events read back from a day's end to find its last link


def chain_head(session: Session) -> tuple[int, str]:
    """The chain head row: (last seq, its hash); (0, genesis) before any event."""
    head = session.get(AuditChainHead, 1)
    return (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)


def chained_events(session: Session) -> Iterator[AuditEvent]:
    """Every chained event in seq order (then id), read in batches."""
    after_seq, after_id = -1, -1
    while True:
        batch = session.exec(
            select(AuditEvent).where(col(AuditEvent.seq).is_not(None),
                                     (col(AuditEvent.seq) > after_seq)
                                     | ((col(AuditEvent.seq) == after_seq) & (col(AuditEvent.id) > after_id)))
            .order_by(col(AuditEvent.seq), col(AuditEvent.id)).limit(BATCH)).all()
        if not batch:
            return
        yield from batch
        after_seq, after_id = batch[-1].seq, batch[-1].id


def unchained_events(session: Session, limit: int) -> list[AuditEvent]:
    """Rows with no place in the chain (written around ``models.audit``), oldest first."""
    return list(session.exec(select(AuditEvent).where(col(AuditEvent.seq).is_(None))
                             .order_by(col(AuditEvent.id)).limit(limit)))


def events_at_seq(session: Session, seq: int) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.seq == seq).order_by(col(AuditEvent.id))))


def first_event_at(session: Session) -> datetime | None:
    return session.exec(select(func.min(AuditEvent.at))).one()


def head_before(session: Session, end: datetime) -> tuple[int, str]:
    """The last link among the events recorded before ``end``: (seq, hash), or (0, genesis).

    Events reach the chain at commit, in about the order of their time: the latest few before
    ``end`` hold the highest seq.
    """
    recent = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.at < end, col(AuditEvent.seq).is_not(None)) \
        .order_by(col(AuditEvent.at).desc()).limit(NEAR_MIDNIGHT)
    rows = session.exec(recent).all()
    if not rows:
        return 0, GENESIS_HASH
    seq, head_hash = max(rows)
    return seq, head_hash


def last_signed_day(session: Session) -> date | None:
    return session.exec(select(func.max(AuditDayHead.day))).one()


def add_day_head(session: Session, row: AuditDayHead) -> AuditDayHead:
    session.add(row)
    session.flush()
    return row


def day_heads(session: Session) -> list[AuditDayHead]:
    return list(session.exec(select(AuditDayHead).order_by(col(AuditDayHead.day))))


# --- the administrator's search -------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log page and API search by (all optional)."""

    actor_id: int | None = None
    document_id: str | None = None
    code: str | None = None
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    actor: User | None


def _filtered(query, where: AuditFilter):
    if where.actor_id is not None:
        query = query.where(AuditEvent.actor_id == where.actor_id)
    if where.document_id:
        query = query.where(AuditEvent.subject_type == "document", AuditEvent.subject_id == where.document_id)
    if where.code:
        query = query.where(AuditEvent.code == where.code)
    if where.start is not None:
        query = query.where(AuditEvent.at >= where.start)
    if where.end is not None:
        query = query.where(AuditEvent.at < where.end)
    return query


def search(session: Session, where: AuditFilter, *, limit: int, offset: int = 0) -> list[AuditRow]:
    """Matching events, newest first, with the acting person."""
    query = _filtered(select(AuditEvent, User).join(User, col(User.id) == AuditEvent.actor_id, isouter=True),
                      where)
    rows = session.exec(query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
                        .limit(limit).offset(offset)).all()
    return [AuditRow(event, user) for event, user in rows]


def count(session: Session, where: AuditFilter) -> int:
    return session.exec(_filtered(select(func.count()).select_from(AuditEvent), where)).one()


def user_by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def accessed_since(session: Session, actor_id: int, document_id: str, code: str, since: datetime) -> bool:
    """Whether this person's access event ``code`` on the document was recorded at or after ``since``."""
    return session.exec(select(AuditEvent.id).where(
        AuditEvent.subject_type == "document", AuditEvent.subject_id == document_id, AuditEvent.at >= since,
        AuditEvent.code == code, AuditEvent.actor_id == actor_id).limit(1)).first() is not None
