"""Packages to send through the hub: building them from QLVB documents and queueing them (EDXML.md §8-9).

Everything here runs inside the caller's transaction and does no network I/O: the activities in
``activities/exchange.py`` send the queued rows. File bytes come in and go out through the
``read`` and ``put`` callables of the file store. What the hub answered about a sent package
(``mark_sent``, ``mark_failed``) and everything received is in ``models.exchange.repo``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select

from models.db import insert_ignoring_conflict, utcnow
from models.documents.tables import Document, DocumentFile, StoredFile
from models.exchange import identity_repo
from models.exchange.edxml.build import build_package, new_content_id
from models.exchange.edxml.package import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    DocumentType,
    EdocPackage,
    Organization,
    OtherInfo,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
)
from models.exchange.tables import HubOutbox
from models.org.dated_repo import name_on
from models.org.tables import Agency, User
from models.outgoing.tables import Recipient
from models.registers.numbering import so_ky_hieu
from models.vocab import DocumentSource, Urgency

Read = Callable[[str], bytes]
Put = Callable[[bytes], str]


# OtherInfo/Priority (EDXML §4, values 1-4 inferred): ours ↔ theirs; 4 (timed flash) reads as flash.
PRIORITY_OUT = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.VERY_URGENT: 2, Urgency.FLASH: 3}
# The description each automatic status carries when the person gave none (EDXML §5.2).
STATUS_TEXT = {
    "01": "Đã đến: hệ thống quản lý văn bản đã nhận, văn thư chưa xử lý",
    "02": "Văn thư từ chối tiếp nhận văn bản điện tử",
    "03": "Văn thư tiếp nhận văn bản điện tử, vào sổ văn bản đến",
    "04": "Lãnh đạo phân công xử lý",
    "05": "Đang xử lý văn bản đến",
    "06": "Hoàn thành xử lý văn bản đến",
    "15": "Văn thư đồng ý yêu cầu thu hồi, cập nhật",
    "16": "Văn thư từ chối yêu cầu thu hồi, cập nhật",
}


def document_package(session: Session, document: Document, recipients: list[Recipient], read: Read) -> bytes:
    """The edXML package of an issued document: its metadata, the issued PDF and its attachments."""
    files = [(f"{document.code_number}-{document.code_notation}.pdf".replace("/", "-"), document.file_id)]
    files += [(stored.filename, stored.id) for stored in session.exec(
        select(StoredFile).join(DocumentFile, DocumentFile.file_id == StoredFile.id)
        .where(DocumentFile.document_id == document.id, DocumentFile.role == "attachment_issued")
        .order_by(DocumentFile.id))]
    attachments = tuple(
        Attachment(content_id=new_content_id(), name=name, content_type="application/pdf",
                   data=read(session.get(StoredFile, file_id).sha256))
        for name, file_id in files)
    business = Business(doc_type=BusinessDocType.NEW, paper=1 if document.paper_copy else 0)
    return build_package(_edoc_package(session, document, recipients, business, attachments))


def revocation_package(session: Session, document: Document, recipients: list[Recipient]) -> bytes:
    """The revocation (thu hồi) of an issued document: its metadata, no files (EDXML §2.3, type 1).

    The revoked document is named twice, by ``MessageHeader/DocumentId`` and ``Bussiness/DocumentId``,
    since sources disagree on which one a receiver reads.
    """
    business = Business(doc_type=BusinessDocType.REVOKE, reason=(document.recall_reason or "Thu hồi văn bản"),
                        document_id=document.external_document_id or "")
    return build_package(_edoc_package(session, document, recipients, business, ()))


def _edoc_package(session: Session, document: Document, recipients: list[Recipient], business: Business,
                  attachments: tuple[Attachment, ...]) -> EdocPackage:
    agency = session.get(Agency, document.agency_id)
    name, place = name_on(session, agency, document.issued_date)  # in force on the issue date
    return EdocPackage(
        sender=identity_repo.sender(session, agency, name),
        recipients=tuple(Organization(r.organ_id, r.organ_name) for r in recipients),
        document_id=document.external_document_id or "",
        code=Code(document.code_number, document.code_notation),
        promulgation=PromulgationInfo(place=place, date=document.issued_date),
        document_type=DocumentType(type="1", type_detail="0", type_name=document.type_name),
        subject=document.subject,
        signer=SignerInfo(competence=document.signer_competence, position=document.signer_position,
                          full_name=document.signer_full_name),
        due_date=document.due_date,
        other=OtherInfo(priority=PRIORITY_OUT[Urgency(document.urgency)], page_amount=document.page_amount,
                        promulgation_amount=document.issued_amount),
        to_places=tuple(r.organ_name[:150] for r in recipients),
        business=business,
        attachments=attachments,
    )


def queue_document(session: Session, document: Document, recipient: Recipient, package_sha256: str) -> HubOutbox:
    """Queue the issued document for one outside recipient, once (idempotent on the recipient)."""
    return _queue_edoc(session, document, recipient, package_sha256, f"edoc:{recipient.id}")


def queue_revocation(session: Session, document: Document, recipient: Recipient, put: Put) -> HubOutbox | None:
    """Queue the revocation of a recalled document for one outside recipient, once.

    Runs in the recall's transaction; the package is built and stored now (``put``), so every
    retry sends the same bytes. Idempotent on the recipient (``revoke:<recipient id>``). The
    recipient's văn thư answers 15 or 16 through the hub like any status. Nothing is queued
    (None) when the document itself was never queued for that recipient or its sending failed.
    """
    key = f"revoke:{recipient.id}"
    queued = session.exec(select(HubOutbox).where(HubOutbox.dedup_key == key)).first()
    if queued is not None:
        return queued
    sent = session.exec(select(HubOutbox).where(HubOutbox.dedup_key == f"edoc:{recipient.id}")).first()
    if sent is None or sent.transport_status == "failed":
        return None
    sha = put(revocation_package(session, document, [recipient]))
    return _queue_edoc(session, document, recipient, sha, key)


def _queue_edoc(session: Session, document: Document, recipient: Recipient, package_sha256: str,
                key: str) -> HubOutbox:
    agency = session.get(Agency, document.agency_id)
    insert_ignoring_conflict(session, HubOutbox.__table__, {
        "uuid": str(uuid.uuid4()), "message_type": "edoc", "dedup_key": key, "from_code": agency.code,
        "to_code": recipient.organ_id, "document_id": document.id, "recipient_id": recipient.id,
        "status_code": "", "description": "", "staff_name": "", "package_sha256": package_sha256,
        "transport_status": "pending", "hub_doc_id": "", "attempts": 0, "last_error": "",
        "created_at": utcnow()}, ["dedup_key"])
    return session.exec(select(HubOutbox).where(HubOutbox.dedup_key == key)).one()


def queue_status(session: Session, incoming: Document, code: str, at: datetime, *, note: str = "",
                 actor_id: int | None = None) -> bool:
    """Queue a business status for the sender of a document received through the hub.

    Returns False for documents that did not come through the hub (nothing to tell anyone).
    """
    if incoming.source != DocumentSource.HUB or not incoming.organ_id:
        return False
    agency = session.get(Agency, incoming.agency_id)
    actor = session.get(User, actor_id) if actor_id else None
    outbox = HubOutbox(message_type="status", dedup_key=f"status:{incoming.id}:{code}:{at.isoformat()}",
                       from_code=agency.code, to_code=incoming.organ_id, document_id=incoming.id,
                       status_code=code, description=(note or STATUS_TEXT.get(code, ""))[:500],
                       staff_name=actor.full_name if actor else "", status_at=at)
    session.add(outbox)
    session.flush()
    return True


def status_package(session: Session, outbox: HubOutbox) -> bytes:
    """The status package of a queued status (built at its first send, then kept as stored)."""
    incoming = session.get(Document, outbox.document_id) if outbox.document_id else None
    agency = session.exec(select(Agency).where(Agency.code == outbox.from_code)).one()
    response = ResponseFor(
        organ_id=incoming.organ_id if incoming else outbox.to_code,
        code=so_ky_hieu(incoming.code_number, incoming.code_notation) if incoming else "",
        promulgation_date=incoming.issued_date if incoming else None,
        document_id=incoming.external_document_id or "" if incoming else outbox.description[:0])
    return build_package(StatusPackage(
        sender=identity_repo.sender(session, agency, agency.name), response_for=response, status_code=outbox.status_code,
        description=outbox.description, timestamp=outbox.status_at or outbox.created_at,
        staff=StaffInfo(department="Văn thư", staff=outbox.staff_name) if outbox.staff_name else None))


def pending_outbox(session: Session) -> list[HubOutbox]:
    return list(session.exec(select(HubOutbox).where(HubOutbox.transport_status == "pending")
                             .order_by(HubOutbox.id)))


def is_revocation(outbox: HubOutbox) -> bool:
    return outbox.dedup_key.startswith("revoke:")


def pending_revocations(session: Session, document_id: str) -> list[tuple[int, str]]:
    """The revocation packages of a document not yet sent: (outbox id, uuid) for their deliveries."""
    return [(row.id, row.uuid) for row in session.exec(select(HubOutbox).where(
        HubOutbox.document_id == document_id, HubOutbox.transport_status == "pending",
        col(HubOutbox.dedup_key).startswith("revoke:")).order_by(HubOutbox.id))]
