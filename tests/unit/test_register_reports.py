"""Rows of the printed registers and of the processing slip, assembled from the database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from models.audit import record
from models.db import transaction
from models.documents.tables import Assignment, Document
from models.errors import DomainError
from models.org.tables import Agency, OrgUnit, User
from models.registers import repo as register_repo
from models.registers.books import followup_register_report, incoming_register_report
from models.registers.periods import Period, ReportKind, parse_kind, parse_period
from models.registers.slip import processing_slip
from models.registers.tables import RegisterEntry
from models.seed.data import OFFICE_CODE
from models.vocab import Direction, DocumentStatus, EntryStatus
from web.reports import long_date, register_table
from web.reports.pdf import register_html
from workflows.contracts import incoming_workflow_id

YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))


def register_document(session: Session, at: datetime, agency_code: str = OFFICE_CODE,
                      **fields) -> Document:
    """Receive an incoming document and give it the next số đến, as intake and the workflow do."""
    agency = session.exec(select(Agency).where(Agency.code == agency_code)).one()
    clerk = session.exec(select(User).where(User.agency_id == agency.id)).first()
    document_id = str(uuid.uuid4())
    values = {"code_number": "125", "code_notation": "STC-NS", "issued_date": date(2026, 3, 2),
              "organ_name": "Sở Tài chính tỉnh Hà Nam", "type_name": "Công văn",
              "subject": "V/v hướng dẫn lập dự toán ngân sách năm 2027", **fields}
    document = Document(id=document_id, direction=Direction.INCOMING, agency_id=agency.id,
                        workflow_id=incoming_workflow_id(document_id), created_by=clerk.id,
                        created_at=at, **values)
    session.add(document)
    session.flush()
    register = register_repo.incoming_register(session, agency.id)
    entry, _ = register_repo.allocate_number(session, register.id, document.workflow_id, document.id, at)
    document.arrival_number, document.arrival_date = entry.number, at
    document.status = fields.get("status", DocumentStatus.REGISTERED)
    session.add(document)
    session.flush()
    return document


def direct(session: Session, document: Document, at: datetime, lead: str, cooperating: list[str],
           due: date | None, opinion: str, leader: str = "lanhdao") -> None:
    """What ``apply_decision`` writes for giao_xu_ly: routing rows and the audit event together."""
    actor = session.exec(select(User).where(User.username == leader)).one()
    units = {u.abbreviation: u for u in session.exec(select(OrgUnit).where(OrgUnit.agency_id == document.agency_id))}
    for abbreviation, role in [(lead, "chu_tri")] + [(c, "phoi_hop") for c in cooperating]:
        session.add(Assignment(document_id=document.id, role=role, unit_id=units[abbreviation].id,
                               due_date=due, opinion=opinion, assigned_by=actor.id, assigned_at=at))
    event = record(session, actor.id, "document.giao_xu_ly", "document", document.id, opinion=opinion)
    event.at = at
    document.to_places = "; ".join(units[a].name for a in [lead, *cooperating])
    document.due_date = due
    document.status = DocumentStatus.DIRECTED
    session.add(document)
    session.flush()


def _register(session: Session):
    agency = session.exec(select(Agency).where(Agency.code == OFFICE_CODE)).one()
    return register_repo.incoming_register(session, agency.id)


# --- parameters -----------------------------------------------------------------------------


def test_it_defaults_the_period_to_the_year_so_far():
    today = date(2026, 11, 26)
    assert parse_period(None, None, today) == Period(date(2026, 1, 1), today)
    assert parse_period("2026-03-01", "", today) == Period(date(2026, 3, 1), today)
    assert parse_period("2025-03-01", None, today) == Period(date(2025, 3, 1), date(2025, 12, 31))
    assert parse_period(None, "2025-06-30", today) == Period(date(2025, 1, 1), date(2025, 6, 30))


@pytest.mark.parametrize(("start", "end", "code"), [
    ("2026-05-01", "2026-04-30", "report_period_reversed"),
    ("2025-12-01", "2026-01-31", "report_period_crosses_year"),
    ("2026-02-30", None, "report_date_invalid"),
    ("01/02/2026", None, "report_date_invalid"),
])
def test_it_refuses_bad_periods(start, end, code):
    with pytest.raises(DomainError) as refused:
        parse_period(start, end, date(2026, 11, 26))
    assert refused.value.code == code and refused.value.status == 422


def test_it_knows_two_report_kinds():
    assert parse_kind(None) == ReportKind.REGISTER
    assert parse_kind("followup") == ReportKind.FOLLOWUP
    with pytest.raises(DomainError) as refused:
        parse_kind("outgoing")
    assert refused.value.code == "report_kind_unknown"


# --- Sổ đăng ký văn bản đến -----------------------------------------------------------------


def test_it_lists_the_period_in_number_order_by_vietnam_date(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        # 31/1 17:30 UTC is already 1 February in Hà Nội: it belongs to February.
        january = register_document(session, datetime(2026, 1, 31, 9, 0, tzinfo=UTC), subject="Tháng một")
        february = register_document(session, datetime(2026, 1, 31, 17, 30, tzinfo=UTC), subject="Tháng hai")
        register_document(session, datetime(2026, 3, 1, 2, 0, tzinfo=UTC), subject="Tháng ba")
        report = incoming_register_report(session, _register(session),
                                          Period(date(2026, 2, 1), date(2026, 2, 28)))
    assert [row.subject for row in report.rows] == ["Tháng hai"]
    row = report.rows[0]
    assert row.arrival_number == february.arrival_number == january.arrival_number + 1
    assert row.arrival_date == date(2026, 2, 1)
    assert (row.organ_name, row.so_ky_hieu, row.issued_date, row.type_name) == (
        "Sở Tài chính tỉnh Hà Nam", "125/STC-NS", date(2026, 3, 2), "Công văn")
    assert report.cover.first_number == report.cover.last_number == 2
    assert report.cover.agency_name == "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"
    assert report.cover.parent_agency_name == "Ủy ban nhân dân tỉnh Hà Nam"
    assert report.cover.year == 2026


def test_it_keeps_a_voided_number_in_the_register_with_its_reason(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        start = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
        documents = [register_document(session, start + timedelta(hours=i)) for i in range(3)]
        entry = session.exec(select(RegisterEntry).where(RegisterEntry.document_id == documents[1].id)).one()
        entry.status, entry.void_reason = EntryStatus.VOID, "Vào sổ nhầm, văn bản gửi Sở Nội vụ"
        session.add(entry)
        session.flush()
        report = incoming_register_report(session, _register(session), YEAR_2026)
    assert [row.arrival_number for row in report.rows] == [1, 2, 3]
    assert [row.void for row in report.rows] == [False, True, False]
    assert report.rows[1].void_reason == "Vào sổ nhầm, văn bản gửi Sở Nội vụ"
    table = register_table(report)
    assert table.rows[1][9] == "Số đến đã hủy: Vào sổ nhầm, văn bản gửi Sở Nội vụ"
    assert table.rows[0][9] == ""


def test_it_prints_recipients_and_the_day_the_document_was_passed_on(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        received = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)
        document = register_document(session, received, description="Có bản giấy")
        direct(session, document, datetime(2026, 5, 5, 20, 0, tzinfo=UTC), "TH", ["KT"], date(2026, 5, 20),
               "Giao Phòng Tổng hợp chủ trì")
        waiting = register_document(session, received + timedelta(hours=1))
        report = incoming_register_report(session, _register(session), YEAR_2026)
    first, second = report.rows
    assert first.recipients == "Phòng Tổng hợp; Phòng Kinh tế"
    assert first.transferred_date == date(2026, 5, 6)  # 20:00 UTC is the next morning in Hà Nội
    assert first.note == "Có bản giấy"
    assert second.document_id == waiting.id and second.transferred_date is None
    cells = register_table(report).rows[0]
    assert cells[:2] == [date(2026, 5, 4), 1]
    assert cells[5] == "Công văn: V/v hướng dẫn lập dự toán ngân sách năm 2027"
    assert cells[8] == ""  # Ký nhận: signed by hand on paper


def test_it_only_reads_the_register_it_is_given(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        register_document(session, datetime(2026, 6, 1, 2, 0, tzinfo=UTC), agency_code="000.00.02.H23")
        report = incoming_register_report(session, _register(session), YEAR_2026)
    assert report.rows == []
    assert report.cover.first_number is None and report.cover.last_number is None


# --- Sổ theo dõi giải quyết văn bản đến -----------------------------------------------------


def test_it_follows_deadlines_progress_and_replies(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        received = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
        late = register_document(session, received)
        direct(session, late, received + timedelta(hours=2), "TH", [], date(2026, 7, 10), "Tham mưu trả lời")
        answered = register_document(session, received + timedelta(hours=1))
        direct(session, answered, received + timedelta(hours=3), "KT", [], date(2026, 7, 10), "Trả lời Sở")
        answered.status, answered.closed_at = DocumentStatus.DONE, datetime(2026, 7, 8, 18, 0, tzinfo=UTC)
        session.add(answered)
        for number, notation, issued in [("310", "VP-KT", date(2026, 7, 9)), ("305", "VP-KT", date(2026, 7, 8)),
                                         ("", "", None)]:  # the last one is a draft: no số yet
            session.add(Document(id=str(uuid.uuid4()), direction=Direction.OUTGOING, agency_id=answered.agency_id,
                                 code_number=number, code_notation=notation, issued_date=issued,
                                 in_reply_to_id=answered.id, created_by=answered.created_by,
                                 status=DocumentStatus.ISSUED if number else DocumentStatus.DRAFT))
        session.flush()
        report = followup_register_report(session, _register(session), YEAR_2026, as_of=date(2026, 7, 15))
    late_row, answered_row = report.rows
    assert report.kind == ReportKind.FOLLOWUP
    assert (late_row.due_date, late_row.status, late_row.overdue, late_row.replies) == (
        date(2026, 7, 10), "directed", True, [])
    assert late_row.recipients == "Phòng Tổng hợp"
    assert answered_row.overdue is False and answered_row.closed_date == date(2026, 7, 9)
    assert [r.so_ky_hieu for r in answered_row.replies] == ["305/VP-KT", "310/VP-KT"]
    cells = register_table(report).rows
    assert cells[0][1] == "Công văn số 125/STC-NS ngày 02/03/2026 của Sở Tài chính tỉnh Hà Nam"
    assert cells[0][4] == "Đã giao xử lý, quá hạn"
    assert cells[1][4] == "Hoàn thành ngày 09/07/2026"
    assert cells[1][5] == "305/VP-KT ngày 08/07/2026; 310/VP-KT ngày 09/07/2026"


# --- Phiếu giải quyết văn bản đến -----------------------------------------------------------


def test_it_fills_the_slip_from_routing_rows_and_the_leader_decision(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        received = datetime(2026, 8, 3, 2, 0, tzinfo=UTC)
        document = register_document(session, received)
        direct(session, document, received + timedelta(hours=1), "TH", ["KT", "NC"], date(2026, 8, 20),
               "Giao Phòng Tổng hợp chủ trì, phối hợp tham mưu trả lời")
        # Phòng Nội chính's cooperation was withdrawn: it leaves the slip.
        withdrawn = session.exec(select(Assignment).join(OrgUnit, OrgUnit.id == Assignment.unit_id)
                                 .where(OrgUnit.abbreviation == "NC", Assignment.document_id == document.id)).one()
        withdrawn.withdrawn_at = received + timedelta(days=1)
        session.add(withdrawn)
        head = session.exec(select(User).where(User.username == "truongphong")).one()
        officer = session.exec(select(User).where(User.username == "chuyenvien")).one()
        session.add(Assignment(document_id=document.id, role="chu_tri", unit_id=head.unit_id, user_id=officer.id,
                               due_date=date(2026, 8, 15), opinion="Đ/c Hùng dự thảo văn bản trả lời",
                               assigned_by=head.id, assigned_at=received + timedelta(days=1)))
        session.flush()
        slip = processing_slip(session, document)
    assert (slip.type_name, slip.so_ky_hieu, slip.issued_date, slip.organ_name) == (
        "Công văn", "125/STC-NS", date(2026, 3, 2), "Sở Tài chính tỉnh Hà Nam")
    assert slip.arrival_number == 1 and slip.arrival_date == date(2026, 8, 3)
    [leader] = slip.agency_leader
    assert leader.text == "Giao Phòng Tổng hợp chủ trì, phối hợp tham mưu trả lời"
    assert (leader.author_name, leader.author_position, leader.given_on) == (
        "Trần Văn Minh", "Chánh Văn phòng", date(2026, 8, 3))
    assert [(p.name, p.due_date) for p in leader.lead] == [("Phòng Tổng hợp", date(2026, 8, 20))]
    assert [p.name for p in leader.cooperating] == ["Phòng Kinh tế"]
    [unit] = slip.unit_leader
    assert (unit.author_name, unit.text, unit.given_on) == (
        "Lê Thị Hồng", "Đ/c Hùng dự thảo văn bản trả lời", date(2026, 8, 4))
    assert [(p.name, p.due_date) for p in unit.lead] == [("Phạm Quốc Hùng", date(2026, 8, 15))]
    assert slip.handler == []


def test_a_slip_before_any_decision_is_blank(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        slip = processing_slip(session, register_document(session, datetime(2026, 9, 1, 2, 0, tzinfo=UTC)))
    assert slip.agency_leader == slip.unit_leader == slip.handler == []


def test_only_incoming_documents_have_a_slip(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        agency = session.exec(select(Agency).where(Agency.code == OFFICE_CODE)).one()
        user = session.exec(select(User).where(User.agency_id == agency.id)).first()
        outgoing = Document(id=str(uuid.uuid4()), direction=Direction.OUTGOING, agency_id=agency.id,
                            created_by=user.id, status=DocumentStatus.DRAFT)
        session.add(outgoing)
        session.flush()
        with pytest.raises(DomainError) as refused:
            processing_slip(session, outgoing)
    assert refused.value.code == "slip_incoming_only"


# --- printed text -----------------------------------------------------------------------------


def test_dates_are_written_as_the_decree_writes_them():
    assert long_date(date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert long_date(date(2026, 11, 26)) == "ngày 26 tháng 11 năm 2026"
    assert long_date(date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"


def test_the_register_html_repeats_its_numbered_header(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        register_document(session, datetime(2026, 10, 1, 2, 0, tzinfo=UTC), subject="Về việc <b>thử</b>")
        report = incoming_register_report(session, _register(session), YEAR_2026)
    html = register_html(report)
    assert '<html lang="vi">' in html
    assert "<thead>" in html and "<th>(10)</th>" in html
    assert "Từ số </dt><dd>01</dd><dt> đến số </dt><dd>01</dd>" in html
    assert "Về việc &lt;b&gt;thử&lt;/b&gt;" in html  # values are escaped
