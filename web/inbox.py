"""The task inbox: my tasks, my unit's unclaimed tasks, overdue tasks (read from the database)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from models import document_repo, task_repo
from web import commands
from web.deps import CsrfChecked, DbSession, State, WebUser
from web.htmx import render

router = APIRouter()

SCOPES = {"mine": "Việc của tôi", "unit": "Chờ nhận xử lý", "overdue": "Quá hạn"}


def _inbox_context(session, principal, scope: str) -> dict:
    tasks = task_repo.inbox(session, principal.user, principal.roles, scope)
    documents = document_repo.documents_by_id(session, [t.document_id for t in tasks])
    return {"tasks": tasks, "documents": documents, "scope": scope, "scopes": SCOPES,
            "counts": task_repo.counts(session, principal.user, principal.roles)}


@router.get("/")
def inbox(request: Request, principal: WebUser, session: DbSession, scope: str = "") -> Response:
    if scope not in SCOPES:
        counts = task_repo.counts(session, principal.user, principal.roles)
        scope = "mine" if counts["mine"] or not counts["unit"] else "unit"
    return render(request, "inbox/index.html", "inbox/_rows.html", **_inbox_context(session, principal, scope))


@router.get("/inbox/_counts")
def counts(request: Request, principal: WebUser, session: DbSession) -> Response:
    return render(request, "inbox/_counts.html", "inbox/_counts.html",
                  counts=task_repo.counts(session, principal.user, principal.roles))


@router.post("/tasks/{task_id}/claim")
def claim(request: Request, task_id: int, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    commands.claim_task(state.engine, task_id, principal.user, principal.roles)
    return Response(status_code=204, headers={"HX-Trigger": "task-changed"})


@router.post("/tasks/{task_id}/release")
def release(request: Request, task_id: int, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    commands.release_task(state.engine, task_id, principal.user, principal.roles)
    return Response(status_code=204, headers={"HX-Trigger": "task-changed"})
