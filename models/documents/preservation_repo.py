"""The SQL of preservation copies (``models.documents.preservation``). Never commits."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.documents.preservation import PreservationCopy
from models.documents.tables import DocumentFile, StoredFile

# The copy is one of its document's files, so whatever holds a document's files holds it too: a
# disposal removes it with the original, a backup copies it, the fixity round checks it.
ROLE = "pdfa"


def copies_of(session: Session, digests: list[str]) -> dict[str, StoredFile]:
    """The stored PDF/A copy of each original (by SHA-256) that has one."""
    if not digests:
        return {}
    rows = session.exec(select(PreservationCopy.source_sha256, StoredFile)
                        .join(StoredFile, col(StoredFile.id) == PreservationCopy.file_id)
                        .where(col(PreservationCopy.source_sha256).in_(sorted(set(digests))))).all()
    return dict(rows)


def add_copy(session: Session, source_sha256: str, sha256: str, size: int, filename: str, tool: str) -> StoredFile:
    """Keep a new copy of an original; idempotent on the original's digest (a copy another export
    recorded first is returned as it is)."""
    known = copies_of(session, [source_sha256]).get(source_sha256)
    if known is None:
        known = StoredFile(sha256=sha256, size=size, content_type="application/pdf", filename=filename[:255])
        session.add(known)
        session.flush()
        session.add(PreservationCopy(source_sha256=source_sha256, file_id=known.id, tool=tool))
        session.flush()
    return known


def link_copies(session: Session, held: dict[str, int]) -> int:
    """Give each document (id → its copy's file id) its ``pdfa`` file row where missing; return how many."""
    if not held:
        return 0
    present = set(session.exec(select(DocumentFile.document_id, DocumentFile.file_id).where(
        col(DocumentFile.document_id).in_(sorted(held)), DocumentFile.role == ROLE)).all())
    missing = [(document_id, file_id) for document_id, file_id in sorted(held.items())
               if (document_id, file_id) not in present]
    for document_id, file_id in missing:
        session.add(DocumentFile(document_id=document_id, file_id=file_id, role=ROLE))
    session.flush()
    return len(missing)
