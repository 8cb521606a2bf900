"""Write operations on outgoing documents (văn bản đi), shared by the pages and API v1.

Same shape as ``web/commands.py``: check everything first (bad input changes nothing), write
blobs to the content-addressed file store, then one transaction per change. Rendering, signing
and text extraction are synchronous CPU work, so they run in ``asyncio.to_thread`` outside any
transaction. Decisions on the workflow's steps go through ``commands.act_on_task``; the two
signing commands here are the only way to decide ``ky_so``, because the signed file must be
made by QLVB itself, never named by a form.
"""

from __future__ import annotations

import asyncio
import base64
import difflib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import date

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.service import RPCError

from config.settings import Settings
from models.audit import record
from models.db import reading, transaction, utcnow
from models.documents import types_repo as doc_type_repo
from models.documents.access import document_for_user
from models.documents.file_store import FileStore
from models.documents.pdf_checks import inspect_pdf
from models.documents.repo import store_file
from models.documents.search_repo import index_document
from models.documents.tables import Document, DocumentFile, StoredFile
from models.documents.text_extract import pdf_text
from models.documents.types import DocumentType
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.org.tables import Agency, OrgUnit, User
from models.outgoing import repo as outgoing_repo
from models.outgoing.drafting import DraftContent
from models.outgoing.schema import DraftForm
from models.outgoing.tables import DraftRevision, RemoteSigning, RevisionStage
from models.processes import repo as definition_repo
from models.signing import pki
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import URGENCY_RANK, DocumentStatus, Role, TaskStatus, Urgency
from web.commands import ActionOutcome, MetadataInvalid, act_on_task
from workflows.contracts import ConsultTarget, OutgoingInput, outgoing_workflow_id
from workflows.starter import start_outgoing

log = logging.getLogger("qlvb.web")

# Who may draft (QĐ44 Điều 13.1): officers, unit heads and agency leaders; the văn thư does not.
DRAFTER_ROLES = {Role.OFFICER, Role.UNIT_LEADER, Role.AGENCY_LEADER}
CONTENT_MODES = ("form", "pdf", "docx")
SIGN_REASON = "Ký ban hành văn bản"
REMOTE_ALGORITHM = "RSASSA-PKCS1-v1_5 SHA-256"
# Pages read for comparing revisions: enough for any ordinary document, bounded for huge ones.
COMPARE_MAX_PAGES = 50


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
    if not doc_type.active:
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
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    kinh_gui_ids = set(form.kinh_gui_agency_ids)
    addressed = [a.name for a in recipients.agencies + recipients.outside
                 if not kinh_gui_ids or a.id in kinh_gui_ids]
    names = [a.name for a in recipients.agencies + recipients.outside] + [u.name for u in recipients.units]
    content = DraftContent(
        agency_name=agency.name.upper(), parent_agency_name=parent.name.upper() if parent else "",
        type_name=doc_type.base_name, type_abbr=doc_type.code, notation=notation,
        place_name=agency.place_name, subject=form.subject, body=form.body,
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
    rendered = await asyncio.to_thread(prepare_uploaded_pdf, pdf)
    return PreparedFile(rendered.pdf, rendered.page_count, content_mode, {})


def _check_attachments(attachments: list[tuple[str, bytes]]) -> None:
    """Attachments are signed by the agency when issued, so each must be a readable PDF."""
    for _name, data in attachments:
        inspect_pdf(data)


# --- drafting ----------------------------------------------------------------------------------


async def create_draft(engine: Engine, settings: Settings, store: FileStore, *, user: User, roles: set[Role],
                       raw: dict, content_mode: str, upload: bytes | None, filename: str,
                       attachments: list[tuple[str, bytes]]) -> Document:
    """Create an outgoing draft (status DRAFT) with its first revision, recipients and attachments."""
    if not roles & DRAFTER_ROLES:
        raise Forbidden("drafter_only")
    _check_sizes(settings, upload, attachments)
    form = parse_draft_form(raw)
    with reading(engine) as session:
        plan = _plan_draft(session, user, form, roles)
    prepared = await _prepare_file(plan.content, content_mode, upload)
    _check_attachments(attachments)

    digest = await asyncio.to_thread(store.put, prepared.pdf)
    attachment_digests = [(name, await asyncio.to_thread(store.put, data), len(data)) for name, data in attachments]
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
    with reading(engine) as session:
        document = _drafters_document(session, user, roles, document_id)
        outgoing_repo.require_editable(document)
        content = _revised_content(session, document, raw) if content_mode == "form" else None
    prepared = await _prepare_file(content or _empty_content(), content_mode, upload)
    digest = await asyncio.to_thread(store.put, prepared.pdf)
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
    base = session.exec(select(DraftRevision).where(DraftRevision.document_id == document.id,
                                                    DraftRevision.source == "form")
                        .order_by(DraftRevision.number.desc())).first()
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
    try:
        await start_outgoing(client, settings.temporal_task_queue, start)
    except RPCError as error:
        raise Conflict("workflow_unavailable") from error
    with transaction(engine) as session:
        document = session.get(Document, document_id)
        if document.workflow_id is None:  # a concurrent submit of the same draft already did it
            document.workflow_id = outgoing_workflow_id(document.id)
            document.process_key, document.process_version = start.process_key, start.process_version
            document.status = DocumentStatus.IN_REVIEW
            session.add(document)
            index_document(session, document)
            record(session, user.id, "document.submitted", "document", document.id,
                   process_key=start.process_key, process_version=start.process_version,
                   consultations=[asdict(t) for t in targets])
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


# --- signing -------------------------------------------------------------------------------------


@dataclass
class SigningJob:
    """The open sign step of the user and the draft revision to sign."""

    task_id: int
    document_id: str
    revision_sha: str


def _signing_job(session: Session, task_id: int, user: User, roles: set[Role]) -> SigningJob:
    """Only the designated signer's own open ``sign`` step, on a draft not signed yet."""
    task = task_repo.task_for_user(session, task_id, user, roles)
    if task.step != "sign" or task.assignee_id != user.id:
        raise DomainError("not_a_signing_task")
    if task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        raise Conflict("task_closed")
    revision = outgoing_repo.latest_revision(session, task.document_id)
    if revision is None or revision.stage != RevisionStage.DRAFT:
        raise Conflict("document_signed")
    stored = session.get(StoredFile, revision.file_id)
    return SigningJob(task.id, task.document_id, stored.sha256)


def _signature_image(settings: Settings, user: User) -> bytes:
    path = pki.signature_image_path(settings, user.username)
    if not path.is_file():
        raise DomainError("signature_image_missing")
    return path.read_bytes()


def _check_certificate(settings: Settings, user: User, certificate, intermediates=()) -> None:
    """Whose, what for, when, and trusted and not revoked (models.signing); raises its error.

    ``intermediates``: the CAs between the certificate and a trust anchor (a PKCS#12 file
    carries its issuing CA; a token's chain is found among the anchors).
    """
    from models.signing.certificates import check_signing_certificate

    crl = pki.crl_path(settings)
    check_signing_certificate(certificate, expected_full_name=user.full_name, at=utcnow(),
                              trust_roots=pki.trust_anchor_certificates(settings),
                              crl_der_list=[crl.read_bytes()] if crl.is_file() else [],
                              intermediates=list(intermediates))


def _pkcs12_provider(settings: Settings, user: User, password: str | None):
    """The user's PKCS#12 key from the demo PKI.

    In production the signer types their PKCS#12 password; it is used for this one signing and
    never stored or logged. Without one (demo only), the demo PKI's password opens the file.
    """
    from models.signing.providers import Pkcs12Provider

    try:
        path = pki.demo_pkcs12_path(settings, user.username)
    except KeyError:
        raise DomainError("signing_key_unavailable") from None
    if not path.is_file():
        raise DomainError("signing_key_unavailable")
    return Pkcs12Provider(path, password if password else pki.demo_password(settings))


def token_provider(settings: Settings, user: User, pin: str):
    """The signer's key on the configured PKCS#11 token or HSM, opened with the PIN they typed.

    The PIN is used for this one signing and never stored or logged.
    """
    from cryptography import x509

    from models.signing.providers import Pkcs11Provider

    if settings.pki_pkcs11_module is None or not settings.pki_pkcs11_token_label:
        raise DomainError("pkcs11_not_configured")
    chain = []
    if settings.pki_pkcs11_chain is not None and settings.pki_pkcs11_chain.is_file():
        chain = x509.load_pem_x509_certificates(settings.pki_pkcs11_chain.read_bytes())
    return Pkcs11Provider(settings.pki_pkcs11_module, settings.pki_pkcs11_token_label, pin,
                          key_label=user.username, cert_label=user.username, ca_chain=chain)


def _sign_with(settings: Settings, user: User, provider, pdf: bytes, image: bytes) -> bytes:
    """Check the provider's certificate, then certify the PDF (synchronous: run in a thread)."""
    from models.signing.issuing import sign_as_official

    _check_certificate(settings, user, provider.certificate, provider.ca_chain)
    return sign_as_official(pdf, provider, signature_image_png=image, signer_name=user.full_name,
                            reason=SIGN_REASON)


async def sign_draft(engine: Engine, client: Client, settings: Settings, store: FileStore, *, task_id: int,
                     user: User, roles: set[Role], nonce: str, pkcs12_password: str | None = None,
                     token_pin: str | None = None, provider=None) -> ActionOutcome:
    """The signer signs the current revision with their key, then the ``sign`` step is decided.

    The key: ``provider`` (any ``models.signing.issuing.SigningProvider``), else the configured PKCS#11
    token when ``token_pin`` is given, else the user's PKCS#12 file. A refused certificate
    changes nothing.
    """
    with reading(engine) as session:
        job = _signing_job(session, task_id, user, roles)
    image = _signature_image(settings, user)
    if provider is None and token_pin:
        provider = token_provider(settings, user, token_pin)
    provider = provider or _pkcs12_provider(settings, user, pkcs12_password)
    pdf = await asyncio.to_thread(store.read, job.revision_sha)
    signed = await asyncio.to_thread(_sign_with, settings, user, provider, pdf, image)
    return await _decide_signed(engine, client, store, job, user, roles, signed, nonce)


async def _decide_signed(engine: Engine, client: Client, store: FileStore, job: SigningJob, user: User,
                         roles: set[Role], signed: bytes, nonce: str) -> ActionOutcome:
    """Keep the signed file, then decide ``ky_so`` naming it (the activity makes it a revision)."""
    sha = await asyncio.to_thread(store.put, signed)
    with transaction(engine) as session:
        document = session.get(Document, job.document_id)
        store_file(session, sha256=sha, size=len(signed), content_type="application/pdf",
                   filename=f"{document.code_notation or 'van-ban'}-da-ky.pdf", user_id=user.id)
    return await act_on_task(engine, client, task_id=job.task_id, user=user, roles=roles, action="ky_so",
                             fields={}, server_fields={"file_sha256": sha}, nonce=nonce)


async def prepare_remote_signing(engine: Engine, settings: Settings, store: FileStore, *, task_id: int,
                                 user: User, roles: set[Role], certificate_pem: bytes) -> dict:
    """Step 1 of signing with a key the server never sees (a USB token plug-in, a remote service).

    ``certificate_pem``: the signer's certificate, followed by its issuing CAs when the trust
    anchors hold only the root (PEM), or one DER certificate.

    The prepared PDF waits in the file store and the signed attributes in a ``remote_signing``
    row; only the 32-byte digest leaves the server.
    """
    from cryptography import x509

    from models.signing.remote import prepare_remote_signature

    try:
        # PEM: the signer's certificate first, then its issuing CAs (as a token exports them).
        certificates = (x509.load_pem_x509_certificates(certificate_pem) if b"-----BEGIN" in certificate_pem
                        else [x509.load_der_x509_certificate(certificate_pem)])
    except ValueError:
        raise DomainError("certificate_unreadable") from None
    certificate, given_chain = certificates[0], certificates[1:]
    with reading(engine) as session:
        job = _signing_job(session, task_id, user, roles)
    image = _signature_image(settings, user)
    # The issuing CA travels in the signature, so a recipient can build the path to the root.
    chain = given_chain or [ca for ca in pki.trust_anchor_certificates(settings) if ca.subject == certificate.issuer]
    await asyncio.to_thread(_check_certificate, settings, user, certificate, chain)
    pdf = await asyncio.to_thread(store.read, job.revision_sha)
    pending = await asyncio.to_thread(prepare_remote_signature, pdf, certificate.public_bytes(_pem()), chain,
                                      signature_image_png=image, reason=SIGN_REASON, signer_name=user.full_name)
    prepared_sha = await asyncio.to_thread(store.put, pending.prepared_pdf)
    payload = json.loads(pending.to_json())
    del payload["prepared_pdf"]  # the PDF is in the file store
    with transaction(engine) as session:
        stored = store_file(session, sha256=prepared_sha, size=len(pending.prepared_pdf),
                            content_type="application/pdf", filename="cho-ky.pdf", user_id=user.id)
        row = RemoteSigning(document_id=job.document_id, user_id=user.id, task_id=job.task_id,
                            prepared_file_id=stored.id, payload=payload)
        session.add(row)
        session.flush()
        record(session, user.id, "document.remote_signing_prepared", "document", job.document_id,
               remote_id=row.id, task_id=job.task_id)
        remote_id = row.id
    return {"remote_id": remote_id,
            "data_to_sign_sha256": base64.b64encode(pending.data_to_sign_sha256).decode("ascii"),
            "algorithm": REMOTE_ALGORITHM}


def _pem():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.PEM


async def complete_remote_signing(engine: Engine, client: Client, settings: Settings, store: FileStore, *,
                                  remote_id: int, user: User, roles: set[Role], signature: bytes,
                                  nonce: str) -> ActionOutcome:
    """Step 2: embed the device's signature (verified against the certificate), decide ``ky_so``."""
    from models.signing.remote import PendingRemoteSignature, complete_remote_signature

    with reading(engine) as session:
        row = session.get(RemoteSigning, remote_id)
        if row is None or row.user_id != user.id:
            raise NotFound("remote_signing_not_found")
        if row.completed_at is not None:
            raise Conflict("remote_signing_completed")
        job = _signing_job(session, row.task_id, user, roles)
        prepared_sha = session.get(StoredFile, row.prepared_file_id).sha256
        payload = dict(row.payload)
    prepared_pdf = await asyncio.to_thread(store.read, prepared_sha)
    payload["prepared_pdf"] = base64.b64encode(prepared_pdf).decode("ascii")
    pending = PendingRemoteSignature.from_json(json.dumps(payload))
    signed = await asyncio.to_thread(complete_remote_signature, pending, signature)
    with transaction(engine) as session:
        row = session.get(RemoteSigning, remote_id)
        row.completed_at = utcnow()
        session.add(row)
    return await _decide_signed(engine, client, store, job, user, roles, signed, nonce)


# --- reading helpers that need the file store ----------------------------------------------------


def compare_revisions(engine: Engine, store: FileStore, *, user: User, roles: set[Role], document_id: str,
                      first: int, second: int) -> list[str]:
    """A unified diff of two revisions' text, then of their form fields (for form revisions)."""
    with reading(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        pair = []  # (number, file sha256, form), read while the session is open
        for number in (first, second):
            revision = session.exec(select(DraftRevision).where(DraftRevision.document_id == document.id,
                                                                DraftRevision.number == number)).first()
            if revision is None:
                raise NotFound("revision_not_found")
            pair.append((number, session.get(StoredFile, revision.file_id).sha256, dict(revision.form)))
    (old, old_sha, old_form), (new, new_sha, new_form) = pair
    old_text = pdf_text(store.read(old_sha), max_pages=COMPARE_MAX_PAGES).splitlines()
    new_text = pdf_text(store.read(new_sha), max_pages=COMPARE_MAX_PAGES).splitlines()
    lines = list(difflib.unified_diff(old_text, new_text, f"Bản {old}", f"Bản {new}", lineterm=""))
    if old_form or new_form:
        lines += list(difflib.unified_diff(_form_lines(old_form), _form_lines(new_form),
                                           f"Thông tin bản {old}", f"Thông tin bản {new}", lineterm=""))
    return lines


def _form_lines(form: dict) -> list[str]:
    lines = []
    for key in sorted(form):
        value = form[key]
        text = "\n".join(value) if isinstance(value, list) else str(value if value is not None else "")
        lines += [f"{key}: {line}" for line in text.splitlines() or [""]]
    return lines


def open_tasks_of(session: Session, document_id: str, user: User, roles: set[Role]) -> list[Task]:
    """The user's open steps on a document (what the page offers them to do)."""
    return [task for task in session.exec(select(Task).where(
                Task.document_id == document_id,
                Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.COMPLETING])))
            if task.assignee_id == user.id or task_repo.is_candidate(task, user, roles)]
