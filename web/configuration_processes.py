"""The process version each agency binds: ``/admin/configuration/processes`` and API v1
``/api/v1/configuration/process-bindings``. Routes only parse, call ``commands.configuration_processes``
in a worker thread, and render.
"""

from __future__ import annotations

import functools
from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from commands import configuration_processes as binding_commands
from models.bounds import DB_INT_MAX, Ordinal, parse_int
from models.errors import DomainError
from web.configuration import actor, agency_code_of, form_text, page_context, page_url, run_then_redirect
from web.deps import ApiUser, CsrfChecked, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])

DIRECTION_LABELS = {"incoming": "Văn bản đến", "outgoing": "Văn bản đi"}


def _page(request: Request, principal: Principal, agency_code: str, *, notice: str | None = None,
          error: DomainError | None = None) -> Response:
    context = page_context(request, principal, "processes", agency_code, notice=notice, error=error)
    bindings = binding_commands.list_bindings(request.app.state.qlvb.engine, **actor(principal),
                                              agency_code=agency_code)
    return render(request, "admin/configuration_processes.html", bindings=bindings,
                  direction_labels=DIRECTION_LABELS, **context)


@router.get("/admin/configuration/processes")
def bindings_page(request: Request, principal: WebUser, agency: str = "") -> Response:
    return _page(request, principal, agency_code_of(principal, agency))


def _chosen_version(value: str) -> tuple[str, int]:
    """The select's ``key:version``; a value that is not one is refused with the field named."""
    key, _, version = value.rpartition(":")
    number = parse_int(version, 1, DB_INT_MAX)
    if not key or number is None:
        raise DomainError("invalid_fields", fields={"version": "required" if not value else "invalid"})
    return key, number


@router.post("/admin/configuration/processes")
async def change_binding_form(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    agency = agency_code_of(principal, form_text(form, "agency"))
    direction = form_text(form, "direction")
    page = functools.partial(_page, request, principal, agency)
    target = page_url("/admin/configuration/processes", agency)
    if form_text(form, "action") == "unbind":
        return await run_then_redirect(request, page, lambda: binding_commands.unbind_process(
            state.engine, **actor(principal), agency_code=agency, direction=direction),
            "Đã bỏ gắn: văn bản mới theo phiên bản mới nhất của quy trình.", target)

    def call():
        key, version = _chosen_version(form_text(form, "version"))
        return binding_commands.bind_process(state.engine, **actor(principal), agency_code=agency,
                                             direction=direction, key=key, version=version)
    return await run_then_redirect(request, page, call, "Đã áp dụng phiên bản quy trình: văn bản mới của cơ quan "
                                   "theo phiên bản này; văn bản đang xử lý giữ phiên bản đã bắt đầu.", target)


# --- API v1 -----------------------------------------------------------------------------------

class BindingChange(BaseModel):
    agency_code: str = Field(max_length=35, description="mã cơ quan")
    direction: str = Field(max_length=10, description="incoming (văn bản đến) | outgoing (văn bản đi)")
    key: str = Field(max_length=50, description="mã quy trình đã ban hành, ví dụ incoming-standard")
    version: Ordinal = Field(description="phiên bản đã ban hành của quy trình")


class BindingRemoval(BaseModel):
    agency_code: str = Field(max_length=35, description="mã cơ quan")
    direction: str = Field(max_length=10, description="incoming | outgoing")


@api_router.get("/configuration/process-bindings", summary="Phiên bản quy trình cơ quan áp dụng",
                description="Với văn bản đến và văn bản đi: phiên bản đã gắn (bound) hoặc phiên bản mới nhất "
                            "đang áp dụng, và các phiên bản đã ban hành có thể gắn (choices).")
def api_bindings(principal: ApiUser, state: State, agency_code: str) -> list[dict]:
    return [asdict(b) for b in binding_commands.list_bindings(state.engine, **actor(principal),
                                                              agency_code=agency_code)]


@api_router.post("/configuration/process-bindings", summary="Gắn một phiên bản quy trình cho cơ quan",
                 description="Văn bản mới của cơ quan (theo chiều direction) bắt đầu theo phiên bản này; văn "
                             "bản đang xử lý giữ phiên bản đã bắt đầu. Từ chối phiên bản không tồn tại, chưa "
                             "ban hành, khác chiều hoặc không dành cho cơ quan.")
async def api_bind(body: BindingChange, principal: ApiUser, state: State) -> dict:
    return asdict(await run_in_threadpool(
        binding_commands.bind_process, state.engine, **actor(principal), agency_code=body.agency_code,
        direction=body.direction, key=body.key, version=body.version))


@api_router.post("/configuration/process-bindings/unbind", summary="Bỏ gắn phiên bản quy trình",
                 description="Văn bản mới của cơ quan theo phiên bản mới nhất của quy trình.")
async def api_unbind(body: BindingRemoval, principal: ApiUser, state: State) -> dict:
    return asdict(await run_in_threadpool(
        binding_commands.unbind_process, state.engine, **actor(principal), agency_code=body.agency_code,
        direction=body.direction))
