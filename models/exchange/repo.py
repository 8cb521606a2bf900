"""Hub packages into QLVB records, and what the hub answered about the packages we sent (EDXML.md §9).

Everything here runs inside the caller's transaction and does no network I/O: the activities in
``activities/exchange.py`` talk to the hub, store bytes and commit. Building and queueing the
packages we send is ``models.exchange.outbox``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from models.audit import record
from models.db import utcnow
from models.documents.pdf_checks import inspect_pdf
from models.documents.search_repo import index_document
from models.documents.tables import Document, DocumentFile, StoredFile
from models.errors import DomainError
from models.exchange.edxml.package import (
    BusinessDocType,
    EdocPackage,
    StatusPackage,
)
from models.exchange.edxml.validate import check
from models.exchange.outbox import Put, is_revocation, queue_status
from models.exchange.tables import HubInbound, HubOutbox
from models.notifications.notify import notify, people_with_role
from models.org.dated_repo import resolve_agency_code
from models.org.tables import Agency
from models.outgoing.recipient_status import add_recipient_event
from models.outgoing.tables import Recipient, TransportStatus
from models.processes import repo as definition_repo
from models.registers.numbering import vietnam_date
from models.vocab import URGENCY_RANK, Direction, DocumentSource, DocumentStatus, Role, Urgency
from workflows.contracts import incoming_workflow_id

# OtherInfo/Priority (EDXML §4, values 1-4 inferred; ``outbox.PRIORITY_OUT`` is the other way):
# 4 (timed flash) reads as flash.
PRIORITY_IN = {0: Urgency.NORMAL, 1: Urgency.URGENT, 2: Urgency.VERY_URGENT, 3: Urgency.FLASH, 4: Urgency.FLASH}


# --- what became of what we sent -------------------------------------------------------------


def mark_sent(session: Session, outbox: HubOutbox, hub_doc_id: str) -> None:
    """The hub took the package: transport status only (the business status comes back later)."""
    now = utcnow()
    outbox.transport_status, outbox.hub_doc_id, outbox.sent_at = "sent", hub_doc_id[:100], now
    session.add(outbox)
    if outbox.recipient_id is not None:
        recipient = session.get(Recipient, outbox.recipient_id)
        if is_revocation(outbox):  # the document itself was delivered before
            add_recipient_event(session, recipient, "sent", now, note="Đã gửi yêu cầu thu hồi lên trục liên thông")
            return
        recipient.transport_status = TransportStatus.DELIVERED
        recipient.delivered_at = now
        add_recipient_event(session, recipient, "sent", now, note="Đã gửi lên trục liên thông")


def mark_failed(session: Session, outbox: HubOutbox, reason: str) -> None:
    """Sending gave up (refused by the hub, or 72 hours of retries): the sender must act."""
    outbox.transport_status, outbox.last_error = "failed", reason[:1000]
    session.add(outbox)
    if outbox.recipient_id is not None and outbox.document_id:
        recipient = session.get(Recipient, outbox.recipient_id)
        if is_revocation(outbox):
            reason = f"Không gửi được yêu cầu thu hồi: {reason}"
        else:
            recipient.transport_status = "failed"
        add_recipient_event(session, recipient, "failed", utcnow(), note=reason)
        document = session.get(Document, outbox.document_id)
        clerks = people_with_role(session, document.agency_id, Role.CLERK)
        notify(session, [document.created_by, *clerks], document.id, "hub_send_failed", urgent=True,
               recipient=recipient.organ_name, reason=reason[:200])
    record(session, None, "exchange.send_failed", "document", outbox.document_id or "-",
           outbox_id=outbox.id, to=outbox.to_code, reason=reason[:500])


# --- receiving ----------------------------------------------------------------------------


@dataclass
class Received:
    """What storing one package decided; the activity acknowledges and starts what it says."""

    outcome: str  # stored | status | revoke | update | refused | duplicate
    ack: str  # done | fail
    reason: str = ""
    start_incoming: Document | None = None  # a new incoming document whose workflow starts
    recall_document: Document | None = None  # a received document its issuer revoked
    recall_reason: str = ""


def our_agency(session: Session, code: str, on: date | None = None) -> Agency | None:
    """The hosted agency a code names for a document dated ``on``, through its old codes and aliases.

    ``models.org.dated_repo.resolve_agency_code`` does the lookup (DOMAIN §10.3): a code closed since the
    document's date reaches the successor that holds it as an alias.
    """
    agency = resolve_agency_code(session, code, on)
    if agency is None or not agency.hosted:
        return None
    closed = agency.valid_to is not None and agency.valid_to < vietnam_date(utcnow())
    return None if closed else agency  # dissolved with no successor: nobody here can receive for it


_PDF_REFUSALS = {
    "pdf_encrypted": "có mật khẩu",
    "pdf_too_many_pages": "khai báo quá nhiều trang",
    "file_too_complex": "có cấu trúc bất thường ({reason})",
}


def _pdf_attachments(package: EdocPackage) -> list:
    return [a for a in package.attachments if a.name.lower().endswith(".pdf") or a.content_type == "application/pdf"]


def attachment_refusal(data: bytes) -> str | None:
    """Why the PDFs of a package cannot be received (each checked by ``inspect_pdf`` in a limited
    child process), or None. Called by the receiving activity before its transaction."""
    report = check(data)
    if not isinstance(report.package, EdocPackage):
        return None
    for attachment in _pdf_attachments(report.package):
        try:
            inspect_pdf(attachment.data)
        except DomainError as refusal:
            why = _PDF_REFUSALS.get(refusal.code, "bị hỏng hoặc không phải PDF")
            return f"Tệp PDF «{attachment.name}» {why.format(**refusal.params)}, không tiếp nhận được"
    return None


def store_received(session: Session, *, hub_doc_id: str, message_type: str, data: bytes, sha256: str,
                   put: Put, trust_anchors: list | None = None, attachment_refusal: str | None = None) -> Received:
    """Record one package the hub offered (its raw bytes are already in the file store).

    Refusals are recorded with their reason and acknowledged ``fail``; nothing else changes.
    ``attachment_refusal`` is what ``attachment_refusal(data)`` found wrong with its PDFs.
    A package seen before (same sender, DocumentId and business type; or the same hub id for a
    status) is a duplicate: acknowledged again, recorded once.
    """
    report = check(data)
    if report.package is not None and trust_anchors is not None:
        # The envelope signature is checked when present (EDXML §7): a broken one (content changed,
        # signature not matching, SHA-1) refuses the package. A signer we do not trust is not a
        # reason to refuse at transport level: the envelope carries no legal weight, the PDF
        # signatures do, and the văn thư judges those (QĐ44 Điều 10.1).
        from models.exchange.edxml.envelope_signature import SignatureState, verify

        envelope = verify(data, trust_anchors=trust_anchors)
        if envelope.state == SignatureState.INVALID:
            envelope = verify(data)  # integrity alone, without judging the signer's chain
        if envelope.state == SignatureState.INVALID:
            dedup = f"status:{hub_doc_id}" if report.kind == "status" else None
            return _refuse(session, hub_doc_id, message_type, sha256,
                           f"Chữ ký phong bì của gói tin không hợp lệ: {envelope.reason}", dedup=dedup)
    if message_type == "status" or report.kind == "status":
        return _store_status(session, hub_doc_id, report, sha256)
    if not report.ok or report.package is None:
        problem = report.errors[0].message_vi if report.errors else "Gói tin không hợp lệ"
        return _refuse(session, hub_doc_id, message_type, sha256, problem)
    package: EdocPackage = report.package
    business = package.business.doc_type if package.business else BusinessDocType.NEW
    dedup = f"edoc:{package.sender.organ_id}|{package.document_id}|{int(business)}"
    if session.exec(select(HubInbound).where(HubInbound.dedup_key == dedup)).first() is not None:
        _inbound(session, hub_doc_id, message_type, f"dup:{hub_doc_id}:{utcnow().isoformat()}", "duplicate",
                 sha256, package, business)
        return Received("duplicate", "done")
    if business == BusinessDocType.NEW:
        return _store_new(session, hub_doc_id, package, dedup, sha256, put, attachment_refusal)
    target = _received_document(session, package)
    if target is None:
        return _refuse(session, hub_doc_id, message_type, sha256,
                       "Thu hồi hoặc cập nhật một văn bản chưa từng nhận", package=package)
    row = _inbound(session, hub_doc_id, message_type, dedup, "revoke" if business == BusinessDocType.REVOKE
                   else "update", sha256, package, business)
    row.document_id = target.id
    reason = package.business.reason if package.business else ""
    if business == BusinessDocType.REVOKE:
        record(session, None, "exchange.revoke_received", "document", target.id, reason=reason)
        return Received("revoke", "done", recall_document=target, recall_reason=reason or "Thu hồi văn bản")
    # Update or replacement: the văn thư decides, never applied silently (EDXML §2.3).
    notify(session, people_with_role(session, target.agency_id, Role.CLERK), target.id, "hub_update_received",
           urgent=True, business=int(business), reason=reason[:200])
    record(session, None, "exchange.update_received", "document", target.id, business=int(business), reason=reason)
    return Received("update", "done")


def _store_new(session: Session, hub_doc_id: str, package: EdocPackage, dedup: str, sha256: str,
               put: Put, attachment_refusal: str | None = None) -> Received:
    recipient = next((a for a in (our_agency(session, o.organ_id, package.promulgation.date)
                                   for o in package.recipients) if a), None)
    if recipient is None:
        refusal = _refuse(session, hub_doc_id, "edoc", sha256, "Gửi sai nơi nhận", package=package)
        _queue_refusal(session, package, "Gửi sai nơi nhận")
        return refusal
    pdfs = _pdf_attachments(package)
    if not pdfs:
        return _refuse(session, hub_doc_id, "edoc", sha256, "Gói tin không có tệp PDF của văn bản", package=package)
    if attachment_refusal:
        return _refuse(session, hub_doc_id, "edoc", sha256, attachment_refusal, package=package)
    clerks = people_with_role(session, recipient.id, Role.CLERK)
    if not clerks:
        return _refuse(session, hub_doc_id, "edoc", sha256, "Cơ quan nhận chưa có văn thư", package=package)
    stored = [_stored_file(session, put, a.name, a.data) for a in pdfs]
    issued = package.promulgation.date
    definition = definition_repo.incoming_process_for(session, recipient.id)
    document = Document(
        id=_new_id(), direction=Direction.INCOMING, agency_id=recipient.id, source=DocumentSource.HUB,
        process_key=definition.key, process_version=definition.version,
        status=DocumentStatus.NEW, code_number=package.code.number[:11], code_notation=package.code.notation[:30],
        issued_date=issued, organ_name=package.sender.organ_name[:200], organ_id=package.sender.organ_id[:35],
        type_name=(package.document_type.type_name or "Công văn")[:100], subject=package.subject[:500],
        signer_full_name=package.signer.full_name[:50], signer_position=package.signer.position[:100],
        signer_competence=package.signer.competence[:50],
        urgency=PRIORITY_IN.get(package.other.priority or 0, Urgency.NORMAL), due_date=package.due_date,
        page_amount=package.other.page_amount, issued_amount=package.other.promulgation_amount,
        paper_copy=bool(package.business and package.business.paper),
        external_document_id=package.document_id[:120] or None, file_id=stored[0].id,
        created_by=clerks[0],
    )
    document.workflow_id = incoming_workflow_id(document.id)
    session.add(document)
    session.flush()
    session.add(DocumentFile(document_id=document.id, file_id=stored[0].id, role="main"))
    for extra in stored[1:]:
        session.add(DocumentFile(document_id=document.id, file_id=extra.id, role="attachment"))
    row = _inbound(session, hub_doc_id, "edoc", dedup, "stored", sha256, package, BusinessDocType.NEW)
    row.document_id = document.id
    record(session, None, "document.received", "document", document.id, source=str(DocumentSource.HUB),
           hub_doc_id=hub_doc_id, from_agency=package.sender.organ_id, document_identifier=package.document_id)
    index_document(session, document)
    notify(session, clerks, document.id, "hub_document_arrived", urgent=URGENCY_RANK[Urgency(document.urgency)] > 0,
           subject=document.subject)
    # 01 goes back as soon as the package is stored (ND30 Điều 21.2.c).
    queue_status(session, document, "01", utcnow())
    return Received("stored", "done", start_incoming=document)


def _store_status(session: Session, hub_doc_id: str, report, sha256: str) -> Received:
    dedup = f"status:{hub_doc_id}"
    if session.exec(select(HubInbound).where(HubInbound.dedup_key == dedup)).first() is not None:
        return Received("duplicate", "done")
    if not report.ok or report.package is None:
        problem = report.errors[0].message_vi if report.errors else "Gói trạng thái không hợp lệ"
        return _refuse(session, hub_doc_id, "status", sha256, problem, dedup=dedup)
    status: StatusPackage = report.package
    document = session.exec(select(Document).where(
        Document.external_document_id == status.response_for.document_id,
        Document.direction == Direction.OUTGOING)).first()
    recipient = None if document is None else session.exec(select(Recipient).where(
        Recipient.document_id == document.id, Recipient.organ_id == status.sender.organ_id)).first()
    if recipient is None:
        return _refuse(session, hub_doc_id, "status", sha256,
                       "Trạng thái của một văn bản hoặc nơi nhận không có trong hệ thống", dedup=dedup)
    at = status.timestamp or utcnow()
    by_name = status.staff.staff if status.staff else ""
    add_recipient_event(session, recipient, status.status_code, at, note=status.description, by_name=by_name)
    if recipient.transport_status != TransportStatus.DELIVERED:
        recipient.transport_status = TransportStatus.DELIVERED
        recipient.delivered_at = recipient.delivered_at or at
        session.add(recipient)
    row = HubInbound(hub_doc_id=hub_doc_id, message_type="status", dedup_key=dedup,
                     sender_code=status.sender.organ_id[:35], document_key=status.response_for.document_id[:200],
                     status_code=status.status_code[:3], package_sha256=sha256, outcome="status",
                     document_id=document.id)
    session.add(row)
    record(session, None, "document.status_reported", "document", document.id, recipient_id=recipient.id,
           status=status.status_code, note=status.description[:500], via="hub")
    notify(session, [document.created_by], document.id, "recipient_status", urgent=status.status_code == "02",
           status=status.status_code, recipient=recipient.organ_name)
    return Received("status", "done")


def _received_document(session: Session, package: EdocPackage) -> Document | None:
    target = package.business.document_id if package.business and package.business.document_id else package.document_id
    return session.exec(select(Document).where(
        Document.external_document_id == target, Document.organ_id == package.sender.organ_id,
        Document.direction == Direction.INCOMING, Document.source == DocumentSource.HUB)).first()


def _refuse(session: Session, hub_doc_id: str, message_type: str, sha256: str, reason: str, *,
            package: EdocPackage | None = None, dedup: str | None = None) -> Received:
    row = HubInbound(hub_doc_id=hub_doc_id, message_type=message_type,
                     dedup_key=dedup or f"refused:{hub_doc_id}:{utcnow().isoformat()}",
                     sender_code=package.sender.organ_id[:35] if package else "",
                     document_key=(package.document_id if package else "")[:200],
                     package_sha256=sha256, outcome="refused", error=reason[:1000])
    session.add(row)
    session.flush()
    record(session, None, "exchange.refused", "hub", hub_doc_id, reason=reason[:500], message_type=message_type)
    return Received("refused", "fail", reason=reason)


def _queue_refusal(session: Session, package: EdocPackage, reason: str) -> None:
    """Answer 02 to a package none of whose recipients is ours (EDXML §8 step 4)."""
    ours = session.exec(select(Agency).where(Agency.hosted == True).order_by(Agency.id)).first()  # noqa: E712
    if ours is None or not package.sender.organ_id:
        return
    session.add(HubOutbox(message_type="status", dedup_key=f"refusal:{package.sender.organ_id}|{package.document_id}",
                          from_code=ours.code, to_code=package.sender.organ_id, status_code="02",
                          description=reason, status_at=utcnow()))
    session.flush()


def _inbound(session: Session, hub_doc_id: str, message_type: str, dedup: str, outcome: str, sha256: str,
             package: EdocPackage, business) -> HubInbound:
    row = HubInbound(hub_doc_id=hub_doc_id, message_type=message_type, dedup_key=dedup[:300],
                     sender_code=package.sender.organ_id[:35], document_key=package.document_id[:200],
                     business_type=int(business), package_sha256=sha256, outcome=outcome)
    session.add(row)
    session.flush()
    return row


def _stored_file(session: Session, put: Put, name: str, data: bytes) -> StoredFile:
    stored = StoredFile(sha256=put(data), size=len(data), content_type="application/pdf", filename=name[:255] or "van-ban.pdf")
    session.add(stored)
    session.flush()
    return stored


def _new_id() -> str:
    return str(uuid.uuid4())


def inbound_pending_ack(session: Session) -> list[HubInbound]:
    """Packages recorded but not acknowledged (a crash between commit and ack)."""
    return list(session.exec(select(HubInbound).where(col(HubInbound.acked_at).is_(None))))


def today_vn() -> date:
    return vietnam_date(utcnow())


def mark_acknowledged(session: Session, hub_doc_id: str) -> None:
    """The hub was told we processed the package: it will not offer it again."""
    for row in session.exec(select(HubInbound).where(HubInbound.hub_doc_id == hub_doc_id,
                                                    col(HubInbound.acked_at).is_(None))):
        row.acked_at = utcnow()
        session.add(row)
