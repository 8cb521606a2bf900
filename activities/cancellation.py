"""Telling a real result from one produced while the activity was being stopped."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import CancelledError


def raise_if_cancelled(during: str) -> None:
    """Raise Temporal's ``CancelledError`` when this activity has been cancelled.

    Temporal cancels a thread-pool activity by raising inside its thread. Our own handlers let
    that through (``models.errors.INTERRUPTIONS``), but libraries such as pyHanko catch broadly
    inside and may have turned the interruption into a failed check. Call this before recording
    or acting on a verdict, so the attempt ends as cancelled and is retried instead.
    """
    if activity.is_cancelled():
        raise CancelledError(f"cancelled during {during}")
