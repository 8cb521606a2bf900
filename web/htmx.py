"""Rendering full pages or htmx fragments from one helper (STYLE §4)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from models.org.repo import password_expired


def wants_fragment(request: Request) -> bool:
    """True for htmx requests, except history restores, which need the whole page."""
    return (request.headers.get("hx-request") == "true"
            and request.headers.get("hx-history-restore-request") != "true")


POLL_HEADER = "X-QLVB-Poll"


def is_background_poll(request: Request) -> bool:
    """True for requests made by a polling element (``data-poll``, see static/app.js).

    Nobody asked for them, so they must never navigate, reload or cover the page: an error or
    an ended session answers 204 and the person's next own request gets the redirect.
    """
    return wants_fragment(request) and request.headers.get(POLL_HEADER) == "1"


def render(request: Request, page: str, fragment: str | None = None, status_code: int = 200,
           headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """Render ``fragment`` for htmx requests and ``page`` otherwise; always ``Vary: HX-Request``."""
    templates = request.app.state.templates
    principal = getattr(request.state, "principal", None)
    settings = request.app.state.qlvb.settings
    base = {"request": request, "principal": principal,
            "csrf_token": principal.session.csrf_token if principal else "",
            "settings": settings,
            "password_expired": bool(principal) and password_expired(principal.user,
                                                                     settings.password_max_age_days)}
    name = fragment if fragment and wants_fragment(request) else page
    response = templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
