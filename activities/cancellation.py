"""Telling a real result from one produced while the activity was being stopped; staying alive meanwhile."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from temporalio import activity
from temporalio.exceptions import CancelledError

from models.errors import INTERRUPTIONS

log = logging.getLogger("qlvb.activities")

DEFAULT_BEAT_SECONDS = 10.0
MIN_BEAT_SECONDS = 1.0
JOIN_SECONDS = 15.0  # a heartbeat call waits at most 10 s for the worker's event loop


def raise_if_cancelled(during: str) -> None:
    """Raise Temporal's ``CancelledError`` when this activity has been cancelled.

    Temporal cancels a thread-pool activity by raising inside its thread. Our own handlers let
    that through (``models.errors.INTERRUPTIONS``), but libraries such as pyHanko catch broadly
    inside and may have turned the interruption into a failed check. Call this before recording
    or acting on a verdict, so the attempt ends as cancelled and is retried instead.
    """
    if activity.is_cancelled():
        raise CancelledError(f"cancelled during {during}")


@contextmanager
def heartbeating(*details: Any) -> Iterator[None]:
    """Heartbeat ``details`` from a background thread while one long blocking call runs.

    For sync activities whose work is a single call that cannot heartbeat itself (OCR of a page,
    pyHanko signing or validation): without it a call longer than the heartbeat timeout looks
    like a dead worker, and a dead worker's attempt is only retried after that timeout. The
    beat comes every quarter of the heartbeat timeout (10 s when none is set), not on entry: a
    progress heartbeat usually precedes the call. Outside an activity it does nothing.
    """
    if not activity.in_activity():
        yield
        return
    interval = _beat_interval()
    context = contextvars.copy_context()  # the activity's context, for the other thread
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                context.run(activity.heartbeat, *details)
            except INTERRUPTIONS:
                raise
            except Exception:  # the worker is going away; the activity's own thread sees it
                log.debug("background heartbeat stopped", exc_info=True)
                return

    thread = threading.Thread(target=beat, name=f"heartbeat-{activity.info().activity_type}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=JOIN_SECONDS)


@asynccontextmanager
async def heartbeating_async(*details: Any) -> AsyncIterator[None]:
    """``heartbeating`` for async activities: a task beats while the awaited work (a thread, the network) runs."""
    if not activity.in_activity():
        yield
        return
    interval = _beat_interval()

    async def beat() -> None:
        while True:
            await asyncio.sleep(interval)
            activity.heartbeat(*details)

    task = asyncio.create_task(beat())  # created here, so it runs in the activity's context
    try:
        yield
    finally:
        task.cancel()


def _beat_interval() -> float:
    timeout = activity.info().heartbeat_timeout
    return max(MIN_BEAT_SECONDS, timeout.total_seconds() / 4) if timeout else DEFAULT_BEAT_SECONDS
