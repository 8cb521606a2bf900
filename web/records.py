"""Hồ sơ pages: ``/records`` (my hồ sơ, my unit's, the archive), ``/records/new`` and the hồ sơ page
``/records/{id}`` with its documents, the steps waiting for the person and the actions they may
take. Routes only parse, call ``commands.records`` / ``commands.record_archive`` (or the task
handshake) and render; every refusal comes back in Vietnamese and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from commands import record_archive
from commands import records as commands
from commands import tasks as task_commands
from models.bounds import Id
from models.db import reading
from models.documents.access import visible_documents
from models.errors import DomainError, NotFound
from models.org import repo as org_repo
from models.records import archive_repo, items_repo, plan_repo, repo, rules
from models.records.schema import CollectionInput, CorrectionInput, HandoverInput, KeepInput, OpenRecordInput
from models.records.tables import RecordStatus
from models.tasks.actions import ACTION_FIELDS
from models.vocab import Role
from web import flash
from web.deps import CsrfChecked, DbSession, Principal, State, WebUser
from web.htmx import render
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with, request_key
from web.labels import ACCESS_STATUS_LABELS, RECORD_STATUS_LABELS

router = APIRouter(route_class=IdempotentRoute)

SCOPES = {"mine": "Hồ sơ của tôi", "unit": "Hồ sơ của đơn vị", "archive": "Lưu trữ cơ quan"}
LABELS = {"RECORD_STATUS_LABELS": RECORD_STATUS_LABELS, "ACCESS_STATUS_LABELS": ACCESS_STATUS_LABELS}


def go(request: Request, target: str, said: str) -> Response:
    """After a change: the page again saying what happened (Post/Redirect/Get; htmx follows
    ``HX-Redirect``)."""
    return flash.done(request, target, said, trigger=None)


PENDING = "; hệ thống đang ghi nhận, trang sẽ cập nhật sau ít giây"


def _record_page_again(request: Request, stored) -> Response:
    """A retried change whose answer was lost: the hồ sơ's page shows what it did."""
    return go(request, f"/records/{stored.subject_id}" if stored.subject_type == "record" else "/records",
              "Yêu cầu này đã được thực hiện trước đó.")


async def form_of(request: Request) -> dict[str, str]:
    """The posted form's text fields (the csrf and idempotency fields left out)."""
    form = await request.form()
    return {name: str(value) for name, value in form.items() if name not in ("csrf_token", "idempotency_key")}


def nonce_of(request: Request, form: dict[str, str]) -> str:
    """The form's nonce, else its Idempotency-Key: a retried click reaches the workflow once."""
    return form.get("nonce") or request_key(request) or uuid.uuid4().hex


# --- lists and opening --------------------------------------------------------------------------


@router.get("/records")
def record_list(request: Request, principal: WebUser, session: DbSession, scope: str = "mine") -> Response:
    user, roles = principal.user, principal.roles
    scope = scope if scope in SCOPES else "mine"
    records = repo.listed(session, user, scope)
    return render(request, "records/file_list.html", records=records, scope=scope, scopes=SCOPES,
                  names=repo.names_of(session, [r.creator_id for r in records]),
                  collections=archive_repo.collections(session, user.agency_id) if scope == "archive" else [],
                  announces=bool(roles & record_archive.ANNOUNCES), **LABELS)


@router.get("/records/new")
def new_record_form(request: Request, principal: WebUser, session: DbSession) -> Response:
    year = commands.today().year
    entries = plan_repo.approved_entries(session, principal.user.agency_id, year)
    opened = repo.open_of_entries(session, [e.id for e in entries])
    return render(request, "records/file_new.html", entries=[e for e in entries if e.id not in opened], year=year,
                  people=org_repo.people_of(session, principal.user.agency_id),
                  names_creators=bool(principal.roles & commands.NAMES_CREATORS), rights=rules.RIGHTS,
                  today=commands.today())


@router.post("/records/new")
async def new_record(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await form_of(request)
    form["construction"] = "true" if form.get("construction") else "false"
    record_id = await commands.open_record(state.engine, state.client, state.settings, user=principal.user,
                                           roles=principal.roles, data=OpenRecordInput.parse(form))
    return go(request, f"/records/{record_id}", "Đã lập hồ sơ.")


@router.post("/records/collections")
async def announce(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await form_of(request)
    await record_archive.announce_collection(state.engine, state.client, user=principal.user, roles=principal.roles,
                                             data=CollectionInput.parse(form))
    return go(request, "/records?scope=archive", "Đã thông báo thu nộp hồ sơ vào lưu trữ cơ quan.")


# --- the hồ sơ page -------------------------------------------------------------------------------


def _catalogue_only(session, principal: Principal, record_id: int):
    """A restricted hồ sơ of the archive the person may not read: its catalogue line only."""
    record = repo.get(session, record_id)
    if (record is None or record.agency_id != principal.user.agency_id or record.status != RecordStatus.ARCHIVED
            or record.rights != rules.RESTRICTED):
        raise NotFound("record_not_found")
    return record


def page_context(session, principal: Principal, record_id: int) -> dict[str, Any]:
    """Everything the hồ sơ page shows the person."""
    user, roles = principal.user, principal.roles
    record = repo.record_for_user(session, user, roles, record_id, commands.today())
    manages = rules.manages(record, user, roles)
    is_open = record.status == RecordStatus.OPEN
    return {
        "record": record, "items": items_repo.items(session, record.id),
        "candidates": (items_repo.candidates(session, visible_documents(user, roles), record.agency_id, record.id)
                       if is_open and manages and not record.frozen else []),
        "tasks": repo.open_tasks(session, record.id, user, roles), "waiting": repo.waiting_steps(session, record.id),
        "access_counts": repo.access_counts(session, record.id), "history": repo.history(session, record.id),
        "requests": archive_repo.requests_of(session, record.id) if roles & rules.MAY_FREEZE else [],
        "disposal": archive_repo.disposal(session, record.id),
        "names": repo.names_of(session, [record.creator_id]),
        "people": org_repo.people_of(session, record.agency_id) if manages else [],
        "manages": manages, "is_creator": record.creator_id == user.id,
        "may_freeze": bool(roles & rules.MAY_FREEZE),
        "may_correct": (Role.ARCHIVIST in roles if record.status in (RecordStatus.TRANSFERRING, RecordStatus.ARCHIVED)
                        else manages) and record.status != RecordStatus.DISPOSED,
        "transferable": manages and record.status == RecordStatus.CLOSED and rules.must_transfer(record.maintenance),
        "action_fields": ACTION_FIELDS, "nonce": uuid.uuid4().hex, "today": commands.today(), **LABELS,
    }


@router.get("/records/{record_id}")
def record_page(request: Request, record_id: Id, principal: WebUser, state: State) -> Response:
    with reading(state.engine) as session:
        try:
            context = page_context(session, principal, record_id)
        except NotFound:
            record = _catalogue_only(session, principal, record_id)
            pending = archive_repo.pending_request(session, record.id, principal.user.id)
            session.expunge_all()
            return render(request, "records/file_restricted.html", record=record, pending=pending, **LABELS)
        session.expunge_all()  # rendered after this read's rollback
    record_archive.record_viewed(state.engine, principal.user.id, record_id, via="web")
    return render(request, "records/file_detail.html", pending=request.query_params.get("pending") == "1",
                  **context)


# --- actions ------------------------------------------------------------------------------------


@router.post("/records/{record_id}/close")
@answers_retries_with(RUN_AGAIN)
async def close(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await form_of(request)
    outcome = await commands.close_record(state.engine, state.client, state.settings, user=principal.user,
                                          roles=principal.roles, record_id=record_id, note=form.get("note", "").strip(),
                                          nonce=nonce_of(request, form))
    return go(request, f"/records/{record_id}" + ("" if outcome.applied else "?pending=1"),
              "Đã kết thúc hồ sơ." if outcome.applied else f"Đã gửi yêu cầu kết thúc hồ sơ{PENDING}.")


async def _ask_process(request: Request, record_id: int, principal: Principal, state, command, said: str,
                       **extra) -> Response:
    """One of the requests that move the hồ sơ's process on; the form's nonce makes a retry act once."""
    form = await form_of(request)
    await command(state.engine, state.client, state.settings, user=principal.user, roles=principal.roles,
                  record_id=record_id, nonce=nonce_of(request, form), **{k: v(form) for k, v in extra.items()})
    return go(request, f"/records/{record_id}", said)


@router.post("/records/{record_id}/review")
@answers_retries_with(RUN_AGAIN)
async def review(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    return await _ask_process(request, record_id, principal, state, commands.request_review,
                              "Đã đề nghị người lập rà soát, kết thúc hồ sơ.")


@router.post("/records/{record_id}/transfer")
@answers_retries_with(RUN_AGAIN)
async def transfer(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    return await _ask_process(request, record_id, principal, state, commands.transfer_record,
                              "Đã nộp lưu hồ sơ; lưu trữ cơ quan sẽ kiểm tra và tiếp nhận.")


@router.post("/records/{record_id}/keep")
@answers_retries_with(RUN_AGAIN)
async def keep(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    return await _ask_process(request, record_id, principal, state, commands.request_keep,
                              "Đã gửi đề nghị giữ lại hồ sơ; lãnh đạo đơn vị sẽ cho ý kiến.", data=lambda form: (
        KeepInput.parse({name: form.get(name, "") for name in ("until", "reason")})))


@router.post("/records/{record_id}/correct")
@answers_retries_with(RUN_AGAIN)
async def correct(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await form_of(request)
    fields = ("reason", "title", "maintenance", "rights", "description", "final_settlement")
    data = CorrectionInput.parse({name: form[name] for name in fields if form.get(name, "").strip()})
    await commands.correct_record(state.engine, state.client, state.settings, user=principal.user,
                                  roles=principal.roles, record_id=record_id, data=data, nonce=nonce_of(request, form))
    return go(request, f"/records/{record_id}", "Đã đính chính thông tin hồ sơ.")


@router.post("/records/{record_id}/freeze")
async def freeze(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await form_of(request)
    reason = form.get("reason", "").strip()
    if not reason:
        raise DomainError("invalid_fields", fields={"reason": "required"})
    await run_in_threadpool(commands.set_frozen, state.engine, user=principal.user, roles=principal.roles,
                            record_id=record_id, frozen=form.get("frozen") == "1", reason=reason[:500])
    return go(request, f"/records/{record_id}", "Đã khóa hồ sơ." if form.get("frozen") == "1" else "Đã mở khóa hồ sơ.")


@router.post("/records/{record_id}/handover")
async def handover(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await form_of(request)
    data = HandoverInput.parse({k: form.get(k, "") for k in ("successor_id", "reason")})
    await run_in_threadpool(commands.hand_over, state.engine, user=principal.user, roles=principal.roles,
                            record_id=record_id, successor_id=data.successor_id, reason=data.reason)
    return go(request, f"/records/{record_id}", "Đã bàn giao hồ sơ.")


@router.post("/records/{record_id}/access")
async def ask_access(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await form_of(request)
    reason = form.get("reason", "").strip()
    if not reason or len(reason) > 500:
        raise DomainError("invalid_fields", fields={"reason": "required" if not reason else "too_long"})
    await record_archive.request_access(state.engine, state.client, user=principal.user, roles=principal.roles,
                                        record_id=record_id, reason=reason)
    return go(request, f"/records/{record_id}", "Đã gửi đề nghị đọc hồ sơ.")


@router.post("/records/{record_id}/tasks/{task_id}/act")
@answers_retries_with(RUN_AGAIN)
async def act(request: Request, record_id: Id, task_id: Id, principal: WebUser, state: State,
              _: CsrfChecked) -> Response:
    """A decision on one of the hồ sơ's steps (the same handshake as every inbox task)."""
    form = await form_of(request)
    action = form.get("action", "")
    fields = {spec.name: form[spec.name] for spec in ACTION_FIELDS.get(action, ()) if form.get(spec.name, "").strip()}
    outcome = await task_commands.act_on_task(state.engine, state.client, task_id=task_id, user=principal.user,
                                              roles=principal.roles, action=action, fields=fields,
                                              nonce=nonce_of(request, form))
    return go(request, f"/records/{record_id}" + ("" if outcome.applied else "?pending=1"),
              flash.decision_said(action, None, applied=outcome.applied))

