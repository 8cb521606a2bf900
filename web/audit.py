"""Nhật ký hệ thống: the administrator's audit log (search, pages, XLSX export, API v1) and the
integrity check of its hash chain and signed day heads (``models.audit_trail``).

Administrators only. Routes parse the query (``models.audit_trail.schema``), read, and render.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from commands.admin import require_admin
from models.audit_trail import repo as audit_repo
from models.audit_trail.repo import AuditRow
from models.audit_trail.schema import AuditQuery
from models.audit_trail.verify import ChainReport, Problem, verify
from models.db import reading
from models.org import repo as account_repo
from web.deps import ApiUser, DbSession, State, WebUser
from web.filters import iso_vn
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.labels import AUDIT_LABELS
from web.reports.audit import render_audit

router = APIRouter(route_class=IdempotentRoute, prefix="/admin")
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])

EXPORT_LIMIT = 10_000


def _search(session: Session, query: AuditQuery, *, limit: int, offset: int) -> tuple[list[AuditRow], int]:
    where = query.filter(session)
    return audit_repo.search(session, where, limit=limit, offset=offset), audit_repo.count(session, where)


@router.get("/audit")
def audit_page(request: Request, principal: WebUser, session: DbSession) -> Response:
    require_admin(principal.roles)
    query = AuditQuery.from_params(request.query_params)
    rows, total = _search(session, query, limit=query.per_page, offset=query.offset)
    pages = max(1, -(-total // query.per_page))
    return render(request, "admin/audit.html", query=query, rows=rows, total=total, pages=pages,
                  labels=AUDIT_LABELS, accounts=account_repo.accounts_overview(session),
                  export_url=f"/admin/audit.xlsx?{urlencode(query.to_params())}",
                  page_url=lambda page: f"/admin/audit?{urlencode(query.to_params(page=page))}")


@router.get("/audit.xlsx")
def audit_export(request: Request, principal: WebUser, session: DbSession) -> Response:
    require_admin(principal.roles)
    query = AuditQuery.from_params(request.query_params)
    rows, _total = _search(session, query, limit=EXPORT_LIMIT, offset=0)
    body = render_audit(rows, "Nhật ký hệ thống")
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="nhat-ky-he-thong.xlsx"'})


def _check(state) -> ChainReport:
    with reading(state.engine) as session:
        return verify(session, state.settings)


@router.get("/audit/verify")
async def audit_verify_page(request: Request, principal: WebUser, state: State) -> Response:
    require_admin(principal.roles)
    report = await run_in_threadpool(_check, state)
    return render(request, "admin/audit_verify.html", status_code=200, report=report)


# --- API v1 ---------------------------------------------------------------------------------


def event_json(row: AuditRow) -> dict[str, Any]:
    event, actor = row.event, row.actor
    return {"id": event.id, "seq": event.seq, "at": iso_vn(event.at), "code": event.code,
            "label": AUDIT_LABELS.get(event.code, event.code),
            "actor": {"id": actor.id, "username": actor.username, "full_name": actor.full_name} if actor else None,
            "subject_type": event.subject_type, "subject_id": event.subject_id, "data": event.data,
            "hash": event.hash}


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"kind": problem.kind, "message": problem.message, "seq": problem.seq, "event_id": problem.event_id,
            "at": iso_vn(problem.at) if problem.at else None}


@api_router.get("/audit", summary="Nhật ký hệ thống: tra cứu theo người, văn bản, thao tác, thời gian")
def api_audit(request: Request, principal: ApiUser, session: DbSession) -> dict[str, Any]:
    require_admin(principal.roles)
    query = AuditQuery.from_params(request.query_params)
    rows, total = _search(session, query, limit=query.per_page, offset=query.offset)
    return {"total": total, "page": query.page, "per_page": query.per_page,
            "events": [event_json(row) for row in rows]}


@api_router.get("/audit/verify", summary="Kiểm tra tính toàn vẹn của nhật ký (chuỗi băm, đầu chuỗi ngày đã ký)")
async def api_audit_verify(principal: ApiUser, state: State) -> dict[str, Any]:
    require_admin(principal.roles)
    report = await run_in_threadpool(_check, state)
    return {"intact": report.intact, "summary": report.summary(), "events_checked": report.events_checked,
            "head_seq": report.head_seq, "days_checked": report.days_checked,
            "problems": [_problem_json(p) for p in [*report.problems, *report.day_problems]]}
