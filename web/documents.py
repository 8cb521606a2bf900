"""Incoming documents in the browser: the intake form, the document page, decisions, the file."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from commands import audit as access_log
from commands import intake
from commands import tasks as task_commands
from commands.drafting import DRAFTER_ROLES
from models.bounds import Id, Ordinal, parse_id
from models.db import reading
from models.documents import repo as document_repo
from models.documents import types_repo
from models.documents.access import document_for_user
from models.documents.digitise import digitise_job
from models.documents.tables import StoredFile
from models.errors import DomainError, NotFound
from models.org import repo as account_repo
from models.org.tables import OrgUnit
from models.outgoing import repo as outgoing_repo
from models.signing.repo import current_check
from models.tasks import repo as task_repo
from models.tasks.actions import ACTION_FIELDS, officers_of_unit
from models.vocab import Direction, Role, Urgency
from web import flash, lists, supervision
from web.api import read_limited
from web.deps import CsrfChecked, DbSession, State, WebUser
from web.history import history_context
from web.htmx import render
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with, changes_nothing
from web.messages import field_errors, message_of

router = APIRouter(route_class=IdempotentRoute)

METADATA_FIELDS = ["code_number", "code_notation", "issued_date", "organ_name", "organ_id", "type_name",
                   "subject", "signer_full_name", "signer_position", "priority", "page_amount",
                   "due_date", "description"]


def _units(session, agency_id: int) -> list[OrgUnit]:
    return account_repo.units_of(session, agency_id)


def _type_names(request: Request) -> list[str]:
    """The agency's document types, suggested on the intake form (not imposed: a document of
    another sector keeps the type it carries)."""
    with reading(request.app.state.qlvb.engine) as session:
        return [t.name for t in types_repo.active_types(session, request.state.principal.user.agency_id)]


@router.get("/documents")
def document_list(request: Request, principal: WebUser, session: DbSession) -> Response:
    """Văn bản đến, newest first, a page at a time, filtered by the query string (``web.lists``)."""
    return lists.render_list(request, principal, session, Direction.INCOMING)


@router.get("/documents/new")
def intake_form(request: Request, principal: WebUser) -> Response:
    if Role.CLERK not in principal.roles:
        raise DomainError("clerk_only")
    return render(request, "documents/new.html", values={"priority": Urgency.NORMAL}, errors={},
                  error=None, urgencies=list(Urgency), paper=False,
                  type_names=_type_names(request))


@router.post("/documents/suggest")
@changes_nothing
async def suggest(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    """Re-render the metadata fields filled from the chosen PDF (htmx, on file selection)."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in METADATA_FIELDS}
    upload = form.get("file")
    suggested: dict = {}
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            suggested = await intake.suggest_metadata_from_pdf(
                await read_limited(upload, state.settings.upload_max_bytes), state.settings)
        except DomainError as error:
            return render(request, "documents/_metadata.html", "documents/_metadata.html",
                          values=values, errors={"file": message_of(error)}, urgencies=list(Urgency))
    # What the văn thư already typed wins over what was read from the file.
    merged = {**{k: str(v) for k, v in suggested.items() if k in METADATA_FIELDS},
              **{k: v for k, v in values.items() if v}}
    # The warning comes with the suggestions: before the văn thư registers, not on the page after.
    found = await asyncio.to_thread(intake.probable_duplicates, state.engine, principal.user, merged)
    return render(request, "documents/_metadata.html", "documents/_metadata.html",
                  values=merged, errors={}, urgencies=list(Urgency), suggested=sorted(suggested),
                  duplicates=found)


@router.post("/documents/duplicates")
@changes_nothing
async def duplicate_check(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    """Re-render the probable-duplicate warning for the metadata typed so far (htmx, on change)."""
    if Role.CLERK not in principal.roles:
        raise DomainError("clerk_only")
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in METADATA_FIELDS}
    found = await asyncio.to_thread(intake.probable_duplicates, state.engine, principal.user, values)
    return render(request, "documents/_duplicates.html", "documents/_duplicates.html", duplicates=found,
                  confirmed=form.get("duplicate_confirmed") == "on")


@router.get("/documents/new-paper")
def paper_intake_form(request: Request, principal: WebUser) -> Response:
    if Role.CLERK not in principal.roles:
        raise DomainError("clerk_only")
    return render(request, "documents/new.html", values={"priority": Urgency.NORMAL}, errors={},
                  error=None, urgencies=list(Urgency), paper=True,
                  type_names=_type_names(request))


@router.post("/documents/new-paper")
async def paper_intake_submit(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in METADATA_FIELDS}
    raw = {name: value for name, value in values.items() if value != ""}
    try:
        scans = [(item.filename or "ban-quet", await read_limited(item, state.settings.upload_max_bytes))
                 for item in form.getlist("scans") if isinstance(item, UploadFile) and item.filename]
        if not scans:
            raise DomainError("file_missing")
        document = await intake.receive_paper(
            state.engine, state.client, state.settings, state.store, clerk=principal.user,
            roles=principal.roles, raw_metadata=raw, scans=scans,
            duplicate_confirmed=form.get("duplicate_confirmed") == "on",
        )
    except intake.ProbableDuplicate as warning:
        return _confirm_duplicate(request, values, warning, paper=True)
    except DomainError as error:
        status = 413 if error.code == "file_too_large" else error.status
        errors = field_errors(error) or {"scans": message_of(error)}
        return render(request, "documents/new.html", status_code=status, values=values, errors=errors,
                      error=message_of(error), urgencies=list(Urgency), paper=True,
                      type_names=_type_names(request))
    return flash.done(request, f"/documents/{document.id}", f"Đã tiếp nhận bản quét {flash.document_words(document)}. "
                      "Hệ thống đang số hóa (nhận dạng chữ, ký số của cơ quan); tiến độ hiện trên trang này.")


@router.get("/documents/{document_id}/_digitise")
def digitise_progress(request: Request, document_id: str, principal: WebUser, session: DbSession) -> Response:
    document = document_for_user(session, principal.user, document_id, principal.roles)
    return render(request, "documents/_digitise_progress.html", "documents/_digitise_progress.html",
                  document=document, digitise_job=digitise_job(session, document.id))


@router.post("/documents/new")
async def intake_submit(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in METADATA_FIELDS}
    raw = {name: value for name, value in values.items() if value != ""}
    raw["paper_copy"] = form.get("paper_copy") == "on"
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise DomainError("file_missing")
        data = await read_limited(upload, state.settings.upload_max_bytes)
        document = await intake.receive_upload(
            state.engine, state.client, state.settings, state.store, clerk=principal.user,
            roles=principal.roles, raw_metadata=raw, data=data, filename=upload.filename,
            duplicate_confirmed=form.get("duplicate_confirmed") == "on",
        )
    except intake.ProbableDuplicate as warning:
        return _confirm_duplicate(request, values, warning, paper=False)
    except DomainError as error:
        status = 413 if error.code == "file_too_large" else error.status
        return render(request, "documents/new.html", status_code=status, values=values,
                      errors=field_errors(error), error=message_of(error), urgencies=list(Urgency),
                      paper=False, type_names=_type_names(request))
    return flash.done(request, f"/documents/{document.id}", f"Đã tiếp nhận văn bản {flash.document_words(document)}. "
                      "Hệ thống đang kiểm tra chữ ký số, rồi văn bản chờ vào sổ trong Hộp công việc.")


def _confirm_duplicate(request: Request, values: dict, warning: intake.ProbableDuplicate, *, paper: bool) -> Response:
    """The form again with the warning and its confirmation box: nothing was stored, no số đến taken."""
    return render(request, "documents/new.html", status_code=warning.status, values=values, errors={},
                  error=message_of(warning), urgencies=list(Urgency), paper=paper, duplicates=warning.documents,
                  type_names=_type_names(request))


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: str, principal: WebUser, session: DbSession,
                  state: State) -> Response:
    try:
        document = document_for_user(session, principal.user, document_id, principal.roles)
    except NotFound:
        if Role.SUPERVISOR not in principal.roles:
            raise
        # The province supervisor reads another agency's late document, without acting (audited).
        return supervision.supervised_document_page(request, principal, session, state, document_id)
    if document.direction != Direction.OUTGOING:  # the outgoing page records its own view
        access_log.document_viewed(state.engine, principal.user.id, document.id, via="web", reader=session)
    if document.direction == Direction.OUTGOING:  # drafts, revisions and recipients live there
        # Keep the query ("?pending=1" after a decision still in flight) for the outgoing page.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/outgoing/{document.id}{query}", status_code=303)
    open_tasks = task_repo.open_tasks_of(session, document.id, principal.user, principal.roles)
    return render(
        request, "documents/detail.html", "documents/_status.html", document=document,
        **history_context(session, document), tasks=open_tasks, files=viewer_files(session, document),
        units=_units(session, document.agency_id), action_fields=ACTION_FIELDS,
        nonce=uuid.uuid4().hex, pending=request.query_params.get("pending") == "1",
        signature_check=current_check(session, document),
        officers={task.id: officers_of_unit(session, task.unit_id) for task in open_tasks if task.unit_id},
        duplicates=document_repo.probable_duplicates(session, document),
        routed_units=document_repo.routed_units(session, document.id),
        digitise_job=digitise_job(session, document.id),
        # Replies (văn bản trả lời, ResponseFor) and whether this person may draft one.
        replies=outgoing_repo.replies_to(session, document.id),
        can_reply=bool(principal.roles & DRAFTER_ROLES) and document.agency_id == principal.user.agency_id,
    )


@router.post("/tasks/{task_id}/act")
@answers_retries_with(RUN_AGAIN)
async def act(request: Request, task_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    action = str(form.get("action", ""))
    specs = ACTION_FIELDS.get(action, [])
    fields = {}
    for spec in specs:
        values = [str(v) for v in form.getlist(spec.name) if str(v).strip()]
        if values:
            fields[spec.name] = ",".join(values) if spec.kind == "units" else values[0]
    outcome = await task_commands.act_on_task(
        state.engine, state.client, task_id=task_id, user=principal.user, roles=principal.roles,
        action=action, fields=fields, nonce=str(form.get("nonce", "")) or uuid.uuid4().hex,
    )
    target = f"/documents/{outcome.document_id}" + ("" if outcome.applied else "?pending=1")
    said = await run_in_threadpool(flash.decision_message, state.engine, outcome.document_id, action,
                                   applied=outcome.applied)
    return flash.done(request, target, said)


@router.get("/documents/{document_id}/file")
def document_file(request: Request, document_id: str, principal: WebUser, session: DbSession,
                  state: State) -> Response:
    document = document_for_user(session, principal.user, document_id, principal.roles)
    stored = session.get(StoredFile, document.file_id)
    if stored is None:
        raise NotFound("document_not_found")
    return pdf_file_response(request, state, principal.user.id, document.id, stored, f"{document.id}.pdf")


@router.get("/documents/{document_id}/attachments/{number}")
def attachment_file(request: Request, document_id: str, number: Ordinal, principal: WebUser,
                    session: DbSession, state: State) -> Response:
    """The document's ``number``-th attachment (1-based, as the page lists them)."""
    document = document_for_user(session, principal.user, document_id, principal.roles)
    attachments = document_repo.attachment_files(session, document.id)
    if number > len(attachments):
        raise NotFound("document_not_found")
    stored = attachments[number - 1]
    return pdf_file_response(request, state, principal.user.id, document.id, stored,
                             f"{document.id}-dinh-kem-{number}.pdf", attachment=number)


def pdf_file_response(request: Request, state, user_id: int, document_id: str, stored: StoredFile,
                      filename: str, **detail) -> Response:
    """A document's file. The page's viewer asks with ``?view=1``: the person is reading the document
    on its page, audited as opening it (quiet within minutes, like the page). Any other request is
    a download (``?download=1`` saves it instead of showing it) and each one is audited."""
    if request.query_params.get("view") == "1":
        access_log.document_viewed(state.engine, user_id, document_id, via="viewer")
    else:
        access_log.document_downloaded(state.engine, user_id, document_id, via="web", file=stored.sha256, **detail)
    disposition = "attachment" if request.query_params.get("download") == "1" else "inline"
    return Response(state.store.read(stored.sha256), media_type=stored.content_type or "application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})


def viewer_files(session, document) -> list[dict]:
    """What the page's viewer offers: the document's current file, then its attachments."""
    files = [{"label": "Văn bản", "url": f"/documents/{document.id}/file", "pdf": True}]
    for number, stored in enumerate(document_repo.attachment_files(session, document.id), start=1):
        files.append({"label": f"Phụ lục {number}", "url": f"/documents/{document.id}/attachments/{number}",
                      "pdf": stored.content_type == "application/pdf", "name": stored.filename})
    return files


@router.post("/tasks/{task_id}/progress")
async def progress(request: Request, task_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    task_commands.report_progress(state.engine, task_id, principal.user, principal.roles,
                             str(form.get("progress", "")))
    document_id = next(iter(request.query_params.getlist("document")), "")
    target = f"/documents/{document_id}" if document_id else "/"
    return flash.done(request, target, "Đã ghi nhận tiến độ xử lý.")


@router.post("/documents/{document_id}/reroute")
@answers_retries_with(RUN_AGAIN)
async def reroute(request: Request, document_id: str, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    unit_id, new_unit = str(form.get("unit_id", "")), str(form.get("new_unit_id", ""))
    if parse_id(unit_id) is None or (new_unit and parse_id(new_unit) is None):
        raise DomainError("invalid_fields", fields={"new_unit_id": "invalid"})
    await task_commands.reroute(state.engine, state.client, document_id=document_id, user=principal.user,
                           roles=principal.roles, unit_id=int(unit_id),
                           new_unit_id=int(new_unit) if new_unit else None,
                           reason=str(form.get("reason", "")), nonce=str(form.get("nonce", "")) or uuid.uuid4().hex)
    return flash.done(request, f"/documents/{document_id}", "Đã chuyển văn bản cho đơn vị xử lý mới; đơn vị cũ "
                      "không còn việc của văn bản này." if new_unit else "Đã rút đơn vị khỏi việc xử lý văn bản.")
