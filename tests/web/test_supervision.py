"""The province supervisor's pages, published statistics and their API v1, through the app (no
worker needed: nothing here starts a workflow).

The supervisor drills down from the province's figures to an agency, a unit and a late document of
another agency, which opens read only and is audited at each view; anyone else gets a Vietnamese
403. A publication is made from the page or the API, its figures frozen; the public page answers
404 until the installation enables it, and then names no person.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from models import audit
from models.audit import AuditEvent
from models.db import reading, transaction, utcnow
from models.documents.tables import Assignment, Document
from models.org.repo import agency_by_code
from models.org.tables import OrgUnit, User
from models.outgoing import recipient_status
from models.outgoing import repo as outgoing_repo
from models.publications.tables import StatisticsPublication
from models.registers.numbering import vietnam_date
from models.seed.demo import seed_demo
from models.vocab import AssignmentRole
from tests.conftest import DEMO_PASSWORD, _fresh_engine
from tests.helpers import rows
from tests.outgoing_helpers import draft_document
from tests.supervision_helpers import late_assignment, late_document, refresh_statistics
from tests.web.conftest import api_token, app_without_temporal, browser_login

SNV = "000.00.02.H23"
TODAY = vietnam_date(utcnow())
FINISHED = {"kind": "range", "start": (TODAY - timedelta(days=60)).isoformat(),
            "end": (TODAY - timedelta(days=1)).isoformat()}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = _fresh_engine("sqlite", tmp_path_factory.mktemp("supervision"))
    with transaction(engine) as session:
        seed_demo(session, DEMO_PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def late(engine) -> str:
    """A late document of Sở Nội vụ's Phòng Tổ chức, biên chế, counted in the rollups."""
    document_id = late_document(engine, agency_code=SNV, unit="TCBM", handler="vanthu.snv",
                                subject="V/v kiện toàn tổ chức bộ máy các phòng chuyên môn")
    refresh_statistics(engine)
    return document_id


@pytest.fixture
async def web(engine, tmp_path):
    async with app_without_temporal(engine, tmp_path) as client:
        yield client


def _ids(engine) -> tuple[int, int]:
    with reading(engine) as session:
        agency = agency_by_code(session, SNV)
        unit = session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency.id, OrgUnit.abbreviation == "TCBM")).one()
        return agency.id, unit.id


def _cells(html: str, row_key: int, table: str) -> dict[str, str]:
    section = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    row = section.split(f'data-key="{row_key}"', 1)[1].split("</tr>", 1)[0]
    return {name: re.sub(r"<[^>]+>", " ", value).split()[0]
            for name, value in re.findall(r'data-col="(\w+)"[^>]*>(.*?)</td>', row, re.S)}


async def test_the_supervisor_drills_down_to_a_late_document_read_only_and_audited(web, late):
    agency_id, unit_id = _ids(web.engine)
    await browser_login(web, "giamsat")
    month = await web.get("/statistics/province")  # this month by default: it arrived earlier, still open
    assert month.status_code == 200 and f"Tháng {TODAY.month}/{TODAY.year}" in month.text
    assert _cells(month.text, _ids(web.engine)[0], "agency-figures")["overdue"] == "1"
    province = await web.get(f"/statistics/province?kind=range&start={FINISHED['start']}")
    assert province.status_code == 200, province.text
    assert "Giám sát xử lý văn bản toàn tỉnh" in province.text
    row = _cells(province.text, agency_id, "agency-figures")
    assert (row["received"], row["open"], row["overdue"]) == ("1", "1", "1")
    assert f'href="/statistics/province/agency/{agency_id}?' in province.text
    assert "Overdue%20%3D%20true%20AND%20OrgUnit%20%3D%20%22000.00.02.H23%22" in province.text  # Temporal UI query
    assert f'href="/statistics/province/overdue?agency_id={agency_id}"' in province.text  # the in-app list
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in province.text  # the monthly trend
    assert "Chưa có văn bản hoàn thành trong kỳ" in province.text  # no on-time share without a finished document

    by_name = await web.get("/statistics/province?sort=label&order=asc")
    assert 'aria-sort="ascending"' in by_name.text
    labels = re.findall(r'<th scope="row"><a href="/statistics/province/agency/\d+[^"]*">([^<]+)</a>',
                        by_name.text.split('id="agency-figures"')[1].split("</table>")[0])
    assert labels == sorted(labels, key=str.casefold) and len(labels) > 5

    agency = await web.get(f"/statistics/province/agency/{agency_id}")
    assert agency.status_code == 200 and "Sở Nội vụ" in agency.text
    assert _cells(agency.text, unit_id, "unit-figures")["overdue"] == "1"
    assert f'/statistics/province/agency/{agency_id}/unit/{unit_id}?' in agency.text
    assert "Đỗ Thị Lan" in agency.text.split('id="person-figures"')[1]  # the handler's own row

    unit = await web.get(f"/statistics/province/agency/{agency_id}/unit/{unit_id}")
    assert unit.status_code == 200 and "Phòng Tổ chức, biên chế" in unit.text
    assert f'href="/documents/{late}"' in unit.text and "quá hạn" in unit.text
    overdue = await web.get(f"/statistics/province/overdue?agency_id={agency_id}&unit_id={unit_id}")
    assert f'href="/documents/{late}"' in overdue.text

    for _ in range(2):
        page = await web.get(f"/documents/{late}")
        assert page.status_code == 200, page.text
        assert "chế độ giám sát" in page.text and "kiện toàn tổ chức bộ máy" in page.text
        assert "/tasks/" not in page.text and 'method="post" action="/documents' not in page.text  # read only
    assert (await web.get(f"/documents/{late}/file")).status_code == 404
    views = rows(web.engine, AuditEvent, AuditEvent.code == "document.viewed", AuditEvent.subject_id == late)
    assert [(e.data["via"], e.data["agency_id"]) for e in views] == [("giam_sat", agency_id)] * 2

    work = late_assignment(web.engine, agency_code=SNV, unit="TCBM", lead="vanthu.snv", assigner="lanhdao.snv")
    listed = await web.get(f"/statistics/province/overdue?agency_id={agency_id}")
    assert f'href="/assignments/{work}"' in listed.text
    assignment = await web.get(f"/assignments/{work}")
    assert assignment.status_code == 200 and "chế độ giám sát" in assignment.text and "cải cách hành chính" in assignment.text
    main = re.search(r"<main\b[^>]*>(.*)</main>", assignment.text, re.S)
    assert main and "<form" not in main.group(1)  # nothing to act on
    viewed = rows(web.engine, AuditEvent, AuditEvent.code == "assignment.viewed")
    assert [(e.subject_id, e.data["via"]) for e in viewed] == [(f"assignment:{work}", "giam_sat")]

    bad = await web.get("/statistics/province?kind=month&value=2026-13")
    assert bad.status_code == 422 and "không hợp lệ" in bad.text
    assert (await web.get("/statistics/province/agency/999999")).status_code == 404


async def test_anyone_else_is_refused_in_vietnamese(web, late):
    agency_id, _ = _ids(web.engine)
    await browser_login(web, "vanthu")
    for path in ("/statistics/province", f"/statistics/province/agency/{agency_id}", "/statistics/province/overdue"):
        refused = await web.get(path)
        assert refused.status_code == 403 and "chỉ dành cho cán bộ giám sát" in refused.text, path
    assert (await web.get(f"/documents/{late}")).status_code == 404  # another agency's, not late-reading
    work = late_assignment(web.engine, agency_code=SNV, unit="TCBM", lead="vanthu.snv", assigner="lanhdao.snv",
                           title="Rà soát vị trí việc làm")
    assert (await web.get(f"/assignments/{work}")).status_code == 404
    clerk = await api_token(web, "vanthu")
    api = await web.get("/api/v1/statistics/province", headers=clerk)
    assert api.status_code == 403 and api.json()["code"] == "supervisor_only"


async def test_publications_from_the_page_and_the_api_and_the_public_page(web, late):
    settings = web.app.state.qlvb.settings
    assert (await web.get("/public/statistics")).status_code == 404  # off by default
    csrf = await browser_login(web, "giamsat")
    before = len(rows(web.engine, StatisticsPublication))
    refused = await web.post("/statistics/published", data={"kind": "month", "csrf_token": csrf})
    assert refused.status_code == 422 and "chưa qua" in refused.text
    assert len(rows(web.engine, StatisticsPublication)) == before
    made = await web.post("/statistics/published", data={**FINISHED, "title": "Số liệu hai tháng gần nhất",
                                                          "csrf_token": csrf})
    assert made.status_code == 303, made.text
    detail = await web.get(made.headers["location"])
    assert detail.status_code == 200 and "Số liệu hai tháng gần nhất" in detail.text and "Sở Nội vụ" in detail.text
    form = detail.text.split('id="correct"')[1].split("</form>")[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    corrected = await web.post("/statistics/published", data={**fields, "title": "Số liệu hai tháng (đính chính)",
                                                               "note": "Bổ sung số liệu", "csrf_token": csrf})
    assert corrected.status_code == 303, corrected.text
    replaced = await web.get(made.headers["location"])
    assert 'id="superseded"' in replaced.text and 'id="correct"' not in replaced.text
    assert "Đính chính, thay thế" in (await web.get(corrected.headers["location"])).text

    supervisor, clerk = await api_token(web, "giamsat"), await api_token(web, "vanthu")
    assert (await web.post("/api/v1/statistics/publications", json=FINISHED, headers=clerk)).status_code == 403
    created = await web.post("/api/v1/statistics/publications", json={**FINISHED, "title": "Qua API"}, headers=supervisor)
    assert created.status_code == 201, created.text
    body = created.json()
    snv = next(a for a in body["agencies"] if a["label"].startswith("Sở Nội vụ"))
    assert (snv["received"], snv["overdue"]) == (1, 1) and body["totals"]["received"] >= 1
    listed = (await web.get("/api/v1/statistics/publications", headers=clerk)).json()
    assert [p["title"] for p in listed[:3]] == ["Qua API", "Số liệu hai tháng (đính chính)", "Số liệu hai tháng gần nhất"]
    assert listed[2]["superseded_by"] == listed[1]["id"]
    one = await web.get(f"/api/v1/statistics/publications/{body['id']}", headers=clerk)
    assert one.status_code == 200 and one.json()["agencies"] == body["agencies"]
    province = await web.get("/api/v1/statistics/province?kind=range&start=" + FINISHED["start"], headers=supervisor)
    assert province.status_code == 200 and province.json()["period"]["kind"] == "range"
    assert any(a["temporal_overdue_url"] and "OrgUnit" in a["temporal_overdue_url"] for a in province.json()["agencies"])

    await browser_login(web, "vanthu")  # every person of the installation reads the reports
    page = await web.get("/statistics/published")
    assert page.status_code == 200 and "Qua API" in page.text and 'id="publish-form"' not in page.text

    settings.public_statistics = True
    try:
        anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=web.app), base_url="http://testserver")
        public = await anonymous.get("/public/statistics")
        assert public.status_code == 200 and "Qua API" in public.text and "Sở Nội vụ" in public.text
        for person in ("Đinh Thị Phương", "Đỗ Thị Lan", "Nguyễn Thị Thu"):  # publisher, handler, văn thư
            assert person not in public.text
        assert (await anonymous.get("/public/statistics?id=999999")).status_code == 404
    finally:
        settings.public_statistics = False

    paths = (await web.get("/openapi.json")).json()["paths"]
    assert paths["/api/v1/statistics/province"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "post" in paths["/api/v1/statistics/publications"] and "get" in paths["/api/v1/statistics/publications"]


def _history_section(html: str) -> str:
    """The document's history section as rendered (``documents/_history.html``), readers left out."""
    section = html[html.index('<section id="history"'):]
    section = section[:section.index("</ol>\n</section>")]
    return re.sub(r"\s+", " ", re.sub(r'<details class="readers">.*?</details>', "", section, flags=re.S))


def _with_handling_history(engine, document_id: str) -> None:
    """What directing, assigning and an extension leave: routing rows and their audit events."""
    with transaction(engine) as session:
        units = {u.abbreviation: u for u in session.exec(select(OrgUnit).where(OrgUnit.agency_id == _office_id(session)))}
        leader = session.exec(select(User).where(User.username == "lanhdao")).one()
        handler = session.exec(select(User).where(User.username == "chuyenvien")).one()
        due = (TODAY - timedelta(days=3)).isoformat()
        session.add(Assignment(document_id=document_id, role=AssignmentRole.COOPERATE, unit_id=units["KT"].id,
                               due_date=TODAY - timedelta(days=3), opinion="Phối hợp cung cấp số liệu",
                               assigned_by=leader.id))
        session.add(Assignment(document_id=document_id, role=AssignmentRole.INFORM, unit_id=units["NC"].id,
                               assigned_by=leader.id))
        audit.record(session, leader.id, "document.giao_xu_ly", "document", document_id, due_date=due,
                     lead_unit_id=str(units["TH"].id), cooperating_unit_ids=str(units["KT"].id))
        audit.record(session, handler.id, "document.xin_gia_han", "document", document_id,
                     new_due_date=(TODAY + timedelta(days=9)).isoformat(), reason="Chờ số liệu của Sở Tài chính")
        audit.record(session, leader.id, "document.tu_choi_gia_han", "document", document_id,
                     new_due_date=(TODAY + timedelta(days=9)).isoformat(), handler_id=str(handler.id))


def _office_id(session) -> int:
    return agency_by_code(session, "000.00.01.H23").id


async def test_a_supervised_document_shows_the_same_history_as_its_own_agency_page(web):
    """Units chủ trì/phối hợp/để biết with the person and deadline, the deadlines and extensions, the
    readers: the supervisor reads what the agency reads, through the same template, with no form."""
    document_id = late_document(web.engine, subject="V/v rà soát hồ sơ đất đai tồn đọng", number=931)
    _with_handling_history(web.engine, document_id)
    await browser_login(web, "lanhdao")
    own = await web.get(f"/documents/{document_id}")
    assert own.status_code == 200, own.text
    await browser_login(web, "giamsat")
    supervised = await web.get(f"/documents/{document_id}")
    assert supervised.status_code == 200 and "chế độ giám sát" in supervised.text
    history = _history_section(supervised.text)
    assert history == _history_section(own.text)
    for shown in ("Chủ trì", "Phối hợp", "Để biết", "Phạm Quốc Hùng", "Phòng Tổng hợp", "Phòng Kinh tế",
                  "Phòng Nội chính", "Thời hạn và gia hạn", "Chờ số liệu của Sở Tài chính", "xin đến",
                  "không gia hạn đến", (TODAY - timedelta(days=3)).strftime("%d/%m/%Y")):
        assert shown in history, shown
    readers = supervised.text.split('<details class="readers">', 1)[1].split("</details>", 1)[0]
    assert "Trần Văn Minh" in readers  # the agency's leader opened it
    main = re.search(r"<main\b[^>]*>(.*)</main>", supervised.text, re.S)
    assert main and "<form" not in main.group(1)  # read only


async def test_a_supervised_outgoing_document_shows_each_recipients_status(web):
    settings = web.app.state.qlvb.settings
    draft = draft_document(web.engine, settings)
    with transaction(web.engine) as session:
        document = session.get(Document, draft.id)
        document.due_date = TODAY - timedelta(days=2)  # late: its deadline passed before it was finished
        session.add(document)
        [recipient] = outgoing_repo.recipients_of(session, draft.id)
        recipient_status.add_recipient_event(session, recipient, "03", utcnow() - timedelta(hours=5),
                                             by_name="Đỗ Thị Lan", note="Số đến 12")
        session.add(recipient)
    await browser_login(web, "chuyenvien")
    own = await web.get(f"/outgoing/{draft.id}")
    assert own.status_code == 200, own.text
    await browser_login(web, "giamsat")
    supervised = await web.get(f"/documents/{draft.id}")
    assert supervised.status_code == 200 and "chế độ giám sát" in supervised.text
    history = _history_section(supervised.text)
    assert history == _history_section(own.text)
    assert 'id="recipients"' in history and "Sở Nội vụ" in history
    assert "Đã đăng ký" in history and "Đỗ Thị Lan" in history and "Số đến 12" in history
    main = re.search(r"<main\b[^>]*>(.*)</main>", supervised.text, re.S)
    assert main and "<form" not in main.group(1)
