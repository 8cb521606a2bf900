"""Rows of the Sổ đăng ký văn bản đi (ND30 PL IV Mục I), assembled from an outgoing series."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from models.db import transaction
from models.documents import types_repo as doc_type_repo
from models.documents.tables import Document
from models.errors import DomainError
from models.org.tables import Agency, User
from models.registers import repo as register_repo
from models.registers.books import outgoing_register_report, register_report
from models.registers.periods import Period, ReportKind, report_kind_for
from models.registers.tables import Register, RegisterEntry
from models.seed.data import OFFICE_CODE
from models.vocab import Direction, DocumentStatus, EntryStatus
from web.reports import register_table
from web.reports.pdf import register_html

MARCH_2026 = Period(date(2026, 3, 1), date(2026, 3, 31))
FIRST_ISSUE = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def issue_document(session: Session, at: datetime, type_name: str = "Công văn", **fields) -> Document:
    """Number a signed outgoing document in its series, as issuing does, and mark it issued."""
    agency = session.exec(select(Agency).where(Agency.code == OFFICE_CODE)).one()
    clerk = session.exec(select(User).where(User.username == "vanthu")).one()
    doc_type = doc_type_repo.type_by_name(session, type_name)
    register = register_repo.outgoing_register_for(session, agency.id, doc_type)
    document_id = str(uuid.uuid4())
    document = Document(id=document_id, direction=Direction.OUTGOING, agency_id=agency.id,
                        status=DocumentStatus.SIGNED, type_name=type_name,
                        workflow_id=f"outgoing-{document_id}", created_by=clerk.id, created_at=at,
                        **{"subject": "V/v tăng cường công tác phòng, chống thiên tai năm 2026",
                           "signer_full_name": "Trần Văn Minh",
                           "to_places": "Các sở, ban, ngành; UBND các xã, phường", "issued_amount": 3,
                           **fields})
    session.add(document)
    session.flush()
    entry, _ = register_repo.allocate_number(session, register.id, document.workflow_id, document.id, at)
    notation = f"{doc_type.code}-VP" if doc_type.code else "VP-TH"
    document.code_number, document.code_notation = str(entry.number), notation
    document.issued_date = (at + timedelta(hours=7)).date()
    document.status = DocumentStatus.ISSUED
    session.add(document)
    session.flush()
    return document


def _void(session: Session, document: Document, reason: str) -> None:
    entry = session.exec(select(RegisterEntry).where(RegisterEntry.document_id == document.id)).one()
    entry.status, entry.void_reason = EntryStatus.VOID, reason
    session.add(entry)
    session.flush()


def _general(session: Session) -> Register:
    agency = session.exec(select(Agency).where(Agency.code == OFFICE_CODE)).one()
    return register_repo.outgoing_register_for(session, agency.id, doc_type_repo.type_by_name(session, "Công văn"))


def test_it_lists_the_series_in_number_order_with_the_ten_columns(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        issue_document(session, FIRST_ISSUE, description="Gửi kèm bản giấy", file_copy_holder="VT, TH",
                       issued_at=FIRST_ISSUE + timedelta(hours=20))
        issue_document(session, FIRST_ISSUE + timedelta(days=1), "Kế hoạch",
                       subject="Kế hoạch cải cách hành chính năm 2026", issued_amount=12)
        report = outgoing_register_report(session, _general(session), MARCH_2026)

    assert report.kind == ReportKind.OUTGOING
    assert report.cover.register_name == "Sổ đăng ký văn bản đi"
    assert report.cover.agency_name == "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"
    assert report.cover.parent_agency_name == "Ủy ban nhân dân tỉnh Hà Nam"
    assert (report.cover.first_number, report.cover.last_number) == (1, 2)
    first, second = report.rows
    assert (first.so_ky_hieu, first.issued_date, first.type_name) == ("01/VP-TH", date(2026, 3, 2), "Công văn")
    assert first.signer == "Trần Văn Minh" and first.recipients.startswith("Các sở, ban, ngành")
    # Issued 22:00 UTC = 05:00 the next morning in Vietnam: the transfer date is Vietnam's day.
    assert (first.copies, first.note, first.file_copy_holder, first.transferred_date) == (
        3, "Gửi kèm bản giấy", "VT, TH", date(2026, 3, 3))
    assert (second.file_copy_holder, second.transferred_date) == ("", None)
    assert second.so_ky_hieu == "02/KH-VP" and second.copies == 12

    table = register_table(report)
    assert table.title == "Sổ đăng ký văn bản đi"
    assert [c.header for c in table.columns][0] == "Số, ký hiệu văn bản" and len(table.columns) == 10
    assert table.rows[0] == ["01/VP-TH", date(2026, 3, 2),
                             "Công văn: V/v tăng cường công tác phòng, chống thiên tai năm 2026",
                             "Trần Văn Minh", "Các sở, ban, ngành; UBND các xã, phường", "VT, TH", "3",
                             date(2026, 3, 3), "",
                             "Gửi kèm bản giấy"]


def test_a_voided_number_keeps_its_line_and_says_why(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        documents = [issue_document(session, FIRST_ISSUE + timedelta(hours=i)) for i in range(3)]
        _void(session, documents[1], "Văn bản bị thu hồi trước khi phát hành")
        report = outgoing_register_report(session, _general(session), MARCH_2026)

    assert [row.number for row in report.rows] == [1, 2, 3]
    voided = report.rows[1]
    assert voided.void and voided.void_reason == "Văn bản bị thu hồi trước khi phát hành"
    cells = register_table(report).rows[1]
    assert cells[0] == "02/VP-TH"
    assert cells[3:8] == ["", "", "", "", None]
    assert cells[-1] == "Số đã hủy: Văn bản bị thu hồi trước khi phát hành"
    assert register_table(report).void == [False, True, False]


def test_it_keeps_only_the_period_and_the_series_asked_for(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        issue_document(session, datetime(2026, 2, 28, 16, 59, tzinfo=UTC))  # 23:59 on 28/2 in Hà Nội
        issue_document(session, datetime(2026, 2, 28, 17, 0, tzinfo=UTC))  # 00:00 on 1/3 in Hà Nội
        issue_document(session, datetime(2026, 3, 31, 10, 0, tzinfo=UTC))
        issue_document(session, datetime(2026, 4, 1, 2, 0, tzinfo=UTC))
        issue_document(session, FIRST_ISSUE, "Quyết định (quy phạm pháp luật)")
        general = outgoing_register_report(session, _general(session), MARCH_2026)
        agency = session.exec(select(Agency).where(Agency.code == OFFICE_CODE)).one()
        normative = register_repo.outgoing_register_for(
            session, agency.id, doc_type_repo.type_by_name(session, "Quyết định (quy phạm pháp luật)"))
        decisions = register_report(session, normative, ReportKind.OUTGOING, MARCH_2026, as_of=date(2026, 4, 2))

    assert [row.number for row in general.rows] == [2, 3]
    assert (general.cover.first_number, general.cover.last_number) == (2, 3)
    assert [row.so_ky_hieu for row in decisions.rows] == ["01/QĐ-VP"]
    assert register_table(decisions).title == "Sổ văn bản quy phạm pháp luật – Quyết định"


def test_an_outgoing_series_prints_only_its_own_register(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        general = _general(session)
        agency = session.exec(select(Agency).where(Agency.code == OFFICE_CODE)).one()
        incoming = register_repo.incoming_register(session, agency.id)
    assert report_kind_for(general, None) == ReportKind.OUTGOING
    assert report_kind_for(general, "register") == ReportKind.OUTGOING
    assert report_kind_for(incoming, None) == ReportKind.REGISTER
    for register, raw, code in [(general, "followup", "report_kind_mismatch"),
                                (general, "outgoing", "report_kind_unknown"),
                                (incoming, "outgoing", "report_kind_unknown")]:
        with pytest.raises(DomainError) as refused:
            report_kind_for(register, raw)
        assert refused.value.code == code


def test_the_printout_carries_the_outgoing_headings_and_an_empty_period(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        report = outgoing_register_report(session, _general(session), MARCH_2026)
    html = register_html(report)
    assert "<h1>Sổ đăng ký văn bản đi</h1>" in html
    for heading in ("Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ký nhận"):
        assert f"<th>{heading}</th>" in html
    assert "Không có văn bản nào được vào sổ" in html
