"""Access to documents is audited (ND30 PL VI III.6.l): who opened a document's page, who
downloaded its file.

These sit on hot read paths, so a view costs one small insert in its own short transaction, and a
person reopening the same document within ``VIEW_QUIET`` is not recorded again (read first, so the
repeated view takes no write lock). Every download is recorded. The events join the hash chain
like every other audit event; they are kept out of the document's processing history
(``models.documents.repo.history``) and read on the administrator's audit log and in the readers of
a document page's history (``models.documents.history.readers``).

A page records its view after checking, in the request's read-only session, that the person may see
the document, and then goes on reading its history in that session. On SQLite a read transaction
keeps the snapshot of its first read (WAL), so it would not see the view just committed in another
transaction and the person would be missing from the readers until a reload. Such a page passes its
session as ``reader``: once the view is committed, ``read_anew`` ends the reader's transaction and
its next read starts a new one that includes the view (PostgreSQL's READ COMMITTED would see it
anyway; ending the transaction costs nothing there).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import audit
from models.audit_trail import repo as audit_repo
from models.db import reading, transaction, utcnow
from models.documents.repo import ACCESS_EVENTS

VIEWED, DOWNLOADED = ACCESS_EVENTS
VIEW_QUIET = timedelta(minutes=5)


def document_viewed(engine: Engine, user_id: int, document_id: str, *, via: str,
                    reader: Session | None = None) -> bool:
    """Record that a person opened a document (page or API); False when already recorded lately.

    ``reader``: the caller's read-only session, which reads the document's history next: it will
    see this view (``read_anew``)."""
    with reading(engine) as session:
        if audit_repo.accessed_since(session, user_id, document_id, VIEWED, utcnow() - VIEW_QUIET):
            return False
    with transaction(engine) as session:
        audit.record(session, user_id, VIEWED, "document", document_id, via=via)
    if reader is not None:
        read_anew(reader)
    return True


def read_anew(reader: Session) -> None:
    """End ``reader``'s read-only transaction, so that its next read starts a new one and sees what
    was committed meanwhile (see the module docstring). It wrote nothing, so nothing is lost; the
    rows it loaded are read again when next used."""
    reader.rollback()


def document_downloaded(engine: Engine, user_id: int, document_id: str, *, via: str, file: str,
                        revision: int | None = None, attachment: int | None = None) -> None:
    """Record that a person downloaded a document's file (``file``: its SHA-256; ``revision``: a
    draft's revision, ``attachment``: the attachment's number on the page)."""
    data = {"via": via, "file": file} | ({"revision": revision} if revision is not None else {}) \
        | ({"attachment": attachment} if attachment is not None else {})
    with transaction(engine) as session:
        audit.record(session, user_id, DOWNLOADED, "document", document_id, **data)
