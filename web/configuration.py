"""Document types and registers: the administration page ``/admin/configuration`` and API v1
``/api/v1/configuration/document-types`` and ``/api/v1/configuration/registers``. Routes only parse, call a command of
``commands.configuration`` in a worker thread, and render.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from commands import configuration as config_commands
from models.bounds import Id
from models.db import reading
from models.errors import DomainError, Forbidden
from models.org.tables import Agency
from models.vocab import Role
from web.deps import ApiUser, CsrfChecked, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.messages import field_errors, message_of

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])

KIND_LABELS = {"incoming": "Sổ văn bản đến", "outgoing": "Sổ văn bản đi", "copy": "Sổ bản sao"}


def _actor(principal: Principal) -> dict:
    if not principal.roles & {Role.ADMIN, Role.SYSTEM_ADMIN}:
        raise Forbidden("admin_only")
    return {"actor_id": principal.user.id, "roles": principal.roles}


def _agency_code(request: Request, principal: Principal, given: str = "") -> str:
    if given.strip():
        return given.strip()
    with reading(request.app.state.qlvb.engine) as session:
        return session.get(Agency, principal.user.agency_id).code


def _page(request: Request, principal: Principal, agency_code: str, *, notice: str | None = None,
          error: DomainError | None = None) -> Response:
    engine = request.app.state.qlvb.engine
    types = config_commands.list_types(engine, **_actor(principal))
    registers = config_commands.list_registers(engine, **_actor(principal), agency_code=agency_code)
    return render(request, "admin/configuration.html", status_code=error.status if error else 200,
                  types=types, registers=registers, agency_code=agency_code, kind_labels=KIND_LABELS,
                  notice=notice, error=message_of(error) if error else None,
                  errors=field_errors(error) if error else {},
                  province_admin=Role.SYSTEM_ADMIN in principal.roles)


@router.get("/admin/configuration")
def configuration_page(request: Request, principal: WebUser, agency: str = "") -> Response:
    return _page(request, principal, _agency_code(request, principal, agency))


async def _run(request: Request, principal: Principal, agency_code: str, call, notice: str) -> Response:
    try:
        await run_in_threadpool(call)
    except DomainError as failure:
        if failure.status in (403, 404):
            raise
        return await run_in_threadpool(_page, request, principal, agency_code, error=failure)
    return await run_in_threadpool(_page, request, principal, agency_code, notice=notice)


def _text(form, name: str) -> str:
    return str(form.get(name, ""))


@router.post("/admin/configuration/types")
async def create_type_form(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    agency = _agency_code(request, principal, _text(form, "agency"))
    return await _run(request, principal, agency, lambda: config_commands.create_type(
        state.engine, **_actor(principal), name=_text(form, "name"), code=_text(form, "code"),
        legal_normative=form.get("legal_normative") == "1", copy_form=form.get("copy_form") == "1"),
        f"Đã thêm loại văn bản “{_text(form, 'name').strip()}”.")


@router.post("/admin/configuration/types/{type_id}")
async def change_type_form(request: Request, type_id: Id, principal: WebUser, state: State,
                           _: CsrfChecked) -> Response:
    form = await request.form()
    agency = _agency_code(request, principal, _text(form, "agency"))
    action = _text(form, "action")
    if action in ("deactivate", "activate"):
        return await _run(request, principal, agency, lambda: config_commands.set_type_active(
            state.engine, **_actor(principal), type_id=type_id, active=action == "activate"),
            "Đã dùng lại loại văn bản." if action == "activate" else
            "Đã ngừng dùng loại văn bản cho dự thảo mới; các dự thảo đang soạn vẫn giữ loại này.")
    return await _run(request, principal, agency, lambda: config_commands.change_type(
        state.engine, **_actor(principal), type_id=type_id, name=_text(form, "name"), code=_text(form, "code")),
        "Đã cập nhật loại văn bản.")


@router.post("/admin/configuration/registers")
async def create_register_form(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    agency = _agency_code(request, principal, _text(form, "agency"))
    keys = [k for raw in form.getlist("doc_types") for k in str(raw).split(",")]
    return await _run(request, principal, agency, lambda: config_commands.create_register(
        state.engine, **_actor(principal), agency_code=agency, kind=_text(form, "kind"), name=_text(form, "name"),
        doc_types=keys), f"Đã mở sổ “{_text(form, 'name').strip()}”.")


@router.post("/admin/configuration/registers/{register_id}")
async def change_register_form(request: Request, register_id: Id, principal: WebUser, state: State,
                               _: CsrfChecked) -> Response:
    form = await request.form()
    agency = _agency_code(request, principal, _text(form, "agency"))
    if _text(form, "action") == "close":
        return await _run(request, principal, agency, lambda: config_commands.close_register(
            state.engine, **_actor(principal), register_id=register_id),
            "Đã đóng sổ: sổ không cấp số mới, các số đã cấp được giữ nguyên.")
    return await _run(request, principal, agency, lambda: config_commands.rename_register(
        state.engine, **_actor(principal), register_id=register_id, name=_text(form, "name")),
        "Đã đổi tên sổ đăng ký.")


# --- API v1 -----------------------------------------------------------------------------------

class TypeCreate(BaseModel):
    name: str = Field(max_length=100, description="tên loại văn bản")
    code: str = Field(default="", max_length=10, description="ký hiệu tên loại (Phụ lục III), ví dụ QĐ")
    legal_normative: bool = Field(default=False, description="văn bản quy phạm pháp luật: dãy số riêng")
    copy_form: bool = Field(default=False, description="hình thức bản sao: dùng sổ bản sao")


class TypeChange(BaseModel):
    name: str | None = Field(default=None, max_length=100)
    code: str | None = Field(default=None, max_length=10)
    active: bool | None = Field(default=None, description="false: ngừng dùng cho dự thảo mới")


class RegisterCreate(BaseModel):
    agency_code: str = Field(max_length=35)
    kind: str = Field(max_length=10, description="incoming | outgoing | copy")
    name: str = Field(max_length=200)
    doc_types: list[str] = Field(default_factory=list, max_length=60,
                                 description="khóa dãy số các loại văn bản sổ này đánh số (ví dụ QĐ, QPPL:NQ)")


class RegisterChange(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    closed: bool | None = Field(default=None, description="true: đóng sổ, không cấp số mới")


@api_router.get("/configuration/document-types", summary="Danh mục loại văn bản (cả loại đã ngừng dùng)")
def api_types(principal: ApiUser, state: State) -> list[dict]:
    return [asdict(t) for t in config_commands.list_types(state.engine, **_actor(principal))]


@api_router.post("/configuration/document-types", status_code=201, summary="Thêm loại văn bản")
async def api_create_type(body: TypeCreate, principal: ApiUser, state: State) -> dict:
    return asdict(await run_in_threadpool(
        config_commands.create_type, state.engine, **_actor(principal), name=body.name, code=body.code,
        legal_normative=body.legal_normative, copy_form=body.copy_form))


@api_router.post("/configuration/document-types/{type_id}", summary="Đổi tên, ký hiệu; ngừng dùng hoặc dùng lại loại văn bản")
async def api_change_type(type_id: Id, body: TypeChange, principal: ApiUser, state: State) -> dict:
    def call():
        view = None
        if body.name is not None or body.code is not None:
            view = config_commands.change_type(state.engine, **_actor(principal), type_id=type_id, name=body.name,
                                               code=body.code)
        if body.active is not None:
            view = config_commands.set_type_active(state.engine, **_actor(principal), type_id=type_id,
                                                   active=body.active)
        if view is None:
            raise DomainError("invalid_fields", fields={"name": "required"})
        return asdict(view)
    return await run_in_threadpool(call)


@api_router.get("/configuration/registers", summary="Sổ đăng ký của một cơ quan")
def api_registers(principal: ApiUser, state: State, agency_code: str) -> list[dict]:
    return [asdict(r) for r in config_commands.list_registers(state.engine, **_actor(principal),
                                                              agency_code=agency_code)]


@api_router.post("/configuration/registers", status_code=201, summary="Mở sổ đăng ký")
async def api_create_register(body: RegisterCreate, principal: ApiUser, state: State) -> dict:
    return asdict(await run_in_threadpool(
        config_commands.create_register, state.engine, **_actor(principal), agency_code=body.agency_code,
        kind=body.kind, name=body.name, doc_types=body.doc_types))


@api_router.post("/configuration/registers/{register_id}", summary="Đổi tên hoặc đóng sổ đăng ký")
async def api_change_register(register_id: Id, body: RegisterChange, principal: ApiUser, state: State) -> dict:
    def call():
        view = None
        if body.name is not None:
            view = config_commands.rename_register(state.engine, **_actor(principal), register_id=register_id,
                                                   name=body.name)
        if body.closed:
            view = config_commands.close_register(state.engine, **_actor(principal), register_id=register_id)
        if view is None:
            raise DomainError("invalid_fields", fields={"name": "required"})
        return asdict(view)
    return await run_in_threadpool(call)
