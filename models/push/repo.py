"""All the SQL of push notifications: a person's devices and the outbox. Never commits.

``queue_push`` runs inside ``notifications.notify`` (the notification's transaction), so a
notification and its pushes are written together or not at all; the outbox row is unique on
(notification, device), so nothing is queued twice. The worker's round takes rows with
``claim_due`` (a conditional update: two workers never push the same row) and records each
answer with ``mark_sent``, ``mark_gone`` or ``mark_failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from models.db import utcnow
from models.documents.tables import Document
from models.push import rules
from models.push.tables import PushMessage, PushSubscription

MAX_ATTEMPTS = 5
# How long a sender may hold a claimed row: far longer than a batch of pushes takes.
CLAIM_LEASE = timedelta(minutes=5)
REVOKED_BY_PERSON = "tat"
REVOKED_EXPIRED = "het_han"
REVOKED_RENEWED = "doi_moi"  # the browser renewed it and its new subscription was already recorded


# --- devices --------------------------------------------------------------------------------------

def by_endpoint(session: Session, endpoint: str) -> PushSubscription | None:
    return session.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()


def active_for(session: Session, user_id: int) -> list[PushSubscription]:
    """A person's devices that receive pushes, newest first."""
    return list(session.exec(select(PushSubscription)
                             .where(PushSubscription.user_id == user_id, col(PushSubscription.revoked_at).is_(None))
                             .order_by(col(PushSubscription.id).desc())))


def subscribe(session: Session, user_id: int, endpoint: str, p256dh: str,
              auth: str) -> tuple[PushSubscription, int | None, bool]:
    """Record this browser as the person's device: the row, whose it was before (None: new), and
    whether anything changed.

    The endpoint is the browser's: subscribing again refreshes its keys, and a browser that
    someone else had subscribed (a shared computer) now belongs to this person only; the pushes
    still waiting for the other person are dropped, never shown to this one.
    """
    row = by_endpoint(session, endpoint)
    if row is None:
        row = PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        session.add(row)
        session.flush()
        return row, None, True
    previous = row.user_id
    if (row.user_id, row.p256dh, row.auth, row.revoked_at) == (user_id, p256dh, auth, None):
        return row, previous, False
    if previous != user_id:
        session.execute(update(PushMessage).where(PushMessage.subscription_id == row.id, PushMessage.outcome == "")
                        .values(outcome="dropped", done_at=utcnow()))
    row.user_id, row.p256dh, row.auth = user_id, p256dh, auth
    row.revoked_at, row.revoked_reason, row.failures, row.created_at = None, "", 0, utcnow()
    session.add(row)
    return row, previous, True


def unsubscribe(session: Session, user_id: int, endpoint: str) -> PushSubscription | None:
    """Stop pushing to this browser of the person's; None when it was not theirs or already off."""
    return _turn_off(session, user_id, by_endpoint(session, endpoint))


def turn_off_device(session: Session, user_id: int, subscription_id: int) -> PushSubscription | None:
    """Stop pushing to one of the person's devices, chosen in their list (a phone they no longer have)."""
    return _turn_off(session, user_id, session.get(PushSubscription, subscription_id))


def _turn_off(session: Session, user_id: int, row: PushSubscription | None) -> PushSubscription | None:
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return None
    row.revoked_at, row.revoked_reason = utcnow(), REVOKED_BY_PERSON
    session.add(row)
    return row


def renew(session: Session, row: PushSubscription, endpoint: str, p256dh: str,
          auth: str) -> PushSubscription | None:
    """Move a device to the subscription its browser renewed (``pushsubscriptionchange``): the same
    row, so the pushes waiting for it go to the new endpoint, active again if only the push service's
    expiry had revoked it. When the new endpoint is already a row of the same person's (the settings
    page recorded it first) that row is kept and the old one retired. None, changing nothing, when
    the new endpoint is another person's device or one its owner turned off."""
    existing = by_endpoint(session, endpoint)
    if existing is not None and existing.id != row.id:
        if existing.user_id != row.user_id or existing.revoked_reason == REVOKED_BY_PERSON:
            return None
        if row.revoked_at is None:
            row.revoked_at, row.revoked_reason = utcnow(), REVOKED_RENEWED
            session.add(row)
        row = existing
    row.endpoint, row.p256dh, row.auth = endpoint, p256dh, auth
    row.revoked_at, row.revoked_reason, row.failures = None, "", 0
    session.add(row)
    return row


# --- the outbox ----------------------------------------------------------------------------------

class Announced(Protocol):
    """A notification just added (``notifications.tables.Notification``), as far as pushing reads it."""

    id: int | None
    user_id: int
    document_id: str | None
    code: str


def queue_push(session: Session, notification: Announced) -> int:
    """Queue a push of a notification just added to each of the person's devices, when it is about
    an urgent document (``rules.is_pushed``); return how many. The caller commits.

    Called inside ``notifications.notify``; idempotent on (notification, device).
    """
    if notification.document_id is None:
        return 0
    document = session.get(Document, notification.document_id)
    if document is None or not rules.is_pushed(document.urgency):
        return 0
    devices = list(session.exec(select(PushSubscription.id).where(PushSubscription.user_id == notification.user_id,
                                                                 col(PushSubscription.revoked_at).is_(None))))
    if not devices:
        return 0
    if notification.id is None:
        session.flush()  # the notification's id is the outbox's business key
    queued = set(session.exec(select(PushMessage.subscription_id)
                              .where(PushMessage.notification_id == notification.id)))
    message = rules.payload(notification.id, notification.code, document.urgency, document.code_number or "",
                            document.code_notation or "", f"/documents/{document.id}")
    for subscription_id in devices:
        if subscription_id not in queued:
            session.add(PushMessage(notification_id=notification.id, subscription_id=subscription_id,
                                    payload=message))
    return len(set(devices) - queued)


@dataclass(frozen=True)
class DuePush:
    message_id: int
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    data: str  # the payload as sent


def _waiting(now: datetime):
    """Not done, attempts left, claimed by no sender (or its claim has run out)."""
    return (PushMessage.outcome == "", PushMessage.attempts < MAX_ATTEMPTS,
            or_(col(PushMessage.claimed_until).is_(None), col(PushMessage.claimed_until) < now))


def drop_unsendable(session: Session, now: datetime | None = None) -> int:
    """Close the rows not worth sending any more: older than a push lives ("stale"), or for a device
    turned off since ("dropped"). Returns how many."""
    now = now or utcnow()
    off = select(PushSubscription.id).where(col(PushSubscription.revoked_at).is_not(None))
    dropped = session.execute(update(PushMessage).where(PushMessage.outcome == "",
                                                        col(PushMessage.subscription_id).in_(off))
                              .values(outcome="dropped", done_at=now)).rowcount
    cutoff = now - timedelta(seconds=rules.TIME_TO_LIVE_SECONDS)
    stale = session.execute(update(PushMessage).where(PushMessage.outcome == "", PushMessage.created_at < cutoff)
                            .values(outcome="stale", done_at=now)).rowcount
    return dropped + stale


def drop_waiting(session: Session, now: datetime | None = None) -> int:
    """Close every waiting row unsent (push turned off for the installation); return how many."""
    return session.execute(update(PushMessage).where(PushMessage.outcome == "")
                           .values(outcome="dropped", done_at=now or utcnow())).rowcount


def claim_due(session: Session, limit: int = 50, now: datetime | None = None) -> list[DuePush]:
    """Take up to ``limit`` waiting pushes for ``CLAIM_LEASE``, oldest first, with their device."""
    now = now or utcnow()
    rows = session.exec(select(PushMessage, PushSubscription)
                        .join(PushSubscription, col(PushSubscription.id) == PushMessage.subscription_id)
                        .where(*_waiting(now), col(PushSubscription.revoked_at).is_(None))
                        .order_by(col(PushMessage.id)).limit(limit)).all()
    taken = []
    for message, device in rows:
        claimed = session.execute(update(PushMessage).where(col(PushMessage.id) == message.id, *_waiting(now))
                                  .values(claimed_until=now + CLAIM_LEASE)).rowcount
        if claimed == 1:
            taken.append(DuePush(message.id, device.id, device.endpoint, device.p256dh, device.auth,
                                 rules.encoded(message.payload)))
    return taken


def mark_sent(session: Session, message_id: int, subscription_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    session.execute(update(PushMessage).where(col(PushMessage.id) == message_id)
                    .values(outcome="sent", done_at=now, attempts=PushMessage.attempts + 1, last_error=""))
    session.execute(update(PushSubscription).where(col(PushSubscription.id) == subscription_id)
                    .values(last_success_at=now, failures=0))


def mark_gone(session: Session, message_id: int, subscription_id: int, detail: str,
              now: datetime | None = None) -> PushSubscription | None:
    """The push service says the subscription no longer exists: revoke it (returned when this call did)."""
    now = now or utcnow()
    session.execute(update(PushMessage).where(col(PushMessage.id) == message_id)
                    .values(outcome="expired", done_at=now, attempts=PushMessage.attempts + 1, last_error=detail[:200]))
    device = session.get(PushSubscription, subscription_id)
    if device is None or device.revoked_at is not None:
        return None
    device.revoked_at, device.revoked_reason = now, REVOKED_EXPIRED
    session.add(device)
    return device


def mark_failed(session: Session, message_id: int, subscription_id: int, detail: str,
                now: datetime | None = None) -> None:
    """Count a failure on the row (retried next round until ``MAX_ATTEMPTS``) and on the device."""
    now = now or utcnow()
    message = session.get(PushMessage, message_id)
    if message is None or message.outcome:
        return
    message.attempts += 1
    message.last_error, message.claimed_until = detail[:200], None  # the next round may try again at once
    if message.attempts >= MAX_ATTEMPTS:
        message.outcome, message.done_at = "failed", now
    session.add(message)
    session.execute(update(PushSubscription).where(col(PushSubscription.id) == subscription_id)
                    .values(failures=PushSubscription.failures + 1))
