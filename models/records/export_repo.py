"""The SQL of exporting a hồ sơ (``models.records.export``): its documents with their files, and
the export rows. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.documents.search_repo import ATTACHMENT_ROLES
from models.documents.tables import Document, DocumentFile, StoredFile
from models.outgoing.tables import Recipient
from models.records.export import ExportStatus, RecordExport
from models.records.tables import RecordItem


def filed_documents(session: Session, record_id: int) -> list[tuple[RecordItem, Document, StoredFile | None]]:
    """Each document filed in the hồ sơ with its current file (none for a document without one)."""
    return list(session.exec(
        select(RecordItem, Document, StoredFile)
        .join(Document, col(Document.id) == RecordItem.document_id)
        .join(StoredFile, col(StoredFile.id) == Document.file_id, isouter=True)
        .where(RecordItem.record_id == record_id).order_by(col(RecordItem.doc_ordinal))).all())


def attachments(session: Session, document_ids: list[str]) -> dict[str, list[StoredFile]]:
    """Each document's attachments: the signed ones of an issued document, otherwise those received."""
    if not document_ids:
        return {}
    rows = session.exec(select(DocumentFile.document_id, DocumentFile.role, StoredFile)
                        .join(StoredFile, col(StoredFile.id) == DocumentFile.file_id)
                        .where(col(DocumentFile.document_id).in_(document_ids),
                               col(DocumentFile.role).in_(ATTACHMENT_ROLES))
                        .order_by(col(DocumentFile.id))).all()
    by_role: dict[str, dict[str, list[StoredFile]]] = {}
    for document_id, role, stored in rows:
        by_role.setdefault(document_id, {}).setdefault(role, []).append(stored)
    return {document_id: next(roles[role] for role in ATTACHMENT_ROLES if role in roles)
            for document_id, roles in by_role.items()}


def recipients(session: Session, document_ids: list[str]) -> dict[str, list[Recipient]]:
    """The Nơi nhận of outgoing documents, in their printed order."""
    if not document_ids:
        return {}
    found: dict[str, list[Recipient]] = {}
    for recipient in session.exec(select(Recipient).where(col(Recipient.document_id).in_(document_ids))
                                  .order_by(col(Recipient.document_id), col(Recipient.position))):
        found.setdefault(recipient.document_id, []).append(recipient)
    return found


def export(session: Session, export_id: str, *, for_update: bool = False) -> RecordExport | None:
    """An export row by id."""
    query = select(RecordExport).where(RecordExport.id == export_id)
    return session.exec(query.with_for_update() if for_update else query).first()


def latest_exports(session: Session, record_id: int, user_id: int, limit: int = 3) -> list[RecordExport]:
    """A person's latest exports of a hồ sơ (the page shows the one in progress or ready)."""
    return list(session.exec(select(RecordExport).where(RecordExport.record_id == record_id,
                                                        RecordExport.requested_by == user_id)
                             .order_by(col(RecordExport.created_at).desc()).limit(limit)))


def expired(session: Session, before: datetime) -> list[RecordExport]:
    """Finished or failed exports older than ``before`` whose package is still on disk."""
    return list(session.exec(select(RecordExport).where(
        col(RecordExport.status).in_([ExportStatus.DONE, ExportStatus.FAILED]),
        col(RecordExport.created_at) < before, col(RecordExport.removed_at).is_(None))))
