"""Giao việc in the browser and in API v1: lists, the new-assignment form, the assignment page.

Routes only parse, call a command (``commands.assignments``, ``commands.tasks`` for the steps'
decisions) or a repository read, and render. API v1 decisions go through the task API
(``POST /api/v1/tasks/{task_id}/actions``); an assignment's JSON lists the caller's open steps
with their actions and fields.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from commands import assignments as commands
from commands import tasks as task_commands
from models.assignments import repo as assignment_repo
from models.assignments.rules import RATING_WORDS, assigning_role
from models.assignments.schema import AssignmentForm, CancelForm, ProgressForm
from models.assignments.tables import PartyRole, WorkAssignment
from models.bounds import Id, PageNumber
from models.db import reading, utcnow
from models.documents import repo as document_repo
from models.documents.access import visible_documents
from models.errors import DomainError, Forbidden, NotFound
from models.outgoing import repo as outgoing_repo
from models.tasks.actions import ACTION_FIELDS, officers_of_unit
from models.tasks.tables import Task
from models.vocab import Role
from web import flash, supervision
from web.api import task_json
from web.deps import ApiUser, CsrfChecked, DbSession, Principal, State, WebUser
from web.filters import iso_vn
from web.htmx import render
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with, request_key
from web.labels import ASSIGNMENT_STATUS_LABELS, AUDIT_LABELS, STEP_LABELS
from web.messages import field_errors, message_of, status_of

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])

SCOPES = {"received": "Việc được giao", "given": "Việc tôi giao"}
STATUS_FILTER = "^(open|naming|in_progress|submitted|done|cancelled)$"
FORM_LISTS = ("support_user_ids", "support_unit_ids", "document_ids")
FORM_TEXTS = ("title", "content", "lead_user_id", "lead_unit_id", "working_days", "due_date")


# --- reads shared by the pages and the API ---------------------------------------------------------


def _listing(session: Session, principal: Principal, scope: str, status: str | None, page: int,
             per_page: int) -> list[WorkAssignment]:
    offset = (page - 1) * per_page
    if scope == "given":
        return assignment_repo.given_by(session, principal.user, status=status, limit=per_page, offset=offset)
    return assignment_repo.received_by(session, principal.user, principal.roles, status=status, limit=per_page,
                                       offset=offset)


def _names(session: Session, assignments: list[WorkAssignment], parties=()) -> dict[str, dict]:
    """The people and units the rows name, read at once."""
    people = [a.assigner_id for a in assignments] + [a.lead_user_id for a in assignments]
    people += [p.user_id for p in parties] + [p.contributed_by for p in parties]
    units = [a.lead_unit_id for a in assignments] + [p.unit_id for p in parties]
    return {"people": assignment_repo.people_by_id(session, people), "units": assignment_repo.units_by_id(session, units)}


def _person(names: dict, user_id: int | None) -> dict | None:
    person = names["people"].get(user_id)
    return {"id": person.id, "full_name": person.full_name, "position": person.position} if person else None


def _unit(names: dict, unit_id: int | None) -> dict | None:
    unit = names["units"].get(unit_id)
    return {"id": unit.id, "name": unit.name} if unit else None


def assignment_json(assignment: WorkAssignment, names: dict) -> dict[str, Any]:
    """What lists and the page say about an assignment (times ISO 8601 in +07:00)."""
    return {
        "id": assignment.id, "workflow_id": assignment.workflow_id, "title": assignment.title,
        "content": assignment.content, "status": assignment.status,
        "status_label": ASSIGNMENT_STATUS_LABELS.get(assignment.status, assignment.status),
        "assigner": _person(names, assignment.assigner_id), "assigner_role": assignment.assigner_role,
        "lead_user": _person(names, assignment.lead_user_id), "lead_unit": _unit(names, assignment.lead_unit_id),
        "working_days": assignment.working_days, "due_at": iso_vn(assignment.due_at),
        "extensions": assignment.extensions,
        "progress": {"percent": assignment.progress_percent, "note": assignment.progress_note,
                     "at": iso_vn(assignment.progress_at) or None},
        "result": assignment.result, "result_document_id": assignment.result_document_id,
        "submitted_at": iso_vn(assignment.submitted_at) or None, "finished_at": iso_vn(assignment.finished_at) or None,
        "on_time": assignment.on_time, "rating": assignment.rating,
        "rating_label": RATING_WORDS.get(assignment.rating) if assignment.rating else None,
        "rating_comment": assignment.rating_comment,
        "cancelled_at": iso_vn(assignment.cancelled_at) or None, "cancel_reason": assignment.cancel_reason,
        "created_at": iso_vn(assignment.created_at),
    }


def _page_data(session: Session, principal: Principal, assignment_id: int) -> dict[str, Any]:
    """Everything the assignment's page and its API v1 read show."""
    assignment = assignment_repo.assignment_for_user(session, principal.user, principal.roles, assignment_id)
    parties = assignment_repo.parties_of(session, assignment.id)
    waiting = assignment_repo.open_steps(session, assignment.id)
    names = _names(session, [assignment], parties)
    names["people"].update(assignment_repo.people_by_id(session, [t.assignee_id for t in waiting]))
    names["units"].update(assignment_repo.units_by_id(session, [t.unit_id for t in waiting]))
    return {"assignment": assignment, "parties": parties, "names": names, "waiting": waiting,
            "steps": assignment_repo.open_steps_for(session, assignment.id, principal.user, principal.roles),
            "documents": assignment_repo.documents_of(session, assignment.id),
            "history": assignment_repo.history(session, assignment.id)}


def detail_json(data: dict[str, Any]) -> dict[str, Any]:
    """An assignment with its people, documents, open steps (the caller's with their actions) and history."""
    names = data["names"]
    return {
        **assignment_json(data["assignment"], names),
        "parties": [{"role": p.role, "user": _person(names, p.user_id), "unit": _unit(names, p.unit_id),
                     "contribution": p.contribution, "contributed_at": iso_vn(p.contributed_at) or None}
                    for p in data["parties"]],
        "documents": [{"id": d.id, "subject": d.subject, "direction": d.direction} for d in data["documents"]],
        "open_steps": [{"task_id": t.id, "step": t.step, "label": STEP_LABELS.get(t.step, t.step),
                        "assignee": _person(names, t.assignee_id), "unit": _unit(names, t.unit_id),
                        "due_at": iso_vn(t.due_at) or None, "overdue": t.overdue} for t in data["waiting"]],
        "my_steps": [task_json(task, None) for task in data["steps"]],
        "history": [{"at": iso_vn(event.at), "code": event.code, "label": AUDIT_LABELS.get(event.code, event.code),
                     "actor": user.full_name if user else None, "data": event.data}
                    for event, user in data["history"]],
    }


# --- pages ------------------------------------------------------------------------------------------


@router.get("/assignments")
def assignment_list(request: Request, principal: WebUser, session: DbSession, scope: str = "received",
                    page: PageNumber = 1) -> Response:
    scope = scope if scope in SCOPES else "received"
    assignments = _listing(session, principal, scope, None, min(page, 10_000), 100)
    return render(request, "assignments/list.html", assignments=assignments, names=_names(session, assignments),
                  scope=scope, scopes=SCOPES, page_number=page, now=utcnow(),
                  ASSIGNMENT_STATUS_LABELS=ASSIGNMENT_STATUS_LABELS,
                  can_assign=assigning_role(principal.roles, principal.user.unit_id) is not None)


def _form_page(request: Request, principal: Principal, session: Session, *, values: dict, status_code: int = 200,
               error: str | None = None, errors: dict | None = None) -> Response:
    if assigning_role(principal.roles, principal.user.unit_id) is None:
        raise Forbidden("assignment_leaders_only")
    people, units = assignment_repo.assignable(session, principal.user, principal.roles)
    visible = visible_documents(principal.user, principal.roles)
    documents = (document_repo.recent_incoming(session, visible, limit=50)
                 + outgoing_repo.latest_outgoing(session, visible, principal.user.agency_id, limit=50))
    return render(request, "assignments/new.html", status_code=status_code, values=values, error=error,
                  errors=errors or {}, people=people, units=units, documents=documents)


@router.get("/assignments/new")
def new_form(request: Request, principal: WebUser, session: DbSession) -> Response:
    return _form_page(request, principal, session, values={})


def _form_again(request: Request, principal, state, raw: dict[str, Any], error: DomainError) -> Response:
    """The form again with what was typed and why it was refused (a read, off the event loop)."""
    with reading(state.engine) as session:
        return _form_page(request, principal, session, values=raw, status_code=status_of(error),
                          error=message_of(error), errors=field_errors(error))


@router.post("/assignments/new")
async def create(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    raw: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in FORM_TEXTS}
    raw = {name: value for name, value in raw.items() if value}
    raw.update({name: [str(v) for v in form.getlist(name) if str(v).strip()] for name in FORM_LISTS})
    try:
        assignment = await commands.create_assignment(state.engine, state.client, state.settings,
                                                      user=principal.user, roles=principal.roles, raw=raw)
    except DomainError as error:
        return await asyncio.to_thread(_form_again, request, principal, state, raw, error)
    return _redirect(request, f"/assignments/{assignment.id}", "Đã giao việc.")


@router.get("/assignments/{assignment_id}")
def assignment_page(request: Request, assignment_id: Id, principal: WebUser, session: DbSession,
                    state: State) -> Response:
    try:
        data = _page_data(session, principal, assignment_id)
    except NotFound:
        if Role.SUPERVISOR not in principal.roles:
            raise
        # The province supervisor reads another agency's late assignment, without acting (audited).
        return supervision.supervised_assignment_page(request, principal, session, state, assignment_id)
    assignment = data["assignment"]
    visible = visible_documents(principal.user, principal.roles)
    return render(
        request, "assignments/detail.html", **data, action_fields=ACTION_FIELDS, rating_words=RATING_WORDS,
        ASSIGNMENT_STATUS_LABELS=ASSIGNMENT_STATUS_LABELS,
        nonce=uuid.uuid4().hex, pending=request.query_params.get("pending") == "1", lead_role=PartyRole.LEAD,
        officers={t.id: officers_of_unit(session, t.unit_id) for t in data["steps"] if t.unit_id},
        outgoing=outgoing_repo.latest_outgoing(session, visible, assignment.agency_id, limit=50),
        result_document=(document_repo.documents_by_id(session, [assignment.result_document_id])
                         .get(assignment.result_document_id) if assignment.result_document_id else None))


def _check_step_of(state, assignment_id: int, task_id: int) -> None:
    """Refuse a step that is not one of this assignment's."""
    with reading(state.engine) as session:
        task = session.get(Task, task_id)
        if task is None or task.work_assignment_id != assignment_id:
            raise NotFound("task_not_found")


@router.post("/assignments/{assignment_id}/steps/{task_id}")
@answers_retries_with(RUN_AGAIN)
async def decide(request: Request, assignment_id: Id, task_id: Id, principal: WebUser, state: State,
                 _: CsrfChecked) -> Response:
    form = await request.form()
    await asyncio.to_thread(_check_step_of, state, assignment_id, task_id)
    action = str(form.get("action", ""))
    fields = {spec.name: str(form.get(spec.name, "")).strip() for spec in ACTION_FIELDS.get(action, ())}
    outcome = await task_commands.act_on_task(
        state.engine, state.client, task_id=task_id, user=principal.user, roles=principal.roles, action=action,
        fields={name: value for name, value in fields.items() if value},
        nonce=str(form.get("nonce", "")) or uuid.uuid4().hex)
    return _redirect(request, f"/assignments/{assignment_id}" + ("" if outcome.applied else "?pending=1"),
                     flash.decision_said(action, None, applied=outcome.applied))


@router.post("/assignments/{assignment_id}/progress")
async def progress(request: Request, assignment_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    raw = {"note": str(form.get("note", ""))}
    if str(form.get("percent", "")).strip():
        raw["percent"] = str(form.get("percent")).strip()
    commands.report_progress(state.engine, user=principal.user, roles=principal.roles, assignment_id=assignment_id,
                             raw=raw)
    return _redirect(request, f"/assignments/{assignment_id}", "Đã cập nhật tiến độ.")


@router.post("/assignments/{assignment_id}/cancel")
@answers_retries_with(RUN_AGAIN)
async def cancel(request: Request, assignment_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    done = await commands.cancel_assignment(
        state.engine, state.client, user=principal.user, roles=principal.roles, assignment_id=assignment_id,
        raw={"reason": str(form.get("reason", ""))}, nonce=str(form.get("nonce", "")) or uuid.uuid4().hex)
    return _redirect(request, f"/assignments/{assignment_id}" + ("" if done else "?pending=1"),
                     "Đã hủy việc." if done else "Đã gửi yêu cầu hủy việc; hệ thống đang ghi nhận, trang sẽ cập nhật "
                     "sau ít giây.")


def _redirect(request: Request, target: str, said: str) -> Response:
    """After a change: the assignment's page saying what happened (Post/Redirect/Get)."""
    return flash.done(request, target, said)


# --- API v1 -----------------------------------------------------------------------------------------


@api_router.get("/assignments", summary="Giao việc: việc được giao, việc tôi giao",
                description="`scope=received`: việc tôi chủ trì hoặc phối hợp (hoặc đơn vị tôi phụ trách "
                            "chủ trì, phối hợp); `scope=given`: việc tôi đã giao. Việc đang mở trước, hạn gần trước.")
def api_list(principal: ApiUser, session: DbSession,
             scope: Annotated[str, Query(pattern="^(received|given)$")] = "received",
             status: Annotated[str | None, Query(pattern=STATUS_FILTER, description="open: mọi việc chưa kết thúc")] = None,
             page: PageNumber = 1,
             per_page: Annotated[int, Query(ge=1, le=500, description="số việc mỗi trang")] = 100) -> list[dict[str, Any]]:
    assignments = _listing(session, principal, scope, status, page, per_page)
    names = _names(session, assignments)
    return [assignment_json(assignment, names) for assignment in assignments]


def _assignment_again(request: Request, stored) -> JSONResponse:
    """A retried request whose first attempt committed: the assignment as it is now."""
    with reading(request.app.state.qlvb.engine) as session:
        assignment = session.get(WorkAssignment, int(stored.subject_id))
        return JSONResponse(assignment_json(assignment, _names(session, [assignment])),
                            status_code=201 if stored.event_code == "assignment.created" else 200)


@api_router.post("/assignments", status_code=201, summary="Giao việc mới",
                 description="Lãnh đạo cơ quan giao cho người, đơn vị trong cơ quan; lãnh đạo đơn vị trong đơn vị "
                             "của mình. Một người hoặc một đơn vị chủ trì; thời hạn là số ngày làm việc (theo lịch "
                             "làm việc) hoặc một ngày (hết 17 giờ ngày đó). Văn bản liên quan phải là văn bản người "
                             "giao việc được xem; người thực hiện được xem các văn bản này.")
@answers_retries_with(_assignment_again)
async def api_create(body: AssignmentForm, principal: ApiUser, state: State) -> JSONResponse:
    assignment = await commands.create_assignment(state.engine, state.client, state.settings, user=principal.user,
                                                  roles=principal.roles, raw=body.model_dump(exclude_none=True))
    return JSONResponse(await asyncio.to_thread(_detail_of, state, principal, assignment.id), status_code=201)


def _detail_of(state, principal, assignment_id: int) -> dict[str, Any]:
    with reading(state.engine) as session:
        return detail_json(_page_data(session, principal, assignment_id))


@api_router.get("/assignments/{assignment_id}", summary="Một việc được giao: người thực hiện, tiến độ, kết quả, "
                                                        "các bước đang mở, lịch sử",
                description="`my_steps`: các bước người gọi đang được xử lý, với thao tác và trường của từng thao "
                            "tác; thực hiện bằng `POST /api/v1/tasks/{task_id}/actions`.")
def api_get(assignment_id: Id, principal: ApiUser, session: DbSession) -> dict[str, Any]:
    return detail_json(_page_data(session, principal, assignment_id))


@api_router.post("/assignments/{assignment_id}/progress", summary="Báo cáo tiến độ (người chủ trì)",
                 description="Ghi nhận tiến độ, không chuyển bước; chỉ khi việc đang thực hiện.")
@answers_retries_with(_assignment_again)
def api_progress(assignment_id: Id, body: ProgressForm, principal: ApiUser, state: State) -> dict[str, Any]:
    assignment = commands.report_progress(state.engine, user=principal.user, roles=principal.roles,
                                          assignment_id=assignment_id, raw=body.model_dump())
    with reading(state.engine) as session:
        return assignment_json(assignment, _names(session, [assignment]))


@api_router.post("/assignments/{assignment_id}/cancel", summary="Hủy việc đã giao (người giao việc)",
                 description="Đóng các bước đang mở, ghi lý do. 200 khi đã hủy; 202 khi hệ thống quy trình chưa "
                             "trả lời kịp (việc sẽ được hủy ngay khi có thể).")
@answers_retries_with(RUN_AGAIN)
async def api_cancel(request: Request, assignment_id: Id, body: CancelForm, principal: ApiUser,
                     state: State) -> JSONResponse:
    done = await commands.cancel_assignment(
        state.engine, state.client, user=principal.user, roles=principal.roles, assignment_id=assignment_id,
        raw=body.model_dump(), nonce=request_key(request) or uuid.uuid4().hex)
    return JSONResponse({"id": assignment_id, "cancelled": done}, status_code=200 if done else 202)
