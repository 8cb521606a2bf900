"""An agency's statistics page, API v1 and the F-V.2 / F-V.4 reports (issue 13), on the demo data
with a generated year of work for the Văn phòng UBND: figures equal the direct count, each person
sees only their own agency, bad periods get Vietnamese refusals."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlmodel import select

from bench.province_corpus import Province, seed_work
from models.db import reading, transaction, utcnow
from models.org.tables import Agency, OrgUnit, User
from models.registers.numbering import vietnam_date
from models.seed.data import OFFICE_CODE
from models.statistics import direct, rollup_build
from models.statistics.direct import Scope
from models.statistics.schema import parse_period
from tests.web.conftest import api_token, browser_login


def _seed_office_work(engine) -> tuple[int, int]:
    """A year of generated work for the demo Văn phòng, the rollups rebuilt; (office id, another agency id)."""
    with reading(engine) as session:
        office = session.exec(select(Agency.id).where(Agency.code == OFFICE_CODE)).one()
        other = session.exec(select(Agency.id).where(Agency.id != office, Agency.hosted)).first()
        units = list(session.exec(select(OrgUnit.id).where(OrgUnit.agency_id == office)))
        people = {unit: list(session.exec(select(User.id).where(User.unit_id == unit))) for unit in units}
        clerk = session.exec(select(User.id).where(User.username == "vanthu")).one()
    province = Province(agency_ids=[office], units={office: [u for u in units if people[u]]},
                        people=people, clerks={office: clerk})
    now = utcnow()
    seed_work(engine, province, 150, random.Random(3), start=now - timedelta(days=300), end=now - timedelta(hours=1))
    with transaction(engine) as session:
        rollup_build.rebuild(session, rollup_build.agencies(session))
    return office, other


async def test_statistics_page_api_and_reports_for_the_own_agency_only(web):
    office, other = _seed_office_work(web.engine)
    today = vietnam_date(utcnow())
    leader = await api_token(web, "lanhdao")

    answer = await web.get(f"/api/v1/statistics?period=year&value={today.year}", headers=leader)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    with reading(web.engine) as session:
        expected = direct.tallies(session, parse_period("year", str(today.year), today=today),
                                  Scope("agency", agency_ids=[office]), today=today)[office].row(office, "")
    assert body["agency_id"] == office and body["period"]["label"] == f"Năm {today.year}"
    for name in ("received", "issued", "finished_on_time", "finished_late", "open", "overdue", "unacknowledged"):
        assert body["total"][name] == getattr(expected, name), name
    assert sum(unit["received"] for unit in body["units"]) == body["total"]["received"] > 0
    assert body["refreshed_at"] is not None and set(body["reports"]) == {
        "incoming_pdf", "incoming_xlsx", "outgoing_pdf", "outgoing_xlsx"}

    foreign = await web.get(f"/api/v1/statistics?agency_id={other}", headers=leader)
    assert foreign.status_code == 403 and "cơ quan mình" in foreign.text
    officer = await web.get("/api/v1/statistics", headers=await api_token(web, "chuyenvien"))
    assert officer.status_code == 403
    future = await web.get(f"/api/v1/statistics?period=year&value={today.year + 1}", headers=leader)
    assert future.status_code == 422 and "kỳ chưa bắt đầu" in future.text
    reversed_range = await web.get("/api/v1/statistics?period=range&start=2026-11-15&end=2026-11-01", headers=leader)
    assert reversed_range.status_code == 422 and "phải bằng hoặc sau" in reversed_range.text

    sheet = await web.get(body["reports"]["incoming_xlsx"], headers=leader)
    assert sheet.status_code == 200
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[2][0] == "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN"
    assert rows[-1][1] == "Tổng cộng" and rows[-1][2] == body["total"]["received"]
    printed = await web.get(body["reports"]["outgoing_pdf"], headers=leader)
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    foreign_report = await web.get(f"/api/v1/statistics/reports/incoming.xlsx?agency_id={other}", headers=leader)
    assert foreign_report.status_code == 403

    await browser_login(web, "vanthu")
    page = await web.get(f"/statistics?period=month&value={today:%Y-%m}")
    assert page.status_code == 200
    assert re.search(r'href="/statistics"[^>]*>Thống kê</a>', page.text) and f"Tháng {today.month}/{today.year}" in page.text
    assert 'id="unit-figures"' in page.text and 'id="oldest-overdue"' in page.text
    assert "/statistics/reports/incoming.pdf?" in page.text
    refused = await web.get(f"/statistics?agency_id={other}")
    assert refused.status_code == 403 and "cơ quan mình" in refused.text
    bad = await web.get("/statistics?period=month&value=2026-13")
    assert bad.status_code == 422 and "không hợp lệ" in bad.text
    unit_page = await web.get(f"/statistics?period=year&value={today.year}&unit_id={body['units'][0]['key']}")
    assert unit_page.status_code == 200 and "cả cơ quan" in unit_page.text
