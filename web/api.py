"""Public API v1 (JSON, bearer tokens), for integrators and for checking the product."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from commands import audit as access_log
from commands import auth as auth_commands
from commands import intake
from commands import tasks as task_commands
from models.bounds import Id
from models.db import reading
from models.documents import repo as document_repo
from models.documents.access import document_for_user, register_for_user
from models.documents.tables import Document, StoredFile
from models.errors import DomainError, NotFound
from models.org import repo as account_repo
from models.org.tables import OrgUnit
from models.registers import repo as register_repo
from models.registers.numbering import so_ky_hieu
from models.tasks import repo as task_repo
from models.tasks.actions import ACTION_FIELDS
from models.tasks.repo import DelegatedArm
from models.tasks.tables import Task
from models.vocab import RegisterKind, Role, SessionKind
from web import reports
from web.body_limits import JsonFormText
from web.deps import ApiUser, DbSession, State
from web.filters import iso_vn
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with, changes_nothing, request_key
from web.labels import ACTION_FIELD_LABELS, ACTION_LABELS, AUDIT_LABELS, FIELD_LABELS, STATUS_LABELS

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


# --- serialisation --------------------------------------------------------------------------


def document_summary_json(document: Document) -> dict[str, Any]:
    """What identifies a document and where it stands (lists, search results)."""
    return {
        "id": document.id,
        "direction": document.direction,
        "status": document.status,
        "status_label": STATUS_LABELS.get(document.status, document.status),
        "arrival_number": document.arrival_number,
        "arrival_date": iso_vn(document.arrival_date) or None,
        "code_number": document.code_number,
        "code_notation": document.code_notation,
        "so_ky_hieu": so_ky_hieu(document.code_number, document.code_notation),
        "issued_date": document.issued_date.isoformat() if document.issued_date else None,
        "organ_name": document.organ_name,
        "type_name": document.type_name,
        "subject": document.subject,
        "priority": document.urgency,
        "due_date": document.due_date.isoformat() if document.due_date else None,
    }


def document_json(document: Document, history: list | None = None) -> dict[str, Any]:
    """A document as API v1 shows it (snake_case ND30 Phụ lục VI names)."""
    body = {
        **document_summary_json(document),
        "organ_id": document.organ_id,
        "language": document.language,
        "page_amount": document.page_amount,
        "description": document.description,
        "signer_full_name": document.signer_full_name,
        "signer_position": document.signer_position,
        "to_places": document.to_places,
        "paper_copy": document.paper_copy,
        "document_identifier": document.external_document_id,
        "for_reference_only": document.for_reference_only,
        "workflow_id": document.workflow_id,
        "process": {"key": document.process_key, "version": document.process_version},
        "created_at": iso_vn(document.created_at),
    }
    if history is not None:
        body["history"] = [
            {"at": iso_vn(event.at), "code": event.code, "label": AUDIT_LABELS.get(event.code, event.code),
             "actor": user.full_name if user else None, "data": event.data}
            for event, user in history
        ]
    return body


def task_json(task: Task, document: Any, acting_for: DelegatedArm | None = None) -> dict[str, Any]:
    """A task with the actions it allows and each action's fields, and the leader a deputy would act for;
    ``document`` is its document or an inbox line of it (``document_repo.inbox_lines``), or None."""
    return {
        "id": task.id,
        "document_id": task.document_id,
        # Set instead of document_id for a step about a hồ sơ or a Danh mục hồ sơ.
        "record_id": task.record_id,
        "record_plan_id": task.record_plan_id,
        "work_assignment_id": task.work_assignment_id,
        "schedule_id": task.schedule_id,  # a weekly work schedule: /api/v1/schedules/{id}
        "step": task.step,
        "status": task.status,
        "assignee_id": task.assignee_id,
        "due_at": iso_vn(task.due_at) or None,
        "overdue": task.overdue,
        "urgency": document.urgency if document else None,
        "subject": document.subject if document else None,
        "actions": [
            {"action": name, "label": ACTION_LABELS.get(name, name),
             "fields": [{"name": f.name, "kind": f.kind, "required": f.required,
                         "label": ACTION_FIELD_LABELS.get((name, f.name)) or FIELD_LABELS.get(f.name, f.name)} for f in ACTION_FIELDS.get(name, [])]}
            for name in task.actions
        ],
        "on_behalf_of": None if acting_for is None else {
            "user_id": acting_for.leader.id, "full_name": acting_for.leader.full_name,
            "delegation_id": acting_for.delegation.id, "form": acting_for.delegation.form},
    }


# --- auth -----------------------------------------------------------------------------------


@router.post("/auth/token", summary="Đăng nhập, nhận mã truy cập (bearer)")
def issue_token(request: Request, state: State, username: Annotated[str, Form()],
                password: Annotated[str, Form()],
                otp: Annotated[str | None, Form(max_length=100)] = None) -> dict[str, str]:
    """``otp``: for a person with two-factor login, the current 6-digit code or a recovery code."""
    result = auth_commands.login(state.engine, state.settings, username, password, SessionKind.API,
                            user_agent=request.headers.get("user-agent", ""),
                            ip_address=request.client.host if request.client else "", otp=otp or "")
    return {"access_token": result.token, "token_type": "bearer"}


@router.get("/me", summary="Người dùng hiện tại")
def me(principal: ApiUser, session: DbSession) -> dict[str, Any]:
    user = principal.user
    unit = session.get(OrgUnit, user.unit_id) if user.unit_id else None
    return {
        "id": user.id, "username": user.username, "full_name": user.full_name,
        "position": user.position, "roles": sorted(principal.roles),
        "agency": {"id": principal.agency.id, "code": principal.agency.code, "name": principal.agency.name},
        "unit": {"id": unit.id, "name": unit.name, "abbreviation": unit.abbreviation} if unit else None,
        "must_change_password": user.must_change_password,
    }


@router.get("/agencies", summary="Cây cơ quan, tổ chức")
def agencies(principal: ApiUser, session: DbSession) -> list[dict[str, Any]]:
    return [
        {"id": a.id, "parent_id": a.parent_id, "code": a.code, "qd20_code": a.qd20_code, "name": a.name,
         "abbreviation": a.abbreviation, "kind": a.kind, "hosted": a.hosted,
         "valid_from": a.valid_from.isoformat() if a.valid_from else None,
         "valid_to": a.valid_to.isoformat() if a.valid_to else None,
         "units": [{"id": u.id, "name": u.name, "abbreviation": u.abbreviation} for u in units]}
        for a, units in account_repo.all_agencies_with_units(session)
    ]


# --- documents ------------------------------------------------------------------------------


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """Read an upload, refusing it as soon as it passes ``limit`` bytes."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise DomainError("file_too_large", limit=limit)
    return data


def _metadata_object(metadata: str) -> dict:
    """The ``metadata`` form field: a JSON object, or a Vietnamese 422."""
    try:
        raw = json.loads(metadata)
    except json.JSONDecodeError:
        raise DomainError("metadata_not_json") from None
    if not isinstance(raw, dict):
        raise DomainError("metadata_not_json")
    return raw


def _created(state, document: Document) -> JSONResponse:
    """201 with the new document and the earlier ones it may duplicate."""
    with reading(state.engine) as session:
        duplicates = [d.id for d in document_repo.duplicates_of(session, document)]
    return JSONResponse({**document_json(document), "duplicate_of": duplicates}, status_code=201)


def _created_again(request: Request, stored) -> JSONResponse:
    """A retried upload whose first attempt committed: the document it created."""
    state = request.app.state.qlvb
    with reading(state.engine) as session:
        return _created(state, session.get(Document, stored.subject_id))


@router.post("/incoming", status_code=201, summary="Tiếp nhận văn bản đến (PDF + metadata JSON)")
@answers_retries_with(_created_again)
async def create_incoming(principal: ApiUser, state: State, file: Annotated[UploadFile, File()],
                          metadata: Annotated[JsonFormText, Form()]) -> JSONResponse:
    raw = _metadata_object(metadata)
    data = await read_limited(file, state.settings.upload_max_bytes)
    document = await intake.receive_upload(
        state.engine, state.client, state.settings, state.store, clerk=principal.user,
        roles=principal.roles, raw_metadata=raw, data=data, filename=file.filename or "",
    )
    return _created(state, document)


@router.post("/incoming/suggest", summary="Gợi ý thông tin văn bản đọc từ tệp PDF (không lưu gì)")
@changes_nothing
async def suggest_incoming(principal: ApiUser, state: State, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    data = await read_limited(file, state.settings.upload_max_bytes)
    suggestions = await intake.suggest_metadata_from_pdf(data, state.settings)
    # The documents these suggestions may duplicate, before anything is registered.
    found = await asyncio.to_thread(intake.probable_duplicates, state.engine, principal.user,
                                    {name: str(value) for name, value in suggestions.items()})
    return {"suggestions": suggestions, "duplicate_of": [document.id for document in found]}


@router.post("/incoming/duplicates",
             summary="Văn bản đã tiếp nhận có thể trùng với thông tin văn bản (kiểm tra trước khi vào sổ, không lưu gì)")
@changes_nothing
async def incoming_duplicates(principal: ApiUser, state: State, metadata: Annotated[JsonFormText, Form()]) -> dict[str, Any]:
    if Role.CLERK not in principal.roles:
        raise DomainError("clerk_only")
    raw = _metadata_object(metadata)
    found = await asyncio.to_thread(intake.probable_duplicates, state.engine, principal.user, raw)
    return {"duplicate_of": [document.id for document in found],
            "documents": [document_json(document) for document in found]}


@router.post("/incoming/paper", status_code=201, summary="Tiếp nhận văn bản giấy: bản quét (nhiều tệp) + metadata JSON")
@answers_retries_with(_created_again)
async def create_paper_incoming(principal: ApiUser, state: State, scans: Annotated[list[UploadFile], File()],
                                metadata: Annotated[JsonFormText, Form()]) -> JSONResponse:
    raw = _metadata_object(metadata)
    files = [(item.filename or "ban-quet", await read_limited(item, state.settings.upload_max_bytes))
             for item in scans]
    document = await intake.receive_paper(
        state.engine, state.client, state.settings, state.store, clerk=principal.user,
        roles=principal.roles, raw_metadata=raw, scans=files,
    )
    return _created(state, document)


@router.get("/documents/{document_id}", summary="Văn bản: thông tin, trạng thái, lịch sử xử lý")
def get_document(document_id: str, principal: ApiUser, session: DbSession, state: State) -> dict[str, Any]:
    document = document_for_user(session, principal.user, document_id, principal.roles)
    access_log.document_viewed(state.engine, principal.user.id, document.id, via="api")
    return document_json(document, document_repo.history(session, document.id))


@router.get("/documents/{document_id}/file", summary="Tệp PDF hiện hành của văn bản",
            response_class=Response)
def get_document_file(document_id: str, principal: ApiUser, session: DbSession, state: State) -> Response:
    document = document_for_user(session, principal.user, document_id, principal.roles)
    stored = session.get(StoredFile, document.file_id)
    if stored is None:
        raise NotFound("document_not_found")
    access_log.document_downloaded(state.engine, principal.user.id, document.id, via="api", file=stored.sha256)
    return Response(state.store.read(stored.sha256), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{document.id}.pdf"'})


# --- tasks ----------------------------------------------------------------------------------


@router.get("/tasks", summary="Công việc: của tôi, của đơn vị, thay lãnh đạo (theo ủy quyền), quá hạn")
def list_tasks(principal: ApiUser, session: DbSession,
               scope: Annotated[str, Query(pattern="^(mine|unit|delegated|overdue)$")] = "mine",
               page: Annotated[int, Query(ge=1, le=2**31 - 1)] = 1,
               per_page: Annotated[int, Query(ge=1, le=500, description="công việc mỗi trang")] = 50,
               ) -> list[dict[str, Any]]:
    tasks = task_repo.inbox(session, principal.user, principal.roles, scope, limit=per_page,
                            offset=(page - 1) * per_page)
    # A task shows its document's trích yếu and độ khẩn: the inbox's lines, not whole documents.
    documents = document_repo.inbox_lines(session, [t.document_id for t in tasks if t.document_id])
    acting_for = task_repo.covering(session, principal.user, [t.id for t in tasks])
    return [task_json(task, documents.get(task.document_id), acting_for.get(task.id)) for task in tasks]


class ActionRequest(BaseModel):
    """A decision on a task; ``nonce`` makes a retried request idempotent."""

    action: str = Field(max_length=30)
    fields: dict[str, Any] = Field(default_factory=dict)
    nonce: str | None = Field(default=None, max_length=64)


@router.post("/tasks/{task_id}/actions", summary="Thực hiện thao tác trên công việc")
@answers_retries_with(RUN_AGAIN)
async def act(request: Request, task_id: Id, body: ActionRequest, principal: ApiUser, state: State) -> JSONResponse:
    if body.action == "bao_cao_tien_do":
        task_commands.report_progress(state.engine, task_id, principal.user, principal.roles,
                                 str(body.fields.get("progress", "")))
        return JSONResponse({"task_id": task_id, "action": body.action, "applied": True})
    if body.action in ("claim", "release"):
        handler = task_commands.claim_task if body.action == "claim" else task_commands.release_task
        handler(state.engine, task_id, principal.user, principal.roles)
        return JSONResponse({"task_id": task_id, "action": body.action, "applied": True})
    outcome = await task_commands.act_on_task(
        state.engine, state.client, task_id=task_id, user=principal.user, roles=principal.roles,
        action=body.action, fields=body.fields, nonce=body.nonce or request_key(request) or uuid.uuid4().hex,
    )
    return JSONResponse(
        {"task_id": outcome.task_id, "action": outcome.action, "applied": outcome.applied,
         "document_id": outcome.document_id, "document_status": outcome.document_status or None},
        status_code=200 if outcome.applied else 202,
    )


# --- registers ------------------------------------------------------------------------------


@router.get("/registers", summary="Sổ đăng ký của cơ quan")
def list_registers(principal: ApiUser, session: DbSession,
                   kind: Annotated[RegisterKind | None, Query()] = None,
                   year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[dict[str, Any]]:
    registers = register_repo.registers_of(session, principal.agency.id, kind)
    return [
        {"id": r.id, "kind": r.kind, "name": r.name, "year": year,
         "entry_count": len(register_repo.entries_of(session, r.id, year))}
        for r in registers
    ]


@router.get("/registers/{register_id}/entries", summary="Các số đã cấp trong sổ")
def register_entries(register_id: Id, principal: ApiUser, session: DbSession,
                     year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[dict[str, Any]]:
    register = register_for_user(session, principal.user, register_id)
    entries = register_repo.entries_of(session, register.id, year)
    documents = document_repo.documents_by_id(session, [e.document_id for e in entries])
    result = []
    for entry in entries:
        document = documents.get(entry.document_id)
        result.append({
            "year": entry.year, "number": entry.number, "status": entry.status,
            "allocated_at": iso_vn(entry.allocated_at), "document_id": entry.document_id,
            "code_number": document.code_number if document else None,
            "code_notation": document.code_notation if document else None,
            "organ_name": document.organ_name if document else None,
            "subject": document.subject if document else None,
        })
    return result


# --- printed registers and slips (ND30 Phụ lục IV) ------------------------------------------

ReportKindQuery = Annotated[str | None, Query(
    description="register: Sổ đăng ký văn bản đến (mặc định); followup: Sổ theo dõi giải quyết văn bản đến; "
                "sổ văn bản đi luôn in Sổ đăng ký văn bản đi (register)")]
PeriodStart = Annotated[str | None, Query(alias="from", description="Từ ngày (YYYY-MM-DD), mặc định 01/01")]
PeriodEnd = Annotated[str | None, Query(alias="to", description="Đến ngày (YYYY-MM-DD), cùng năm với từ ngày")]
VolumeQuery = Annotated[str | None, Query(description="Quyển số (1, 2, …) khi khoảng thời gian có hơn 1.000 văn bản: "
                                                      "mỗi quyển in 1.000 số liên tiếp")]


@router.get("/registers/{register_id}/print.pdf", summary="In sổ đăng ký hoặc sổ theo dõi giải quyết (PDF)",
            response_class=Response, responses={200: {"content": {reports.PDF_MEDIA_TYPE: {}}}})
def register_print(register_id: Id, principal: ApiUser, state: State, kind: ReportKindQuery = None,
                   start: PeriodStart = None, end: PeriodEnd = None, volume: VolumeQuery = None) -> Response:
    return reports.register_pdf_response(state.engine, principal.user, register_id, kind, start, end, volume)


@router.get("/registers/{register_id}/export.xlsx", summary="Xuất sổ ra tệp Excel (XLSX)",
            response_class=Response, responses={200: {"content": {reports.XLSX_MEDIA_TYPE: {}}}})
def register_export(register_id: Id, principal: ApiUser, state: State, kind: ReportKindQuery = None,
                    start: PeriodStart = None, end: PeriodEnd = None) -> Response:
    return reports.register_xlsx_response(state.engine, principal.user, register_id, kind, start, end)


@router.get("/documents/{document_id}/slip.pdf", summary="Phiếu giải quyết văn bản đến (PDF)",
            response_class=Response, responses={200: {"content": {reports.PDF_MEDIA_TYPE: {}}}})
def document_slip(document_id: str, principal: ApiUser, state: State) -> Response:
    return reports.slip_pdf_response(state.engine, principal.user, principal.roles, document_id)
