"""The reorganisation page (``/admin/organisation/reorganise``, DOMAIN §10.3): the administrator pastes a
change set, previews the dry run, then applies exactly what was previewed. The fingerprint carried from
the preview hashes the change set and the dry run's report, so a change set edited since, or an
organisation changed since, is refused rather than applied unreviewed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from commands.admin import require_admin
from commands.reorganisation import reorganise
from models.errors import DomainError
from models.org.schema import MAX_CHANGE_SET_CHARS, parse_change_set
from web import flash
from web.deps import ApiUser, CsrfChecked, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.messages import message_of

router = APIRouter(route_class=IdempotentRoute, prefix="/admin/organisation/reorganise")
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/organisation", tags=["v1"])


def _fingerprint(text: str, report: list[str]) -> str:
    return hashlib.sha256(json.dumps([text, report], ensure_ascii=False).encode()).hexdigest()


async def _text(request: Request) -> str:
    form = await request.form()
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = await upload.read(MAX_CHANGE_SET_CHARS * 4 + 1)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError("org_bad_change_set", detail="tệp phải là văn bản UTF-8") from None
    return str(form.get("change_set") or "")


def _page(request: Request, **context) -> Response:
    status = 400 if context.get("error") else 200
    defaults = {"error": None, "notice": None, "report": None, "applied": None, "fingerprint": ""}
    return render(request, "admin/reorganise.html", status_code=status, **{**defaults, **context})


@router.get("")
def reorganise_page(request: Request, principal: WebUser) -> Response:
    require_admin(principal.roles)
    return _page(request, text="")


@router.post("/preview")
async def preview(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    require_admin(principal.roles)
    text = ""
    try:
        text = await _text(request)
        report = await run_in_threadpool(reorganise, state.engine, actor_id=principal.user.id,
                                         roles=principal.roles, change_set=parse_change_set(text), dry_run=True)
    except DomainError as failure:
        return _page(request, text=text, error=message_of(failure))
    return _page(request, text=text, report=report, fingerprint=_fingerprint(text, report))


@router.post("/apply")
async def apply(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    require_admin(principal.roles)
    form = await request.form()
    text = str(form.get("change_set") or "")
    actor = {"actor_id": principal.user.id, "roles": principal.roles}
    try:
        change_set = parse_change_set(text)
        report = await run_in_threadpool(reorganise, state.engine, **actor, change_set=change_set, dry_run=True)
        if _fingerprint(text, report) != form.get("fingerprint"):
            return _page(request, text=text, error="Bộ thay đổi hoặc cơ cấu tổ chức đã khác với bản xem trước; "
                                                     "hãy xem trước lại rồi áp dụng.")
        lines = await run_in_threadpool(reorganise, state.engine, **actor, change_set=parse_change_set(text),
                                        dry_run=False)
    except DomainError as failure:
        return _page(request, text=text, error=message_of(failure))
    # The lines are those of the preview the administrator confirmed; the message names the set and
    # how many lines it had, the audit log keeps each change.
    named = lines[0].rstrip(".") if lines else "Bộ thay đổi"
    return flash.done(request, "/admin/organisation",
                      f"Đã áp dụng bộ thay đổi: {named[:1].lower()}{named[1:]} ({max(len(lines) - 1, 0)} mục, "
                      "đúng như bản xem trước).", trigger=None)


@api_router.post("/reorganisation", summary="Sắp xếp tổ chức: áp dụng hoặc chạy thử một bộ thay đổi",
                 description="Thân là bộ thay đổi (JSON) như `qlvb org reorganise`: `id`, `effective`, `changes` "
                             "(successor, predecessors, units). `dry_run=true` trả về báo cáo mà không lưu gì; "
                             "`dry_run=false` áp dụng tất cả hoặc không gì cả. Chỉ quản trị hệ thống.")
async def api_reorganise(principal: ApiUser, state: State, body: Annotated[dict[str, Any], Body()],
                         dry_run: Annotated[bool, Query()] = True) -> dict[str, Any]:
    require_admin(principal.roles)
    if body.get("effective") is not None:
        body["effective"] = str(body["effective"])
    report = await run_in_threadpool(reorganise, state.engine, actor_id=principal.user.id, roles=principal.roles,
                                     change_set=body, dry_run=dry_run)
    return {"dry_run": dry_run, "report": report}
