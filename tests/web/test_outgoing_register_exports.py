"""The Sổ đăng ký văn bản đi through the same print and export routes as the incoming register."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import openpyxl
from sqlmodel import select

from models.db import transaction
from models.registers.tables import RegisterEntry
from models.vocab import EntryStatus
from tests.unit.test_outgoing_register_report import issue_document
from tests.web.conftest import api_token, browser_login
from tests.web.test_register_exports import _pdf, _text

SUBJECT = "V/v tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn mùa mưa bão"
ISSUED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _issue_three(engine) -> int:
    """Three Công văn in the general series; number 02 is voided. Return the register id."""
    with transaction(engine) as session:
        documents = [issue_document(session, ISSUED + timedelta(days=i), subject=f"{SUBJECT} (lần {i + 1})")
                     for i in range(3)]
        entry = session.exec(select(RegisterEntry).where(RegisterEntry.document_id == documents[1].id)).one()
        entry.status, entry.void_reason = EntryStatus.VOID, "Cấp trùng số"
        session.add(entry)
        return entry.register_id


async def test_the_api_prints_the_outgoing_register(web, tmp_path):
    register_id = _issue_three(web.engine)
    clerk = await api_token(web, "vanthu")
    response = await web.get(f"/api/v1/registers/{register_id}/print.pdf?from=2026-01-01&to=2026-12-31",
                             headers=clerk)
    assert response.status_code == 200, response.text
    assert "so-dang-ky-van-ban-di_2026-01-01_2026-12-31.pdf" in response.headers["content-disposition"]
    path = _pdf(tmp_path, response.content)

    cover = _text(path, 1)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in cover and "Năm: 2026" in cover and "Từ số 01 đến số 03" in cover
    body = _text(path)
    # Narrow headings wrap and pdftotext interleaves the cells of one line: check unwrapped ones.
    for heading in ("Số, ký hiệu văn", "Tên loại và trích yếu nội dung", "Người ký", "Nơi nhận văn bản",
                    "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú"):
        assert heading in body, heading
    assert "tìm kiếm cứu nạn mùa mưa bão (lần 3)" in body
    assert "01/VP-TH" in body and "Trần Văn Minh" in body
    assert "Số đã hủy: Cấp trùng số" in body


async def test_the_register_page_exports_the_outgoing_register_as_a_spreadsheet(web):
    register_id = _issue_three(web.engine)
    await browser_login(web, "vanthu")
    response = await web.get(f"/registers/{register_id}/export.xlsx?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200, response.text
    assert "so-dang-ky-van-ban-di_2026-03-01_2026-03-31.xlsx" in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert sheet.title == "Sổ đăng ký văn bản đi 2026"
    assert sheet["A3"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2026"
    assert [sheet.cell(row=6, column=c).value for c in (1, 4, 6, 10)] == [
        "Số, ký hiệu văn bản", "Người ký", "Đơn vị, người nhận bản lưu", "Ghi chú"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=8, max_row=10)]
    assert rows[0][0] == "01/VP-TH" and rows[0][1].date() == date(2026, 3, 2)
    assert rows[0][2] == f"Công văn: {SUBJECT} (lần 1)" and rows[0][6] == "3"
    assert rows[1][0] == "02/VP-TH" and rows[1][9] == "Số đã hủy: Cấp trùng số" and rows[1][3] is None
    assert rows[2][0] == "03/VP-TH"


async def test_an_outgoing_register_has_no_follow_up_register(web):
    register_id = _issue_three(web.engine)
    clerk = await api_token(web, "vanthu")
    response = await web.get(f"/api/v1/registers/{register_id}/export.xlsx?kind=followup", headers=clerk)
    assert response.status_code == 422
    assert "report_kind_mismatch" in response.text and "Sổ đăng ký văn bản đi" in response.text
