"""How many requests one web process works on at once; the others wait their turn holding nothing.

A request keeps its read session's connection from its first query until its dependencies close,
and in between it may wait for a thread twice (a sync route, then the validation of its answer)
and open a second connection (a write inside the read, such as the record of a document viewed).
With the requests in flight unbounded, a burst took every pooled connection by requests waiting for
a thread, while every thread waited for a connection: nobody moved until the pool's timeout failed
them (200 simultaneous document reads against 40 threads and 80 connections: 500s after 30 s).
Letting in at most ``pool / CONNECTIONS_PER_THREAD`` requests means a thread never waits for a
connection; the rest wait here, in the event loop, before they touch the database, so the page's
latency includes the wait (``RequestLatency`` sits outside) and nothing fails. Static files skip it.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from models.db import CONNECTIONS_PER_THREAD, PoolSize

UNGATED_PREFIX = "/static/"


def admitted_at_once(pool: PoolSize) -> int:
    """Requests the pool serves together without any of them waiting for a connection."""
    return max(pool.most // CONNECTIONS_PER_THREAD, 1)


class RequestGate:
    """Pure ASGI middleware: at most ``limit`` HTTP requests inside the application at once."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit
        self._turns: asyncio.Semaphore | None = None  # made on the event loop that serves

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNGATED_PREFIX):
            await self.app(scope, receive, send)
            return
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.limit)
        async with self._turns:
            await self.app(scope, receive, send)
