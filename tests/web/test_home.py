"""Trang chủ (/home): login lands there, and each role's section counts what waits for them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest
from sqlmodel import select

from app import create_app
from models.assignments.tables import AssignmentParty, PartyRole, WorkAssignment
from models.db import transaction, utcnow
from models.documents.tables import Document
from models.org.tables import User, UserRole
from models.outgoing.tables import Recipient, RecipientKind
from models.schedule.rules import current_week
from models.schedule.tables import ScheduleEvent, ScheduleStatus, WorkSchedule
from models.tasks.tables import Task
from models.vocab import Direction, DocumentStatus, Role
from tests.conftest import DEMO_PASSWORD
from tests.helpers import make_settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _users(session) -> dict[str, User]:
    return {u.username: u for u in session.exec(select(User))}


def _document(session, clerk: User, direction=Direction.INCOMING, status=DocumentStatus.REGISTERED,
              subject="V/v báo cáo") -> Document:
    document_id = str(uuid.uuid4())
    document = Document(id=document_id, direction=direction, agency_id=clerk.agency_id, status=status,
                        subject=f"{subject} {document_id[:8]}", workflow_id=f"wf-{document_id}", created_by=clerk.id,
                        issued_at=utcnow() if status == DocumentStatus.ISSUED else None)
    session.add(document)
    session.flush()
    return document


def _task(session, document: Document, step: str, role: Role, *, unit_id=None, assignee: User | None = None,
          overdue=False, due_in_days=3, status: str | None = None) -> Task:
    task = Task(workflow_id=document.workflow_id, task_key=f"{step}:{uuid.uuid4().hex[:6]}", document_id=document.id,
                step=step, agency_id=document.agency_id, unit_id=unit_id, candidate_role=role,
                assignee_id=assignee.id if assignee else None, status=status or ("claimed" if assignee else "open"),
                actions=[], overdue=overdue, due_at=utcnow() + timedelta(days=due_in_days))
    session.add(task)
    return task


def _fill(engine) -> dict:
    """Work for each demo role of the Văn phòng, with the numbers each section should show."""
    with transaction(engine) as session:
        users = _users(session)
        clerk, leader, head, officer = (users[n] for n in ("vanthu", "lanhdao", "truongphong", "chuyenvien"))
        for _ in range(3):  # received documents to register
            _task(session, _document(session, clerk, status=DocumentStatus.NEW), "accept", Role.CLERK)
        for _ in range(2):  # signed drafts to issue
            _task(session, _document(session, clerk, Direction.OUTGOING, DocumentStatus.SIGNED), "issue", Role.CLERK)
        issued = _document(session, clerk, Direction.OUTGOING, DocumentStatus.ISSUED)
        for position, (kind, status) in enumerate([(RecipientKind.EXTERNAL, ""), (RecipientKind.HOSTED, ""),
                                                   (RecipientKind.HOSTED, "01"), (RecipientKind.UNIT, "")]):
            session.add(Recipient(document_id=issued.id, position=position, kind=kind, organ_name=f"Nơi nhận {position}",
                                  business_status=status))
        waiting = _document(session, clerk, subject="Chờ chỉ đạo")
        _task(session, waiting, "direct", Role.AGENCY_LEADER)
        _task(session, _document(session, clerk), "direct", Role.AGENCY_LEADER, overdue=True, due_in_days=-1)
        _task(session, _document(session, clerk, Direction.OUTGOING, DocumentStatus.IN_REVIEW), "sign",
              Role.AGENCY_LEADER, assignee=leader)
        _task(session, _document(session, clerk), "extension", Role.AGENCY_LEADER)  # neither: listed apart
        # The unit head's direction: naming the handler in their unit (and not another unit's).
        _task(session, _document(session, clerk), "assign", Role.UNIT_LEADER, unit_id=head.unit_id)
        _task(session, _document(session, clerk), "assign", Role.UNIT_LEADER, unit_id=clerk.unit_id)
        # The unit's work: one overdue handling step of its officer, one overdue of another unit.
        _task(session, _document(session, clerk), "handle", Role.OFFICER, unit_id=officer.unit_id, assignee=officer,
              overdue=True, due_in_days=-2)
        _task(session, _document(session, clerk), "handle", Role.OFFICER, unit_id=officer.unit_id, assignee=officer)
        _task(session, _document(session, clerk), "handle", Role.OFFICER, unit_id=clerk.unit_id, overdue=True)
        _task(session, _document(session, clerk), "handle", Role.OFFICER, unit_id=officer.unit_id,
              assignee=officer, status="done")  # closed work counts nowhere
        # An open giao việc led by the officer, and a finished one.
        for status in ("in_progress", "done"):
            assignment = WorkAssignment(workflow_id=f"giaoviec-{uuid.uuid4()}", agency_id=leader.agency_id,
                                        assigner_id=leader.id, assigner_role=Role.AGENCY_LEADER,
                                        title=f"Chuẩn bị báo cáo {status}", lead_user_id=officer.id, status=status,
                                        due_at=utcnow() + timedelta(days=5))
            session.add(assignment)
            session.flush()
            session.add(AssignmentParty(assignment_id=assignment.id, role=PartyRole.LEAD, user_id=officer.id))
        # This week's published schedule: one event the leader chairs, one without them.
        monday = current_week(datetime.now(UTC))
        schedule = WorkSchedule(agency_id=leader.agency_id, week_start=monday, status=ScheduleStatus.PUBLISHED,
                                published_version=1, published_at=utcnow())
        session.add(schedule)
        session.flush()
        for content, leaders in (("Họp giao ban tuần", [leader.id]), ("Tập huấn văn thư", [])):
            session.add(ScheduleEvent(schedule_id=schedule.id, uid=str(uuid.uuid4()), published=True, day=monday,
                                      start_time=time(8), end_time=time(9), content=content, leader_ids=leaders))
        # A person who is both văn thư and chuyên viên sees both sections.
        session.add(UserRole(user_id=clerk.id, role=Role.OFFICER))
        # A supervisor of the Văn phòng (the password of the archivist, whose hash is at hand).
        supervisor = User(username="giamsat.home", full_name="Giám sát", agency_id=leader.agency_id,
                          password_hash=users["luutru"].password_hash, must_change_password=False)
        session.add(supervisor)
        session.flush()
        session.add(UserRole(user_id=supervisor.id, role=Role.SUPERVISOR))
    return {"waiting_subject": waiting.subject}


@pytest.fixture
async def home_client(seeded, tmp_path):
    expected = _fill(seeded)
    app = create_app(make_settings(tmp_path, "unused"), engine=seeded, client=object(), strict_templates=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.expected = expected
            yield client


async def _login(client, username: str) -> httpx.Response:
    client.cookies.clear()
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text
    return response


def _count(page: str, element_id: str) -> int:
    return int(re.search(rf'id="{element_id}">(\d+)<', page).group(1))


async def test_each_role_lands_on_home_and_sees_its_counts(home_client):
    client = home_client
    landed = await _login(client, "lanhdao")
    assert landed.headers["location"] == "/home"  # no page asked for: the home page
    page = (await client.get("/home")).text
    assert re.search(r'href="/home"[^>]*>Trang chủ</a>', page) and "home-clerk" not in page and "home-handler" not in page
    assert _count(page, "count-direction") == 2 and _count(page, "count-signature") == 1
    assert _count(page, "count-leader-other") == 1
    assert client.expected["waiting_subject"] in page
    assert _count(page, "count-scope-overdue") == 3  # every overdue step of the agency, whichever unit
    assert "Họp giao ban tuần" in page and "Tập huấn văn thư" not in page  # only the events they attend

    await _login(client, "truongphong")
    page = (await client.get("/home")).text
    assert _count(page, "count-scope-overdue") == 1  # the unit's: its officer's, not the other unit's
    assert _count(page, "count-direction") == 1 and _count(page, "count-signature") == 0

    await _login(client, "vanthu")
    page = (await client.get("/home")).text
    assert _count(page, "count-registration") == 3 and _count(page, "count-issue") == 2
    # Outside and hosted recipients without any status; not the one that sent 01, not an own unit.
    assert _count(page, "count-unacknowledged") == 2 and "Nơi nhận 0" in page and "Nơi nhận 2" not in page
    assert "home-handler" in page  # also a chuyên viên: both sections

    await _login(client, "chuyenvien")
    page = (await client.get("/home")).text
    assert _count(page, "count-my-tasks") == 2 and "home-leader" not in page
    rows = re.findall(r'<li class="(late)?" data-task-id', page)
    assert rows and rows[0] == "late"  # the overdue one first
    assert "Chuẩn bị báo cáo in_progress" in page and "Chuẩn bị báo cáo done" not in page


async def test_a_login_with_a_page_to_return_to_still_goes_there(home_client):
    page = await home_client.get("/login?next=/outgoing")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert 'name="next" value="/outgoing"' in page.text
    response = await home_client.post("/login", data={"username": "vanthu", "password": DEMO_PASSWORD,
                                                      "csrf_token": token, "next": "/outgoing"})
    assert response.headers["location"] == "/outgoing"
    assert (await home_client.get("/")).status_code == 200  # the inbox stays at /


async def test_the_supervisor_and_the_archivist_get_their_ways(home_client):
    await _login(home_client, "giamsat.home")
    page = (await home_client.get("/home")).text
    assert 'id="home-supervisor"' in page and 'href="/statistics/province"' in page
    assert "home-leader" not in page and "home-clerk" not in page

    await _login(home_client, "luutru")
    page = (await home_client.get("/home")).text
    assert 'href="/records?scope=archive"' in page and "home-supervisor" not in page
