"""Typed domain errors. The web layer maps ``code`` to a Vietnamese message and an HTTP status.

Rules and repositories raise these; they never raise HTTP exceptions or format user text.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.exceptions import CancelledError as ActivityCancelled

# What a broad ``except Exception`` must always let through. Temporal stops an activity that runs
# in the worker's thread pool (worker shutdown, a cancel request) by raising its CancelledError
# inside that thread, wherever the thread is: in pyHanko, pikepdf, a database call. Caught there
# and turned into a result, the stop of a process would be recorded as a fact about a document
# (a good signature judged "invalid" for ever). Every broad handler in code that activities run
# starts with ``except INTERRUPTIONS: raise``; tests/unit/test_interruptions.py checks it.
INTERRUPTIONS: tuple[type[BaseException], ...] = (ActivityCancelled, asyncio.CancelledError)


class DomainError(Exception):
    """A refused operation; nothing was changed."""

    status = 422

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class NotFound(DomainError):
    """Missing, or not visible to this user (the two are indistinguishable on purpose)."""

    status = 404


class Conflict(DomainError):
    """The state moved on under the caller (claimed by someone else, already done…)."""

    status = 409


class Forbidden(DomainError):
    """The user is known but may not do this."""

    status = 403


class AuthFailed(DomainError):
    """Login refused."""

    status = 401
