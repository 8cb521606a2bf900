"""Drafts of outgoing documents (văn bản đi): creating, revising, commenting, submitting.

Check everything first (bad input changes nothing), write blobs to the content-addressed file
store, then one transaction per change. Rendering and text extraction are synchronous CPU work,
so they run in ``asyncio.to_thread`` outside any transaction. Decisions on the workflow's steps go
through ``commands.tasks.act_on_task``; the signature is ``commands.signing``. Comparing two
revisions is a read: ``models.outgoing.compare``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import asdict, dataclass
from datetime import date

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client
from temporalio.service import RPCError

from commands import uploads
from commands.intake import MetadataInvalid
from config.settings import Settings
from models.audit import record
from models.db import reading, transaction, utcnow
from models.documents import lifecycle
from models.documents import types_repo as doc_type_repo
from models.documents.access import document_for_user
from models.documents.file_store import FileStore
from models.documents.pdf_checks import inspect_pdf
from models.documents.repo import store_file
from models.documents.search_repo import index_document
from models.documents.tables import Document, DocumentFile
from models.documents.types import DocumentType
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.org.dated_repo import name_on
from models.org.tables import Agency, OrgUnit, User
from models.outgoing import repo as outgoing_repo
from models.outgoing.drafting import DraftContent
from models.outgoing.schema import DraftForm
from models.outgoing.tables import DraftRevision, RevisionStage
from models.processes import repo as definition_repo
from models.registers.numbering import vietnam_date
from models.text import refuse_unsafe_text
from models.vocab import URGENCY_RANK, DocumentStatus, Role, Urgency
from workflows.contracts import ConsultTarget, OutgoingInput, outgoing_workflow_id
from workflows.starter import start_outgoing

log = logging.getLogger("qlvb.web")

# Who may draft (QĐ44 Điều 13.1): officers, unit heads and agency leaders; the văn thư does not.
DRAFTER_ROLES = {Role.OFFICER, Role.UNIT_LEADER, Role.AGENCY_LEADER}
CONTENT_MODES = ("form", "pdf", "docx")


# --- input ------------------------------------------------------------------------------------


def parse_draft_form(raw: dict) -> DraftForm:
    """Validate a draft's metadata; a secret marking raises ``secret_draft`` directly."""
    try:
        return DraftForm.model_validate(raw)
    except ValidationError as error:
        raise MetadataInvalid(error) from None


def _field_error(field: str, kind: str) -> DomainError:
    """One invalid field, in the shape ``MetadataInvalid`` gives (pages mark the field)."""
    return DomainError("invalid_metadata", errors=[{"field": field, "type": kind, "ctx": {}}])


def _check_sizes(settings: Settings, upload: bytes | None, attachments: list[tuple[str, bytes]]) -> None:
    total = len(upload or b"") + sum(len(data) for _, data in attachments)
    if total > settings.upload_max_bytes:
        raise DomainError("file_too_large", limit=settings.upload_max_bytes)


# --- what a draft is made of -------------------------------------------------------------------


@dataclass
class DraftPlan:
    """Everything checked before a draft is written; built again inside the write transaction."""

    doc_type: DocumentType
    signer: User
    recipients: outgoing_repo.ResolvedRecipients
    notation: str
    content: DraftContent
    process_key: str


def _plan_draft(session: Session, user: User, form: DraftForm, roles: set[Role] | None = None) -> DraftPlan:
    """Check type, signer, recipients, the answered document and the process; compose the content."""
    if form.in_reply_to_id:
        outgoing_repo.reply_target(session, user, roles or set(), form.in_reply_to_id)
    doc_type = doc_type_repo.type_by_id(session, form.doc_type_id)
    if not doc_type_repo.offered_to(session, doc_type, user.agency_id):  # the agency's types only
        raise _field_error("doc_type_id", "invalid")
    signer = outgoing_repo.check_signer(session, user.agency_id, form.signer_id)
    recipients = outgoing_repo.resolve_recipients(session, user.agency_id, form)
    agency = session.get(Agency, user.agency_id)
    process = definition_repo.outgoing_process_for(session, agency.code, doc_type.name)
    unit = session.get(OrgUnit, user.unit_id) if user.unit_id else None
    notation = draft_notation(doc_type, agency, unit)
    content = _content(session, form, doc_type, agency, unit, signer, recipients, notation, user)
    return DraftPlan(doc_type, signer, recipients, notation, content, process.key)


def draft_notation(doc_type: DocumentType, agency: Agency, unit: OrgUnit | None) -> str:
    """The ký hiệu (ND30 PL I II.3): "QĐ-UBND"; a công văn's is agency and drafting unit, "VP-TH"."""
    if doc_type.code:
        return f"{doc_type.code}-{agency.abbreviation}"
    return f"{agency.abbreviation}-{unit.abbreviation}" if unit else agency.abbreviation


def _content(session: Session, form: DraftForm, doc_type: DocumentType, agency: Agency, unit: OrgUnit | None,
             signer: User, recipients: outgoing_repo.ResolvedRecipients, notation: str, drafter: User) -> DraftContent:
    # The letterhead and place name in force on the day the draft is composed (the expected issue
    # date): a rename keeps the former name for earlier documents (DOMAIN §10.3.3).
    issue_day = vietnam_date(utcnow())
    agency_name, place_name = name_on(session, agency, issue_day)
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    parent_name = name_on(session, parent, issue_day)[0] if parent else ""
    kinh_gui_ids = set(form.kinh_gui_agency_ids)
    addressed = [a.name for a in recipients.agencies + recipients.outside
                 if not kinh_gui_ids or a.id in kinh_gui_ids]
    names = [a.name for a in recipients.agencies + recipients.outside] + [u.name for u in recipients.units]
    content = DraftContent(
        agency_name=agency_name.upper(), parent_agency_name=parent_name.upper(),
        type_name=doc_type.base_name, type_abbr=doc_type.code, notation=notation,
        place_name=place_name, subject=form.subject, body=form.body,
        signer_competence=form.signer_competence, signer_position=signer.position.upper(),
        signer_full_name=signer.full_name, noi_nhan=[f"- {name}" for name in names],
        storage_unit_abbr=unit.abbreviation if unit else "", urgency=str(form.urgency),
        drafter_initials="".join(word[0] for word in drafter.full_name.split()).upper(),
        copies=form.issued_amount,
    )
    if content.is_cong_van:
        content.kinh_gui = addressed
    return content


@dataclass
class PreparedFile:
    """A draft PDF with its issuing fields, ready to store."""

    pdf: bytes
    page_count: int
    source: str
    form: dict


async def _prepare_file(content: DraftContent, content_mode: str, upload: bytes | None) -> PreparedFile:
    """Render the form, or add the issuing fields to an uploaded PDF / converted .docx."""
    from models.outgoing.render import render_document
    from models.outgoing.upload import convert_docx_to_pdf, prepare_uploaded_pdf

    if content_mode not in CONTENT_MODES:
        raise _field_error("content_mode", "invalid")
    if content_mode == "form":
        if not content.body.strip():
            raise _field_error("body", "required")
        rendered = await asyncio.to_thread(render_document, content)
        return PreparedFile(rendered.pdf, rendered.page_count, "form", asdict(content))
    if not upload:
        raise DomainError("file_missing")
    pdf = await asyncio.to_thread(convert_docx_to_pdf, upload) if content_mode == "docx" else upload
    rendered = await prepare_uploaded_pdf.off_loop(pdf)  # a limited child process
    return PreparedFile(rendered.pdf, rendered.page_count, content_mode, {})


async def _check_attachments(attachments: list[tuple[str, bytes]]) -> None:
    """Attachments are signed by the agency when issued, so each must be a readable PDF."""
    for _name, data in attachments:
        await inspect_pdf.off_loop(data)


# --- drafting ----------------------------------------------------------------------------------


async def create_draft(engine: Engine, settings: Settings, store: FileStore, *, user: User, roles: set[Role],
                       raw: dict, content_mode: str, upload: bytes | None, filename: str,
                       attachments: list[tuple[str, bytes]]) -> Document:
    """Create an outgoing draft (status DRAFT) with its first revision, recipients and attachments."""
    if not roles & DRAFTER_ROLES:
        raise Forbidden("drafter_only")
    _check_sizes(settings, upload, attachments)
    form = parse_draft_form(raw)
    content = await asyncio.to_thread(_planned_content, engine, user, form, roles)
    prepared = await _prepare_file(content, content_mode, upload)
    await _check_attachments(attachments)  # limited child processes, off the loop

    written = await asyncio.to_thread(uploads.write_blobs, store, [prepared.pdf, *(data for _, data in attachments)])
    attachment_digests = [(name, digest, len(data))
                          for (name, data), digest in zip(attachments, written.digests[1:], strict=True)]
    return await uploads.recorded(engine, store, written, functools.partial(
        _write_draft, engine, user, roles, form, prepared, filename, written.digests[0], attachment_digests))


def _planned_content(engine: Engine, user: User, form: DraftForm, roles: set[Role]) -> DraftContent:
    """Check a new draft's plan in a read-only transaction; return the content to render."""
    with reading(engine) as session:
        return _plan_draft(session, user, form, roles).content


def _write_draft(engine: Engine, user: User, roles: set[Role], form: DraftForm, prepared: PreparedFile,
                 filename: str, digest: str, attachment_digests: list[tuple[str, str, int]]) -> Document:
    """Write the draft, its first revision and its attachments in one transaction."""
    with transaction(engine) as session:
        plan = _plan_draft(session, user, form, roles)  # the same checks, on rows attached to this session
        stored = store_file(session, sha256=digest, size=len(prepared.pdf), content_type="application/pdf",
                            filename=filename or "du-thao.pdf", user_id=user.id)
        document = outgoing_repo.create_draft(
            session, drafter=user, form=form, doc_type=plan.doc_type, recipients=plan.recipients,
            signer=plan.signer, stored=stored, source=prepared.source, content=prepared.form,
            page_count=prepared.page_count, process_key=plan.process_key)
        document.code_notation = plan.notation
        session.add(document)
        for name, sha, size in attachment_digests:
            attachment = store_file(session, sha256=sha, size=size, content_type="application/pdf",
                                    filename=name or "phu-luc.pdf", user_id=user.id)
            session.add(DocumentFile(document_id=document.id, file_id=attachment.id, role="attachment"))
        index_document(session, document)
    return document


def _drafters_document(session: Session, user: User, roles: set[Role], document_id: str) -> Document:
    """An outgoing document the user drafted; anything else is not theirs to change."""
    document = document_for_user(session, user, document_id, roles)
    if document.direction != "outgoing":
        raise NotFound("document_not_found")
    if document.created_by != user.id:
        raise Forbidden("drafter_only")
    return document


async def revise_draft(engine: Engine, settings: Settings, store: FileStore, *, user: User, roles: set[Role],
                       document_id: str, raw: dict, content_mode: str, upload: bytes | None = None,
                       filename: str = "", note: str = "") -> DraftRevision:
    """A new revision by the drafter, before submission or after a send-back.

    ``form``: the previous form revision with the changed ``subject``/``body`` from ``raw``,
    rendered again; ``pdf``/``docx``: an uploaded file. Earlier revisions are kept.
    """
    _check_sizes(settings, upload, [])
    content = await asyncio.to_thread(_revision_content, engine, user, roles, document_id, raw, content_mode)
    prepared = await _prepare_file(content or _empty_content(), content_mode, upload)
    written = await asyncio.to_thread(uploads.write_blobs, store, [prepared.pdf])
    return await uploads.recorded(engine, store, written, functools.partial(
        _write_revision, engine, user, roles, document_id, prepared, written.digests[0], content, filename, note))


def _revision_content(engine: Engine, user: User, roles: set[Role], document_id: str, raw: dict,
                      content_mode: str) -> DraftContent | None:
    """Check the draft may be revised; the changed form content (``None`` for an uploaded file)."""
    with reading(engine) as session:
        document = _drafters_document(session, user, roles, document_id)
        outgoing_repo.require_editable(document)
        return _revised_content(session, document, raw) if content_mode == "form" else None


def _write_revision(engine: Engine, user: User, roles: set[Role], document_id: str, prepared: PreparedFile,
                    digest: str, content: DraftContent | None, filename: str, note: str) -> DraftRevision:
    """Add the stored file as the draft's next revision in one transaction."""
    with transaction(engine) as session:
        document = _drafters_document(session, user, roles, document_id)
        outgoing_repo.require_editable(document)  # again: a submit may have happened meanwhile
        stored = store_file(session, sha256=digest, size=len(prepared.pdf), content_type="application/pdf",
                            filename=filename or "du-thao.pdf", user_id=user.id)
        revision = outgoing_repo.add_revision(session, document, stored, stage=RevisionStage.DRAFT,
                                              source=prepared.source, form=prepared.form, user_id=user.id,
                                              note=note)
        if content is not None:
            document.subject = content.subject
        document.page_amount = prepared.page_count
        session.add(document)
        index_document(session, document)
        record(session, user.id, "document.revised", "document", document.id, revision=revision.number,
               source=prepared.source, sha256=digest)
    return revision


def _revised_content(session: Session, document: Document, raw: dict) -> DraftContent:
    """The last form revision's content with the drafter's changes (subject, body)."""
    base = outgoing_repo.latest_form_revision(session, document.id)
    if base is None or not base.form:
        # An uploaded draft has no form to change: the drafter uploads the next version too.
        raise _field_error("content_mode", "invalid")
    content = DraftContent(**base.form)
    subject = str(raw.get("subject", content.subject)).strip()
    if not subject:
        raise _field_error("subject", "required")
    if len(subject) > 500:
        raise _field_error("subject", "too_long")
    content.subject = subject
    content.body = str(raw.get("body", content.body))
    return content


def _empty_content() -> DraftContent:
    return DraftContent(agency_name="", type_name="", notation="", place_name="", subject="", body="",
                        signer_position="", signer_full_name="")


def comment_on_draft(engine: Engine, *, user: User, roles: set[Role], document_id: str, body: str) -> None:
    """Anyone who can see an outgoing document may comment on its current revision."""
    refuse_unsafe_text(body=body)
    with transaction(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        if document.direction != "outgoing":
            raise NotFound("document_not_found")
        comment = outgoing_repo.add_comment(session, document, author_id=user.id, body=body,
                                            unit_id=user.unit_id, agency_id=user.agency_id)
        record(session, user.id, "document.commented", "document", document.id,
               comment_id=comment.id, revision=comment.revision_number)


# --- submission ----------------------------------------------------------------------------------


async def submit_draft(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                       document_id: str, consultations: list[ConsultTarget]) -> Document:
    """Start the outgoing process of a draft that was never submitted.

    The workflow is started first (its id derives from the document, so a retry reuses it), and
    only then does one transaction mark the document submitted: if Temporal is unreachable,
    nothing changed and the drafter tries again. A draft sent back is resubmitted through its
    "revise" step (``trinh_lai``), not here.
    """
    start, targets = await asyncio.to_thread(_submission, engine, user, roles, document_id, consultations)
    try:
        await start_outgoing(client, settings.temporal_task_queue, start)
    except RPCError as error:
        raise Conflict("workflow_unavailable") from error
    return await asyncio.to_thread(_mark_submitted, engine, user, document_id, start, targets)


def _submission(engine: Engine, user: User, roles: set[Role], document_id: str,
                consultations: list[ConsultTarget]) -> tuple[OutgoingInput, list[ConsultTarget]]:
    """Check the draft may be submitted; the workflow's input and the checked consultations."""
    with reading(engine) as session:
        document = _drafters_document(session, user, roles, document_id)
        if document.status != DocumentStatus.DRAFT or document.workflow_id is not None:
            raise Conflict("draft_already_submitted")
        agency = session.get(Agency, document.agency_id)
        process = definition_repo.outgoing_process_for(session, agency.code, document.type_name)
        consult_step = next((s for s in process.body.get("steps", []) if s.get("kind") == "consult"), None)
        if consult_step and consult_step.get("required") and not consultations:
            raise DomainError("consultation_required")
        targets = _checked_consultations(session, agency, consultations)
        start = OutgoingInput(
            document_id=document.id, agency_id=agency.id, agency_code=agency.code,
            urgency_rank=URGENCY_RANK[Urgency(document.urgency)], process_key=process.key,
            process_version=process.version, drafter_id=user.id, signer_id=document.signer_id,
            drafting_unit_id=document.drafting_unit_id, consultations=targets)
    return start, targets


def _mark_submitted(engine: Engine, user: User, document_id: str, start: OutgoingInput,
                    targets: list[ConsultTarget]) -> Document:
    """Mark the draft submitted (in review) in one transaction, once its workflow has started."""
    with transaction(engine) as session:
        document = session.get(Document, document_id)
        if document.workflow_id is None:  # a concurrent submit of the same draft already did it
            document.workflow_id = outgoing_workflow_id(document.id)
            document.process_key, document.process_version = start.process_key, start.process_version
            lifecycle.change(session, document, "document.submitted", actor_id=user.id,
                             status=DocumentStatus.IN_REVIEW, process_key=start.process_key,
                             process_version=start.process_version, consultations=[asdict(t) for t in targets])
    return document


def _checked_consultations(session: Session, agency: Agency, targets: list[ConsultTarget]) -> list[ConsultTarget]:
    """Own units or agencies of the installation, each once, with a deadline not in the past."""
    checked: list[ConsultTarget] = []
    seen: set[tuple] = set()
    for target in targets:
        if (target.unit_id is None) == (target.agency_id is None):
            raise _field_error("consultations", "invalid")
        if target.unit_id is not None:
            unit = session.get(OrgUnit, target.unit_id)
            if unit is None or unit.agency_id != agency.id or unit.valid_to is not None:
                raise _field_error("consultations", "invalid")
        else:
            other = session.get(Agency, target.agency_id)
            if other is None or not other.hosted or other.id == agency.id or other.valid_to is not None:
                raise _field_error("consultations", "invalid")
        if target.due_date:
            try:
                if date.fromisoformat(target.due_date) < date.today():
                    raise _field_error("consultations", "past_date")
            except ValueError:
                raise _field_error("consultations", "invalid") from None
        key = (target.unit_id, target.agency_id)
        if key not in seen:
            seen.add(key)
            checked.append(ConsultTarget(unit_id=target.unit_id, agency_id=target.agency_id,
                                         due_date=target.due_date))
    return checked
