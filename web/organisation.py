"""The organisation tree for administrators: pages (``/admin/organisation``) and API v1
(``/api/v1/organisation``). Routes parse, call one command of ``commands.organisation`` in a
worker thread, and render; the rules and the Vietnamese refusals live below them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from commands import organisation as org_commands
from commands.admin import require_admin
from models.bounds import Id, parse_id
from models.db import reading
from models.errors import DomainError, NotFound
from models.org import dated_repo, tree_repo
from models.org import repo as org_repo
from models.org.rules import parse_day
from models.org.schema import (
    AgencyDetails,
    AgencyInput,
    AgencyRename,
    AliasInput,
    Closing,
    Move,
    UnitInput,
    UnitRename,
)
from models.org.tables import Agency, AgencyCode, AgencyName, OrgUnit
from models.vocab import AgencyKind
from web import flash
from web.deps import ApiUser, CsrfChecked, DbSession, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.messages import message_of

router = APIRouter(route_class=IdempotentRoute, prefix="/admin/organisation")
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/organisation", tags=["v1"])

KIND_LABELS = {
    AgencyKind.PROVINCE: "UBND cấp tỉnh", AgencyKind.PROVINCE_OFFICE: "Văn phòng UBND tỉnh",
    AgencyKind.DEPARTMENT: "Sở, ban, ngành", AgencyKind.DISTRICT: "UBND cấp huyện (trước 01/7/2025)",
    AgencyKind.COMMUNE: "UBND cấp xã, phường", AgencyKind.CENTRAL: "Cơ quan trung ương",
}
FORM_FIELDS = {"code": "mã QCVN 102", "qd20_code": "mã QĐ 20", "name": "tên", "abbreviation": "tên viết tắt",
               "kind": "loại cơ quan", "parent_id": "cấp trên", "place_name": "địa danh", "valid_from": "ngày bắt đầu",
               "valid_to": "ngày hết hiệu lực", "effective": "ngày có hiệu lực", "focal_user_id": "văn thư đầu mối",
               "successor_id": "cơ quan tiếp nhận", "scheme": "loại mã", "note": "ghi chú"}


def _actor(principal: Principal) -> dict:
    return {"actor_id": principal.user.id, "roles": principal.roles}


# --- JSON views ------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def agency_json(agency: Agency, codes: list[AgencyCode] = (), names: list[AgencyName] = (),
                units: list[OrgUnit] = ()) -> dict[str, Any]:
    return {
        "id": agency.id, "code": agency.code, "qd20_code": agency.qd20_code, "name": agency.name,
        "abbreviation": agency.abbreviation, "kind": agency.kind, "parent_id": agency.parent_id,
        "place_name": agency.place_name, "hosted": agency.hosted, "focal_user_id": agency.focal_user_id,
        "valid_from": _day(agency.valid_from), "valid_to": _day(agency.valid_to),
        "codes": [{"id": c.id, "code": c.code, "scheme": c.scheme, "valid_from": _day(c.valid_from),
                   "valid_to": _day(c.valid_to), "note": c.note} for c in codes],
        "former_names": [{"name": n.name, "place_name": n.place_name, "valid_from": _day(n.valid_from),
                          "valid_to": _day(n.valid_to)} for n in names],
        "units": [unit_json(u) for u in units],
    }


def unit_json(unit: OrgUnit) -> dict[str, Any]:
    return {"id": unit.id, "agency_id": unit.agency_id, "parent_id": unit.parent_id, "name": unit.name,
            "abbreviation": unit.abbreviation, "valid_from": _day(unit.valid_from), "valid_to": _day(unit.valid_to)}


def _agency_detail(state: State, agency_id: int) -> dict[str, Any]:
    with reading(state.engine) as session:
        agency = org_repo.agency_by_id(session, agency_id)
        return agency_json(agency, tree_repo.codes_of(session, agency.id), tree_repo.former_names(session, agency.id),
                           org_repo.units_of(session, agency.id))


def _unit_detail(state: State, unit_id: int) -> dict[str, Any]:
    with reading(state.engine) as session:
        return unit_json(org_repo.unit_by_id(session, unit_id))


# --- API v1 ----------------------------------------------------------------------------------


class Resolution(BaseModel):
    code: str
    on: str | None
    agency: dict[str, Any] | None


@api_router.get("/agencies", summary="Cây tổ chức: cơ quan, mã định danh theo thời gian, tên cũ, đơn vị")
def api_agencies(principal: ApiUser, session: DbSession) -> list[dict[str, Any]]:
    require_admin(principal.roles)
    agencies, units, codes, names = tree_repo.organisation_tree(session)
    return [agency_json(a, codes.get(a.id, []), names.get(a.id, []), units.get(a.id, [])) for a in agencies]


@api_router.get("/agencies/{agency_id}", summary="Một cơ quan với mã định danh, tên cũ và đơn vị")
def api_agency(agency_id: Id, principal: ApiUser, state: State) -> dict[str, Any]:
    require_admin(principal.roles)
    return _agency_detail(state, agency_id)


@api_router.get("/resolve", summary="Cơ quan mà một mã định danh chỉ tới, theo ngày của văn bản")
def api_resolve(principal: ApiUser, session: DbSession, code: str = Query(max_length=40),
                on: str | None = Query(default=None, max_length=20, description="YYYY-MM-DD")) -> Resolution:
    require_admin(principal.roles)
    agency = dated_repo.resolve_agency_code(session, code, parse_day(on, "valid_from"))
    return Resolution(code=code, on=on, agency=agency_json(agency) if agency else None)


@api_router.post("/agencies", status_code=201, summary="Thêm cơ quan, tổ chức")
async def api_create_agency(body: AgencyInput, principal: ApiUser, state: State) -> JSONResponse:
    agency_id = await run_in_threadpool(org_commands.create_agency, state.engine, **_actor(principal), form=body)
    return JSONResponse(await run_in_threadpool(_agency_detail, state, agency_id), status_code=201)


@api_router.post("/agencies/{agency_id}/rename", summary="Đổi tên cơ quan từ một ngày (giữ tên cũ)")
async def api_rename_agency(agency_id: Id, body: AgencyRename, principal: ApiUser, state: State) -> dict[str, Any]:
    await run_in_threadpool(org_commands.rename_agency, state.engine, **_actor(principal), agency_id=agency_id,
                            form=body)
    return await run_in_threadpool(_agency_detail, state, agency_id)


@api_router.post("/agencies/{agency_id}/move", summary="Chuyển cơ quan sang cấp trên khác")
async def api_move_agency(agency_id: Id, body: Move, principal: ApiUser, state: State) -> dict[str, Any]:
    await run_in_threadpool(org_commands.move_agency, state.engine, **_actor(principal), agency_id=agency_id, form=body)
    return await run_in_threadpool(_agency_detail, state, agency_id)


@api_router.post("/agencies/{agency_id}/details",
                 summary="Sửa tên viết tắt, mã QĐ 20, văn thư đầu mối của cơ quan")
async def api_agency_details(agency_id: Id, body: AgencyDetails, principal: ApiUser, state: State) -> dict[str, Any]:
    await run_in_threadpool(org_commands.change_agency_details, state.engine, **_actor(principal),
                            agency_id=agency_id, form=body)
    return await run_in_threadpool(_agency_detail, state, agency_id)


@api_router.post("/agencies/{agency_id}/close",
                 summary="Đóng cơ quan từ sau một ngày (không xóa); mã cũ thành mã của cơ quan tiếp nhận")
async def api_close_agency(agency_id: Id, body: Closing, principal: ApiUser, state: State) -> dict[str, Any]:
    await run_in_threadpool(org_commands.close_agency, state.engine, **_actor(principal), agency_id=agency_id,
                            form=body)
    return await run_in_threadpool(_agency_detail, state, agency_id)


@api_router.post("/agencies/{agency_id}/aliases", status_code=201,
                 summary="Thêm mã định danh khác của cơ quan trong một thời hạn")
async def api_add_alias(agency_id: Id, body: AliasInput, principal: ApiUser, state: State) -> JSONResponse:
    await run_in_threadpool(org_commands.add_alias, state.engine, **_actor(principal), agency_id=agency_id, form=body)
    return JSONResponse(await run_in_threadpool(_agency_detail, state, agency_id), status_code=201)


@api_router.post("/agencies/{agency_id}/units", status_code=201, summary="Thêm đơn vị của cơ quan")
async def api_create_unit(agency_id: Id, body: UnitInput, principal: ApiUser, state: State) -> JSONResponse:
    unit_id = await run_in_threadpool(org_commands.create_unit, state.engine, **_actor(principal),
                                      agency_id=agency_id, form=body)
    return JSONResponse(await run_in_threadpool(_unit_detail, state, unit_id), status_code=201)


@api_router.post("/units/{unit_id}/rename", summary="Đổi tên, tên viết tắt của đơn vị")
async def api_rename_unit(unit_id: Id, body: UnitRename, principal: ApiUser, state: State) -> dict[str, Any]:
    await run_in_threadpool(org_commands.rename_unit, state.engine, **_actor(principal), unit_id=unit_id, form=body)
    return await run_in_threadpool(_unit_detail, state, unit_id)


@api_router.post("/units/{unit_id}/move", summary="Chuyển đơn vị sang đơn vị cấp trên khác")
async def api_move_unit(unit_id: Id, body: Move, principal: ApiUser, state: State) -> dict[str, Any]:
    await run_in_threadpool(org_commands.move_unit, state.engine, **_actor(principal), unit_id=unit_id, form=body)
    return await run_in_threadpool(_unit_detail, state, unit_id)


@api_router.post("/units/{unit_id}/close", summary="Đóng đơn vị từ sau một ngày (không xóa)")
async def api_close_unit(unit_id: Id, body: Closing, principal: ApiUser, state: State) -> dict[str, Any]:
    await run_in_threadpool(org_commands.close_unit, state.engine, **_actor(principal), unit_id=unit_id, form=body)
    return await run_in_threadpool(_unit_detail, state, unit_id)


# --- pages -----------------------------------------------------------------------------------


def _tree_page(request: Request, state: State, *, notice: str | None = None, error: str | None = None) -> Response:
    with reading(state.engine) as session:
        agencies, units, codes, names = tree_repo.organisation_tree(session)
        return render(request, "admin/organisation.html", status_code=422 if error else 200, notice=notice,
                      error=error, agencies=agencies, by_id={a.id: a for a in agencies}, units=units,
                      kinds=KIND_LABELS)


def _agency_page(request: Request, state: State, agency_id: int, *, notice: str | None = None,
                 error: str | None = None) -> Response:
    with reading(state.engine) as session:
        agency = org_repo.agency_by_id(session, agency_id)
        agencies, _units, _codes, _names = tree_repo.organisation_tree(session)
        return render(request, "admin/organisation_agency.html", status_code=422 if error else 200,
                      notice=notice, error=error, agency=agency, kinds=KIND_LABELS,
                      by_id={a.id: a for a in agencies}, open_agencies=[a for a in agencies if a.valid_to is None],
                      codes=tree_repo.codes_of(session, agency.id), names=tree_repo.former_names(session, agency.id),
                      units=org_repo.units_of(session, agency.id), people=org_repo.people_of(session, agency.id))


def _text(form, name: str) -> str:
    return str(form.get(name, "") or "")


def _optional_id(form, name: str) -> int | None:
    text = _text(form, name).strip()
    if not text:
        return None
    value = parse_id(text)
    if value is None:
        raise DomainError("org_invalid_input", fields=FORM_FIELDS.get(name, name))
    return value


def _build(model: type[BaseModel], **values: Any) -> Any:
    """The command's input from form values; a value pydantic refuses names its field in Vietnamese."""
    try:
        return model(**values)
    except ValidationError as failure:
        names = {str(item["loc"][0]) for item in failure.errors() if item.get("loc")}
        raise DomainError("org_invalid_input", fields=", ".join(FORM_FIELDS.get(n, n) for n in sorted(names))) from None


# Each change on the agency page: how its form becomes the command's input, the command, the notice.
_AGENCY_CHANGES: dict[str, tuple[Callable[[Any], BaseModel], Callable[..., int], str]] = {
    "rename": (lambda form: _build(AgencyRename, name=_text(form, "name"), place_name=_text(form, "place_name") or None,
                                   effective=_text(form, "effective")),
               org_commands.rename_agency, "Đã đổi tên cơ quan; tên cũ được lưu lại."),
    "move": (lambda form: _build(Move, parent_id=_optional_id(form, "parent_id")),
             org_commands.move_agency, "Đã chuyển cơ quan sang cấp trên mới."),
    "details": (lambda form: _build(AgencyDetails, abbreviation=_text(form, "abbreviation"),
                                    qd20_code=_text(form, "qd20_code"), focal_user_id=_optional_id(form, "focal_user_id"),
                                    clear_focal_user=not _text(form, "focal_user_id").strip() and "focal_user_id" in form),
                org_commands.change_agency_details, "Đã lưu thông tin cơ quan."),
    "close": (lambda form: _build(Closing, valid_to=_text(form, "valid_to"),
                                  successor_id=_optional_id(form, "successor_id")),
              org_commands.close_agency, "Đã đóng cơ quan; dữ liệu và mã cũ được giữ lại."),
    "aliases": (lambda form: _build(AliasInput, code=_text(form, "code"), scheme=_text(form, "scheme") or "qcvn102",
                                    valid_from=_text(form, "valid_from"), valid_to=_text(form, "valid_to"),
                                    note=_text(form, "note")),
                org_commands.add_alias, "Đã thêm mã định danh."),
    "units": (lambda form: _build(UnitInput, name=_text(form, "name"), abbreviation=_text(form, "abbreviation"),
                                  parent_id=_optional_id(form, "parent_id"), valid_from=_text(form, "valid_from")),
              org_commands.create_unit, "Đã thêm đơn vị."),
}
_UNIT_CHANGES: dict[str, tuple[Callable[[Any], BaseModel], Callable[..., int], str]] = {
    "rename": (lambda form: _build(UnitRename, name=_text(form, "name") or None,
                                   abbreviation=_text(form, "abbreviation") or None),
               org_commands.rename_unit, "Đã đổi tên đơn vị."),
    "move": (lambda form: _build(Move, parent_id=_optional_id(form, "parent_id")),
             org_commands.move_unit, "Đã chuyển đơn vị."),
    "close": (lambda form: _build(Closing, valid_to=_text(form, "valid_to")),
              org_commands.close_unit, "Đã đóng đơn vị."),
}


async def _change_then_redirect(request: Request, principal: Principal, state: State, page_agency_id: int,
                           change: tuple[Callable[[Any], BaseModel], Callable[..., int], str], **target: int) -> Response:
    """The shape every change on the agency page shares: read the form into the command's input, run the
    command on ``target``, then go to the page of agency ``page_agency_id`` saying the notice (Post/Redirect/Get),
    or show that page with the refusal in Vietnamese (a missing agency or unit stays a 404)."""
    read, command, notice = change
    form = await request.form()
    try:
        data = read(form)
        await run_in_threadpool(command, state.engine, **_actor(principal), **target, form=data)
    except DomainError as failure:
        if failure.status == 404:
            raise
        return await run_in_threadpool(_agency_page, request, state, page_agency_id, error=message_of(failure))
    return flash.done(request, f"/admin/organisation/agencies/{page_agency_id}", notice, trigger=None)


@router.get("")
def tree_page(request: Request, principal: WebUser, state: State) -> Response:
    require_admin(principal.roles)
    return _tree_page(request, state)


@router.post("/agencies")
async def create_agency_page(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    require_admin(principal.roles)
    form = await request.form()
    try:
        data = _build(AgencyInput, code=_text(form, "code"), qd20_code=_text(form, "qd20_code"),
                      name=_text(form, "name"), abbreviation=_text(form, "abbreviation"), kind=_text(form, "kind"),
                      parent_id=_optional_id(form, "parent_id"), place_name=_text(form, "place_name"),
                      hosted=form.get("hosted") == "1", valid_from=_text(form, "valid_from"))
        agency_id = await run_in_threadpool(org_commands.create_agency, state.engine, **_actor(principal), form=data)
    except DomainError as failure:
        return await run_in_threadpool(_tree_page, request, state, error=message_of(failure))
    return flash.done(request, f"/admin/organisation/agencies/{agency_id}", f"Đã thêm cơ quan {data.name}.",
                      trigger=None)


@router.get("/agencies/{agency_id}")
def agency_page(request: Request, agency_id: Id, principal: WebUser, state: State) -> Response:
    require_admin(principal.roles)
    return _agency_page(request, state, agency_id)


@router.post("/agencies/{agency_id}/{operation}")
async def agency_change_page(request: Request, agency_id: Id, operation: str, principal: WebUser, state: State,
                             _: CsrfChecked) -> Response:
    """Rename, move, change details, close, add an alias or a unit (``_AGENCY_CHANGES``)."""
    require_admin(principal.roles)
    if operation not in _AGENCY_CHANGES:
        raise NotFound("agency_not_found")
    return await _change_then_redirect(request, principal, state, agency_id, _AGENCY_CHANGES[operation],
                                  agency_id=agency_id)


def _unit_agency(state: State, unit_id: int) -> int:
    with reading(state.engine) as session:
        return org_repo.unit_by_id(session, unit_id).agency_id


@router.post("/units/{unit_id}/{operation}")
async def unit_change_page(request: Request, unit_id: Id, operation: str, principal: WebUser, state: State,
                           _: CsrfChecked) -> Response:
    """Rename, move or close a unit (``_UNIT_CHANGES``); the unit's agency page shows the outcome."""
    require_admin(principal.roles)
    if operation not in _UNIT_CHANGES:
        raise NotFound("unit_not_found")
    agency_id = await run_in_threadpool(_unit_agency, state, unit_id)
    return await _change_then_redirect(request, principal, state, agency_id, _UNIT_CHANGES[operation], unit_id=unit_id)
