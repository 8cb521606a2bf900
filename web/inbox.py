"""The task inbox: my tasks, my unit's unclaimed tasks, overdue tasks (read from the database)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commands import inbox as inbox_commands
from commands import tasks as task_commands
from models.bounds import Id, PageNumber
from models.documents import repo as document_repo
from models.notifications import notify as notifications
from models.tasks import repo as task_repo
from web.deps import CsrfChecked, DbSession, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute

router = APIRouter(route_class=IdempotentRoute)

SCOPES = {"mine": "Việc của tôi", "unit": "Chờ nhận xử lý", "delegated": "Thay lãnh đạo", "overdue": "Quá hạn"}
PER_PAGE = 100  # urgent and nearest deadlines come first, so page 1 is what needs doing now


def _inbox_context(session, principal, scope: str, page: PageNumber = 1) -> dict:
    # One reach for the tabs, their counts and the rows: the same tasks the API lists and acts allow.
    reach = task_repo.reach_of(session, principal.user, principal.roles)
    counts = task_repo.counts(session, principal.user, principal.roles, reach)
    if scope not in SCOPES:
        scope = next((s for s in ("mine", "unit", "delegated") if counts[s]), "mine")
    pages = max(1, -(-counts[scope] // PER_PAGE))
    page = min(max(page, 1), pages)
    tasks = task_repo.inbox(session, principal.user, principal.roles, scope, limit=PER_PAGE,
                            offset=(page - 1) * PER_PAGE, reach=reach)
    documents = document_repo.documents_by_id(session, [t.document_id for t in tasks if t.document_id])
    # The leader a deputy acts for, on each row a delegation covers.
    acting_for = {task_id: f"{arm.leader.full_name} ({arm.delegation.form})"
                  for task_id, arm in task_repo.covering(session, principal.user, [t.id for t in tasks]).items()}
    return {"tasks": tasks, "documents": documents, "scope": scope, "scopes": SCOPES, "counts": counts,
            "page_number": page, "page_count": pages, "acting_for": acting_for}


@router.get("/")
def inbox(request: Request, principal: WebUser, session: DbSession, scope: str = "", page: PageNumber = 1) -> Response:
    return render(request, "inbox/index.html", "inbox/_rows.html",
                  **_inbox_context(session, principal, scope, page))


@router.get("/inbox/_counts")
def counts(request: Request, principal: WebUser, session: DbSession) -> Response:
    return render(request, "inbox/_counts.html", "inbox/_counts.html",
                  counts=task_repo.counts(session, principal.user, principal.roles))


@router.post("/tasks/{task_id}/claim")
def claim(request: Request, task_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    task_commands.claim_task(state.engine, task_id, principal.user, principal.roles)
    return Response(status_code=204, headers={"HX-Trigger": "task-changed"})


@router.post("/tasks/{task_id}/release")
def release(request: Request, task_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    task_commands.release_task(state.engine, task_id, principal.user, principal.roles)
    return Response(status_code=204, headers={"HX-Trigger": "task-changed"})


@router.get("/notifications")
def notifications_page(request: Request, principal: WebUser, session: DbSession) -> Response:
    items = notifications.latest(session, principal.user.id)
    documents = document_repo.documents_by_id(session, [n.document_id for n in items if n.document_id])
    return render(request, "inbox/notifications.html", items=items, documents=documents)


@router.get("/notifications/_count")
def notifications_count(request: Request, principal: WebUser, session: DbSession) -> Response:
    return render(request, "inbox/_notification_count.html", "inbox/_notification_count.html",
                  unread=notifications.unread_count(session, principal.user.id))


@router.post("/notifications/read")
def notifications_read(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    inbox_commands.mark_notifications_read(state.engine, principal.user.id)
    return Response(status_code=204, headers={"HX-Redirect": "/notifications"})
