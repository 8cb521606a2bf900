"""Exporting a hồ sơ (F-III.4.g): the page's export box with its progress, the download, and API v1.

For the hồ sơ page: its export box is the fragment ``GET /records/{id}/_export``
(``records/_export.html``), which the page includes with one line::

    <div hx-get="/records/{{ record.id }}/_export" hx-trigger="load" hx-swap="outerHTML"></div>

It offers "Xuất hồ sơ", shows the progress of the person's export (polling every two seconds while
the worker builds it) and then the download. ``GET /records/{id}/export`` is the same box on a page
of its own (without htmx, or linked from elsewhere).

API v1 ``GET /api/v1/records/{id}/export`` builds the package in the request and sends it.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from commands import record_export as commands
from models.bounds import Id
from models.db import reading
from models.records.export import ExportStatus
from web import flash
from web.deps import ApiUser, CsrfChecked, DbSession, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute, answers_retries_with
from web.messages import MESSAGES

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])

ExportId = Annotated[str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                               description="mã lượt xuất hồ sơ (UUID)")]
ZIP_MEDIA_TYPE = "application/zip"
PHASE_LABELS = {
    "preservation": "Tạo bản lưu trữ PDF/A",
    "payload": "Đọc văn bản gốc, đếm số trang",
    "cover": "Lập mục lục văn bản trong hồ sơ",
    "join": "Ghép các văn bản theo thứ tự thời gian",
    "bag": "Đóng gói các tệp vào tệp zip",
}


def _failure_text(error: str) -> str:
    """The Vietnamese reason of a failed export (its row keeps the refusal's code and parameters)."""
    code, _, params = error.partition(" ")
    template = MESSAGES.get(code, MESSAGES["record_export_failed"])
    try:
        return template.format(**(json.loads(params) if params else {}))
    except (KeyError, IndexError, ValueError):
        return MESSAGES["record_export_failed"]


def _box(request: Request, record_id: int, export) -> Response:
    """The export box: the fragment for htmx, on its page for a direct visit (or a browser without htmx)."""
    context = {"record_id": record_id, "export": export, "phases": PHASE_LABELS,
               "failure": _failure_text(export.error) if export and export.status == ExportStatus.FAILED else ""}
    return render(request, "records/export.html", "records/_export.html", **context)


@router.get("/records/{record_id}/_export")
@router.get("/records/{record_id}/export")
def export_box(request: Request, record_id: Id, principal: WebUser, session: DbSession) -> Response:
    latest = commands.latest_export(session, principal.user, principal.roles, record_id)
    return _box(request, record_id, latest)


@router.get("/records/{record_id}/export/{export_id}")
def export_progress(request: Request, record_id: Id, export_id: ExportId, principal: WebUser,
                    session: DbSession) -> Response:
    export = commands.export_of(session, principal.user, principal.roles, record_id, export_id)
    return _box(request, record_id, export)


def _requested_again(request: Request, stored) -> Response:
    return flash.done(request, f"/records/{stored.subject_id}/export", "Yêu cầu xuất hồ sơ này đã được gửi trước đó.",
                      trigger=None)


EXPORT_REQUESTED = "Đã yêu cầu xuất hồ sơ; gói hồ sơ sẽ sẵn sàng để tải về sau ít phút."


@router.post("/records/{record_id}/export")
@answers_retries_with(_requested_again)
async def request_export(request: Request, record_id: Id, principal: WebUser, state: State,
                         _: CsrfChecked) -> Response:
    export_id = await commands.request_export(state.engine, state.client, state.settings, user=principal.user,
                                              roles=principal.roles, record_id=record_id)
    if request.headers.get("hx-request") != "true":
        return flash.done(request, f"/records/{record_id}/export", EXPORT_REQUESTED, trigger=None)
    export = await run_in_threadpool(_read_export, state, principal, record_id, export_id)
    return _box(request, record_id, export)


def _read_export(state, principal, record_id: int, export_id: str):
    with reading(state.engine) as session:
        export = commands.export_of(session, principal.user, principal.roles, record_id, export_id)
        session.expunge(export)  # rendered after the session ends
        return export


def _zip(package: commands.Package, background: BackgroundTask | None = None) -> FileResponse:
    # The zip was written whole by the export; it is sent from disk in chunks.
    return FileResponse(package.path, media_type=ZIP_MEDIA_TYPE, background=background,
                        headers={"Content-Disposition": f'attachment; filename="{package.filename}"'})


@router.get("/records/{record_id}/export/{export_id}/download")
def download(record_id: Id, export_id: ExportId, principal: WebUser, state: State) -> FileResponse:
    package = commands.download(state.engine, state.settings, user=principal.user, roles=principal.roles,
                                record_id=record_id, export_id=export_id)
    return _zip(package)


@api_router.get(
    "/records/{record_id}/export", response_class=FileResponse,
    summary="Xuất toàn bộ hồ sơ: gói BagIt (zip) gồm văn bản gốc đã ký, bản PDF/A-2b, tệp PDF theo thời gian "
            "có mục lục và siêu dữ liệu XML",
    description="Gói được tạo trong yêu cầu này (hồ sơ lớn cần nhiều thời gian) và ghi nhận là một lượt tải hồ sơ. "
                "Thư mục gốc của zip là một túi BagIt (RFC 8493) với manifest SHA-256: data/ho-so.xml (siêu dữ "
                "liệu hồ sơ và từng văn bản theo Phụ lục VI Nghị định 30), data/ho-so.pdf (mục lục và các văn bản "
                "theo thứ tự thời gian), data/van-ban/NNNN/ban-goc.pdf (bản gốc, nguyên vẹn từng byte), "
                "pdfa-2b.pdf (bản lưu trữ PDF/A-2b) và dinh-kem/ (tệp đính kèm).",
    responses={200: {"content": {ZIP_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                     "description": "Gói hồ sơ (zip)"},
               404: {"description": "Không tìm thấy hồ sơ, hoặc không có quyền xem hồ sơ"},
               409: {"description": "Hồ sơ đã hủy, hoặc tệp của một văn bản không còn trong kho lưu trữ"}})
async def api_export(record_id: Id, principal: ApiUser, state: State) -> FileResponse:
    package = await run_in_threadpool(commands.export_now, state.engine, state.settings, state.store,
                                      user=principal.user, roles=principal.roles, record_id=record_id)
    return _zip(package, BackgroundTask(commands.discard, state.engine, state.settings, package.export_id))
