"""Document types and registers: the administration page ``/admin/configuration`` and API v1
``/api/v1/configuration/document-types`` and ``/api/v1/configuration/registers``; the helpers the
other configuration pages share (``configuration_processes``, ``configuration_hub``,
``configuration_calendar``). Routes only parse, call a command in a worker thread, and render.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from commands import configuration as config_commands
from commands import configuration_types as type_commands
from models.bounds import Id
from models.errors import DomainError, Forbidden
from models.vocab import Role
from web import flash
from web.deps import ApiUser, CsrfChecked, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.messages import field_errors, message_of, status_of

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])

KIND_LABELS = {"incoming": "Sổ văn bản đến", "outgoing": "Sổ văn bản đi", "copy": "Sổ bản sao"}


# --- shared by the configuration pages ----------------------------------------------------------

def actor(principal: Principal) -> dict:
    """The command arguments naming who acts; ``admin_only`` for anyone but an administrator."""
    if not principal.roles & {Role.ADMIN, Role.SYSTEM_ADMIN}:
        raise Forbidden("admin_only")
    return {"actor_id": principal.user.id, "roles": principal.roles}


def agency_code_of(principal: Principal, given: str = "") -> str:
    """The agency a page configures: the one asked for, else the administrator's own."""
    return given.strip() or principal.agency.code


def page_context(request: Request, principal: Principal, section: str, agency_code: str, *,
                 notice: str | None, error: DomainError | None) -> dict:
    """What every configuration page shows: the section links, the agency picker, the outcome."""
    choices = config_commands.agency_choices(request.app.state.qlvb.engine, **actor(principal))
    return {"section": section, "agency_code": agency_code, "agency_choices": choices,
            "agency_name": next((c.name for c in choices if c.code == agency_code), agency_code),
            "notice": notice, "error": message_of(error) if error else None,
            "errors": field_errors(error) if error else {}, "status_code": status_of(error) if error else 200,
            "province_admin": Role.SYSTEM_ADMIN in principal.roles}


async def run_then_redirect(request: Request, page: Callable[..., Response], call: Callable[[], object],
                            notice: str, target: str) -> Response:
    """Run a command, then go to ``target`` saying ``notice`` (Post/Redirect/Get: a refresh re-sends
    nothing); a refusal (422, 409) shows on the page again, a forbidden or missing thing goes to the
    error page."""
    try:
        await run_in_threadpool(call)
    except DomainError as failure:
        if status_of(failure) in (403, 404):
            raise
        return await run_in_threadpool(page, error=failure)
    return flash.done(request, target, notice, trigger=None)


def page_url(path: str, agency_code: str) -> str:
    """A configuration page for one agency, as its agency picker links it."""
    return f"{path}?{urlencode({'agency': agency_code})}"


def form_text(form, name: str) -> str:
    """A form field as text ("" when absent)."""
    return str(form.get(name, ""))


# --- the document types and registers page ----------------------------------------------------

def _page(request: Request, principal: Principal, agency_code: str, *, notice: str | None = None,
          error: DomainError | None = None) -> Response:
    engine = request.app.state.qlvb.engine
    context = page_context(request, principal, "types", agency_code, notice=notice, error=error)
    types = type_commands.list_types(engine, **actor(principal), agency_code=agency_code)
    registers = config_commands.list_registers(engine, **actor(principal), agency_code=agency_code)
    return render(request, "admin/configuration.html", types=types, registers=registers, kind_labels=KIND_LABELS,
                  **context)


@router.get("/admin/configuration")
def configuration_page(request: Request, principal: WebUser, agency: str = "") -> Response:
    return _page(request, principal, agency_code_of(principal, agency))


def _form_page(request: Request, principal: Principal, form) -> Callable[..., Response]:
    return functools.partial(_page, request, principal, agency_code_of(principal, form_text(form, "agency")))


def _form_target(principal: Principal, form) -> str:
    return page_url("/admin/configuration", agency_code_of(principal, form_text(form, "agency")))


@router.post("/admin/configuration/types")
async def create_type_form(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    own = form_text(form, "scope") == "agency"
    return await run_then_redirect(request, _form_page(request, principal, form), lambda: type_commands.create_type(
        state.engine, **actor(principal), name=form_text(form, "name"), code=form_text(form, "code"),
        legal_normative=form.get("legal_normative") == "1", copy_form=form.get("copy_form") == "1",
        agency_code=agency_code_of(principal, form_text(form, "agency")) if own else None,
        own_series=form.get("own_series") == "1"),
        f"Đã thêm loại văn bản “{form_text(form, 'name').strip()}”.", _form_target(principal, form))


TYPE_NOTICES = {
    "activate": "Đã dùng lại loại văn bản.",
    "deactivate": "Đã ngừng dùng loại văn bản cho dự thảo mới; các dự thảo đang soạn vẫn giữ loại này.",
    "offer": "Cơ quan đã dùng lại loại văn bản này cho dự thảo mới.",
    "turn_off": "Cơ quan không dùng loại văn bản này cho dự thảo mới nữa; các cơ quan khác không bị ảnh hưởng.",
}


@router.post("/admin/configuration/types/{type_id}")
async def change_type_form(request: Request, type_id: Id, principal: WebUser, state: State,
                           _: CsrfChecked) -> Response:
    form = await request.form()
    action = form_text(form, "action")
    if action in ("deactivate", "activate"):
        def call():
            return type_commands.set_type_active(state.engine, **actor(principal), type_id=type_id,
                                                 active=action == "activate")
    elif action in ("offer", "turn_off"):
        def call():
            return type_commands.set_type_offered(
                state.engine, **actor(principal), agency_code=agency_code_of(principal, form_text(form, "agency")),
                type_id=type_id, offered=action == "offer")
    else:
        def call():
            return type_commands.change_type(state.engine, **actor(principal), type_id=type_id,
                                             name=form_text(form, "name"), code=form_text(form, "code"))
    return await run_then_redirect(request, _form_page(request, principal, form), call,
                                   TYPE_NOTICES.get(action, "Đã cập nhật loại văn bản."), _form_target(principal, form))


@router.post("/admin/configuration/registers")
async def create_register_form(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    agency = agency_code_of(principal, form_text(form, "agency"))
    keys = [k for raw in form.getlist("doc_types") for k in str(raw).split(",")]
    return await run_then_redirect(request, _form_page(request, principal, form), lambda: config_commands.create_register(
        state.engine, **actor(principal), agency_code=agency, kind=form_text(form, "kind"), name=form_text(form, "name"),
        doc_types=keys), f"Đã mở sổ “{form_text(form, 'name').strip()}”.", _form_target(principal, form))


@router.post("/admin/configuration/registers/{register_id}")
async def change_register_form(request: Request, register_id: Id, principal: WebUser, state: State,
                               _: CsrfChecked) -> Response:
    form = await request.form()
    if form_text(form, "action") == "close":
        return await run_then_redirect(request, _form_page(request, principal, form), lambda: config_commands.close_register(
            state.engine, **actor(principal), register_id=register_id),
            "Đã đóng sổ: sổ không cấp số mới, các số đã cấp được giữ nguyên.", _form_target(principal, form))
    return await run_then_redirect(request, _form_page(request, principal, form), lambda: config_commands.rename_register(
        state.engine, **actor(principal), register_id=register_id, name=form_text(form, "name")),
        "Đã đổi tên sổ đăng ký.", _form_target(principal, form))


# --- API v1 -----------------------------------------------------------------------------------

class TypeCreate(BaseModel):
    name: str = Field(max_length=100, description="tên loại văn bản, không trùng trong toàn tỉnh")
    code: str = Field(default="", max_length=10, description="ký hiệu tên loại (Phụ lục III), ví dụ QĐ")
    legal_normative: bool = Field(default=False, description="văn bản quy phạm pháp luật: dãy số riêng")
    copy_form: bool = Field(default=False, description="hình thức bản sao: dùng sổ bản sao")
    agency_code: str | None = Field(default=None, max_length=35, description=(
        "mã cơ quan: loại văn bản riêng của cơ quan này (quản trị cơ quan); bỏ trống: danh mục chung "
        "của tỉnh (quản trị hệ thống cấp tỉnh)"))
    own_series: bool = Field(default=False, description=(
        "chỉ với loại riêng của cơ quan: mở sổ đăng ký văn bản đi đánh số riêng cho loại này (cần ký hiệu)"))


class TypeChange(BaseModel):
    name: str | None = Field(default=None, max_length=100)
    code: str | None = Field(default=None, max_length=10)
    active: bool | None = Field(default=None, description="false: ngừng dùng cho dự thảo mới")


class TypeOffered(BaseModel):
    agency_code: str = Field(max_length=35, description="mã cơ quan")
    offered: bool = Field(description="false: cơ quan không dùng loại văn bản chung này cho dự thảo mới; "
                                      "true: dùng lại")


class RegisterCreate(BaseModel):
    agency_code: str = Field(max_length=35)
    kind: str = Field(max_length=10, description="incoming | outgoing | copy")
    name: str = Field(max_length=200)
    doc_types: list[str] = Field(default_factory=list, max_length=60,
                                 description="khóa dãy số các loại văn bản sổ này đánh số (ví dụ QĐ, QPPL:NQ)")


class RegisterChange(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    closed: bool | None = Field(default=None, description="true: đóng sổ, không cấp số mới")


@api_router.get("/configuration/document-types", summary="Danh mục loại văn bản (cả loại đã ngừng dùng)",
                description="Không có agency_code: danh mục chung của tỉnh. Có agency_code: danh mục chung kèm "
                            "việc cơ quan có dùng từng loại hay không (offered), rồi các loại riêng của cơ quan.")
def api_types(principal: ApiUser, state: State, agency_code: str | None = None) -> list[dict]:
    return [asdict(t) for t in type_commands.list_types(state.engine, **actor(principal), agency_code=agency_code)]


@api_router.post("/configuration/document-types", status_code=201, summary="Thêm loại văn bản",
                 description="Vào danh mục chung của tỉnh, hoặc (agency_code) loại riêng của một cơ quan.")
async def api_create_type(body: TypeCreate, principal: ApiUser, state: State) -> dict:
    return asdict(await run_in_threadpool(
        type_commands.create_type, state.engine, **actor(principal), name=body.name, code=body.code,
        legal_normative=body.legal_normative, copy_form=body.copy_form, agency_code=body.agency_code,
        own_series=body.own_series))


@api_router.post("/configuration/document-types/{type_id}", summary="Đổi tên, ký hiệu; ngừng dùng hoặc dùng lại loại văn bản")
async def api_change_type(type_id: Id, body: TypeChange, principal: ApiUser, state: State) -> dict:
    def call():
        view = None
        if body.name is not None or body.code is not None:
            view = type_commands.change_type(state.engine, **actor(principal), type_id=type_id, name=body.name,
                                             code=body.code)
        if body.active is not None:
            view = type_commands.set_type_active(state.engine, **actor(principal), type_id=type_id,
                                                 active=body.active)
        if view is None:
            raise DomainError("invalid_fields", fields={"name": "required"})
        return asdict(view)
    return await run_in_threadpool(call)


@api_router.post("/configuration/document-types/{type_id}/offered",
                 summary="Cơ quan dùng hoặc không dùng một loại văn bản của danh mục chung",
                 description="Chỉ ảnh hưởng dự thảo mới của cơ quan đó; các cơ quan khác giữ nguyên.")
async def api_type_offered(type_id: Id, body: TypeOffered, principal: ApiUser, state: State) -> dict:
    return asdict(await run_in_threadpool(
        type_commands.set_type_offered, state.engine, **actor(principal), agency_code=body.agency_code,
        type_id=type_id, offered=body.offered))


@api_router.get("/configuration/registers", summary="Sổ đăng ký của một cơ quan")
def api_registers(principal: ApiUser, state: State, agency_code: str) -> list[dict]:
    return [asdict(r) for r in config_commands.list_registers(state.engine, **actor(principal),
                                                              agency_code=agency_code)]


@api_router.post("/configuration/registers", status_code=201, summary="Mở sổ đăng ký")
async def api_create_register(body: RegisterCreate, principal: ApiUser, state: State) -> dict:
    return asdict(await run_in_threadpool(
        config_commands.create_register, state.engine, **actor(principal), agency_code=body.agency_code,
        kind=body.kind, name=body.name, doc_types=body.doc_types))


@api_router.post("/configuration/registers/{register_id}", summary="Đổi tên hoặc đóng sổ đăng ký")
async def api_change_register(register_id: Id, body: RegisterChange, principal: ApiUser, state: State) -> dict:
    def call():
        view = None
        if body.name is not None:
            view = config_commands.rename_register(state.engine, **actor(principal), register_id=register_id,
                                                   name=body.name)
        if body.closed:
            view = config_commands.close_register(state.engine, **actor(principal), register_id=register_id)
        if view is None:
            raise DomainError("invalid_fields", fields={"name": "required"})
        return asdict(view)
    return await run_in_threadpool(call)
