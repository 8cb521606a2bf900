"""The push outbox drained: each waiting push sent to its device, and the answer recorded.

Run by the ``Reconcile`` round every ``QLVB_MAINTENANCE_SECONDS`` (``workflows/maintenance.py``).
Each row was claimed first (``push_repo.claim_due``), so two workers never push it twice; each
answer is recorded in its own transaction right after the push, so a crash between the two may
show one notification twice (the service worker's tag folds them into one), never lose it. An
expired subscription (404/410) is revoked; any other failure is counted and retried next round,
and never fails the round.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from temporalio import activity

from config.settings import Settings
from models.audit import record
from models.db import transaction
from models.push import repo as push_repo
from models.push import sender, vapid

log = logging.getLogger("qlvb.push")

# Up to 25 pushes at a 10-second timeout each stay well inside the round's five minutes.
BATCH = 25


class PushActivities:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    @activity.defn(name="deliver_push")
    def deliver_push(self) -> int:
        """Send the pushes waiting in the outbox; return how many reached their push service."""
        return deliver_pending(self.engine, self.settings)


def deliver_pending(engine: Engine, settings: Settings, limit: int = BATCH) -> int:
    """Push up to ``limit`` waiting notifications; with push turned off, drop them unsent."""
    with transaction(engine) as session:
        if not settings.push_enabled:
            push_repo.drop_waiting(session)
            return 0
        push_repo.drop_unsendable(session)
        due = push_repo.claim_due(session, limit)
    if not due:
        return 0
    key, subject = vapid.signing_key(settings), settings.effective_vapid_subject
    sent = 0
    for push in due:
        delivery = sender.send(push.endpoint, push.p256dh, push.auth, push.data, key, subject)
        with transaction(engine) as session:
            if delivery.outcome is sender.Outcome.SENT:
                push_repo.mark_sent(session, push.message_id, push.subscription_id)
                sent += 1
            elif delivery.outcome is sender.Outcome.GONE:
                revoked = push_repo.mark_gone(session, push.message_id, push.subscription_id, delivery.detail)
                if revoked is not None:
                    record(session, None, "push.expired", "user", revoked.user_id,
                           subscription_id=revoked.id, answer=delivery.detail)
            else:
                log.warning("push %s not delivered: %s", push.message_id, delivery.detail)
                push_repo.mark_failed(session, push.message_id, push.subscription_id, delivery.detail)
    return sent
