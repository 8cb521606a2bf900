"""Record that a keyed request took effect, in the very transaction that made its change.

A change is what was audited (every document action is): the first write transaction of the
request that wrote an audit event also marks the claim, so the two commit or roll back together.
Without this a web process killed between its commit and its answer would leave a retry unable
to tell "nothing happened, do it" from "it happened, say so", and a retried upload would get a
second số đến.
"""

from __future__ import annotations

from sqlmodel import Session

from models import audit
from models.errors import Conflict
from models.idempotency import repo


class ClaimLost(Conflict):
    """Another attempt of the same request was given the key while this one was still running."""

    def __init__(self) -> None:
        super().__init__("idempotency_in_progress")


class EffectWatcher:
    """A commit watcher (``models.db.watching_commits``) for one claimed request."""

    def __init__(self, request_id: int, holder: str) -> None:
        self.request_id = request_id
        self.holder = holder
        self.took_effect = False

    def __call__(self, session: Session) -> None:
        if self.took_effect:
            return
        events = audit.recorded_in(session)
        if not events:
            return  # e.g. sliding a session's expiry: not the request's change
        subject = next((e for e in events if e.subject_type == "document"), events[0])
        if not repo.mark_took_effect(session, self.request_id, self.holder, subject):
            raise ClaimLost()
        self.took_effect = True
