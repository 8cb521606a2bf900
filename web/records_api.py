"""API v1 for hồ sơ: ``GET/POST /api/v1/records``, ``GET /api/v1/records/{id}``,
``POST /api/v1/records/{id}/items``, ``/close``, ``/transfer``, ``/keep``, ``/correct``, and the
printouts. The steps of a hồ sơ (review, keeping, the archive's check, disposal, read requests)
are decided through ``POST /api/v1/tasks/{id}/actions`` like every task.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from commands import record_archive
from commands import records as commands
from models.bounds import Id
from models.db import reading
from models.records import items_repo, repo
from models.records.schema import CorrectionInput, FileDocumentInput, KeepInput, OpenRecordInput
from models.records.tables import RecordFile
from web.api import document_summary_json, task_json
from web.deps import ApiUser, DbSession, State, api_principal
from web.filters import iso_vn
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with, request_key
from web.labels import RECORD_STATUS_LABELS
from web.reports import PDF_MEDIA_TYPE, XLSX_MEDIA_TYPE
from web.reports import record_file as report

api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


def record_json(record: RecordFile) -> dict[str, Any]:
    """A hồ sơ with its FileCode and DOMAIN §3.3 metadata (snake_case of the decree's tags)."""
    return {
        "id": record.id, "agency_id": record.agency_id, "file_catalog": record.file_catalog, "file_notation": record.file_notation,
        "title": record.title, "maintenance": record.maintenance, "rights": record.rights,
        "creator_id": record.creator_id, "unit_id": record.unit_id, "language": record.language,
        "start_date": record.start_date.isoformat() if record.start_date else None,
        "end_date": record.end_date.isoformat() if record.end_date else None,
        "doc_total": record.doc_total, "page_total": record.page_total, "description": record.description,
        "status": record.status, "status_label": RECORD_STATUS_LABELS.get(record.status, record.status),
        "closed": record.closed, "frozen": record.frozen, "plan_entry_id": record.plan_entry_id,
        "construction": record.construction,
        "final_settlement": record.final_settlement.isoformat() if record.final_settlement else None,
        "transfer_due": record.transfer_due.isoformat() if record.transfer_due else None,
        "kept_until": record.kept_until.isoformat() if record.kept_until else None,
        "closed_at": iso_vn(record.closed_at) or None, "archived_at": iso_vn(record.archived_at) or None,
        "disposed_at": iso_vn(record.disposed_at) or None, "workflow_id": record.workflow_id,
    }


@api_router.get("/records", summary="Hồ sơ: của tôi, của đơn vị, trong Lưu trữ cơ quan")
def list_records(principal: ApiUser, session: DbSession,
                 scope: Annotated[str, Query(pattern="^(mine|unit|archive)$")] = "mine") -> list[dict[str, Any]]:
    return [record_json(record) for record in repo.listed(session, principal.user, scope)]


def _detail(state, principal, record_id: int) -> dict[str, Any]:
    with reading(state.engine) as session:
        record = repo.record_for_user(session, principal.user, principal.roles, record_id, commands.today())
        body = record_json(record)
        body["items"] = [{"doc_ordinal": item.doc_ordinal, "filed_at": iso_vn(item.filed_at),
                          "document": document_summary_json(document)}
                         for item, document in items_repo.items(session, record.id)]
        body["tasks"] = [task_json(task, None) for task in repo.open_tasks(session, record.id, principal.user,
                                                                          principal.roles)]
        body["access"] = repo.access_counts(session, record.id)
        return body


def _created_again(request: Request, stored) -> JSONResponse:
    """A retried open whose answer was lost: the hồ sơ it opened."""
    state = request.app.state.qlvb
    principal = api_principal(request, state)
    return JSONResponse(_detail(state, principal, int(stored.subject_id)), status_code=201)


@api_router.post("/records", status_code=201, summary="Mở hồ sơ (theo Danh mục hồ sơ hoặc ngoài Danh mục)")
@answers_retries_with(_created_again)
async def open_record(body: OpenRecordInput, principal: ApiUser, state: State) -> JSONResponse:
    record_id = await commands.open_record(state.engine, state.client, state.settings, user=principal.user,
                                           roles=principal.roles, data=body)
    return JSONResponse(await run_in_threadpool(_detail, state, principal, record_id), status_code=201)


@api_router.get("/records/{record_id}", summary="Hồ sơ: thông tin, văn bản trong hồ sơ, bước đang chờ")
def get_record(record_id: Id, principal: ApiUser, state: State) -> dict[str, Any]:
    body = _detail(state, principal, record_id)
    record_archive.record_viewed(state.engine, principal.user.id, record_id, via="api")
    return body


@api_router.post("/records/{record_id}/items", status_code=201,
                 summary="Đưa văn bản vào hồ sơ (không sao chép văn bản; số thứ tự tự động)")
async def file_document(record_id: Id, body: FileDocumentInput, principal: ApiUser, state: State) -> dict[str, Any]:
    ordinal = await run_in_threadpool(commands.file_document, state.engine, user=principal.user,
                                      roles=principal.roles, record_id=record_id, document_id=body.document_id)
    return {"record_id": record_id, "document_id": body.document_id, "doc_ordinal": ordinal}


class CloseRequest(BaseModel):
    """The creator closes the hồ sơ; ``nonce`` makes a retried request act once."""

    note: str = Field(default="", max_length=500)
    nonce: str | None = Field(default=None, max_length=64)


@api_router.post("/records/{record_id}/close", summary="Kết thúc hồ sơ (người lập hồ sơ rà soát; hệ thống biên mục)")
@answers_retries_with(RUN_AGAIN)
async def close_record(request: Request, record_id: Id, body: CloseRequest, principal: ApiUser,
                       state: State) -> JSONResponse:
    outcome = await commands.close_record(state.engine, state.client, state.settings, user=principal.user,
                                          roles=principal.roles, record_id=record_id, note=body.note,
                                          nonce=body.nonce or request_key(request) or "")
    return JSONResponse({"record_id": record_id, "task_id": outcome.task_id, "applied": outcome.applied,
                         "status": outcome.document_status or None}, status_code=200 if outcome.applied else 202)


class StepRequest(BaseModel):
    nonce: str | None = Field(default=None, max_length=64)


@api_router.post("/records/{record_id}/transfer", summary="Nộp lưu hồ sơ vào Lưu trữ cơ quan")
@answers_retries_with(RUN_AGAIN)
async def transfer_record(request: Request, record_id: Id, principal: ApiUser, state: State,
                          body: StepRequest | None = None) -> dict[str, Any]:
    nonce = (body.nonce if body else None) or request_key(request) or ""
    status = await commands.transfer_record(state.engine, state.client, state.settings, user=principal.user,
                                            roles=principal.roles, record_id=record_id, nonce=nonce)
    return {"record_id": record_id, "status": status}


@api_router.post("/records/{record_id}/keep", summary="Đề nghị giữ lại hồ sơ đến hạn nộp lưu (tối đa 2 năm)")
@answers_retries_with(RUN_AGAIN)
async def keep_record(request: Request, record_id: Id, body: KeepInput, principal: ApiUser,
                      state: State) -> dict[str, Any]:
    key = await commands.request_keep(state.engine, state.client, state.settings, user=principal.user,
                                      roles=principal.roles, record_id=record_id, data=body,
                                      nonce=request_key(request) or "")
    return {"record_id": record_id, "task_key": key}


@api_router.post("/records/{record_id}/correct", summary="Đính chính thông tin hồ sơ (kèm lý do)")
@answers_retries_with(RUN_AGAIN)
async def correct_record(request: Request, record_id: Id, body: CorrectionInput, principal: ApiUser,
                         state: State) -> dict[str, Any]:
    changed = await commands.correct_record(state.engine, state.client, state.settings, user=principal.user,
                                            roles=principal.roles, record_id=record_id, data=body,
                                            nonce=request_key(request) or "")
    return {"record_id": record_id, "changed": changed}


@api_router.get("/records/{record_id}/listing.pdf", summary="Mục lục văn bản trong hồ sơ (PDF)",
                response_class=Response, responses={200: {"content": {PDF_MEDIA_TYPE: {}}}})
def listing_pdf(record_id: Id, principal: ApiUser, state: State) -> Response:
    return report.listing_pdf_response(state.engine, state.store, principal.user, principal.roles, record_id)


@api_router.get("/records/{record_id}/listing.xlsx", summary="Mục lục văn bản trong hồ sơ (XLSX)",
                response_class=Response, responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}})
def listing_xlsx(record_id: Id, principal: ApiUser, state: State) -> Response:
    return report.listing_xlsx_response(state.engine, state.store, principal.user, principal.roles, record_id)


@api_router.get("/records/{record_id}/transfer.pdf",
                summary="Mục lục hồ sơ, tài liệu nộp lưu và Biên bản giao nhận (PDF, sau khi Lưu trữ tiếp nhận)",
                response_class=Response, responses={200: {"content": {PDF_MEDIA_TYPE: {}}}})
def transfer_pdf(record_id: Id, principal: ApiUser, state: State) -> Response:
    return report.transfer_pdf_response(state.engine, state.store, principal.user, principal.roles, record_id)


@api_router.get("/records/{record_id}/documents/{document_id}/file",
                summary="Tệp PDF của văn bản trong hồ sơ (theo chế độ sử dụng của hồ sơ; lượt tải được ghi nhận)",
                response_class=Response, responses={200: {"content": {PDF_MEDIA_TYPE: {}}}})
def document_file(record_id: Id, document_id: str, principal: ApiUser, state: State) -> Response:
    sha256 = record_archive.document_to_read(state.engine, user=principal.user, roles=principal.roles,
                                             record_id=record_id, document_id=document_id[:36], via="api")
    return Response(state.store.read(sha256), media_type=PDF_MEDIA_TYPE,
                    headers={"Content-Disposition": f'inline; filename="{document_id[:36]}.pdf"'})
