"""The help page (/help): the keyboard shortcuts, what each role does, the main journeys."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.deps import WebUser
from web.htmx import render

router = APIRouter()


@router.get("/help")
def help_page(request: Request, principal: WebUser) -> Response:
    """The same page for everyone; the person's own roles are marked so they find theirs first."""
    return render(request, "help.html", own_roles=sorted(str(role) for role in principal.roles))
