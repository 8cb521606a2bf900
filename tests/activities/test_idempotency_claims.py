"""Idempotency claims on SQLite and PostgreSQL: claim, replay, refusal, and the effect mark that
commits or rolls back with the change itself."""

from __future__ import annotations

import pytest
from sqlmodel import select

from commands import idempotency as claims
from models import audit
from models.audit import AuditEvent
from models.db import transaction, utcnow, watching_commits
from models.errors import DomainError
from models.idempotency import repo
from models.idempotency.tables import ClaimState, IdempotentRequest
from models.idempotency.watch import ClaimLost, EffectWatcher
from models.org.tables import User
from tests.helpers import rows


def _user_id(engine) -> int:
    with transaction(engine) as session:
        return session.exec(select(User.id).where(User.username == "vanthu")).one()


def _begin(engine, user_id, fingerprint="f1", key="k"):
    return claims.begin(engine, user_id=user_id, key=key, method="POST", path="/api/v1/incoming",
                        fingerprint=fingerprint)


def test_a_key_is_claimed_once_then_answered_from_memory(seeded):
    user_id = _user_id(seeded)
    begun = _begin(seeded, user_id)
    assert isinstance(begun, claims.Begun)
    assert isinstance(_begin(seeded, user_id), claims.Busy)  # its holder (this process) is alive
    claims.finish(seeded, begun, took_effect=True, status=201, headers={"content-type": "application/json"},
                  body=b'{"id": "x"}')
    replay = _begin(seeded, user_id)
    assert isinstance(replay, claims.Replay)
    assert (replay.request.response_status, replay.request.response_body) == (201, b'{"id": "x"}')
    with pytest.raises(DomainError) as refused:
        _begin(seeded, user_id, fingerprint="another request")
    assert refused.value.code == "idempotency_key_reused"


def test_the_effect_is_marked_in_the_change_s_own_transaction(seeded):
    user_id = _user_id(seeded)
    begun = _begin(seeded, user_id)
    watcher = EffectWatcher(begun.request_id, begun.holder)
    with watching_commits(watcher):
        with transaction(seeded):  # a write that audits nothing is not the request's change
            pass
        assert not watcher.took_effect
        with pytest.raises(RuntimeError), transaction(seeded) as session:
            audit.record(session, user_id, "document.received", "document", "doc-1")
            raise RuntimeError("the change fails: its mark must go with it")
        assert not watcher.took_effect
        assert rows(seeded, AuditEvent, AuditEvent.code == "document.received") == []
        with transaction(seeded) as session:
            audit.record(session, user_id, "document.received", "document", "doc-1", number=7)
    assert watcher.took_effect
    [stored] = rows(seeded, IdempotentRequest)
    assert (stored.state, stored.subject_id, stored.event_data) == (ClaimState.TOOK_EFFECT, "doc-1", {"number": 7})
    # Its answer was lost: a retry learns what it did instead of doing it again.
    replay = _begin(seeded, user_id)
    assert isinstance(replay, claims.Replay) and replay.request.state == ClaimState.TOOK_EFFECT


def test_a_change_whose_claim_was_handed_over_is_rolled_back(seeded):
    user_id = _user_id(seeded)
    begun = _begin(seeded, user_id)
    with transaction(seeded) as session:  # the claim was given to a retry meanwhile
        assert repo.take_over(session, begun.request_id, begun.holder, "elsewhere:1:1", utcnow(), claims.HOLD)
    with watching_commits(EffectWatcher(begun.request_id, begun.holder)):
        with pytest.raises(ClaimLost), transaction(seeded) as session:
            audit.record(session, user_id, "document.received", "document", "doc-2")
    assert rows(seeded, AuditEvent, AuditEvent.code == "document.received") == []


def test_a_request_that_changed_nothing_and_failed_frees_its_key(seeded):
    user_id = _user_id(seeded)
    begun = _begin(seeded, user_id)
    claims.finish(seeded, begun, took_effect=False, status=422, headers={}, body=b"{}")
    assert isinstance(_begin(seeded, user_id, fingerprint="corrected"), claims.Begun)
