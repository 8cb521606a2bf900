"""CSRF protection for every state-changing browser request.

Browser sessions carry a per-session token; htmx sends it as ``X-CSRF-Token`` (set once on
``<body hx-headers>``), plain forms as the hidden field ``csrf_token``. Before login, a
random cookie doubles as the token. Cross-site requests are refused outright by
``Sec-Fetch-Site``. API v1 is exempt: it authenticates with bearer tokens, never cookies.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from models.errors import DomainError

LOGIN_CSRF_COOKIE = "qlvb_login_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CsrfFailed(DomainError):
    """The request did not prove it came from our own page."""

    status = 403

    def __init__(self) -> None:
        super().__init__("csrf_failed")


def new_token() -> str:
    """A fresh random token."""
    return secrets.token_urlsafe(32)


async def submitted_token(request: Request) -> str:
    """The token the request carries, from the header or the form body."""
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def verify(request: Request, expected: str) -> None:
    """Refuse a state-changing request whose token does not match ``expected``."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfFailed()
    token = await submitted_token(request)
    if not expected or not token or not hmac.compare_digest(token, expected):
        raise CsrfFailed()
