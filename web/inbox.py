"""The task inbox: my tasks, my unit's unclaimed tasks, overdue tasks (read from the database)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from commands import inbox as inbox_commands
from commands import tasks as task_commands
from models.bounds import Id, PageNumber, require_ids
from models.db import reading
from models.documents import repo as document_repo
from models.errors import DomainError
from models.notifications import notify as notifications
from models.tasks import repo as task_repo
from models.vocab import Action, TaskStatus
from web import flash
from web.deps import CsrfChecked, DbSession, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute, answers_retries_with
from web.messages import BULK_SAID, message_of

router = APIRouter(route_class=IdempotentRoute)

SCOPES = {"mine": "Việc của tôi", "unit": "Chờ nhận việc", "delegated": "Thay lãnh đạo", "overdue": "Quá hạn"}
PER_PAGE = 50  # urgent and nearest deadlines come first, so page 1 is what needs doing now


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
    documents = document_repo.inbox_lines(session, [t.document_id for t in tasks if t.document_id])
    # The leader a deputy acts for, on each row a delegation covers.
    acting_for = {task_id: f"{arm.leader.full_name} ({arm.delegation.form})"
                  for task_id, arm in task_repo.covering(session, principal.user, [t.id for t in tasks]).items()}
    bulk = {task.id: _bulk_actions(task, principal.user.id, task.id in acting_for) for task in tasks}
    return {"tasks": tasks, "documents": documents, "scope": scope, "scopes": SCOPES, "counts": counts,
            "page_number": page, "page_count": pages, "acting_for": acting_for, "bulk": bulk,
            "bulk_offered": {action for actions in bulk.values() for action in actions},
            "lay_aside_question": flash.confirm_for(Action.FILE_FOR_REFERENCE, "các văn bản đã chọn")}


CLAIM = "nhan_xu_ly"


def _bulk_actions(task, user_id: int, delegated: bool) -> list[str]:
    """What the inbox's actions on several tasks can do with this row (the commands decide anew)."""
    mine_to_decide = task.status == TaskStatus.OPEN or (task.status == TaskStatus.CLAIMED
                                                        and (task.assignee_id == user_id or delegated))
    offered = [CLAIM] if task.status == TaskStatus.OPEN and not delegated else []
    return offered + [action for action in task_commands.BULK_DECISIONS if action in task.actions and mine_to_decide]


@router.get("/")
def inbox(request: Request, principal: WebUser, session: DbSession, scope: str = "", page: PageNumber = 1) -> Response:
    return render(request, "inbox/index.html", "inbox/_rows.html",
                  **_inbox_context(session, principal, scope, page))


def _bulk_summary(engine, action: str, results: list[task_commands.TaskResult]) -> str:
    """One sentence for the flash message: how many went through, which did not and why."""
    with reading(engine) as session:
        named = {document_id: flash.document_words(document) for document_id, document in
                 document_repo.documents_by_id(session, [r.document_id for r in results if r.document_id]).items()}
    done = [r for r in results if r.outcome is not None and r.outcome.applied]
    pending = [r for r in results if r.outcome is not None and not r.outcome.applied]
    failed = [r for r in results if r.error is not None]
    parts = [BULK_SAID[action].format(count=len(done))] if done or not failed else []
    if pending:
        parts.append(BULK_SAID["pending"].format(count=len(pending)))
    if failed:
        reasons = "; ".join(
            f"{named.get(r.document_id) or f'công việc {r.task_id}'} ({message_of(r.error)})"
            for r in failed)
        parts.append(BULK_SAID["failed"].format(count=len(failed), noun=BULK_SAID[f"{action}_noun"],
                                                reasons=reasons))
    return "; ".join(parts) + ("" if parts[-1].endswith(".") else ".")


def _back_to_inbox(request: Request, stored) -> Response:
    """A retry of a bulk action whose answer was lost: back to the inbox, which shows where each is."""
    return flash.done(request, "/", BULK_SAID["retried"])


@router.post("/inbox/bulk")
@answers_retries_with(_back_to_inbox)
async def bulk(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    """The inbox's action on the ticked tasks: each task goes through the same command as its own
    button, the others still go when one cannot; Post/Redirect/Get with a summary."""
    form = await request.form()
    action = str(form.get("action", ""))
    task_ids = require_ids("task_id", form.getlist("task_id"))
    scope = str(form.get("scope", ""))
    if action == CLAIM:
        results = await run_in_threadpool(task_commands.claim_tasks, state.engine, task_ids, principal.user,
                                          principal.roles)
    elif action in task_commands.BULK_DECISIONS:
        results = await task_commands.act_on_tasks(
            state.engine, state.client, task_ids=task_ids, user=principal.user, roles=principal.roles,
            action=action, fields={}, nonce=str(form.get("nonce", "")) or uuid.uuid4().hex)
    else:
        raise DomainError("bulk_action_unknown")
    said = await run_in_threadpool(_bulk_summary, state.engine, action, results)
    return flash.done(request, f"/?scope={scope}" if scope in SCOPES else "/", said)


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
