"""Hub settings: ``/admin/configuration/hub`` and API v1 ``/api/v1/configuration/hub``. The installation's
connection is shown from the settings, secrets never; the agency's identity on the hub is edited
through ``commands.configuration_hub``.
"""

from __future__ import annotations

import functools
from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from commands import configuration_hub as hub_commands
from models.errors import DomainError
from models.exchange.identity import IDENTITY_LIMITS
from web.configuration import actor, agency_code_of, form_text, page_context, page_url, run_then_redirect
from web.deps import ApiUser, CsrfChecked, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])

SECRET_SOURCES = {
    "environment": "Đã cấu hình (biến môi trường QLVB_HUB_SECRET)",
    "simulator": "Dùng khóa của trục mô phỏng khi chạy thử (var/hub/systems.json)",
    "missing": "Chưa cấu hình: đặt QLVB_HUB_SECRET theo khóa do đơn vị vận hành trục cấp",
}


def _page(request: Request, principal: Principal, agency_code: str, *, notice: str | None = None,
          error: DomainError | None = None, typed: dict | None = None) -> Response:
    state = request.app.state.qlvb
    context = page_context(request, principal, "hub", agency_code, notice=notice, error=error)
    identity = hub_commands.hub_identity(state.engine, **actor(principal), agency_code=agency_code)
    return render(request, "admin/configuration_hub.html", connection=hub_commands.connection(state.settings),
                  identity=identity, values=typed or asdict(identity), limits=IDENTITY_LIMITS,
                  secret_sources=SECRET_SOURCES, **context)


@router.get("/admin/configuration/hub")
def hub_page(request: Request, principal: WebUser, agency: str = "") -> Response:
    return _page(request, principal, agency_code_of(principal, agency))


@router.post("/admin/configuration/hub")
async def change_identity_form(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    agency = agency_code_of(principal, form_text(form, "agency"))
    values = {name: form_text(form, name) for name in IDENTITY_LIMITS}
    # A refused form comes back with what was typed, for correcting.
    page = functools.partial(_page, request, principal, agency, typed=values)
    return await run_then_redirect(request, page, lambda: hub_commands.change_hub_identity(
        state.engine, **actor(principal), agency_code=agency, values=values),
        "Đã lưu thông tin cơ quan trên trục liên thông; gói tin gửi từ nay mang thông tin này.",
        page_url("/admin/configuration/hub", agency))


# --- API v1 -----------------------------------------------------------------------------------

class IdentityChange(BaseModel):
    agency_code: str = Field(max_length=35, description="mã cơ quan")
    organization_in_charge: str = Field(default="", max_length=200, description="cơ quan chủ quản (OrganizationInCharge)")
    organ_add: str = Field(default="", max_length=500, description="địa chỉ (OrganAdd)")
    email: str = Field(default="", max_length=100, description="thư điện tử (Email)")
    telephone: str = Field(default="", max_length=20, description="điện thoại (Telephone)")
    fax: str = Field(default="", max_length=20, description="fax (Fax)")
    website: str = Field(default="", max_length=100, description="trang thông tin điện tử, http(s)://… (Website)")


@api_router.get("/configuration/hub", summary="Cấu hình trục liên thông",
                description="Kết nối của hệ thống (chỉ xem; khóa bí mật không bao giờ được trả về, chỉ cho biết "
                            "đã cấu hình hay chưa) và thông tin cơ quan gửi kèm gói tin (phần From).")
def api_hub(principal: ApiUser, state: State, agency_code: str) -> dict:
    return {"connection": asdict(hub_commands.connection(state.settings)),
            "identity": asdict(hub_commands.hub_identity(state.engine, **actor(principal), agency_code=agency_code))}


@api_router.post("/configuration/hub", summary="Sửa thông tin cơ quan trên trục liên thông",
                 description="Thay toàn bộ các trường liên hệ của cơ quan (trường bỏ trống: không gửi). Kết nối "
                             "của hệ thống (địa chỉ trục, mã hệ thống, khóa bí mật) đặt bằng biến môi trường.")
async def api_change_identity(body: IdentityChange, principal: ApiUser, state: State) -> dict:
    values = body.model_dump(exclude={"agency_code"})
    return asdict(await run_in_threadpool(
        hub_commands.change_hub_identity, state.engine, **actor(principal), agency_code=body.agency_code,
        values=values))
