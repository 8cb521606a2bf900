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


def test_a_backlog_is_reported_in_bounded_batches_and_rounds(seeded_sqlite, monkeypatch):
    """Each transaction reports at most a batch and a round at most a few batches; every late
    recipient is still reported exactly once over the rounds."""
    from activities import maintenance
    from config.settings import Settings

    monkeypatch.setattr(outgoing_repo, "NOT_RECEIVED_BATCH", 3)
    monkeypatch.setattr(maintenance, "ALERT_BATCHES_PER_ROUND", 2)
    with transaction(seeded_sqlite) as session:
        late = [_issued(session, 30)[1].id for _ in range(10)]
    cutoff = utcnow() - timedelta(hours=24)
    with transaction(seeded_sqlite) as session:
        assert outgoing_repo.alert_not_received(session, cutoff, limit=3) == 3
    settings = Settings(recipient_alert_hours=24)
    assert maintenance.alert_not_received(seeded_sqlite, settings) == 6  # a round's two batches of 3
    assert maintenance.alert_not_received(seeded_sqlite, settings) == 1  # the next round: the last one
    assert maintenance.alert_not_received(seeded_sqlite, settings) == 0
    with transaction(seeded_sqlite) as session:
        reported = session.exec(select(Recipient.id).where(Recipient.not_received_alert_at.is_not(None))).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.code == "document.recipient_not_received")).all()
    assert sorted(reported) == sorted(late) and len(events) == len(late)
