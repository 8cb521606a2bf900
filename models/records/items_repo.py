"""The documents filed in hồ sơ (``RecordItem``), without copying them (F-III.4.e). Never commits.

DocOrdinal (F-III.4.b) is gapless in each hồ sơ: the next one is the highest plus one, taken
while the caller holds the hồ sơ's row (``repo.lock_open``), so two filings into one hồ sơ never
take the same number on either backend; removing a document closes the gap it leaves.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, func, or_, update
from sqlmodel import Session, col, select

from models.db import insert_ignoring_conflict, utcnow
from models.documents.tables import Document, StoredFile
from models.errors import Conflict, NotFound
from models.records.rules import FILEABLE_INCOMING
from models.records.tables import RecordFile, RecordItem, RecordStatus
from models.vocab import Direction, DocumentStatus


def add(session: Session, record_id: int, document_id: str, user_id: int | None) -> RecordItem:
    """File a document at the next DocOrdinal; ``record_item_exists`` when it is already there.

    Precondition: the caller holds the hồ sơ's row (``repo.lock_open``).
    """
    ordinal = session.exec(select(func.coalesce(func.max(RecordItem.doc_ordinal), 0) + 1)
                           .where(RecordItem.record_id == record_id)).one()
    result = insert_ignoring_conflict(session, RecordItem, {
        "record_id": record_id, "document_id": document_id, "doc_ordinal": ordinal,
        "filed_at": utcnow(), "filed_by": user_id}, ["record_id", "document_id"])
    if result.rowcount != 1:
        raise Conflict("record_item_exists")
    return item(session, record_id, document_id)


def item(session: Session, record_id: int, document_id: str) -> RecordItem | None:
    """The filing of one document in one hồ sơ."""
    return session.exec(select(RecordItem).where(
        RecordItem.record_id == record_id, RecordItem.document_id == document_id)).first()


def remove(session: Session, record_id: int, document_id: str) -> int:
    """Take a document out of the hồ sơ and close the gap; return the DocOrdinal it had.

    Precondition: the caller holds the hồ sơ's row. The ordinals above move down in two
    statements (through negative values), so the unique (hồ sơ, ordinal) pair holds at every row
    on PostgreSQL, which checks it row by row.
    """
    found = item(session, record_id, document_id)
    if found is None:
        raise NotFound("record_item_not_found")
    ordinal = found.doc_ordinal
    session.execute(delete(RecordItem).where(col(RecordItem.id) == found.id))
    above = (col(RecordItem.record_id) == record_id)
    session.execute(update(RecordItem).where(above, col(RecordItem.doc_ordinal) > ordinal)
                    .values(doc_ordinal=-RecordItem.doc_ordinal))
    session.execute(update(RecordItem).where(above, col(RecordItem.doc_ordinal) < 0)
                    .values(doc_ordinal=-RecordItem.doc_ordinal - 1))
    session.expire_all()
    return ordinal


def items(session: Session, record_id: int) -> list[tuple[RecordItem, Document]]:
    """The hồ sơ's documents in DocOrdinal order."""
    return list(session.exec(select(RecordItem, Document).join(Document, col(Document.id) == RecordItem.document_id)
                             .where(RecordItem.record_id == record_id).order_by(col(RecordItem.doc_ordinal))).all())


def count(session: Session, record_id: int) -> int:
    """How many documents are filed in the hồ sơ now."""
    return session.exec(select(func.count()).select_from(RecordItem).where(RecordItem.record_id == record_id)).one()


def records_of(session: Session, document_id: str) -> list[tuple[RecordFile, RecordItem]]:
    """The hồ sơ a document is filed in (one document, several hồ sơ), with its place in each."""
    return list(session.exec(select(RecordFile, RecordItem).join(RecordItem, col(RecordItem.record_id) == RecordFile.id)
                             .where(RecordItem.document_id == document_id).order_by(col(RecordFile.id))).all())


def main_files(session: Session, record_id: int) -> list[tuple[RecordItem, Document, str | None]]:
    """Each filed document with the SHA-256 of its current file (what PageTotal counts)."""
    return list(session.exec(
        select(RecordItem, Document, StoredFile.sha256)
        .join(Document, col(Document.id) == RecordItem.document_id)
        .join(StoredFile, col(StoredFile.id) == Document.file_id, isouter=True)
        .where(RecordItem.record_id == record_id).order_by(col(RecordItem.doc_ordinal))).all())


def live_record_ids(session: Session, document_id: str, but: int) -> list[int]:
    """The other hồ sơ, not disposed, that hold a document."""
    return list(session.exec(select(RecordItem.record_id).join(RecordFile, col(RecordFile.id) == RecordItem.record_id)
                             .where(RecordItem.document_id == document_id, RecordItem.record_id != but,
                                    RecordFile.status != RecordStatus.DISPOSED)))


def candidates(session: Session, visible, agency_id: int, record_id: int, limit: int = 50) -> list[Document]:
    """The latest documents a person sees that may be filed and are not in the hồ sơ yet
    (``visible``: ``models.documents.access.visible_documents`` of that person)."""
    filed = select(RecordItem.document_id).where(RecordItem.record_id == record_id)
    final = or_(and_(col(Document.direction) == Direction.INCOMING, col(Document.status).in_(FILEABLE_INCOMING)),
                and_(col(Document.direction) == Direction.OUTGOING, col(Document.status) == DocumentStatus.ISSUED))
    return list(session.exec(select(Document).where(
        visible, col(Document.agency_id) == agency_id, final, col(Document.id).not_in(filed))
        .order_by(col(Document.updated_at).desc()).limit(limit)))
