"""The history section of a document page, gathered in one place for the one template that renders
it (``documents/_history.html``): the incoming page, the outgoing page and the province supervisor's
read-only page all show the same history (``models.documents.history``: units and people with their
deadlines, every deadline and extension, who read it; for an outgoing document each recipient's
status with its times). The template has no form: whoever may act does so in the page's own sections.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models.documents.history import document_history
from models.documents.tables import Document
from models.outgoing import recipient_status
from models.outgoing import repo as outgoing_repo
from models.vocab import Direction
from web.labels import ASSIGNMENT_ROLE_LABELS

TRANSPORT_LABELS = {"pending": "Chưa gửi", "delivered": "Đã gửi", "waiting": "Chờ gửi qua trục liên thông",
                    "not_sent": "Không gửi (đã thu hồi)", "failed": "Gửi không thành công"}
EVENT_LABELS = {**recipient_status.STATUS_CODES, "sent": "Đã gửi", "waiting": "Chờ gửi qua trục liên thông",
                "recall": "Đề nghị thu hồi", "failed": "Gửi không thành công"}


def history_context(session: Session, document: Document) -> dict[str, Any]:
    """What ``documents/_history.html`` needs to show ``document``'s history (one the caller may see)."""
    context: dict[str, Any] = {"history": document_history(session, document.id),
                               "ASSIGNMENT_ROLE_LABELS": ASSIGNMENT_ROLE_LABELS}
    if document.direction == Direction.OUTGOING:
        context |= {"recipients": outgoing_repo.recipients_of(session, document.id),
                    "events": outgoing_repo.recipient_events(session, document.id),
                    "event_labels": EVENT_LABELS, "transport_labels": TRANSPORT_LABELS}
    return context
