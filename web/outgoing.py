"""Outgoing documents (văn bản đi): the pages, and the reads the API v1 routes share.

The API v1 routes are in ``web/outgoing_api.py``, which imports ``_outgoing``, ``_pdf_response`` and
``_content_mode`` from here; the history section (recipients' statuses included) is ``web/history.py``.
Both call the same commands in ``commands/drafting.py`` and ``commands/signing.py``; this module only
parses input and renders output. Decisions on review steps use the generic task form
(``/tasks/{id}/act``); signing has its own requests because the signed file is made here, never named
by a form.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from commands import audit as access_log
from commands import drafting as commands
from commands import signing as signing_commands
from models.bounds import Id, Ordinal, require_ids
from models.db import reading
from models.documents import types_repo as doc_type_repo
from models.documents.access import document_for_user
from models.documents.tables import Document, StoredFile
from models.documents.text_extract import pdf_text
from models.errors import DomainError, NotFound
from models.org import repo as account_repo
from models.outgoing import repo as outgoing_repo
from models.outgoing.compare import compare_side_by_side
from models.outgoing.format_checks import check_format
from models.outgoing.schema import COMPETENCES
from models.outgoing.signing_steps import may_approve_and_sign
from models.tasks import repo as task_repo
from models.tasks.actions import ACTION_FIELDS
from models.vocab import Direction, DocumentStatus, Role, Urgency
from web import flash, lists
from web.api import read_limited
from web.deps import CsrfChecked, DbSession, Principal, State, WebUser
from web.documents import pdf_file_response, viewer_files
from web.history import history_context
from web.htmx import render
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with
from web.labels import DRAFT_FIELD_LABELS, FIELD_LABELS
from web.messages import field_errors, message_of
from workflows.contracts import ConsultTarget

router = APIRouter(route_class=IdempotentRoute)

# Form fields of the draft page that go to DraftForm as they are (lists are read separately).
DRAFT_TEXT_FIELDS = ["doc_type_id", "subject", "body", "urgency", "signer_id", "competence",
                     "competence_title", "recipient_codes", "due_date", "issued_amount", "description",
                     "in_reply_to_id"]
DRAFT_LIST_FIELDS = ["recipient_agency_ids", "recipient_unit_ids", "kinh_gui_agency_ids"]


# --- shared reads (also used by web/outgoing_api.py) ---------------------------------------------


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
        "doc_types": doc_type_repo.active_types(session, agency_id),
        "signers": outgoing_repo.signers_of(session, agency_id),
        "competences": [c for c in COMPETENCES if c],
        "hosted_agencies": account_repo.other_hosted_agencies(session, agency_id),
        "own_units": account_repo.units_of(session, agency_id, current_only=True),
        "urgencies": list(Urgency),
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
    """Văn bản đi, newest first, a page at a time, filtered by the query string (``web.lists``)."""
    return lists.render_list(request, principal, session, Direction.OUTGOING,
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
    return flash.done(request, f"/outgoing/{document.id}", f"Đã tạo dự thảo {flash.document_words(document)}.",
                      trigger=None)


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
    access_log.document_viewed(state.engine, principal.user.id, document.id, via="web", reader=session)
    tasks = task_repo.open_tasks_of(session, document.id, principal.user, principal.roles)
    is_drafter = document.created_by == principal.user.id
    return render(
        request, "outgoing/detail.html", document=document,
        revisions=outgoing_repo.revisions(session, document.id),
        comments=outgoing_repo.comments(session, document.id),
        tasks=tasks, action_fields=ACTION_FIELDS,
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
        files=viewer_files(session, document), **history_context(session, document),
        # The signer's own approval that leads straight to their signature: one action does both.
        approve_and_sign={task.id for task in tasks if may_approve_and_sign(session, task, principal.user.id)},
    )


def _back(request: Request, document_id: str, said: str) -> Response:
    """Back to the draft's page (303), saying what was done."""
    return flash.done(request, f"/outgoing/{document_id}", said)


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
    return _back(request, document_id, "Đã lưu bản dự thảo mới; các bản trước vẫn được giữ để so sánh.")


@router.post("/outgoing/{document_id}/comments")
async def comment_page(request: Request, document_id: str, principal: WebUser, state: State,
                       _: CsrfChecked) -> Response:
    form = await request.form()
    await run_in_threadpool(commands.comment_on_draft, state.engine, user=principal.user, roles=principal.roles,
                            document_id=document_id, body=str(form.get("body", "")))
    return _back(request, document_id, "Đã ghi ý kiến vào dự thảo.")


@router.post("/outgoing/{document_id}/submit")
async def submit_page(request: Request, document_id: str, principal: WebUser, state: State,
                      _: CsrfChecked) -> Response:
    form = await request.form()
    due = str(form.get("consult_due_date", "")).strip()
    targets = [ConsultTarget(unit_id=unit, due_date=due)
               for unit in require_ids("consult_unit_ids", form.getlist("consult_unit_ids"))]
    targets += [ConsultTarget(agency_id=agency, due_date=due)
                for agency in require_ids("consult_agency_ids", form.getlist("consult_agency_ids"))]
    await commands.submit_draft(state.engine, state.client, state.settings, user=principal.user,
                                roles=principal.roles, document_id=document_id, consultations=targets)
    return _back(request, document_id, "Đã trình dự thảo" + (" và gửi xin ý kiến" if targets else "") + ".")


@router.post("/outgoing/tasks/{task_id}/sign")
@answers_retries_with(RUN_AGAIN)
async def sign_page(request: Request, task_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    outcome = await signing_commands.sign_draft(
        state.engine, state.client, state.settings, state.store, task_id=task_id, user=principal.user,
        roles=principal.roles, nonce=str(form.get("nonce", "")) or uuid.uuid4().hex,
        pkcs12_password=str(form.get("pkcs12_password", "")) or None,
        token_pin=str(form.get("token_pin", "")) or None)
    target = f"/outgoing/{outcome.document_id}" + ("" if outcome.applied else "?pending=1")
    said = await run_in_threadpool(flash.decision_message, state.engine, outcome.document_id, "ky_so",
                                   applied=outcome.applied)
    return flash.done(request, target, said)


@router.post("/outgoing/tasks/{task_id}/approve-and-sign")
@answers_retries_with(RUN_AGAIN)
async def approve_and_sign_page(request: Request, task_id: Id, principal: WebUser, state: State,
                                _: CsrfChecked) -> Response:
    """The signer's approval and signature in one decision (``commands.signing.approve_and_sign``)."""
    form = await request.form()
    outcome = await signing_commands.approve_and_sign(
        state.engine, state.client, state.settings, state.store, task_id=task_id, user=principal.user,
        roles=principal.roles, nonce=str(form.get("nonce", "")) or uuid.uuid4().hex,
        comment=str(form.get("comment", "")).strip(),
        pkcs12_password=str(form.get("pkcs12_password", "")) or None,
        token_pin=str(form.get("token_pin", "")) or None)
    target = f"/outgoing/{outcome.document_id}" + ("" if outcome.applied else "?pending=1")
    said = await run_in_threadpool(flash.decision_message, state.engine, outcome.document_id, "ky_so",
                                   applied=outcome.applied)
    return flash.done(request, target, said)


@router.get("/outgoing/{document_id}/revisions/{number}/file")
def revision_file_page(request: Request, document_id: str, number: Ordinal, principal: WebUser,
                       session: DbSession, state: State) -> Response:
    document = _outgoing(session, principal, document_id)
    stored = outgoing_repo.revision_file(session, document.id, number)
    return pdf_file_response(request, state, principal.user.id, document.id, stored,
                             f"{document.id}-ban-{number}.pdf", revision=number)


@router.get("/outgoing/{document_id}/compare")
def compare_page(request: Request, document_id: str, principal: WebUser, state: State,
                 a: Annotated[Ordinal, Query()], b: Annotated[Ordinal, Query()]) -> Response:
    comparison = compare_side_by_side(state.engine, state.store, user=principal.user, roles=principal.roles,
                                      document_id=document_id, first=a, second=b,
                                      labels={**FIELD_LABELS, **DRAFT_FIELD_LABELS})
    return render(request, "outgoing/compare.html", document_id=document_id, comparison=comparison)

