"""All SQL of idempotent requests. Callers own the transaction; nothing here commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from models.audit import AuditEvent
from models.db import insert_ignoring_conflict
from models.idempotency.tables import ClaimState, IdempotentRequest


def find(session: Session, user_id: int, key: str) -> IdempotentRequest | None:
    """The request a person made with this key, if it is still remembered."""
    return session.exec(
        select(IdempotentRequest).where(IdempotentRequest.user_id == user_id, IdempotentRequest.key == key)
    ).first()


def claim(session: Session, *, user_id: int, key: str, method: str, path: str, fingerprint: str,
          holder: str, now: datetime, hold: timedelta, keep: timedelta) -> bool:
    """Take the key for a new request; False when the person already used it (a retry, or a race)."""
    result = insert_ignoring_conflict(session, IdempotentRequest, {
        "user_id": user_id, "key": key, "method": method, "path": path, "fingerprint": fingerprint,
        "state": ClaimState.STARTED, "holder": holder, "held_until": now + hold, "created_at": now,
        "expires_at": now + keep, "event_data": {}, "response_headers": {},
    }, ["user_id", "key"])
    return result.rowcount == 1


def forget(session: Session, request_id: int) -> None:
    """Drop an expired request so its key can be used afresh."""
    session.execute(delete(IdempotentRequest).where(IdempotentRequest.id == request_id))


def take_over(session: Session, request_id: int, old_holder: str, new_holder: str, now: datetime,
              hold: timedelta) -> bool:
    """Hand a started claim whose holder died to the retry; False if someone else moved first."""
    result = session.execute(
        update(IdempotentRequest)
        .where(IdempotentRequest.id == request_id, IdempotentRequest.state == ClaimState.STARTED,
               IdempotentRequest.holder == old_holder)
        .values(holder=new_holder, held_until=now + hold),
        execution_options={"preserve_rowcount": True},
    )
    return result.rowcount == 1


def mark_took_effect(session: Session, request_id: int, holder: str, event: AuditEvent) -> bool:
    """In the change's own transaction: the request took effect, on ``event``'s subject.

    False when the claim is no longer this holder's (it was handed to a retry after its holder
    looked dead): the caller must then roll the change back, or it would happen twice.
    """
    result = session.execute(
        update(IdempotentRequest)
        .where(IdempotentRequest.id == request_id, IdempotentRequest.state == ClaimState.STARTED,
               IdempotentRequest.holder == holder)
        .values(state=ClaimState.TOOK_EFFECT, subject_type=event.subject_type, subject_id=event.subject_id,
                event_code=event.code, event_data=event.data),
        execution_options={"preserve_rowcount": True},
    )
    return result.rowcount == 1


def save_answer(session: Session, request_id: int, status: int, headers: dict[str, str], body: bytes) -> None:
    """Keep the answer the first request sent, to send it again to every retry."""
    session.execute(
        update(IdempotentRequest).where(IdempotentRequest.id == request_id)
        .values(state=ClaimState.ANSWERED, response_status=status, response_headers=headers, response_body=body)
    )


def release(session: Session, request_id: int, holder: str) -> None:
    """Free the key of a request that changed nothing (refused, or failed before its change)."""
    session.execute(
        delete(IdempotentRequest).where(IdempotentRequest.id == request_id,
                                        IdempotentRequest.state == ClaimState.STARTED,
                                        IdempotentRequest.holder == holder)
    )


def purge_expired(session: Session, now: datetime, limit: int) -> int:
    """Forget requests past their keeping time, a batch at a time; how many were forgotten."""
    ids = list(session.exec(
        select(IdempotentRequest.id).where(IdempotentRequest.expires_at <= now).limit(limit)
    ))
    if ids:
        session.execute(delete(IdempotentRequest).where(IdempotentRequest.id.in_(ids)))
    return len(ids)
