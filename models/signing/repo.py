"""Signature verdict queries (the caller owns the transaction).
"""

from __future__ import annotations

from sqlmodel import Session, select

from models.documents.tables import Document, StoredFile
from models.signing.tables import SignatureCheck


def check_for(session: Session, document_id: str, file_sha256: str) -> SignatureCheck | None:
    """The stored check of one file of a document, if any."""
    return session.exec(select(SignatureCheck).where(
        SignatureCheck.document_id == document_id, SignatureCheck.file_sha256 == file_sha256)).first()


def current_check(session: Session, document: Document) -> SignatureCheck | None:
    """The check of the document's current file, or None while it has not been checked."""
    return session.exec(
        select(SignatureCheck)
        .join(StoredFile, StoredFile.sha256 == SignatureCheck.file_sha256)
        .where(SignatureCheck.document_id == document.id, StoredFile.id == document.file_id)
    ).first()
