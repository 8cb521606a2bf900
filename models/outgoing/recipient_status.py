"""What became of an issued document at each recipient: its status events and the current status.

One module owns the business codes of DOMAIN §8.3-8.4 (which decision reports which code is its
entry in ``models.tasks.actions.ACTIONS``) and the two writes: ``add_recipient_event`` on the sender's side, and ``report_to_sender``, called
in the transaction of the receiving side's action (inside the installation it writes the sender's
row; for a document that came through the hub it queues the status package).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from models.audit import record
from models.documents.tables import Document
from models.exchange.outbox import queue_status
from models.notifications.notify import notify
from models.org.tables import User
from models.outgoing.tables import (
    Recipient,
    RecipientEvent,
)

# Business status codes a recipient reports (DOMAIN §8.3-8.4), with what they mean.
STATUS_CODES = {
    "01": "Đã đến", "02": "Bị trả lại", "03": "Đã đăng ký", "04": "Đã giao xử lý",
    "05": "Đang xử lý", "06": "Hoàn thành", "13": "Đề nghị lấy lại", "15": "Đồng ý thu hồi",
    "16": "Từ chối thu hồi",
}
# Handling moves forward only: statuses may arrive late or twice over the hub (EDXML §5.2), and
# a late 01 must never hide a 05 in the current view. 02, 15 and 16 always show.
PROGRESS_RANK = {"01": 1, "03": 2, "04": 3, "05": 4, "06": 5}
# Answers after which nothing more happens at the recipient (returned; recall agreed): a handling
# status arriving after one of them is late, so it joins the history without replacing it.
FINAL_ANSWERS = {"02", "15"}


def add_recipient_event(session: Session, recipient: Recipient, code: str, at: datetime, *,
                        note: str = "", by_name: str = "") -> None:
    """Record one status of a recipient; a business code also becomes its current status.

    Every event is kept in the history; the current status only moves forward in handling.
    """
    session.add(RecipientEvent(recipient_id=recipient.id, code=code, at=at, note=note[:500], by_name=by_name[:100]))
    current = PROGRESS_RANK.get(recipient.business_status)
    if code in PROGRESS_RANK and current is not None and PROGRESS_RANK[code] < current:
        return
    if code in PROGRESS_RANK and recipient.business_status in FINAL_ANSWERS:
        return
    if code in STATUS_CODES:
        recipient.business_status = code
        recipient.status_at = at
        recipient.status_note = note[:500]
    session.add(recipient)


def report_to_sender(session: Session, incoming: Document, code: str, at: datetime, *,
                     note: str = "", actor_id: int | None = None) -> bool:
    """Tell the sender what became of a document it sent inside the installation.

    Called in the transaction of the receiving side's action (registered 03, assigned 04, in
    progress 05, finished 06, returned 02, recall answered 15/16), so the two commit together.
    Returns False for documents that did not come from an agency of this installation.
    """
    recipient = session.exec(select(Recipient).where(Recipient.incoming_document_id == incoming.id)).first()
    if recipient is None:
        # From outside the installation: the status goes back through the exchange hub.
        return queue_status(session, incoming, code, at, note=note, actor_id=actor_id)
    actor = session.get(User, actor_id) if actor_id else None
    by_name = actor.full_name if actor else ""
    add_recipient_event(session, recipient, code, at, note=note, by_name=by_name)
    record(session, actor_id, "document.status_reported", "document", recipient.document_id,
           recipient_id=recipient.id, status=code, note=note[:500])
    sent = session.get(Document, recipient.document_id)
    # The drafter follows up on the reply (QĐ44 Điều 13.5); a return needs their attention most.
    notify(session, [sent.created_by], sent.id, "recipient_status", urgent=code == "02",
           status=code, recipient=recipient.organ_name)
    return True

