"""The one writer of a document's status (vocabulary in ``models.vocab.DocumentStatus``).

Every place that changes what a document is (a decision, registration, issuing, a recall,
submission) calls ``change``, inside the caller's transaction, so what must go with a change
always goes with it: the timestamps (``updated_at``; ``closed_at`` when the document leaves every
queue), the search index row (status and dates are searched on), and the audit event that is
the document's history (ND30 PL VI III.5.a).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from models.audit import record
from models.db import utcnow
from models.documents.search_repo import index_document
from models.documents.tables import Document
from models.vocab import DocumentStatus

# Statuses after which nothing more happens to a document: its handling time ends here.
CLOSING = frozenset({DocumentStatus.DONE, DocumentStatus.FILED_FOR_REFERENCE, DocumentStatus.RETURNED,
                     DocumentStatus.RECALLED})


def change(session: Session, document: Document, event: str, *, actor_id: int | None,
           status: DocumentStatus | None = None, at: datetime | None = None, **data: Any) -> None:
    """Record ``event`` on the document, moving it to ``status`` when one is given.

    ``data`` goes into the audit event, with ``status_from``/``status_to`` when the status moved.
    The caller owns the transaction and has already made the other changes of the event (so the
    index row sees them).
    """
    at = at or utcnow()
    if status is not None and status != document.status:
        data = {**data, "status_from": str(document.status), "status_to": str(status)}
        document.status = status
        if status in CLOSING and document.closed_at is None:
            document.closed_at = at
    document.updated_at = at
    session.add(document)
    index_document(session, document)
    record(session, actor_id, event, "document", document.id, **data)
