"""People, their rights and delegations: the administration pages and their API v1.

Pages: ``/admin/users/{username}`` (details, unit, roles, move with handover, lock, unlock, reset)
and ``/delegations`` (a leader's delegations of signing or direction; an administrator's for their
agencies). API v1: ``/api/v1/people`` and ``/api/v1/delegations``. Routes only parse, call a command
of ``commands.people`` or ``commands.delegation`` in a worker thread, and render.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from commands import delegation as delegation_commands
from commands import people as people_commands
from models.bounds import Id
from models.db import reading
from models.delegation import rules as delegation_rules
from models.delegation.repo import DelegationView
from models.documents.types_repo import active_types
from models.errors import DomainError, Forbidden
from models.org import people as people_repo
from models.org import repo as account_repo
from models.org.tables import User
from models.vocab import Role
from web import flash
from web.deps import ApiUser, CsrfChecked, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute, answers_retries_with
from web.messages import message_of

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


def _actor(principal: Principal) -> dict:
    return {"actor_id": principal.user.id, "roles": principal.roles}


def _is_admin(principal: Principal) -> bool:
    return bool(principal.roles & {Role.ADMIN, Role.SYSTEM_ADMIN})


def _require_admin(principal: Principal) -> None:
    if not _is_admin(principal):
        raise Forbidden("admin_only")


def _optional_id(text: str, name: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise DomainError("invalid_fields", fields={name: "int_parsing"})
    return int(text)


# --- the person page ------------------------------------------------------------------------


def _person_page(request: Request, principal: Principal, username: str, *, notice: str | None = None,
                 error: str | None = None) -> Response:
    engine = request.app.state.qlvb.engine
    person = people_commands.get_person(engine, **_actor(principal), username=username)
    with reading(engine) as session:
        scope = people_repo.managed_agencies(session, principal.user, principal.roles)
        overview = people_repo.overview(session, scope)
        units = {a.id: account_repo.units_of(session, a.id, current_only=True) for a in overview.managed}
        colleagues = [u for u in overview.users if u.username != person.username and not u.disabled
                      and overview.agencies[u.agency_id].code == person.agency_code]
        roles = people_repo.offered_roles(scope)
        return render(request, "admin/person.html", status_code=422 if error else 200, person=person,
                      notice=notice, error=error, managed=overview.managed, units=units, colleagues=colleagues,
                      roles=roles)


@router.get("/admin/users/{username}")
def person_page(request: Request, username: str, principal: WebUser) -> Response:
    _require_admin(principal)
    return _person_page(request, principal, username)


async def _run_on_page(request: Request, principal: Principal, username: str, call, notice) -> Response:
    try:
        result = await run_in_threadpool(call)
        text = notice(result) if callable(notice) else notice
        # Post/Redirect/Get: a reload of the person's page never repeats the change.
        return flash.done(request, f"/admin/users/{quote(username)}", text, trigger=None)
    except Forbidden:
        raise
    except DomainError as failure:
        if failure.status == 404:
            raise
        return await run_in_threadpool(_person_page, request, principal, username, error=message_of(failure))


@router.post("/admin/users/{username}")
async def change_person(request: Request, username: str, principal: WebUser, state: State,
                        _: CsrfChecked) -> Response:
    _require_admin(principal)
    form = await request.form()

    def call():
        return people_commands.change_person(
            state.engine, **_actor(principal), username=username, full_name=str(form.get("full_name", "")),
            position=str(form.get("position", "")), email=str(form.get("email", "")),
            unit_id=_optional_id(str(form.get("unit_id", "")), "unit_id"),
            account_roles=[str(r) for r in form.getlist("roles")])
    return await _run_on_page(request, principal, username, call, f"Đã cập nhật thông tin và vai trò của {username}.")


@router.post("/admin/users/{username}/move")
async def move_person(request: Request, username: str, principal: WebUser, state: State,
                      _: CsrfChecked) -> Response:
    _require_admin(principal)
    form = await request.form()

    def call():
        return people_commands.move_person(
            state.engine, **_actor(principal), username=username,
            agency_code=str(form.get("agency_code", "")) or None,
            unit_id=_optional_id(str(form.get("unit_id", "")), "unit_id"), position=str(form.get("position", "")),
            successor_username=str(form.get("successor", "")) or None)

    def said(result):
        _, tasks, records = result
        return f"Đã chuyển công tác {username}; bàn giao {tasks} công việc và {records} hồ sơ."
    return await _run_on_page(request, principal, username, call, said)


@router.post("/admin/users/{username}/unlock")
async def unlock_person(request: Request, username: str, principal: WebUser, state: State,
                        _: CsrfChecked) -> Response:
    _require_admin(principal)
    return await _run_on_page(request, principal, username,
                              lambda: people_commands.unlock_person(state.engine, **_actor(principal),
                                                                    username=username),
                              f"Đã mở khóa tài khoản {username}.")


# --- delegations: the page ------------------------------------------------------------------


def _delegations_page(request: Request, principal: Principal, *, notice: str | None = None,
                      error: str | None = None) -> Response:
    engine = request.app.state.qlvb.engine
    rows = delegation_commands.list_delegations(engine, **_actor(principal))
    with reading(engine) as session:
        scope = ({principal.user.agency_id} if not _is_admin(principal)
                 else people_repo.managed_agencies(session, principal.user, principal.roles))
        overview = people_repo.overview(session, scope)
        colleagues = [u for u in overview.users if not u.disabled]
        leaders = [u for u in colleagues if Role.AGENCY_LEADER in {Role(r) for r in overview.user_roles.get(u.id, [])}]
        units = account_repo.units_of(session, principal.user.agency_id, current_only=True)
        types = active_types(session, principal.user.agency_id)
        return render(request, "admin/delegations.html", status_code=422 if error else 200, rows=rows,
                      notice=notice, error=error, colleagues=colleagues, leaders=leaders, units=units, types=types,
                      kinds=delegation_rules.KINDS, forms=delegation_rules.FORMS,
                      states=delegation_rules.STATE_LABELS, is_admin=_is_admin(principal),
                      agencies=overview.agencies)


@router.get("/delegations")
def delegations_page(request: Request, principal: WebUser) -> Response:
    return _delegations_page(request, principal)


@router.post("/delegations")
async def create_delegation(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    try:
        row = await run_in_threadpool(
            delegation_commands.create_delegation, state.engine, **_actor(principal),
            delegator_username=str(form.get("delegator", "")) or None, deputy_username=str(form.get("deputy", "")),
            kind=str(form.get("kind", "")), form=str(form.get("form", "")),
            starts_on=str(form.get("starts_on", "")), ends_on=str(form.get("ends_on", "")),
            doc_type_ids=[str(v) for v in form.getlist("doc_type_ids")],
            unit_ids=[str(v) for v in form.getlist("unit_ids")], note=str(form.get("note", "")))
        notice = f"Đã ghi nhận ủy quyền ({row.form}) từ {row.starts_on:%d/%m/%Y} đến {row.ends_on:%d/%m/%Y}."
    except DomainError as failure:
        return await run_in_threadpool(_delegations_page, request, principal, error=message_of(failure))
    return flash.done(request, "/delegations", notice, trigger=None)


@router.post("/delegations/{delegation_id}/revoke")
async def revoke_delegation(request: Request, delegation_id: Id, principal: WebUser, state: State,
                            _: CsrfChecked) -> Response:
    form = await request.form()
    await run_in_threadpool(delegation_commands.revoke_delegation, state.engine, **_actor(principal),
                            delegation_id=delegation_id, reason=str(form.get("reason", "")))
    return flash.done(request, "/delegations", "Đã thu hồi ủy quyền.", trigger=None)


# --- API v1 -----------------------------------------------------------------------------------


class PersonCreate(BaseModel):
    username: str = Field(max_length=50)
    full_name: str = Field(max_length=50)
    agency_code: str = Field(max_length=35)
    unit: str | None = Field(default=None, max_length=20, description="ký hiệu đơn vị")
    position: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=200)
    roles: list[str] = Field(default_factory=list, max_length=10)


class PersonChange(BaseModel):
    full_name: str | None = Field(default=None, max_length=50)
    position: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    unit_id: Id | None = Field(default=None, description="đơn vị mới trong cùng cơ quan (bỏ trống: không đổi)")
    no_unit: bool = Field(default=False, description="bỏ đơn vị (người thuộc trực tiếp cơ quan)")
    roles: list[str] | None = Field(default=None, max_length=10)


class PersonMove(BaseModel):
    agency_code: str | None = Field(default=None, max_length=35)
    unit_id: Id | None = None
    position: str = Field(default="", max_length=100)
    successor: str | None = Field(default=None, max_length=50, description="người tiếp nhận công việc, hồ sơ")


class LockRequest(BaseModel):
    reason: str = Field(max_length=200)


class DelegationCreate(BaseModel):
    deputy: str = Field(max_length=50, description="tên đăng nhập người được ủy quyền")
    delegator: str | None = Field(default=None, max_length=50, description="chỉ quản trị: người ủy quyền")
    kind: str = Field(description="ky | chi_dao", max_length=10)
    form: str = Field(description="KT. | TL. | TUQ. | Q.", max_length=5)
    starts_on: str = Field(max_length=10)
    ends_on: str = Field(max_length=10)
    doc_type_ids: list[Id] = Field(default_factory=list, max_length=100)
    unit_ids: list[Id] = Field(default_factory=list, max_length=100)
    note: str = Field(default="", max_length=500)


class RevokeRequest(BaseModel):
    reason: str = Field(default="", max_length=200)


def person_json(person: people_commands.PersonView) -> dict[str, Any]:
    return asdict(person)


def delegation_json(view: DelegationView) -> dict[str, Any]:
    row = view.row
    return {"id": row.id, "delegator_id": row.delegator_id, "delegator": view.delegator,
            "deputy_id": row.deputy_id, "deputy": view.deputy, "kind": row.kind, "form": row.form,
            "doc_type_ids": row.doc_type_ids, "unit_ids": row.unit_ids, "doc_types": view.doc_types,
            "units": view.units, "starts_on": row.starts_on.isoformat(), "ends_on": row.ends_on.isoformat(),
            "state": view.state, "state_label": delegation_rules.STATE_LABELS[view.state], "note": row.note}


@api_router.get("/people", summary="Người dùng thuộc các cơ quan mình quản trị")
def api_people(principal: ApiUser, state: State) -> list[dict]:
    return [person_json(p) for p in people_commands.list_people(state.engine, **_actor(principal))]


def _person_created_again(request: Request, stored) -> JSONResponse:
    """A retried create whose first attempt committed: the person (the one-time password is not repeated)."""
    state = request.app.state.qlvb
    with reading(state.engine) as session:
        person = people_commands.view_of(session, session.get(User, int(stored.subject_id)))
    return JSONResponse({"person": person_json(person), "one_time_password": None}, status_code=201)


@api_router.post("/people", status_code=201, summary="Tạo người dùng (mật khẩu dùng một lần)")
@answers_retries_with(_person_created_again)
async def api_create_person(body: PersonCreate, principal: ApiUser, state: State) -> JSONResponse:
    person, password = await run_in_threadpool(
        people_commands.create_person, state.engine, **_actor(principal), username=body.username,
        full_name=body.full_name, agency_code=body.agency_code, position=body.position,
        unit_abbreviation=body.unit, account_roles=body.roles, email=body.email)
    return JSONResponse({"person": person_json(person), "one_time_password": password}, status_code=201)


@api_router.get("/people/{username}", summary="Một người dùng")
def api_person(username: str, principal: ApiUser, state: State) -> dict:
    return person_json(people_commands.get_person(state.engine, **_actor(principal), username=username))


def _person_again(request: Request, stored) -> dict:
    state = request.app.state.qlvb
    with reading(state.engine) as session:
        return person_json(people_commands.view_of(session, session.get(User, int(stored.subject_id))))


@api_router.post("/people/{username}", summary="Sửa thông tin, đơn vị, chức vụ, vai trò")
@answers_retries_with(_person_again)
async def api_change_person(username: str, body: PersonChange, principal: ApiUser, state: State) -> dict:
    unit: int | None | str = None if body.no_unit else (body.unit_id if body.unit_id is not None else "unchanged")
    person = await run_in_threadpool(
        people_commands.change_person, state.engine, **_actor(principal), username=username,
        full_name=body.full_name, position=body.position, email=body.email, unit_id=unit, account_roles=body.roles)
    return person_json(person)


@api_router.post("/people/{username}/move", summary="Chuyển công tác, bàn giao công việc và hồ sơ")
@answers_retries_with(lambda request, stored: {**_person_again(request, stored), "handed_over": None})
async def api_move_person(username: str, body: PersonMove, principal: ApiUser, state: State) -> dict:
    person, tasks, records = await run_in_threadpool(
        people_commands.move_person, state.engine, **_actor(principal), username=username,
        agency_code=body.agency_code, unit_id=body.unit_id, position=body.position,
        successor_username=body.successor)
    return {**person_json(person), "handed_over": {"tasks": tasks, "records": records}}


@api_router.post("/people/{username}/lock", summary="Khóa tài khoản")
@answers_retries_with(_person_again)
async def api_lock(username: str, body: LockRequest, principal: ApiUser, state: State) -> dict:
    await run_in_threadpool(people_commands.lock_person, state.engine, **_actor(principal), username=username,
                            reason=body.reason)
    return person_json(await run_in_threadpool(people_commands.get_person, state.engine, **_actor(principal),
                                               username=username))


@api_router.post("/people/{username}/unlock", summary="Mở khóa tài khoản")
@answers_retries_with(_person_again)
async def api_unlock(username: str, principal: ApiUser, state: State) -> dict:
    await run_in_threadpool(people_commands.unlock_person, state.engine, **_actor(principal), username=username)
    return person_json(await run_in_threadpool(people_commands.get_person, state.engine, **_actor(principal),
                                               username=username))


@api_router.post("/people/{username}/reset", summary="Đặt lại mật khẩu: cấp mật khẩu dùng một lần")
async def api_reset(username: str, principal: ApiUser, state: State) -> dict:
    password = await run_in_threadpool(people_commands.reset_person, state.engine, **_actor(principal),
                                       username=username)
    return {"username": username, "one_time_password": password}


@api_router.get("/delegations", summary="Ủy quyền ký, chỉ đạo (của mình, hoặc của cơ quan mình quản trị)")
def api_delegations(principal: ApiUser, state: State) -> list[dict]:
    return [delegation_json(v) for v in delegation_commands.list_delegations(state.engine, **_actor(principal))]


def _delegation_of(state, principal: Principal, delegation_id: int) -> dict:
    for view in delegation_commands.list_delegations(state.engine, **_actor(principal)):
        if view.row.id == delegation_id:
            return delegation_json(view)
    raise DomainError("delegation_not_found")


def _delegation_created_again(request: Request, stored) -> JSONResponse:
    state = request.app.state.qlvb
    delegation_id = int(stored.event_data.get("delegation_id", 0)) if stored.event_data else 0
    principal = request.state.principal
    return JSONResponse(_delegation_of(state, principal, delegation_id), status_code=201)


@api_router.post("/delegations", status_code=201, summary="Ủy quyền ký hoặc chỉ đạo cho cấp phó (KT., TL., TUQ., Q.)")
@answers_retries_with(_delegation_created_again)
async def api_create_delegation(body: DelegationCreate, principal: ApiUser, state: State) -> JSONResponse:
    row = await run_in_threadpool(
        delegation_commands.create_delegation, state.engine, **_actor(principal), delegator_username=body.delegator,
        deputy_username=body.deputy, kind=body.kind, form=body.form, starts_on=body.starts_on,
        ends_on=body.ends_on, doc_type_ids=body.doc_type_ids, unit_ids=body.unit_ids, note=body.note)
    data = await run_in_threadpool(_delegation_of, state, principal, row.id)
    return JSONResponse(data, status_code=201)


@api_router.post("/delegations/{delegation_id}/revoke", summary="Thu hồi ủy quyền")
async def api_revoke_delegation(delegation_id: Id, body: RevokeRequest, principal: ApiUser, state: State) -> dict:
    await run_in_threadpool(delegation_commands.revoke_delegation, state.engine, **_actor(principal),
                            delegation_id=delegation_id, reason=body.reason)
    return await run_in_threadpool(_delegation_of, state, principal, delegation_id)
