"""Queries and writes for outgoing documents: drafts, revisions, comments, recipients, statuses.

Every function works inside the caller's transaction (the caller commits); none starts a
workflow or touches files.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.audit import record
from models.documents import lifecycle
from models.documents.access import document_for_user
from models.documents.search_repo import index_document
from models.documents.tables import Document, DocumentFile, StoredFile
from models.documents.types import DocumentType
from models.errors import Conflict, DomainError, NotFound
from models.exchange.outbox import queue_revocation
from models.notifications.notify import notify, people_with_role
from models.org.dated_repo import resolve_agency_code
from models.org.tables import Agency, OrgUnit, User, UserRole
from models.outgoing.recipient_status import add_recipient_event
from models.outgoing.schema import DraftForm
from models.outgoing.tables import (
    DraftComment,
    DraftRevision,
    Recipient,
    RecipientEvent,
    RecipientKind,
    RevisionStage,
)
from models.registers.numbering import so_ky_hieu
from models.vocab import URGENCY_RANK, Direction, DocumentStatus, Role, Urgency

# Statuses in which the drafter may still change the draft (before submission, or sent back).
EDITABLE = {DocumentStatus.DRAFT}


@dataclass
class ResolvedRecipients:
    """The recipients of a draft, checked against the organisation tree."""

    agencies: list[Agency]  # inside the installation (hosted)
    outside: list[Agency]  # reached through the hub
    units: list[OrgUnit]  # own units, for information


def resolve_recipients(session: Session, agency_id: int, form: DraftForm) -> ResolvedRecipients:
    """Check every recipient reference; an unknown one refuses the whole draft (nothing saved)."""
    errors: dict[str, str] = {}
    hosted = [session.get(Agency, agency) for agency in dict.fromkeys(form.recipient_agency_ids)]
    if any(a is None or not a.hosted or a.valid_to is not None or a.id == agency_id for a in hosted):
        errors["recipient_agency_ids"] = "invalid"
    outside: list[Agency] = []
    for code in dict.fromkeys(form.recipient_codes):
        found = resolve_agency_code(session, code)  # an old code reaches the agency answering for it now
        if found is None or found.id == agency_id or found.valid_to is not None:
            errors["recipient_codes"] = "unknown_recipient"
            continue
        (hosted if found.hosted else outside).append(found)
    units = [session.get(OrgUnit, unit) for unit in dict.fromkeys(form.recipient_unit_ids)]
    if any(u is None or u.agency_id != agency_id for u in units):
        errors["recipient_unit_ids"] = "invalid"
    if not (hosted or outside or units) and not errors:
        errors["recipient_agency_ids"] = "required"
    if errors:
        raise DomainError("invalid_metadata", fields=errors)
    unique_hosted = list({agency.id: agency for agency in hosted}.values())
    return ResolvedRecipients(unique_hosted, outside, units)  # type: ignore[arg-type]


def check_signer(session: Session, agency_id: int, signer_id: int) -> User:
    """The designated signer must be a leader of the drafting agency with an active account."""
    signer = session.get(User, signer_id)
    is_leader = signer is not None and session.exec(select(UserRole).where(
        UserRole.user_id == signer_id, UserRole.role == Role.AGENCY_LEADER)).first() is not None
    if not is_leader or signer.agency_id != agency_id or signer.disabled:
        raise DomainError("invalid_metadata", fields={"signer_id": "invalid"})
    return signer


def signers_of(session: Session, agency_id: int) -> list[User]:
    """The people who may be designated to sign the agency's documents."""
    return list(session.exec(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.agency_id == agency_id, UserRole.role == Role.AGENCY_LEADER, User.disabled == False)  # noqa: E712
        .order_by(User.full_name)))


def create_draft(session: Session, *, drafter: User, form: DraftForm, doc_type: DocumentType,
                 recipients: ResolvedRecipients, signer: User, stored: StoredFile, source: str,
                 content: dict, page_count: int, process_key: str) -> Document:
    """Create an outgoing document in DRAFT with its first revision, recipients and an audit event."""
    agency = session.get(Agency, drafter.agency_id)
    unit = session.get(OrgUnit, drafter.unit_id) if drafter.unit_id else None
    document = Document(
        id=str(uuid.uuid4()), direction=Direction.OUTGOING, agency_id=drafter.agency_id,
        status=DocumentStatus.DRAFT, type_name=doc_type.name, doc_type_id=doc_type.id,
        subject=form.subject, urgency=form.urgency, organ_name=agency.name, organ_id=agency.code,
        signer_id=signer.id, signer_full_name=signer.full_name, signer_position=signer.position[:100],
        signer_competence=form.signer_competence, drafting_unit_id=drafter.unit_id,
        due_date=form.due_date, issued_amount=form.issued_amount, description=form.description,
        in_reply_to_id=form.in_reply_to_id, page_amount=page_count, file_id=stored.id, paper_copy=form.paper_copy,
        file_copy_holder=f"VT, {unit.abbreviation}" if unit else "VT",
        to_places=recipients_text(recipients)[:1000], process_key=process_key, created_by=drafter.id,
    )
    session.add(document)
    session.flush()
    _add_recipients(session, document, form, recipients)
    revision = add_revision(session, document, stored, stage=RevisionStage.DRAFT, source=source,
                            form=content, user_id=drafter.id)
    record(session, drafter.id, "document.drafted", "document", document.id,
           revision=revision.number, source=source, sha256=stored.sha256)
    index_document(session, document)
    return document


def recipients_text(recipients: ResolvedRecipients) -> str:
    """The recipients as the register's "Nơi nhận" column shows them."""
    names = [a.name for a in recipients.agencies] + [a.name for a in recipients.outside]
    return "; ".join(names + [u.name for u in recipients.units])


def _add_recipients(session: Session, document: Document, form: DraftForm,
                    recipients: ResolvedRecipients) -> None:
    kinh_gui = set(form.kinh_gui_agency_ids)
    rows = ([(RecipientKind.HOSTED, a, None) for a in recipients.agencies]
            + [(RecipientKind.EXTERNAL, a, None) for a in recipients.outside]
            + [(RecipientKind.UNIT, None, u) for u in recipients.units])
    for position, (kind, agency, unit) in enumerate(rows, start=1):
        session.add(Recipient(
            document_id=document.id, position=position, kind=kind,
            agency_id=agency.id if agency else None, unit_id=unit.id if unit else None,
            organ_id=agency.code if agency else "", organ_name=(agency or unit).name,
            kinh_gui=agency is not None and (not kinh_gui or agency.id in kinh_gui)))


def add_revision(session: Session, document: Document, stored: StoredFile, *, stage: str, source: str,
                 form: dict | None = None, user_id: int | None, note: str = "") -> DraftRevision:
    """Keep a new version of the main file; it becomes the document's current file."""
    number = (session.exec(select(func.max(DraftRevision.number))
                           .where(DraftRevision.document_id == document.id)).one() or 0) + 1
    revision = DraftRevision(document_id=document.id, number=number, file_id=stored.id, stage=stage,
                             source=source, form=form or {}, note=note[:500], created_by=user_id)
    session.add(revision)
    document.file_id = stored.id
    session.add(document)
    session.add(DocumentFile(document_id=document.id, file_id=stored.id, role=f"rev-{number}"[:20]))
    session.flush()
    return revision


def revisions(session: Session, document_id: str) -> list[tuple[DraftRevision, StoredFile, User | None]]:
    """Every revision, oldest first, with its file and author."""
    rows = session.exec(
        select(DraftRevision, StoredFile, User)
        .join(StoredFile, StoredFile.id == DraftRevision.file_id)
        .join(User, User.id == DraftRevision.created_by, isouter=True)
        .where(DraftRevision.document_id == document_id).order_by(DraftRevision.number)).all()
    return [(revision, stored, user) for revision, stored, user in rows]


def latest_revision(session: Session, document_id: str, stage: str | None = None) -> DraftRevision | None:
    """The newest revision, optionally of one stage (the signed file, the issued file)."""
    query = select(DraftRevision).where(DraftRevision.document_id == document_id)
    if stage is not None:
        query = query.where(DraftRevision.stage == stage)
    return session.exec(query.order_by(col(DraftRevision.number).desc())).first()


def require_editable(document: Document) -> None:
    """A draft can be changed before submission or after being sent back, never once signed."""
    if document.status in (DocumentStatus.SIGNED, DocumentStatus.ISSUED, DocumentStatus.RECALLED):
        raise Conflict("document_signed")
    if document.status not in EDITABLE:
        raise Conflict("draft_not_editable")


def add_comment(session: Session, document: Document, *, author_id: int, body: str, kind: str = "comment",
                unit_id: int | None = None, agency_id: int | None = None, task_key: str = "") -> DraftComment:
    """Attach a remark to the current revision of a draft."""
    body = body.strip()
    if not body:
        raise DomainError("invalid_fields", fields={"comment": "required"})
    if len(body) > 2000:
        raise DomainError("invalid_fields", fields={"comment": "too_long"})
    current = latest_revision(session, document.id)
    comment = DraftComment(document_id=document.id, revision_number=current.number if current else None,
                           kind=kind, body=body, author_id=author_id, unit_id=unit_id,
                           agency_id=agency_id, task_key=task_key)
    session.add(comment)
    session.flush()
    return comment


def comments(session: Session, document_id: str) -> list[tuple[DraftComment, User]]:
    """Every remark on a draft, oldest first, with its author."""
    rows = session.exec(select(DraftComment, User).join(User, User.id == DraftComment.author_id)
                        .where(DraftComment.document_id == document_id)
                        .order_by(DraftComment.created_at, DraftComment.id)).all()
    return [(comment, user) for comment, user in rows]


def recipients_of(session: Session, document_id: str) -> list[Recipient]:
    return list(session.exec(select(Recipient).where(Recipient.document_id == document_id)
                             .order_by(Recipient.position)))


def recipient_events(session: Session, document_id: str) -> dict[int, list[RecipientEvent]]:
    """The status history of every recipient of a document, oldest first."""
    rows = session.exec(select(RecipientEvent).join(Recipient, Recipient.id == RecipientEvent.recipient_id)
                        .where(Recipient.document_id == document_id)
                        .order_by(RecipientEvent.at, RecipientEvent.id)).all()
    events: dict[int, list[RecipientEvent]] = {}
    for event in rows:
        events.setdefault(event.recipient_id, []).append(event)
    return events


@dataclass
class PendingRecall:
    """A recall a recipient inside the installation has not answered yet (what starts its workflow)."""

    document_id: str  # the recipient's incoming document
    agency_id: int
    agency_code: str
    urgency_rank: int
    sender_document_id: str
    reason: str
    requested_by: str


def pending_recalls(session: Session, *, sender_document_id: str | None = None,
                    requested_before: datetime | None = None) -> list[PendingRecall]:
    """Recalls requested from recipients inside the installation and not yet answered (15/16)."""
    query = (select(Recipient, Document, Agency)
             .join(Document, Document.id == Recipient.incoming_document_id)
             .join(Agency, Agency.id == Document.agency_id)
             .where(col(Recipient.recall_requested_at).is_not(None),
                    col(Recipient.business_status).not_in(["15", "16"])))
    if sender_document_id is not None:
        query = query.where(Recipient.document_id == sender_document_id)
    if requested_before is not None:
        query = query.where(col(Recipient.recall_requested_at) < requested_before)
    pending = []
    for recipient, incoming, agency in session.exec(query):
        sender = session.get(Document, recipient.document_id)
        pending.append(PendingRecall(incoming.id, agency.id, agency.code, URGENCY_RANK[Urgency(incoming.urgency)],
                                     sender.id, sender.recall_reason, sender.organ_name))
    return pending


def request_recall(session: Session, document: Document, *, reason: str, actor: User,
                   put: Callable[[bytes], str]) -> int:
    """Freeze an issued document and ask every recipient to give it back; returns how many.

    The document becomes ``recalled`` (nothing more can happen to it, QĐ44 Điều 13.4.d; ND30 PL VI
    III.8.a). Recipients inside the installation answer through their recall workflow; each outside
    recipient is sent a revocation package through the exchange hub, queued here (its bytes stored
    with ``put``) so it commits with the recall; the caller starts its delivery after commit.
    """
    if document.direction != Direction.OUTGOING or document.status != DocumentStatus.ISSUED:
        raise Conflict("recall_not_possible")
    now = datetime.now(UTC)
    document.recall_reason = reason[:500]
    asked = 0
    for recipient in recipients_of(session, document.id):
        recipient.recall_requested_at = now
        add_recipient_event(session, recipient, "recall", now, note=reason, by_name=actor.full_name)
        if recipient.kind == RecipientKind.EXTERNAL:
            queue_revocation(session, document, recipient, put)
        asked += 1
    lifecycle.change(session, document, "document.thu_hoi", actor_id=actor.id, status=DocumentStatus.RECALLED,
                     at=now, reason=reason[:500], recipients=asked)
    return asked


# Recipients reported in one transaction; the caller repeats until a batch comes back short.
NOT_RECEIVED_BATCH = 500


def alert_not_received(session: Session, issued_before: datetime, limit: int = NOT_RECEIVED_BATCH) -> int:
    """Tell senders which recipients have not received their documents in time (QĐ44 Điều 6.6).

    A recipient counts as not received while it has reported nothing (no 01 or later) for a
    document issued before ``issued_before``. Each recipient is reported once
    (``not_received_alert_at``), to the drafter and the sending agency's văn thư, so they can
    phone or e-mail it. At most ``limit`` in one call, oldest first: a backlog of hundreds of
    thousands read in one transaction took the worker to 3 GB. Returns how many were reported.
    """
    rows = session.exec(
        select(Recipient, Document).join(Document, Document.id == Recipient.document_id)
        .where(Document.status == DocumentStatus.ISSUED, col(Document.issued_at) < issued_before,
               Recipient.business_status == "", col(Recipient.not_received_alert_at).is_(None),
               Recipient.kind != RecipientKind.UNIT)
        .order_by(col(Recipient.id)).limit(limit)).all()
    now = datetime.now(UTC)
    for recipient, document in rows:
        recipient.not_received_alert_at = now
        session.add(recipient)
        clerks = people_with_role(session, document.agency_id, Role.CLERK)
        notify(session, [document.created_by, *clerks], document.id, "recipient_not_received", urgent=True,
               recipient=recipient.organ_name)
        record(session, None, "document.recipient_not_received", "document", document.id,
               recipient_id=recipient.id, recipient=recipient.organ_name)
    return len(rows)


def reply_target(session: Session, user: User, roles: set[Role], document_id: str) -> Document:
    """The incoming document a draft answers: one the drafter may see, of their own agency."""
    try:
        incoming = document_for_user(session, user, document_id, roles)
    except NotFound:
        raise DomainError("invalid_metadata", fields={"in_reply_to_id": "invalid"}) from None
    if incoming.direction != Direction.INCOMING:
        raise DomainError("invalid_metadata", fields={"in_reply_to_id": "invalid"})
    return incoming


def replies_to(session: Session, incoming_id: str) -> list[Document]:
    """The outgoing documents that answer an incoming one (ResponseFor), oldest first."""
    return list(session.exec(select(Document).where(Document.in_reply_to_id == incoming_id,
                                                    Document.direction == Direction.OUTGOING)
                             .order_by(Document.created_at)))


def reply_defaults(session: Session, incoming: Document) -> dict[str, str | list[str]]:
    """What a reply's form starts with: the subject line and the sender as recipient."""
    number = so_ky_hieu(incoming.code_number, incoming.code_notation) if incoming.code_number else ""
    dated = f" ngày {incoming.issued_date:%d/%m/%Y}" if incoming.issued_date else ""
    subject = f"Trả lời văn bản số {number}{dated} của {incoming.organ_name}".strip()
    values: dict[str, str | list[str]] = {"subject": subject[:500], "in_reply_to_id": incoming.id}
    sender = resolve_agency_code(session, incoming.organ_id, incoming.issued_date) if incoming.organ_id else None
    if sender is not None and sender.hosted and sender.id != incoming.agency_id:
        values["recipient_agency_ids"] = [str(sender.id)]
    elif incoming.organ_id:  # the code in force now: an old one reaches its successor
        values["recipient_codes"] = sender.code if sender is not None else incoming.organ_id
    return values


def add_recipients(session: Session, document: Document, choice, *, actor: User) -> int:
    """Append recipients to an issued document (bổ sung nơi nhận); returns how many are new.

    ``choice`` carries the same recipient lists as a draft form; recipients it already has are
    skipped, unknown ones refuse the whole request. Audited with the names added.
    """
    resolved = resolve_recipients(session, document.agency_id, choice)
    current = recipients_of(session, document.id)
    have = ({(r.kind, r.agency_id) for r in current if r.agency_id} | {(r.kind, r.unit_id) for r in current if r.unit_id})
    rows = ([(RecipientKind.HOSTED, a, None) for a in resolved.agencies]
            + [(RecipientKind.EXTERNAL, a, None) for a in resolved.outside]
            + [(RecipientKind.UNIT, None, u) for u in resolved.units])
    position = max((r.position for r in current), default=0)
    added: list[str] = []
    for kind, agency, unit in rows:
        if (kind, (agency or unit).id) in have:
            continue
        position += 1
        session.add(Recipient(document_id=document.id, position=position, kind=kind,
                              agency_id=agency.id if agency else None, unit_id=unit.id if unit else None,
                              organ_id=agency.code if agency else "", organ_name=(agency or unit).name,
                              kinh_gui=False))
        added.append((agency or unit).name)
    if not added:
        raise DomainError("invalid_metadata", fields={"recipient_agency_ids": "already_recipient"})
    session.flush()
    document.to_places = "; ".join([document.to_places, *added]).strip("; ")[:1000]
    session.add(document)
    record(session, actor.id, "document.bo_sung_noi_nhan", "document", document.id, added=added)
    return len(added)


def revision_file(session: Session, document_id: str, number: int) -> StoredFile:
    """The file of a draft's revision ``number``; ``revision_not_found`` when there is none."""
    return session.get(StoredFile, revision(session, document_id, number).file_id)


def latest_outgoing(session: Session, visible, agency_id: int, limit: int = 100) -> list[Document]:
    """The agency's newest outgoing documents the ``visible`` condition lets the person see."""
    return list(session.exec(
        select(Document).where(visible, Document.direction == Direction.OUTGOING, Document.agency_id == agency_id)
        .order_by(col(Document.created_at).desc()).limit(limit)))


def revision(session: Session, document_id: str, number: int) -> DraftRevision:
    """Revision ``number`` of a draft; ``revision_not_found`` when there is none."""
    found = session.exec(select(DraftRevision).where(DraftRevision.document_id == document_id,
                                                     DraftRevision.number == number)).first()
    if found is None:
        raise NotFound("revision_not_found")
    return found


def latest_form_revision(session: Session, document_id: str) -> DraftRevision | None:
    """The newest revision made from the form (its fields are what a revision by form changes)."""
    return session.exec(select(DraftRevision).where(DraftRevision.document_id == document_id,
                                                    DraftRevision.source == "form")
                        .order_by(col(DraftRevision.number).desc())).first()
