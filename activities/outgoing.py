"""Side effects of the outgoing lifecycle: decisions on drafts, issuing, and delivery.

Each activity owns its transactions and is idempotent on a business key: the task (workflow id +
task key) for decisions, the register entry of the workflow for issuing, the recipient row for
delivery.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.cancellation import heartbeating, heartbeating_async, raise_if_cancelled
from activities.exchange import start_deliveries
from activities.keys import agency_signing_key
from config.settings import Settings
from models.audit import record
from models.calendar import repo as calendar_repo
from models.calendar.workdays import issue_deadline
from models.db import transaction, utcnow
from models.documents import lifecycle
from models.documents import repo as document_repo
from models.documents.file_store import FileStore
from models.documents.repo import intake_input
from models.documents.tables import Document, DocumentFile, StoredFile
from models.documents.types import DocumentType
from models.errors import INTERRUPTIONS
from models.notifications.notify import notify, people_with_role
from models.org.tables import Agency, User
from models.outgoing import repo as outgoing_repo
from models.outgoing.delivery import deliver, queue_for_hub
from models.outgoing.drafting import date_text
from models.outgoing.tables import RevisionStage
from models.registers import repo as register_repo
from models.registers.numbering import document_identifier, format_number, so_ky_hieu, vietnam_date
from models.signing import issuing as signing
from models.signing import pki
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from models.tasks import repo as task_repo
from models.tasks.actions import actions_of, status_after
from models.vocab import Action, DocumentStatus, Role
from workflows.contracts import (
    ApplyDecisionInput,
    ApplyDecisionResult,
    DispatchResult,
    HubSend,
    IncomingInput,
    IssueInput,
)
from workflows.starter import start_incoming

log = logging.getLogger("qlvb.outgoing")

# The decisions on drafts that apply_draft_decision records (issuing is issue_outgoing's).
DRAFT_ACTIONS = actions_of("outgoing")


class OutgoingActivities:
    """Decisions on drafts, issuing and delivery."""

    def __init__(self, engine: Engine, file_store: FileStore, settings: Settings,
                 client: Client | None = None) -> None:
        self.engine = engine
        self.file_store = file_store
        self.settings = settings
        # Delivery starts the recipients' incoming workflows; without a client (tests of the
        # activity alone) the worker's reconciler starts them.
        self.client = client

    @activity.defn(name="apply_outgoing_decision")
    def apply_outgoing_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        """Close the task and apply the decision to the draft, in one transaction.

        Idempotency key: (workflow id, task key); a retry after commit changes nothing.
        """
        with transaction(self.engine) as session:
            document = _document(session, request.document_id)
            if request.action not in DRAFT_ACTIONS:
                raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
            if not task_repo.close_task(session, request.workflow_id, request.task_key, request.action,
                                        request.actor_id):
                return ApplyDecisionResult(str(document.status))
            fields = request.fields
            if request.action == Action.GIVE_OPINION:
                actor = session.get(User, request.actor_id)
                outgoing_repo.add_comment(session, document, author_id=request.actor_id, kind="opinion",
                                          body=fields.get("opinion", ""), unit_id=request.unit_id,
                                          agency_id=actor.agency_id if actor else None, task_key=request.task_key)
            elif request.action in (Action.SEND_BACK, Action.APPROVE) and fields.get("comment", "").strip():
                outgoing_repo.add_comment(session, document, author_id=request.actor_id,
                                          kind="return" if request.action == Action.SEND_BACK else "comment",
                                          body=fields["comment"], task_key=request.task_key)
            elif request.action == Action.SIGN:
                self._record_signature(session, document, request)
            lifecycle.change(session, document, f"document.{request.action}", actor_id=request.actor_id,
                             status=status_after(request.action), **{**fields, "step": request.step})
            if request.action == Action.SEND_BACK:
                notify(session, [document.created_by], document.id, "draft_returned", subject=document.subject)
            return ApplyDecisionResult(str(document.status))

    def _record_signature(self, session: Session, document: Document, request: ApplyDecisionInput) -> None:
        """The signed file (already stored by the signing request) becomes a revision."""
        stored = document_repo.newest_stored_file(session, request.fields.get("file_sha256", ""))
        if stored is None:
            raise ApplicationError("signed_file_missing", type="signed_file_missing", non_retryable=True)
        outgoing_repo.add_revision(session, document, stored, stage=RevisionStage.SIGNED, source="signing",
                                   user_id=request.actor_id, note="Bản đã ký số")
        document.signed_at = utcnow()

    @activity.defn(name="issue_outgoing")
    def issue_outgoing(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        """Issue the signed document (QĐ44 Điều 13.4): number, date, agency signature, register.

        1. One transaction takes the number from the type's series for the year (idempotent
           on the workflow id: a retry gets the same number) and notes it on the document.
        2. Outside any transaction: the số/ký hiệu and the date are written into the signed
           PDF's fields, the agency signs with its seal (locking the fields), each separate
           attachment gets its text-only agency signature, and the result is validated: every
           signature must be intact and trusted, or nothing is issued.
        3. One transaction stores the issued file as the last revision, closes the task and
           records the DocumentId, the issue time and whether it was late.
        """
        plan = self._allocate(request)
        if plan is None:  # issued by an earlier attempt
            with transaction(self.engine) as session:
                task_repo.close_task(session, request.workflow_id, request.task_key, request.action,
                                     request.actor_id)
                return ApplyDecisionResult(str(_document(session, request.document_id).status))
        issued_pdf, issued_attachments = self._seal(plan)
        issued_sha = self.file_store.put(issued_pdf)
        attachment_shas = [(name, self.file_store.put(data)) for name, data in issued_attachments]
        with transaction(self.engine) as session:
            document = _document(session, request.document_id)
            if outgoing_repo.latest_revision(session, document.id, RevisionStage.ISSUED) is not None:
                return ApplyDecisionResult(str(document.status))
            stored = _stored(session, issued_sha, len(issued_pdf), f"{plan.file_stem}.pdf", request.actor_id)
            outgoing_repo.add_revision(session, document, stored, stage=RevisionStage.ISSUED, source="issuing",
                                       user_id=request.actor_id, note=f"Văn bản ban hành số {plan.so_ky_hieu}")
            for name, sha in attachment_shas:
                attachment = _stored(session, sha, len(self.file_store.read(sha)), name, request.actor_id)
                session.add(DocumentFile(document_id=document.id, file_id=attachment.id, role="attachment_issued"))
            now = utcnow()
            overrides = calendar_repo.overrides(session)
            document.issued_at = now
            document.issued_late = document.signed_at is not None and now > issue_deadline(document.signed_at, overrides)
            task_repo.close_task(session, request.workflow_id, request.task_key, request.action, request.actor_id)
            if document.paper_copy:
                # QĐ44 Điều 5.5: the văn thư prints the signed file, stamps it and posts it.
                notify(session, people_with_role(session, document.agency_id, Role.CLERK), document.id,
                       "paper_copy_needed", subject=document.subject)
            lifecycle.change(session, document, "document.ban_hanh", actor_id=request.actor_id,
                             status=DocumentStatus.ISSUED, at=now, number=plan.number, notation=plan.notation,
                             register_id=plan.register_id, document_identifier=document.external_document_id,
                             sha256=issued_sha, late=document.issued_late, attachments=len(attachment_shas))
            return ApplyDecisionResult(str(document.status))

    def _allocate(self, request: ApplyDecisionInput) -> IssuePlan | None:
        with transaction(self.engine) as session:
            document = _document(session, request.document_id)
            if outgoing_repo.latest_revision(session, document.id, RevisionStage.ISSUED) is not None:
                return None
            signed = outgoing_repo.latest_revision(session, document.id, RevisionStage.SIGNED)
            if signed is None:
                raise ApplicationError("document_not_signed", type="document_not_signed", non_retryable=True)
            doc_type = session.get(DocumentType, document.doc_type_id) if document.doc_type_id else None
            if doc_type is None:
                raise ApplicationError("document_type_missing", type="document_type_missing", non_retryable=True)
            register = register_repo.outgoing_register_for(session, document.agency_id, doc_type)
            entry, allocated_now = register_repo.allocate_number(
                session, register.id, request.workflow_id, document.id, utcnow())
            issued_on = vietnam_date(entry.allocated_at)
            number = format_number(entry.number)
            agency = session.get(Agency, document.agency_id)
            document.code_number = number
            document.issued_date = issued_on
            document.external_document_id = document_identifier(agency.code, issued_on, number, document.code_notation)
            session.add(document)
            if allocated_now:
                record(session, request.actor_id, "register.number_allocated", "document", document.id,
                       register_id=register.id, year=entry.year, number=entry.number)
            attachments = document_repo.files_in_role(session, document.id, "attachment")
            signed_file = session.get(StoredFile, signed.file_id)
            return IssuePlan(number=number, notation=document.code_notation, issued_on=issued_on,
                             register_id=register.id, agency_code=agency.code, signed_sha=signed_file.sha256,
                             attachments=[(sha, name) for sha, name in attachments],
                             file_stem=f"{number}-{document.code_notation}".replace("/", "-"))

    def _seal(self, plan: IssuePlan) -> tuple[bytes, list[tuple[str, bytes]]]:
        signer = agency_signing_key(self.settings, plan.agency_code)
        seal = pki.seal_image_path(self.settings, plan.agency_code)
        if not seal.exists():
            raise ApplicationError(f"seal_image_missing: {plan.agency_code}", type="seal_image_missing",
                                   non_retryable=True)
        # Each step is one long call (fonts, pyHanko): a background heartbeat keeps it alive.
        with heartbeating("fill"):
            filled = signing.fill_number_and_date(self.file_store.read(plan.signed_sha),
                                                  so_ky_hieu=plan.so_ky_hieu, date_text=date_text(plan.issued_on))
        with heartbeating("seal"):
            sealed = signing.sign_as_agency(filled, signer, seal_image_png=seal.read_bytes(),
                                            reason=f"Ban hành văn bản số {plan.so_ky_hieu}")
        attachments = []
        for sha, name in plan.attachments:
            with heartbeating(f"attachment {name}"):
                attachments.append((name, signing.sign_attachment(self.file_store.read(sha), signer,
                                                                  so_ky_hieu=plan.so_ky_hieu, at=utcnow())))
        roots = pki.trust_anchor_certificates(self.settings)
        for name, data in [("main", sealed)] + attachments:
            with heartbeating(f"check {name}"):
                report = check_pdf_signatures(data, roots)
            raise_if_cancelled("the check of the issued file")
            if report.verdict != SignatureVerdict.VALID:
                # Never issue a file a recipient would reject; the văn thư sees the failure.
                raise ApplicationError(f"issued_file_invalid: {name}: {report.verdict}",
                                       type="issued_file_invalid", non_retryable=True)
        return sealed, attachments

    @activity.defn(name="dispatch_outgoing")
    async def dispatch_outgoing(self, request: IssueInput) -> DispatchResult:
        """Deliver the issued document to every recipient (QĐ44 Điều 6.6).

        An agency of this installation gets it in its intake queue at once, as an incoming
        document from source ``internal`` with the issued file itself (no re-upload); an outside
        agency waits for the exchange hub. Idempotency key: the recipient row (a recipient
        already delivered is skipped), and the recipients' workflow ids derive from their
        documents, so a retry starts nothing twice.
        """
        # Building the hub packages (files read, XML written) runs in threads; keep beating meanwhile.
        async with heartbeating_async("deliver"):
            starts, result = await asyncio.to_thread(self._deliver, request.document_id)
            queued = await asyncio.to_thread(self._queue_for_hub, request.document_id) if result.waiting else []
        if not request.start_workflows:
            # The workflow starts them as its children (patch 2026-12-04-dispatch-children).
            result.intake_starts = starts
            result.hub_sends = [HubSend(outbox_id, outbox_uuid) for outbox_id, outbox_uuid in queued]
            return result
        await start_deliveries(self.client, self.settings, queued)
        if self.client is not None:
            for start in starts:
                try:
                    await start_incoming(self.client, self.settings.temporal_task_queue, start)
                except INTERRUPTIONS:  # a cancellation or worker stop passes through
                    raise
                except Exception:  # the reconciler starts documents left NEW
                    log.warning("intake workflow start for %s deferred", start.document_id, exc_info=True)
        return result

    def _deliver(self, document_id: str) -> tuple[list[IncomingInput], DispatchResult]:
        with transaction(self.engine) as session:
            document = _document(session, document_id)
            delivery = deliver(session, document, utcnow())
            starts = [intake_input(session, incoming) for incoming in delivery.received]
            return starts, DispatchResult(delivery.delivered, delivery.waiting, code_number=document.code_number or "",
                                          code_notation=document.code_notation or "")

    def _queue_for_hub(self, document_id: str) -> list[tuple[int, str]]:
        with transaction(self.engine) as session:
            return queue_for_hub(session, _document(session, document_id), self.file_store.read, self.file_store.put)


@dataclass
class IssuePlan:
    """What the PDF work of issuing needs, read in the numbering transaction."""

    number: str
    notation: str
    issued_on: date
    register_id: int
    agency_code: str
    signed_sha: str
    attachments: list[tuple[str, str]]  # (sha256, filename)
    file_stem: str

    @property
    def so_ky_hieu(self) -> str:
        return so_ky_hieu(self.number, self.notation)


def _document(session: Session, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise ApplicationError("document_missing", type="document_missing", non_retryable=True)
    return document


def _stored(session: Session, sha256: str, size: int, filename: str, user_id: int | None) -> StoredFile:
    stored = StoredFile(sha256=sha256, size=size, content_type="application/pdf", filename=filename[:255],
                        created_by=user_id)
    session.add(stored)
    session.flush()
    return stored
