"""The Danh mục hồ sơ pages and API v1: drafting with htmx, approval from the inbox, the Phụ lục V printouts,
and bad input refused in Vietnamese without changing anything."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from models.audit import AuditEvent
from models.db import reading, transaction
from models.org import repo as org_repo
from models.records.tables import RecordPlan, RecordPlanEntry, RecordPlanHeading
from tests.factories import skip_plan_ids
from tests.helpers import eventually_async
from tests.web.conftest import api_token, browser_login

OFFICE = "000.00.01.H23"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _distinct_plan_ids(web):
    with transaction(web.engine) as session:
        skip_plan_ids(session)


def _unit(web, abbreviation: str, code: str = OFFICE) -> int:
    with reading(web.engine) as session:
        agency = org_repo.agency_by_code(session, code)
        return next(u.id for u in org_repo.units_of(session, agency.id) if u.abbreviation == abbreviation)


def _state(web) -> tuple:
    """Every plan row and audit event: what a refused request must leave as it was."""
    with reading(web.engine) as session:
        return tuple((model.__name__, tuple(getattr(row, column.name) for column in model.__table__.columns))
                     for model in (RecordPlan, RecordPlanHeading, RecordPlanEntry, AuditEvent)
                     for row in session.exec(select(model).order_by(model.id))
                     if model is not AuditEvent or row.subject_type == "record_plan")


async def _open_task_id(web, plan_id: int, headers: dict) -> int:
    async def found():
        tasks = (await web.get("/api/v1/tasks?scope=unit", headers=headers)).json()
        return next((t["id"] for t in tasks if t["record_plan_id"] == plan_id), None)
    return await eventually_async(found)


async def test_the_api_drafts_submits_and_the_leader_approves_through_the_task_api(web, tmp_path):
    clerk = await api_token(web, "vanthu")
    created = await web.post("/api/v1/record-plans", json={"year": 2026, "numbering": "theo_de_muc"}, headers=clerk)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert (plan["status"], plan["numbering"], plan["entries"]) == ("du_thao", "theo_de_muc", [])
    plan_id = plan["id"]
    top = (await web.post(f"/api/v1/record-plans/{plan_id}/headings", headers=clerk, json={
        "title": "Tổ chức, cán bộ", "abbreviation": "tccb", "unit_id": _unit(web, "HCTC")})).json()["headings"][0]
    assert (top["numeral"], top["abbreviation"]) == ("I", "TCCB")
    second = await web.post(f"/api/v1/record-plans/{plan_id}/headings", headers=clerk, json={
        "title": "Tổng hợp", "abbreviation": "TH", "unit_id": _unit(web, "TH")})
    sub = await web.post(f"/api/v1/record-plans/{plan_id}/headings", headers=clerk, json={
        "title": "Tuyển dụng", "parent_id": top["id"]})
    assert [h["numeral"] for h in sub.json()["headings"]] == ["I", "1", "II"]
    th_id = second.json()["headings"][1]["id"]
    for heading_id, title, maintenance in [(top["id"], "Quy chế làm việc", "Vĩnh viễn"),
                                           (th_id, "Báo cáo tổng kết năm", "vinh vien"),
                                           (sub.json()["headings"][1]["id"], "Hồ sơ tuyển dụng", "70 năm")]:
        answer = await web.post(f"/api/v1/record-plans/{plan_id}/entries", headers=clerk, json={
            "heading_id": heading_id, "title": title, "maintenance": maintenance})
        assert answer.status_code == 201, answer.text
    plan = answer.json()
    assert [(e["file_notation"], e["maintenance"]) for e in plan["entries"]] == [
        ("01.TCCB", "Vĩnh viễn"), ("02.TCCB", "70 năm"), ("01.TH", "Vĩnh viễn")]
    assert plan["totals"] == {"total": 3, "permanent": 2, "fixed_term": 1}
    assert plan["entries"][0]["creator"] == "Phòng Hành chính - Tổ chức"

    # Bad input: Vietnamese, nothing changed.
    before = _state(web)
    for path, body, status, code in [
        ("/api/v1/record-plans", {"year": 2026}, 409, "plan_exists"),
        (f"/api/v1/record-plans/{plan_id}/entries", {"heading_id": th_id, "title": "X", "maintenance": "mười năm"},
         422, "plan_bad_retention"),
        (f"/api/v1/record-plans/{plan_id}/headings", {"title": "Tổng hợp 2", "abbreviation": "TH",
                                                       "unit_id": _unit(web, "TH")}, 201, None),
    ]:
        answer = await web.post(path, json=body, headers=clerk)
        assert (answer.status_code, answer.json().get("code")) == (status, code), answer.text
        if code:
            assert answer.json()["detail"].startswith(("Cơ quan đã có Danh mục hồ sơ năm 2026",
                                                       "Thời hạn bảo quản «mười năm» không hợp lệ"))
            assert _state(web) == before
    duplicate_th = answer.json()["headings"][-1]["id"]
    before = _state(web)
    clash = await web.post(f"/api/v1/record-plans/{plan_id}/entries", headers=clerk,
                           json={"heading_id": duplicate_th, "title": "Báo cáo quý", "maintenance": "5 năm"})
    assert (clash.status_code, clash.json()["code"]) == (422, "plan_duplicate_notation")
    assert "«01.TH» bị trùng" in clash.json()["detail"]
    assert _state(web) == before
    foreign = await api_token(web, "vanthu.snv")
    assert (await web.get(f"/api/v1/record-plans/{plan_id}", headers=foreign)).status_code == 404
    assert (await web.post(f"/api/v1/record-plans/{plan_id}/submit", headers=foreign)).status_code == 404
    assert _state(web) == before

    submitted = await web.post(f"/api/v1/record-plans/{plan_id}/submit", headers=clerk)
    assert (submitted.status_code, submitted.json()["status"], submitted.json()["workflow_id"]) == (
        200, "cho_duyet", f"danhmuc-{plan_id}-1")
    leader = await api_token(web, "lanhdao")
    task_id = await _open_task_id(web, plan_id, leader)
    decided = await web.post(f"/api/v1/tasks/{task_id}/actions", headers=leader,
                             json={"action": "duyet_danh_muc", "fields": {"comment": "Đồng ý"}, "nonce": "n1"})
    assert (decided.status_code, decided.json()["document_status"]) == (200, "ban_hanh"), decided.text
    plan = (await web.get(f"/api/v1/record-plans/{plan_id}", headers=clerk)).json()
    assert plan["status"] == "ban_hanh" and {e["status"] for e in plan["entries"]} == {"da_duyet"}

    approved = plan["entries"][0]["id"]
    refused = await web.post(f"/api/v1/record-plans/{plan_id}/entries/{approved}", headers=clerk,
                             json={"title": "Quy chế mới"})
    assert (refused.status_code, refused.json()["code"]) == (409, "plan_entry_approved")
    assert "đã được phê duyệt" in refused.json()["detail"]
    addition = await web.post(f"/api/v1/record-plans/{plan_id}/entries", headers=clerk,
                              json={"heading_id": top["id"], "title": "Hồ sơ nâng lương", "maintenance": "20 năm"})
    added = next(e for e in addition.json()["entries"] if e["title"] == "Hồ sơ nâng lương")
    assert (added["file_notation"], added["status"]) == ("03.TCCB", "de_xuat")  # after every approved TCCB
    listed = (await web.get("/api/v1/record-plans?year=2026", headers=clerk)).json()
    assert [(p["id"], p["status"], p["entry_count"]) for p in listed] == [(plan_id, "ban_hanh", 4)]

    spec = (await web.get("/openapi.json")).json()["paths"]
    for path in ("/api/v1/record-plans", "/api/v1/record-plans/{plan_id}", "/api/v1/record-plans/{plan_id}/entries",
                 "/api/v1/record-plans/{plan_id}/headings", "/api/v1/record-plans/{plan_id}/submit"):
        assert path in spec

    # The printouts carry the approved entries only (the addition waits for its round).
    pdf = await web.get(f"/api/v1/record-plans/{plan_id}/print.pdf", headers=clerk)
    assert pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "plan.pdf").write_bytes(pdf.content)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "plan.pdf"), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "DANH MỤC HỒ SƠ CỦA VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH HÀ NAM NĂM 2026" in text.upper()
    for words in ("Số và ký hiệu hồ sơ", "Tên đề mục và tiêu đề hồ sơ", "01.TCCB", "Hồ sơ tuyển dụng", "70 năm",
                  "Bản Danh mục hồ sơ này có 3 hồ sơ, bao gồm 2 hồ sơ bảo quản vĩnh viễn, 1 hồ sơ bảo quản có thời hạn."):
        assert words in text
    assert "Hồ sơ nâng lương" not in text
    xlsx = await web.get(f"/api/v1/record-plans/{plan_id}/export.xlsx", headers=clerk)
    sheet = load_workbook(BytesIO(xlsx.content)).active
    cells = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    assert cells[3][0].startswith("DANH MỤC HỒ SƠ CỦA VĂN PHÒNG") and cells[3][0].endswith("NĂM 2026")
    assert cells[5] == ["Số và ký hiệu hồ sơ", "Tên đề mục và tiêu đề hồ sơ", "Thời hạn bảo quản",
                        "Đơn vị, người lập hồ sơ", "Ghi chú"]
    assert cells[7] == ["I. Tổ chức, cán bộ"]
    assert cells[8] == ["01.TCCB", "Quy chế làm việc", "Vĩnh viễn", "Phòng Hành chính - Tổ chức"]
    assert cells[-1] == ["Bản Danh mục hồ sơ này có 3 hồ sơ, bao gồm 2 hồ sơ bảo quản vĩnh viễn, "
                         "1 hồ sơ bảo quản có thời hạn."]


async def test_the_pages_draft_with_htmx_and_the_leader_sends_back_from_the_inbox(web):
    token = await browser_login(web, "vanthu")
    csrf = {"X-CSRF-Token": token}
    listing = await web.get("/record-plans")
    assert listing.status_code == 200 and "Lập danh mục" in listing.text
    created = await web.post("/record-plans", headers=csrf, data={"year": "2026", "numbering": "lien_tuc"})
    assert created.status_code == 303
    page_url = created.headers["location"]
    plan_id = int(page_url.rsplit("/", 1)[1])
    fragment = await web.post(f"{page_url}/headings", headers={**csrf, **HTMX},
                              data={"title": "Văn phòng", "abbreviation": "vp", "unit_id": str(_unit(web, "HCTC"))})
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="plan-outline">')
    assert "I. Văn phòng" in fragment.text
    heading_id = int(re.search(r'id="heading-(\d+)"', fragment.text).group(1))
    fragment = await web.post(f"{page_url}/entries", headers={**csrf, **HTMX}, data={
        "heading_id": str(heading_id), "title": "Sổ đăng ký văn bản đến", "maintenance": "20 năm",
        "creator_unit_id": "", "creator_user_id": "", "description": ""})
    assert "01.VP" in fragment.text and "Sổ đăng ký văn bản đến" in fragment.text
    entry_id = int(re.search(r'id="entry-(\d+)"', fragment.text).group(1))
    fragment = await web.post(f"{page_url}/entries/{entry_id}", headers={**csrf, **HTMX}, data={
        "title": "Sổ đăng ký văn bản đi", "maintenance": "Vĩnh viễn", "creator_unit_id": str(_unit(web, "TH")),
        "creator_user_id": "", "description": "Bản giấy"})
    assert "Sổ đăng ký văn bản đi" in fragment.text and "Phòng Tổng hợp" in fragment.text
    assert "Bản Danh mục hồ sơ này có 1 hồ sơ, bao gồm 1 hồ sơ bảo quản vĩnh viễn" in fragment.text
    before = _state(web)
    not_empty = await web.post(f"{page_url}/headings/{heading_id}", headers={**csrf, **HTMX}, data={"action": "remove"})
    assert not_empty.status_code == 409 and "Đề mục còn hồ sơ" in not_empty.text
    assert _state(web) == before
    refused = await web.post(f"{page_url}/entries", headers={**csrf, **HTMX}, data={
        "heading_id": str(heading_id), "title": "Hồ sơ", "maintenance": "mãi mãi"})
    assert refused.status_code == 422 and "Thời hạn bảo quản «mãi mãi» không hợp lệ" in refused.text
    assert refused.headers["HX-Retarget"] == "#toast"
    assert _state(web) == before

    submitted = await web.post(f"{page_url}/submit", headers={**csrf, **HTMX})
    assert submitted.headers["HX-Redirect"] == page_url
    page = await web.get(page_url)
    assert "Chờ người đứng đầu cơ quan phê duyệt" in page.text and 'id="submit-plan"' not in page.text

    token = await browser_login(web, "lanhdao")
    leader = await api_token(web, "lanhdao")
    task_id = await _open_task_id(web, plan_id, leader)
    inbox = await web.get("/?scope=unit")
    assert f'href="/record-plans/{plan_id}"' in inbox.text
    page = await web.get(page_url)
    assert 'id="approval"' in page.text and "Trả lại để chỉnh sửa" in page.text
    decided = await web.post(f"{page_url}/decision", headers={"X-CSRF-Token": token}, data={
        "task_id": str(task_id), "action": "tra_lai_danh_muc", "reason": "Bổ sung hồ sơ thi đua", "nonce": "p1"})
    assert decided.status_code == 303 and decided.headers["location"] == page_url

    await browser_login(web, "vanthu")
    page = (await web.get(page_url)).text  # the decision was applied before its answer came back
    assert "Trạng thái</dt><dd id=\"plan-status\">Dự thảo" in page
    assert "Trả lại Danh mục hồ sơ để chỉnh sửa" in page and "Bổ sung hồ sơ thi đua" in page
    assert 'id="submit-plan"' in page
