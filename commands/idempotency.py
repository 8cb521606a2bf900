"""Claiming, answering and releasing an Idempotency-Key: the writes around a keyed request.

The request's own change is made by its command as usual; ``models.idempotency.watch`` marks the
claim inside that command's transaction. These commands only open and close the claim.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine

from models.db import reading, transaction, utcnow
from models.errors import DomainError
from models.idempotency import repo
from models.idempotency.tables import ClaimState, IdempotentRequest

KEEP = timedelta(hours=24)
"""How long a key is remembered (the IETF draft leaves it to the server; a day covers every retry)."""

HOLD = timedelta(minutes=5)
"""How long a started claim of another machine is presumed alive; on this machine a dead holder
is recognised at once (its process is gone), so a retry after a crash never waits for this."""


PURGE_BATCH = 20


@dataclass(frozen=True)
class Begun:
    """The key is ours: run the request."""

    request_id: int
    holder: str


@dataclass(frozen=True)
class Replay:
    """The key was used by an earlier request with the same content: answer as it did."""

    request: IdempotentRequest


@dataclass(frozen=True)
class Busy:
    """An earlier attempt is still running; wait and ask again."""


def this_process() -> str:
    """Who holds a claim: the machine, the process id and the process's start time (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_time(os.getpid())}"


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _holder_is_dead(holder: str) -> bool:
    """True when the holder ran on this machine and that process is gone."""
    host, _, rest = holder.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    return _start_time(int(pid_text)) != started


def begin(engine: Engine, *, user_id: int, key: str, method: str, path: str, fingerprint: str) -> Begun | Replay | Busy:
    """Claim ``key`` for this request, or say how to answer it instead.

    Refuses (422) a key the person already used for a different request, as the draft requires.
    """
    holder = this_process()
    now = utcnow()
    with transaction(engine) as session:
        if repo.claim(session, user_id=user_id, key=key, method=method, path=path, fingerprint=fingerprint,
                      holder=holder, now=now, hold=HOLD, keep=KEEP):
            # Forgetting a few expired keys with each new one keeps the table at about a day of
            # requests without a schedule of its own.
            repo.purge_expired(session, now, limit=PURGE_BATCH)
            found = repo.find(session, user_id, key)
            return Begun(found.id, holder)
        found = repo.find(session, user_id, key)
        if found is None:  # forgotten between the two statements: simply ask again
            return Busy()
        if found.expires_at <= now:
            repo.forget(session, found.id)
            return Busy()
        if (found.method, found.path, found.fingerprint) != (method, path, fingerprint):
            raise DomainError("idempotency_key_reused")
        if found.state != ClaimState.STARTED:
            return Replay(found)
        if (_holder_is_dead(found.holder) or found.held_until <= now) and repo.take_over(
                session, found.id, found.holder, holder, now, HOLD):
            return Begun(found.id, holder)
        return Busy()


def finish(engine: Engine, begun: Begun, *, took_effect: bool, status: int, headers: dict[str, str],
           body: bytes | None) -> None:
    """Keep the answer of a request that took effect, for its retries; free the key of one that did not.

    A request that changed nothing (refused, failed, or a read such as a suggestion) can simply be
    run again, and a person correcting a refused form must be able to send it with the same key.
    A request that took effect but answered with a server error keeps no answer: its retries are
    answered from what it did, not with the error.
    """
    with transaction(engine) as session:
        if not took_effect:
            repo.release(session, begun.request_id, begun.holder)
            return
        if status >= 500 or body is None:  # retries are answered from the effect instead
            return
        repo.save_answer(session, begun.request_id, status, headers, body)


def abandon(engine: Engine, begun: Begun) -> None:
    """The request ended with an exception: free the key unless its change committed."""
    with transaction(engine) as session:
        repo.release(session, begun.request_id, begun.holder)


def state_of(engine: Engine, request_id: int) -> IdempotentRequest | None:
    """The claim as stored now (a read)."""
    with reading(engine) as session:
        return session.get(IdempotentRequest, request_id)
