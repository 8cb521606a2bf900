"""API v1 of the Danh mục hồ sơ: ``/api/v1/record-plans`` and its headings, entries, submission, printouts.

The head of the agency's decision is an ordinary task action (``POST /api/v1/tasks/{id}/actions``
with ``duyet_danh_muc`` or ``tra_lai_danh_muc``); the task names the plan in ``record_plan_id``.
Every answer that changes a plan is the whole plan as ``GET /api/v1/record-plans/{id}`` shows it.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from commands import record_plans as commands
from models.bounds import Id, Year
from models.db import reading
from models.records import plan_repo
from models.records.plan_schema import EntryChange, EntryInput, HeadingInput, PlanInput
from models.records.plan_sheet import PlanSheet, plan_sheet
from web.deps import ApiUser, Principal, State
from web.filters import iso_vn
from web.idempotency import IdempotentRoute, answers_retries_with
from web.labels import PLAN_ENTRY_STATUS_LABELS, PLAN_STATUS_LABELS
from web.reports import record_plan as report

api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


def plan_summary_json(plan, entry_count: int) -> dict[str, Any]:
    """A plan as lists show it."""
    return {"id": plan.id, "year": plan.year, "status": plan.status,
            "status_label": PLAN_STATUS_LABELS.get(plan.status, plan.status), "numbering": plan.numbering,
            "approval_round": plan.approval_round, "workflow_id": plan.workflow_id or None,
            "issued_at": iso_vn(plan.issued_at) or None, "entry_count": entry_count}


def plan_json(sheet: PlanSheet) -> dict[str, Any]:
    """The whole plan: headings with their numerals, entries in order, the footer totals."""
    headings, entries = [], []
    for line in sheet.lines:
        item = line.item
        if line.kind == "heading":
            headings.append({"id": item.id, "parent_id": item.parent_id, "numeral": line.numeral,
                             "title": item.title, "abbreviation": item.abbreviation or None, "unit_id": item.unit_id})
        else:
            entries.append({"id": item.id, "heading_id": item.heading_id, "file_notation": item.file_notation,
                            "title": item.title, "maintenance": item.maintenance,
                            "creator_unit_id": item.creator_unit_id, "creator_user_id": item.creator_user_id,
                            "creator": sheet.creators.get(item.id, ""), "description": item.description,
                            "status": item.status,
                            "status_label": PLAN_ENTRY_STATUS_LABELS.get(item.status, item.status),
                            "added_in_round": item.added_in_round})
    totals = sheet.totals
    return {**plan_summary_json(sheet.plan, len(entries)), "agency_name": sheet.agency_name,
            "headings": headings, "entries": entries,
            "totals": {"total": totals.total, "permanent": totals.permanent, "fixed_term": totals.fixed_term}}


def _plan_answer(request: Request, principal: Principal, plan_id: int) -> dict[str, Any]:
    with reading(request.app.state.qlvb.engine) as session:
        return plan_json(plan_sheet(session, commands.plan_for_user(session, principal.user, plan_id)))


def _plan_again(request: Request, stored) -> dict[str, Any]:
    """A retried change whose first answer was lost: the plan as it stands (the change is in it)."""
    with reading(request.app.state.qlvb.engine) as session:
        return plan_json(plan_sheet(session, plan_repo.plan_by_id(session, int(stored.subject_id))))


async def _then_plan(request: Request, principal: ApiUser, plan_id: int, call) -> dict[str, Any]:
    await run_in_threadpool(call)
    return await run_in_threadpool(_plan_answer, request, principal, plan_id)


def _who(principal: Principal, state: State) -> dict[str, Any]:
    return {"engine": state.engine, "user": principal.user, "roles": principal.roles}


@api_router.get("/record-plans", summary="Danh mục hồ sơ của cơ quan theo năm")
def list_plans(principal: ApiUser, state: State,
               year: Annotated[Year | None, Query(description="chỉ danh mục của năm này")] = None) -> list[dict]:
    with reading(state.engine) as session:
        plans = plan_repo.plans_of(session, principal.user.agency_id)
        return [plan_summary_json(plan, len(plan_repo.entries_of(session, plan.id)))
                for plan in plans if year is None or plan.year == year]


@api_router.post("/record-plans", status_code=201, summary="Lập Danh mục hồ sơ của một năm (hoặc từ danh mục năm trước)")
@answers_retries_with(_plan_again)
async def create_plan(request: Request, body: PlanInput, principal: ApiUser, state: State) -> dict:
    plan_id = await run_in_threadpool(partial(commands.create_plan, **_who(principal, state), data=body))
    return await run_in_threadpool(_plan_answer, request, principal, plan_id)


@api_router.get("/record-plans/{plan_id}", summary="Danh mục hồ sơ: đề mục, hồ sơ, tổng số")
def get_plan(request: Request, plan_id: Id, principal: ApiUser) -> dict:
    return _plan_answer(request, principal, plan_id)


@api_router.post("/record-plans/{plan_id}/headings", status_code=201, summary="Thêm đề mục (lớn hoặc nhỏ)")
@answers_retries_with(_plan_again)
async def add_heading(request: Request, plan_id: Id, body: HeadingInput, principal: ApiUser, state: State) -> dict:
    return await _then_plan(request, principal, plan_id, partial(
        commands.add_heading, **_who(principal, state), plan_id=plan_id, data=body))


@api_router.post("/record-plans/{plan_id}/entries", status_code=201,
                 summary="Thêm hồ sơ vào danh mục (danh mục đã ban hành: đề xuất bổ sung)")
@answers_retries_with(_plan_again)
async def add_entry(request: Request, plan_id: Id, body: EntryInput, principal: ApiUser, state: State) -> dict:
    return await _then_plan(request, principal, plan_id, partial(
        commands.add_entry, **_who(principal, state), plan_id=plan_id, data=body))


@api_router.post("/record-plans/{plan_id}/entries/{entry_id}",
                 summary="Sửa hồ sơ chưa được phê duyệt (tiêu đề, thời hạn bảo quản, người lập, ghi chú)")
@answers_retries_with(_plan_again)
async def change_entry(request: Request, plan_id: Id, entry_id: Id, body: EntryChange, principal: ApiUser,
                       state: State) -> dict:
    return await _then_plan(request, principal, plan_id, partial(
        commands.change_entry, **_who(principal, state), plan_id=plan_id, entry_id=entry_id, data=body))


@api_router.post("/record-plans/{plan_id}/entries/{entry_id}/remove", summary="Xóa hồ sơ chưa được phê duyệt")
@answers_retries_with(_plan_again)
async def remove_entry(request: Request, plan_id: Id, entry_id: Id, principal: ApiUser, state: State) -> dict:
    return await _then_plan(request, principal, plan_id, partial(
        commands.remove_entry, **_who(principal, state), plan_id=plan_id, entry_id=entry_id))


@api_router.post("/record-plans/{plan_id}/submit",
                 summary="Trình người đứng đầu cơ quan phê duyệt (danh mục, hoặc các hồ sơ đề xuất bổ sung)")
@answers_retries_with(_plan_again)
async def submit(request: Request, plan_id: Id, principal: ApiUser, state: State) -> dict:
    await commands.submit_plan(state.engine, state.client, state.settings, user=principal.user,
                               roles=principal.roles, plan_id=plan_id)
    return await run_in_threadpool(_plan_answer, request, principal, plan_id)


@api_router.get("/record-plans/{plan_id}/print.pdf", summary="Bản in Danh mục hồ sơ (PDF, mẫu Phụ lục V)",
                response_class=Response)
def plan_pdf(plan_id: Id, principal: ApiUser, state: State) -> Response:
    return report.pdf_response(state.engine, principal.user, plan_id)


@api_router.get("/record-plans/{plan_id}/export.xlsx", summary="Danh mục hồ sơ dạng bảng tính (XLSX)",
                response_class=Response)
def plan_xlsx(plan_id: Id, principal: ApiUser, state: State) -> Response:
    return report.xlsx_response(state.engine, principal.user, plan_id)
