"""The history a document page shows (models/documents/history.py): the slip's facts, every
deadline and extension, and who opened or downloaded the document."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from models.audit import AuditEvent, record
from models.db import transaction
from models.documents.history import document_history
from models.documents.tables import Assignment
from models.org.tables import OrgUnit, User
from models.vocab import AssignmentRole
from tests.unit.test_register_reports import direct, register_document


def _user(session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


def _event(session, actor_id, code, document_id, at, **data):
    event = record(session, actor_id, code, "document", document_id, **data)
    event.at = at
    return event


def test_it_shows_the_units_the_person_and_every_deadline_and_extension(seeded):
    received = datetime(2026, 8, 3, 2, 0, tzinfo=UTC)
    with transaction(seeded) as session:
        document = register_document(session, received)
        _event(session, None, "task.opened", document.id, received, step="direct",
               due_at=(received + timedelta(days=1)).isoformat())
        direct(session, document, received + timedelta(hours=1), "TH", ["KT"], date(2026, 8, 20),
               "Giao Phòng Tổng hợp chủ trì")
        units = {u.abbreviation: u for u in session.exec(select(OrgUnit).where(OrgUnit.agency_id == document.agency_id))}
        leader, head, officer = _user(session, "lanhdao"), _user(session, "truongphong"), _user(session, "chuyenvien")
        # The leader's event names the units and the deadline, as apply_decision records it.
        giao = session.exec(select(AuditEvent).where(AuditEvent.subject_id == document.id,
                                                     AuditEvent.code == "document.giao_xu_ly")).one()
        giao.data = {**giao.data, "lead_unit_id": str(units["TH"].id), "cooperating_unit_ids": str(units["KT"].id),
                     "due_date": "2026-08-20"}
        session.add(Assignment(document_id=document.id, role=AssignmentRole.LEAD, unit_id=head.unit_id,
                               user_id=officer.id, due_date=date(2026, 8, 15), opinion="Đ/c Hùng dự thảo",
                               assigned_by=head.id, assigned_at=received + timedelta(days=1)))
        session.add(Assignment(document_id=document.id, role=AssignmentRole.INFORM, unit_id=units["NC"].id,
                               assigned_by=leader.id, assigned_at=received + timedelta(days=1),
                               withdrawn_at=received + timedelta(days=2)))
        _event(session, head.id, "document.phan_cong", document.id, received + timedelta(days=1),
               handler_id=str(officer.id), due_date="2026-08-15", unit_id=head.unit_id)
        _event(session, officer.id, "document.xin_gia_han", document.id, received + timedelta(days=5),
               new_due_date="2026-08-25", reason="Chờ số liệu của Sở Tài chính")
        _event(session, leader.id, "document.dong_y_gia_han", document.id, received + timedelta(days=6),
               new_due_date="2026-08-25", handler_id=str(officer.id))
        # An assignment without a deadline sets none.
        _event(session, head.id, "document.phan_cong", document.id, received + timedelta(days=7),
               handler_id=str(officer.id), unit_id=head.unit_id)
        session.flush()
        history = document_history(session, document.id)

    assert [(r.role, r.unit, r.due_date, r.withdrawn_at is not None) for r in history.units] == [
        (AssignmentRole.LEAD, "Phòng Tổng hợp", date(2026, 8, 20), False),
        (AssignmentRole.COOPERATE, "Phòng Kinh tế", date(2026, 8, 20), False),
        (AssignmentRole.INFORM, "Phòng Nội chính", None, True),
    ]
    [person] = history.people
    assert (person.person, person.role, person.due_date, person.assigned_by) == (
        "Phạm Quốc Hùng", AssignmentRole.LEAD, date(2026, 8, 15), "Lê Thị Hồng")
    assert [(d.code, d.due, d.subject) for d in history.deadlines] == [
        ("task.opened", received + timedelta(days=1), ""),
        ("document.giao_xu_ly", date(2026, 8, 20), "Phòng Tổng hợp, Phòng Kinh tế"),
        ("document.phan_cong", date(2026, 8, 15), "Phạm Quốc Hùng"),
        ("document.xin_gia_han", date(2026, 8, 25), ""),
        ("document.dong_y_gia_han", date(2026, 8, 25), "Phạm Quốc Hùng"),
    ]
    assert history.deadlines[3].note == "Chờ số liệu của Sở Tài chính"
    assert history.deadlines[3].by == "Phạm Quốc Hùng"


def test_it_counts_views_and_downloads_per_person_newest_reader_first(seeded):
    received = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    with transaction(seeded) as session:
        document = register_document(session, received)
        leader, officer = _user(session, "lanhdao"), _user(session, "chuyenvien")
        for minutes in (10, 40):
            _event(session, leader.id, "document.viewed", document.id, received + timedelta(minutes=minutes), via="web")
        _event(session, leader.id, "document.downloaded", document.id, received + timedelta(minutes=41),
               via="web", file="ab")
        _event(session, officer.id, "document.viewed", document.id, received + timedelta(hours=3), via="web")
        session.flush()
        history = document_history(session, document.id)

    assert [(r.person, r.views, r.downloads) for r in history.readers] == [
        ("Phạm Quốc Hùng", 1, 0), ("Trần Văn Minh", 2, 1)]
    reader = history.readers[1]
    assert (reader.first_at, reader.last_at) == (received + timedelta(minutes=10), received + timedelta(minutes=41))
    # Views stay out of the processing events, as on the administrator's log.
    assert all(event.code not in ("document.viewed", "document.downloaded") for event, _ in history.events)
