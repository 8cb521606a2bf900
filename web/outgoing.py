"""Outgoing documents (văn bản đi): the pages and the API v1 routes.

Both call the same commands in ``commands/drafting.py`` and ``commands/signing.py``; this module only parses input and
renders output. Decisions on review steps use the generic task form (``/tasks/{id}/act``);
signing has its own requests because the signed file is made here, never named by a form.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from commands import drafting as commands
from commands import signing as signing_commands
from models.db import reading
from models.documents import repo as document_repo
from models.documents import types_repo as doc_type_repo
from models.documents.access import document_for_user, visible_documents
from models.documents.tables import Document, StoredFile
from models.documents.text_extract import pdf_text
from models.errors import DomainError, NotFound
from models.org import repo as account_repo
from models.outgoing import recipient_status
from models.outgoing import repo as outgoing_repo
from models.outgoing.format_checks import check_format
from models.outgoing.schema import COMPETENCES
from models.tasks import repo as task_repo
from models.tasks.actions import ACTION_FIELDS
from models.vocab import Direction, DocumentStatus, Role, Urgency
from web.api import _metadata_object, document_json, read_limited
from web.deps import ApiUser, CsrfChecked, DbSession, Principal, State, WebUser
from web.filters import iso_vn
from web.htmx import render
from web.messages import field_errors, message_of
from workflows.contracts import ConsultTarget

router = APIRouter()
api_router = APIRouter(prefix="/api/v1", tags=["v1"])

# Form fields of the draft page that go to DraftForm as they are (lists are read separately).
DRAFT_TEXT_FIELDS = ["doc_type_id", "subject", "body", "urgency", "signer_id", "competence",
                     "competence_title", "recipient_codes", "due_date", "issued_amount", "description",
                     "in_reply_to_id"]
DRAFT_LIST_FIELDS = ["recipient_agency_ids", "recipient_unit_ids", "kinh_gui_agency_ids"]
TRANSPORT_LABELS = {"pending": "Chưa gửi", "delivered": "Đã gửi", "waiting": "Chờ gửi qua trục liên thông",
                    "not_sent": "Không gửi (đã thu hồi)", "failed": "Gửi không thành công"}
EVENT_LABELS = {**recipient_status.STATUS_CODES, "sent": "Đã gửi", "waiting": "Chờ gửi qua trục liên thông",
                "recall": "Đề nghị thu hồi", "failed": "Gửi không thành công"}


# --- shared reads -------------------------------------------------------------------------------


def _outgoing(session: Session, principal: Principal, document_id: str) -> Document:
    document = document_for_user(session, principal.user, document_id, principal.roles)
    if document.direction != Direction.OUTGOING:
        raise NotFound("document_not_found")
    return document


def _pdf_response(data: bytes, filename: str) -> Response:
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _content_mode(requested: str, filename: str) -> str:
    """The API's content mode: given, or guessed from the file (none: the form's body)."""
    if requested:
        return requested
    if not filename:
        return "form"
    return "docx" if filename.lower().endswith(".docx") else "pdf"


def _form_choices(session: Session, principal: Principal) -> dict[str, Any]:
    """What the new-draft form offers: types, signers, recipients, own units."""
    agency_id = principal.user.agency_id
    return {
        "doc_types": doc_type_repo.active_types(session),
        "signers": outgoing_repo.signers_of(session, agency_id),
        "competences": [c for c in COMPETENCES if c],
        "hosted_agencies": account_repo.other_hosted_agencies(session, agency_id),
        "own_units": account_repo.units_of(session, agency_id, current_only=True),
        "urgencies": list(Urgency),
    }


def outgoing_json(session: Session, document: Document) -> dict[str, Any]:
    """An outgoing document with its revisions, comments and recipients' status histories."""
    events = outgoing_repo.recipient_events(session, document.id)
    return {
        **document_json(document),
        "signer_competence": document.signer_competence,
        "revisions": [
            {"number": r.number, "stage": r.stage, "source": r.source, "note": r.note,
             "sha256": stored.sha256, "created_by": user.full_name if user else None,
             "created_at": iso_vn(r.created_at),
             "file": f"/api/v1/outgoing/{document.id}/revisions/{r.number}/file"}
            for r, stored, user in outgoing_repo.revisions(session, document.id)],
        "comments": [
            {"id": c.id, "kind": c.kind, "body": c.body, "revision": c.revision_number,
             "author": author.full_name, "created_at": iso_vn(c.created_at)}
            for c, author in outgoing_repo.comments(session, document.id)],
        "recipients": [
            {"position": r.position, "kind": r.kind, "agency_id": r.agency_id, "unit_id": r.unit_id,
             "organ_id": r.organ_id, "organ_name": r.organ_name, "kinh_gui": r.kinh_gui,
             "transport_status": r.transport_status, "business_status": r.business_status or None,
             "incoming_document_id": r.incoming_document_id, "delivered_at": iso_vn(r.delivered_at) or None,
             "events": [{"code": e.code, "label": EVENT_LABELS.get(e.code, e.code), "at": iso_vn(e.at),
                         "note": e.note, "by": e.by_name} for e in events.get(r.id, [])]}
            for r in outgoing_repo.recipients_of(session, document.id)],
    }


def _format_checks(session: Session, document: Document, store) -> list:
    """The automatic thể thức checks of the current revision (shown to the format checker)."""
    revision = outgoing_repo.latest_revision(session, document.id)
    if revision is None:
        return []
    form = revision.form or {
        "agency_name": document.organ_name, "type_name": document.type_name, "notation": document.code_notation,
        "subject": document.subject, "signer_full_name": document.signer_full_name,
        "signer_position": document.signer_position, "signer_competence": document.signer_competence,
        "urgency": document.urgency}
    stored = session.get(StoredFile, revision.file_id)
    return check_format(form, pdf_text(store.read(stored.sha256)))


# --- pages ----------------------------------------------------------------------------------------


@router.get("/outgoing")
def outgoing_list(request: Request, principal: WebUser, session: DbSession) -> Response:
    documents = outgoing_repo.latest_outgoing(session, visible_documents(principal.user, principal.roles),
                                              principal.user.agency_id)
    return render(request, "outgoing/list.html", documents=documents,
                  can_draft=bool(principal.roles & commands.DRAFTER_ROLES))


@router.get("/outgoing/new")
def new_draft_form(request: Request, principal: WebUser, session: DbSession, reply_to: str | None = None) -> Response:
    """The draft form; ``?reply_to=<incoming id>`` starts a reply (subject and recipient filled in)."""
    if not principal.roles & commands.DRAFTER_ROLES:
        raise DomainError("drafter_only")
    values: dict[str, Any] = {"urgency": Urgency.NORMAL, "content_mode": "form"}
    lists: dict[str, list[str]] = {}
    answered = None
    if reply_to:
        answered = outgoing_repo.reply_target(session, principal.user, principal.roles, reply_to)
        for name, value in outgoing_repo.reply_defaults(session, answered).items():
            (lists if isinstance(value, list) else values)[name] = value
    return render(request, "outgoing/new.html", values=values, lists=lists, errors={}, error=None,
                  answered=answered, **_form_choices(session, principal))


@router.post("/outgoing/new")
async def new_draft_submit(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in DRAFT_TEXT_FIELDS}
    values["body"] = str(form.get("body", ""))
    values["content_mode"] = str(form.get("content_mode", "form"))
    lists = {name: [str(v) for v in form.getlist(name) if str(v).strip()] for name in DRAFT_LIST_FIELDS}
    raw: dict[str, Any] = {name: value for name, value in values.items()
                           if value != "" and name != "content_mode"}
    raw.update({name: items for name, items in lists.items() if items})
    if form.get("paper_copy"):
        raw["paper_copy"] = True
        values["paper_copy"] = "1"
    upload = form.get("file")
    limit = state.settings.upload_max_bytes
    try:
        data = filename = None
        if isinstance(upload, StarletteUpload) and upload.filename:
            data, filename = await read_limited(upload, limit), upload.filename
        attachments = [(item.filename, await read_limited(item, limit)) for item in form.getlist("attachments")
                       if isinstance(item, StarletteUpload) and item.filename]
        document = await commands.create_draft(
            state.engine, state.settings, state.store, user=principal.user, roles=principal.roles, raw=raw,
            content_mode=values["content_mode"], upload=data, filename=filename or "", attachments=attachments)
    except DomainError as error:
        status = 413 if error.code == "file_too_large" else error.status
        return await run_in_threadpool(_new_draft_page_again, request, state, principal, error, status, values, lists)
    return RedirectResponse(f"/outgoing/{document.id}", status_code=303)


def _new_draft_page_again(request: Request, state: State, principal: Principal, error: DomainError, status: int,
                          values: dict[str, Any], lists: dict[str, list[str]]) -> Response:
    """The draft form again, with what was typed and why it was refused."""
    with reading(state.engine) as session:  # render inside: the choices are ORM rows
        return render(request, "outgoing/new.html", status_code=status, values=values, lists=lists,
                      errors=field_errors(error), error=message_of(error), **_form_choices(session, principal))


@router.get("/outgoing/{document_id}")
def outgoing_page(request: Request, document_id: str, principal: WebUser, session: DbSession,
                  state: State) -> Response:
    document = _outgoing(session, principal, document_id)
    tasks = task_repo.open_tasks_of(session, document.id, principal.user, principal.roles)
    is_drafter = document.created_by == principal.user.id
    return render(
        request, "outgoing/detail.html", document=document,
        revisions=outgoing_repo.revisions(session, document.id),
        comments=outgoing_repo.comments(session, document.id),
        recipients=outgoing_repo.recipients_of(session, document.id),
        events=outgoing_repo.recipient_events(session, document.id), event_labels=EVENT_LABELS,
        transport_labels=TRANSPORT_LABELS, tasks=tasks, action_fields=ACTION_FIELDS,
        nonce=uuid.uuid4().hex, pending=request.query_params.get("pending") == "1",
        format_checks=_format_checks(session, document, state.store)
        if any(t.step == "format_check" for t in tasks) else [],
        can_submit=is_drafter and document.status == DocumentStatus.DRAFT and document.workflow_id is None,
        can_revise=is_drafter and document.status == DocumentStatus.DRAFT,
        # The sending agency's văn thư or leader may recall an issued document (QĐ44 Điều 13.4.d).
        token_signing=state.settings.pki_pkcs11_module is not None,
        can_recall=document.status == DocumentStatus.ISSUED and document.agency_id == principal.user.agency_id
        and bool(principal.roles & {Role.CLERK, Role.AGENCY_LEADER}),
        own_units=account_repo.units_of(session, document.agency_id),
        hosted_agencies=account_repo.other_hosted_agencies(session, document.agency_id),
        history=document_repo.history(session, document.id),
    )


def _back(request: Request, document_id: str, pending: bool = False) -> Response:
    target = f"/outgoing/{document_id}" + ("?pending=1" if pending else "")
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/outgoing/{document_id}/revisions")
async def revise_page(request: Request, document_id: str, principal: WebUser, state: State,
                      _: CsrfChecked) -> Response:
    form = await request.form()
    upload = form.get("file")
    data = filename = None
    if isinstance(upload, StarletteUpload) and upload.filename:
        data, filename = await read_limited(upload, state.settings.upload_max_bytes), upload.filename
    mode = _content_mode("", filename or "") if data else "form"
    await commands.revise_draft(
        state.engine, state.settings, state.store, user=principal.user, roles=principal.roles,
        document_id=document_id, raw={"subject": str(form.get("subject", "")), "body": str(form.get("body", ""))},
        content_mode=mode, upload=data, filename=filename or "", note=str(form.get("note", ""))[:500])
    return _back(request, document_id)


@router.post("/outgoing/{document_id}/comments")
async def comment_page(request: Request, document_id: str, principal: WebUser, state: State,
                       _: CsrfChecked) -> Response:
    form = await request.form()
    await run_in_threadpool(commands.comment_on_draft, state.engine, user=principal.user, roles=principal.roles,
                            document_id=document_id, body=str(form.get("body", "")))
    return _back(request, document_id)


@router.post("/outgoing/{document_id}/submit")
async def submit_page(request: Request, document_id: str, principal: WebUser, state: State,
                      _: CsrfChecked) -> Response:
    form = await request.form()
    due = str(form.get("consult_due_date", "")).strip()
    targets = [ConsultTarget(unit_id=int(v), due_date=due) for v in form.getlist("consult_unit_ids")
               if str(v).isdigit()]
    targets += [ConsultTarget(agency_id=int(v), due_date=due) for v in form.getlist("consult_agency_ids")
                if str(v).isdigit()]
    await commands.submit_draft(state.engine, state.client, state.settings, user=principal.user,
                                roles=principal.roles, document_id=document_id, consultations=targets)
    return _back(request, document_id)


@router.post("/outgoing/tasks/{task_id}/sign")
async def sign_page(request: Request, task_id: int, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    outcome = await signing_commands.sign_draft(
        state.engine, state.client, state.settings, state.store, task_id=task_id, user=principal.user,
        roles=principal.roles, nonce=str(form.get("nonce", "")) or uuid.uuid4().hex,
        pkcs12_password=str(form.get("pkcs12_password", "")) or None,
        token_pin=str(form.get("token_pin", "")) or None)
    return _back(request, outcome.document_id, pending=not outcome.applied)


@router.get("/outgoing/{document_id}/revisions/{number}/file")
def revision_file_page(document_id: str, number: int, principal: WebUser, session: DbSession,
                       state: State) -> Response:
    document = _outgoing(session, principal, document_id)
    stored = outgoing_repo.revision_file(session, document.id, number)
    return _pdf_response(state.store.read(stored.sha256), f"{document.id}-ban-{number}.pdf")


@router.get("/outgoing/{document_id}/compare")
def compare_page(request: Request, document_id: str, principal: WebUser, state: State,
                 a: Annotated[int, Query(ge=1)], b: Annotated[int, Query(ge=1)]) -> Response:
    lines = commands.compare_revisions(state.engine, state.store, user=principal.user, roles=principal.roles,
                                       document_id=document_id, first=a, second=b)
    return render(request, "outgoing/compare.html", document_id=document_id, first=a, second=b, lines=lines)


# --- API v1 ---------------------------------------------------------------------------------------


@api_router.post("/outgoing", status_code=201, summary="Soạn dự thảo văn bản đi (metadata JSON, tệp tùy chọn)")
async def api_create(principal: ApiUser, state: State, metadata: Annotated[str, Form()],
                     file: Annotated[UploadFile | None, File()] = None,
                     attachments: Annotated[list[UploadFile] | None, File()] = None,
                     content_mode: Annotated[str, Form()] = "") -> JSONResponse:
    raw = _metadata_object(metadata)
    limit = state.settings.upload_max_bytes
    data = await read_limited(file, limit) if file is not None and file.filename else None
    files = [(item.filename or "phu-luc.pdf", await read_limited(item, limit)) for item in attachments or []
             if item.filename]
    filename = file.filename if data is not None else ""
    document = await commands.create_draft(
        state.engine, state.settings, state.store, user=principal.user, roles=principal.roles, raw=raw,
        content_mode=_content_mode(content_mode, filename or ""), upload=data, filename=filename or "",
        attachments=files)
    return JSONResponse(await run_in_threadpool(_outgoing_json_of, state, document.id), status_code=201)


def _outgoing_json_of(state: State, document_id: str) -> dict[str, Any]:
    """``outgoing_json`` of a document, read in its own read-only transaction."""
    with reading(state.engine) as session:
        return outgoing_json(session, session.get(Document, document_id))


@api_router.get("/outgoing/{document_id}", summary="Văn bản đi: thông tin, các bản dự thảo, góp ý, nơi nhận")
def api_get(document_id: str, principal: ApiUser, session: DbSession) -> dict[str, Any]:
    return outgoing_json(session, _outgoing(session, principal, document_id))


@api_router.post("/outgoing/{document_id}/revisions", status_code=201, summary="Thêm bản dự thảo mới")
async def api_revise(document_id: str, principal: ApiUser, state: State,
                     metadata: Annotated[str, Form()] = "{}", file: Annotated[UploadFile | None, File()] = None,
                     note: Annotated[str, Form(max_length=500)] = "") -> dict[str, Any]:
    raw = _metadata_object(metadata)
    data = await read_limited(file, state.settings.upload_max_bytes) if file is not None and file.filename else None
    filename = file.filename if data is not None else ""
    revision = await commands.revise_draft(
        state.engine, state.settings, state.store, user=principal.user, roles=principal.roles,
        document_id=document_id, raw=raw, content_mode=_content_mode("", filename or ""), upload=data,
        filename=filename or "", note=note)
    return {"document_id": document_id, "number": revision.number, "source": revision.source}


class CommentRequest(BaseModel):
    body: str = Field(max_length=2000)


@api_router.post("/outgoing/{document_id}/comments", status_code=201, summary="Góp ý dự thảo")
def api_comment(document_id: str, body: CommentRequest, principal: ApiUser, state: State) -> dict[str, Any]:
    commands.comment_on_draft(state.engine, user=principal.user, roles=principal.roles,
                              document_id=document_id, body=body.body)
    return {"document_id": document_id, "applied": True}


class ConsultRequest(BaseModel):
    unit_id: int | None = None
    agency_id: int | None = None
    due_date: str = Field(default="", max_length=10)


class SubmitRequest(BaseModel):
    consultations: list[ConsultRequest] = Field(default_factory=list, max_length=50)


@api_router.post("/outgoing/{document_id}/submit", summary="Trình dự thảo (bắt đầu quy trình văn bản đi)")
async def api_submit(document_id: str, body: SubmitRequest, principal: ApiUser, state: State) -> dict[str, Any]:
    targets = [ConsultTarget(unit_id=c.unit_id, agency_id=c.agency_id, due_date=c.due_date)
               for c in body.consultations]
    document = await commands.submit_draft(state.engine, state.client, state.settings, user=principal.user,
                                           roles=principal.roles, document_id=document_id, consultations=targets)
    return {"document_id": document.id, "status": document.status, "workflow_id": document.workflow_id}


def _outcome_json(outcome) -> JSONResponse:
    return JSONResponse(
        {"task_id": outcome.task_id, "action": outcome.action, "applied": outcome.applied,
         "document_id": outcome.document_id, "document_status": outcome.document_status or None},
        status_code=200 if outcome.applied else 202)


class SignRequest(BaseModel):
    """The PKCS#12 password or the token PIN is used for this one signing, never stored or logged."""

    pkcs12_password: str | None = Field(default=None, max_length=200)
    token_pin: str | None = Field(default=None, max_length=64)
    nonce: str | None = Field(default=None, max_length=64)


@api_router.post("/tasks/{task_id}/sign",
                 summary="Ký số văn bản đi bằng khóa của người ký (tệp PKCS#12, hoặc token/HSM PKCS#11 với mã PIN)")
async def api_sign(task_id: int, principal: ApiUser, state: State, body: SignRequest | None = None) -> JSONResponse:
    body = body or SignRequest()
    outcome = await signing_commands.sign_draft(
        state.engine, state.client, state.settings, state.store, task_id=task_id, user=principal.user,
        roles=principal.roles, nonce=body.nonce or uuid.uuid4().hex, pkcs12_password=body.pkcs12_password,
        token_pin=body.token_pin)
    return _outcome_json(outcome)


class RemotePrepareRequest(BaseModel):
    certificate_pem: str = Field(max_length=20_000)


@api_router.post("/tasks/{task_id}/sign/remote",
                 summary="Ký số bằng thiết bị: gửi chứng thư số, nhận giá trị băm cần ký")
async def api_sign_remote(task_id: int, body: RemotePrepareRequest, principal: ApiUser,
                          state: State) -> dict[str, Any]:
    return await signing_commands.prepare_remote_signing(
        state.engine, state.settings, state.store, task_id=task_id, user=principal.user, roles=principal.roles,
        certificate_pem=body.certificate_pem.encode())


class RemoteCompleteRequest(BaseModel):
    signature: str = Field(max_length=10_000)  # base64 of the device's raw signature
    nonce: str | None = Field(default=None, max_length=64)


@api_router.post("/remote-signing/{remote_id}/complete", summary="Hoàn tất ký số bằng thiết bị")
async def api_remote_complete(remote_id: int, body: RemoteCompleteRequest, principal: ApiUser,
                              state: State) -> JSONResponse:
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("remote_signature_invalid") from None
    outcome = await signing_commands.complete_remote_signing(
        state.engine, state.client, state.settings, state.store, remote_id=remote_id, user=principal.user,
        roles=principal.roles, signature=signature, nonce=body.nonce or uuid.uuid4().hex)
    return _outcome_json(outcome)


@api_router.get("/outgoing/{document_id}/revisions/{number}/file", response_class=Response,
                summary="Tệp PDF của một bản dự thảo")
def api_revision_file(document_id: str, number: int, principal: ApiUser, session: DbSession,
                      state: State) -> Response:
    document = _outgoing(session, principal, document_id)
    stored = outgoing_repo.revision_file(session, document.id, number)
    return _pdf_response(state.store.read(stored.sha256), f"{document.id}-ban-{number}.pdf")


@api_router.get("/outgoing/{document_id}/compare", summary="So sánh hai bản dự thảo (diff văn bản)")
def api_compare(document_id: str, principal: ApiUser, state: State,
                a: Annotated[int, Query(ge=1)], b: Annotated[int, Query(ge=1)]) -> dict[str, Any]:
    lines = commands.compare_revisions(state.engine, state.store, user=principal.user, roles=principal.roles,
                                       document_id=document_id, first=a, second=b)
    return {"document_id": document_id, "a": a, "b": b, "diff": lines}

