"""gzip for the static files only (htmx, PDF.js, the stylesheets), so a phone on a slow network
loads the document page's scripts in a third of the bytes.

Pages are never compressed: a compressed page that carries the CSRF token beside text the request
reflects (a search, a refused form) lets an attacker who sees the response sizes guess the token
(BREACH). Static files carry no secret.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC_PREFIX = "/static/"


class CompressStatic:
    """An ASGI middleware: ``/static/`` responses gzipped when the browser accepts it."""

    def __init__(self, app: ASGIApp, minimum_size: int = 1024) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(STATIC_PREFIX):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
