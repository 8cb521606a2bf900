"""Outgoing documents (văn bản đi): the API v1 routes.

The pages are in ``web/outgoing.py``, which also holds the reads both share (``_outgoing``,
``_pdf_response``, ``_content_mode``; the recipients' status labels are ``web/history.py``'s). Both call
the same commands in ``commands/drafting.py`` and ``commands/signing.py``; this module only parses input
and renders JSON.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from commands import audit as access_log
from commands import drafting as commands
from commands import signing as signing_commands
from models.bounds import Id, Ordinal
from models.db import reading
from models.documents.tables import Document
from models.errors import DomainError
from models.outgoing import repo as outgoing_repo
from models.outgoing.compare import compare_revisions
from web.api import _metadata_object, document_json, read_limited
from web.body_limits import JsonFormText
from web.deps import ApiUser, DbSession, State
from web.filters import iso_vn
from web.history import EVENT_LABELS
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with, effect_data, request_key
from web.outgoing import _content_mode, _outgoing, _pdf_response
from workflows.contracts import ConsultTarget

api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


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


def _drafted_again(request: Request, stored) -> JSONResponse:
    """A retried draft whose first attempt committed: the draft it created."""
    return JSONResponse(_outgoing_json_of(request.app.state.qlvb, stored.subject_id), status_code=201)


@api_router.post("/outgoing", status_code=201, summary="Soạn dự thảo văn bản đi (metadata JSON, tệp tùy chọn)")
@answers_retries_with(_drafted_again)
async def api_create(principal: ApiUser, state: State, metadata: Annotated[JsonFormText, Form()],
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
def api_get(document_id: str, principal: ApiUser, session: DbSession, state: State) -> dict[str, Any]:
    document = _outgoing(session, principal, document_id)
    access_log.document_viewed(state.engine, principal.user.id, document.id, via="api")
    return outgoing_json(session, document)


def _revised_again(request: Request, stored) -> dict[str, Any]:
    number = effect_data(request, stored, "document.revised").get("revision")
    with reading(request.app.state.qlvb.engine) as session:
        revision = outgoing_repo.revision(session, stored.subject_id, int(number))
    return {"document_id": stored.subject_id, "number": revision.number, "source": revision.source}


@api_router.post("/outgoing/{document_id}/revisions", status_code=201, summary="Thêm bản dự thảo mới")
@answers_retries_with(_revised_again)
async def api_revise(document_id: str, principal: ApiUser, state: State,
                     metadata: Annotated[JsonFormText, Form()] = "{}", file: Annotated[UploadFile | None, File()] = None,
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
@answers_retries_with(lambda request, stored: {"document_id": stored.subject_id, "applied": True})
def api_comment(document_id: str, body: CommentRequest, principal: ApiUser, state: State) -> dict[str, Any]:
    commands.comment_on_draft(state.engine, user=principal.user, roles=principal.roles,
                              document_id=document_id, body=body.body)
    return {"document_id": document_id, "applied": True}


class ConsultRequest(BaseModel):
    unit_id: Id | None = None
    agency_id: Id | None = None
    due_date: str = Field(default="", max_length=10)


class SubmitRequest(BaseModel):
    consultations: list[ConsultRequest] = Field(default_factory=list, max_length=50)


def _submitted_again(request: Request, stored) -> dict[str, Any]:
    with reading(request.app.state.qlvb.engine) as session:
        document = session.get(Document, stored.subject_id)
        return {"document_id": document.id, "status": document.status, "workflow_id": document.workflow_id}


@api_router.post("/outgoing/{document_id}/submit", summary="Trình dự thảo (bắt đầu quy trình văn bản đi)")
@answers_retries_with(_submitted_again)
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
@answers_retries_with(RUN_AGAIN)
async def api_sign(request: Request, task_id: Id, principal: ApiUser, state: State,
                   body: SignRequest | None = None) -> JSONResponse:
    body = body or SignRequest()
    outcome = await signing_commands.sign_draft(
        state.engine, state.client, state.settings, state.store, task_id=task_id, user=principal.user,
        roles=principal.roles, nonce=body.nonce or request_key(request) or uuid.uuid4().hex,
        pkcs12_password=body.pkcs12_password,
        token_pin=body.token_pin)
    return _outcome_json(outcome)


class RemotePrepareRequest(BaseModel):
    certificate_pem: str = Field(max_length=20_000)


@api_router.post("/tasks/{task_id}/sign/remote",
                 summary="Ký số bằng thiết bị: gửi chứng thư số, nhận giá trị băm cần ký")
async def api_sign_remote(task_id: Id, body: RemotePrepareRequest, principal: ApiUser,
                          state: State) -> dict[str, Any]:
    return await signing_commands.prepare_remote_signing(
        state.engine, state.settings, state.store, task_id=task_id, user=principal.user, roles=principal.roles,
        certificate_pem=body.certificate_pem.encode())


class RemoteCompleteRequest(BaseModel):
    signature: str = Field(max_length=10_000)  # base64 of the device's raw signature
    nonce: str | None = Field(default=None, max_length=64)


@api_router.post("/remote-signing/{remote_id}/complete", summary="Hoàn tất ký số bằng thiết bị")
@answers_retries_with(RUN_AGAIN)
async def api_remote_complete(request: Request, remote_id: Id, body: RemoteCompleteRequest, principal: ApiUser,
                              state: State) -> JSONResponse:
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("remote_signature_invalid") from None
    outcome = await signing_commands.complete_remote_signing(
        state.engine, state.client, state.settings, state.store, remote_id=remote_id, user=principal.user,
        roles=principal.roles, signature=signature, nonce=body.nonce or request_key(request) or uuid.uuid4().hex)
    return _outcome_json(outcome)


@api_router.get("/outgoing/{document_id}/revisions/{number}/file", response_class=Response,
                summary="Tệp PDF của một bản dự thảo")
def api_revision_file(document_id: str, number: Ordinal, principal: ApiUser, session: DbSession,
                      state: State) -> Response:
    document = _outgoing(session, principal, document_id)
    stored = outgoing_repo.revision_file(session, document.id, number)
    access_log.document_downloaded(state.engine, principal.user.id, document.id, via="api", file=stored.sha256,
                                   revision=number)
    return _pdf_response(state.store.read(stored.sha256), f"{document.id}-ban-{number}.pdf")


@api_router.get("/outgoing/{document_id}/compare", summary="So sánh hai bản dự thảo (diff văn bản)")
def api_compare(document_id: str, principal: ApiUser, state: State,
                a: Annotated[Ordinal, Query()], b: Annotated[Ordinal, Query()]) -> dict[str, Any]:
    lines = compare_revisions(state.engine, state.store, user=principal.user, roles=principal.roles,
                              document_id=document_id, first=a, second=b)
    return {"document_id": document_id, "a": a, "b": b, "diff": lines}

