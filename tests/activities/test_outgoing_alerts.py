"""Recipients that have not received an issued document in time are reported once (QĐ44 Điều 6.6)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select

from models.audit import AuditEvent
from models.db import transaction, utcnow
from models.documents.tables import Document
from models.notifications.tables import Notification
from models.org.tables import Agency, User
from models.outgoing import repo as outgoing_repo
from models.outgoing.tables import Recipient, RecipientKind, TransportStatus
from models.vocab import Direction, DocumentStatus


def _issued(session, hours_ago: float, *, reported: str = "") -> tuple[Document, Recipient]:
    office = session.exec(select(Agency).where(Agency.code == "000.00.01.H23")).one()
    ministry = session.exec(select(Agency).where(Agency.code == "000.00.00.G09")).one()
    drafter = session.exec(select(User).where(User.username == "chuyenvien")).one()
    document = Document(id=str(uuid.uuid4()), direction=Direction.OUTGOING, agency_id=office.id,
                        status=DocumentStatus.ISSUED, subject="Báo cáo", created_by=drafter.id,
                        issued_at=utcnow() - timedelta(hours=hours_ago))
    session.add(document)
    session.flush()
    recipient = Recipient(document_id=document.id, position=1, kind=RecipientKind.EXTERNAL,
                          agency_id=ministry.id, organ_id=ministry.code, organ_name=ministry.name,
                          transport_status=TransportStatus.WAITING_CONNECTION, business_status=reported)
    session.add(recipient)
    session.flush()
    return document, recipient


def test_it_reports_each_late_recipient_once_to_the_drafter_and_the_clerks(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        late, _ = _issued(session, 30)
        _issued(session, 2)  # not late yet
        _issued(session, 30, reported="01")  # it arrived
    cutoff = utcnow() - timedelta(hours=24)
    with transaction(seeded_sqlite) as session:
        assert outgoing_repo.alert_not_received(session, cutoff) == 1
    with transaction(seeded_sqlite) as session:
        assert outgoing_repo.alert_not_received(session, cutoff) == 0  # once only
        notified = session.exec(select(User.username).join(Notification, Notification.user_id == User.id)
                                .where(Notification.code == "recipient_not_received")).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.code == "document.recipient_not_received")).all()
    assert sorted(notified) == ["chuyenvien", "vanthu"]
    assert [e.subject_id for e in events] == [late.id]
