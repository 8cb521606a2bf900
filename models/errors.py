"""Typed domain errors. The web layer maps ``code`` to a Vietnamese message and an HTTP status.

Rules and repositories raise these; they never raise HTTP exceptions or format user text.
"""

from __future__ import annotations

from typing import Any


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
