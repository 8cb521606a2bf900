"""Delivering an issued document to its recipients (QĐ44 Điều 6.6), whenever they are added.

Used by the ``dispatch_outgoing`` activity right after issuing and by the văn thư adding a
recipient later (``web/recipients.py``). Both run in the caller's transaction; the caller starts
the workflows that follow (the recipients' intake, the hub deliveries) after commit.

Idempotent on the recipient row: a recipient already delivered, or already queued for the hub,
is skipped, so running it again delivers only to recipients added since.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from models.audit import record
from models.documents.search_repo import index_document
from models.documents.tables import Document, DocumentFile
from models.exchange import outbox as hub_outbox
from models.exchange.tables import HubOutbox
from models.notifications.notify import notify, people_with_role
from models.outgoing import recipient_status
from models.outgoing import repo as outgoing_repo
from models.outgoing.tables import Recipient, RecipientKind, TransportStatus
from models.processes import repo as definition_repo
from models.vocab import URGENCY_RANK, Direction, DocumentSource, DocumentStatus, Role, Urgency
from workflows.contracts import incoming_workflow_id


@dataclass
class Delivery:
    """What one round of delivery did."""

    received: list[Document] = field(default_factory=list)  # new incoming documents inside
    delivered: int = 0
    waiting: int = 0  # outside recipients, for the hub


def deliver(session: Session, document: Document, now: datetime, actor_id: int | None = None) -> Delivery:
    """Deliver to every recipient not reached yet: inside at once, outside marked for the hub."""
    result = Delivery()
    for recipient in outgoing_repo.recipients_of(session, document.id):
        if recipient.kind == RecipientKind.HOSTED:
            if recipient.incoming_document_id is None:
                definition = definition_repo.incoming_process_for(session, recipient.agency_id)
                result.received.append(_deliver_inside(session, document, recipient, definition, now))
            result.delivered += 1
        elif recipient.kind == RecipientKind.EXTERNAL:
            # Queued for the exchange hub by ``queue_for_hub``, in the same transaction.
            if recipient.transport_status == TransportStatus.PENDING:
                recipient.transport_status = TransportStatus.WAITING_CONNECTION
                recipient_status.add_recipient_event(session, recipient, "waiting", now,
                                                  note="Chờ gửi qua trục liên thông")
            result.waiting += 1
        elif recipient.transport_status == TransportStatus.PENDING:
            recipient.transport_status = TransportStatus.DELIVERED
            recipient.delivered_at = now
            recipient_status.add_recipient_event(session, recipient, "sent", now)
            result.delivered += 1
        session.add(recipient)
    record(session, actor_id, "document.dispatched", "document", document.id,
           delivered=result.delivered, waiting=result.waiting, new_inside=len(result.received))
    return result


def queue_for_hub(session: Session, document: Document, read: Callable[[str], bytes],
                  put: Callable[[bytes], str]) -> list[tuple[int, str]]:
    """Build and queue the document's package for each outside recipient not queued yet.

    Returns the pending outbox rows of the document, (id, uuid): their delivery workflows run next.
    """
    outside = [r for r in outgoing_repo.recipients_of(session, document.id) if r.kind == RecipientKind.EXTERNAL]
    missing = [r for r in outside
               if session.exec(select(HubOutbox).where(HubOutbox.dedup_key == f"edoc:{r.id}")).first() is None]
    if missing:
        sha = put(hub_outbox.document_package(session, document, missing, read))
        for recipient in missing:
            hub_outbox.queue_document(session, document, recipient, sha)
    return [(row.id, row.uuid) for row in session.exec(select(HubOutbox).where(
        HubOutbox.document_id == document.id, HubOutbox.message_type == "edoc",
        HubOutbox.transport_status == "pending"))]


def _deliver_inside(session: Session, document: Document, recipient: Recipient, definition,
                    now: datetime) -> Document:
    """Create the recipient's incoming document from the issued one: same file, same metadata."""
    incoming_id = str(uuid.uuid4())
    incoming = Document(
        id=incoming_id, direction=Direction.INCOMING, agency_id=recipient.agency_id,
        source=DocumentSource.INTERNAL, status=DocumentStatus.NEW,
        code_number=document.code_number, code_notation=document.code_notation,
        issued_date=document.issued_date, organ_name=document.organ_name, organ_id=document.organ_id,
        type_name=document.type_name, subject=document.subject, page_amount=document.page_amount,
        signer_full_name=document.signer_full_name, signer_position=document.signer_position,
        urgency=document.urgency, due_date=document.due_date, external_document_id=document.external_document_id,
        file_id=document.file_id, workflow_id=incoming_workflow_id(incoming_id),
        process_key=definition.key, process_version=definition.version,
        created_by=document.created_by,
    )
    session.add(incoming)
    session.flush()
    session.add(DocumentFile(document_id=incoming_id, file_id=document.file_id, role="main"))
    for attachment in session.exec(select(DocumentFile).where(DocumentFile.document_id == document.id,
                                                              DocumentFile.role == "attachment_issued")):
        session.add(DocumentFile(document_id=incoming_id, file_id=attachment.file_id, role="attachment"))
    recipient.incoming_document_id = incoming_id
    recipient.transport_status = TransportStatus.DELIVERED
    recipient.delivered_at = now
    recipient_status.add_recipient_event(session, recipient, "sent", now)
    # Stored in the recipient's system: status 01 (DOMAIN §8.3, step 10).
    recipient_status.add_recipient_event(session, recipient, "01", now)
    record(session, None, "document.received", "document", incoming_id, source=str(DocumentSource.INTERNAL),
           from_document=document.id, from_agency=document.organ_id)
    index_document(session, incoming)
    notify(session, people_with_role(session, recipient.agency_id, Role.CLERK), incoming_id,
           "internal_document_arrived", urgent=URGENCY_RANK[Urgency(document.urgency)] > 0,
           subject=document.subject)
    return incoming
