"""Giao việc on SQLite and PostgreSQL: recording an assignment within the assigner's powers, its
refusals (nothing stored), who sees it, progress, and its activities run twice leaving one effect."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, func, select
from temporalio.testing import ActivityEnvironment

from activities.assignments import AssignmentActivities
from activities.tasks import TaskActivities
from commands.assignments import record_assignment, report_progress
from models.assignments import repo as assignment_repo
from models.assignments.rules import parse_rating
from models.assignments.tables import AssignmentParty, AssignmentStatus, PartyRole, WorkAssignment
from models.audit import AuditEvent
from models.calendar.workdays import add_working_days, end_of_day
from models.db import reading, transaction, utcnow
from models.documents.access import visible_documents
from models.documents.tables import Document
from models.errors import DomainError
from models.notifications.tables import Notification
from models.org.tables import Agency, OrgUnit, User, UserRole
from models.registers.numbering import vietnam_date
from models.tasks.actions import validate_fields
from models.tasks.tables import Task
from models.vocab import AgencyKind, Role, TaskStatus
from tests.factories import make_document, make_org
from workflows.contracts import ApplyDecisionInput, OpenTaskInput
from workflows.work_contracts import CloseAssignmentInput


@pytest.fixture
def office(engine):
    """The factories' Văn phòng plus a head of TH, a second officer, unit KT with its head and an
    officer, and a person of another agency; each person as (User, roles)."""
    with transaction(engine) as session:
        org = make_org(session)
        kt = OrgUnit(agency_id=org.agency_id, abbreviation="KT", name="Phòng Kinh tế")
        other = Agency(code="000.00.02.H23", name="Sở Nội vụ tỉnh Hà Nam", abbreviation="SNV",
                       kind=AgencyKind.DEPARTMENT, place_name="Hà Nam")
        session.add_all([kt, other])
        session.flush()
        org.units["KT"] = kt.id
        for username, role, unit, agency in [("head", Role.UNIT_LEADER, org.units["TH"], org.agency_id),
                                             ("officer2", Role.OFFICER, org.units["TH"], org.agency_id),
                                             ("kthead", Role.UNIT_LEADER, kt.id, org.agency_id),
                                             ("ktofficer", Role.OFFICER, kt.id, org.agency_id),
                                             ("outsider", Role.OFFICER, None, other.id)]:
            user = User(username=username, full_name=username.title(), agency_id=agency, unit_id=unit,
                        password_hash="!", must_change_password=False)
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role=role))
            org.users[username], org.roles[username] = user, {role}
        document = make_document(session, org)
    return engine, org, document


def _as(org, name):
    return {"user": org.users[name], "roles": org.roles[name]}


def _record(engine, org, name="leader", **raw):
    values = {"title": "Rà soát danh mục thủ tục hành chính", "working_days": 5, **raw}
    return record_assignment(engine, **_as(org, name), raw=values)


def _counts(engine) -> tuple[int, int, int]:
    with reading(engine) as session:
        return tuple(session.exec(select(func.count()).select_from(model)).one()
                     for model in (WorkAssignment, AssignmentParty, AuditEvent))


def test_a_leader_assigns_to_a_person_with_supporters_and_a_deadline_in_working_days(office):
    engine, org, document = office
    before = utcnow()
    assignment, start = _record(engine, org, lead_user_id=org.users["officer"].id,
                                support_user_ids=[org.users["ktofficer"].id], support_unit_ids=[org.units["KT"]],
                                document_ids=[document.id], content="Báo cáo trước kỳ họp")
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    assert assignment.workflow_id.startswith("giaoviec-") and len(assignment.workflow_id) == len("giaoviec-") + 36
    # The deadline is five working days on the calendar, at 17:00 Vietnam time.
    assert add_working_days(before, 5) <= assignment.due_at <= add_working_days(utcnow(), 5)
    assert start.due_date == vietnam_date(assignment.due_at).isoformat()
    assert (start.lead_user_id, start.lead_unit_id) == (org.users["officer"].id, org.units["TH"])
    assert [(p.unit_id, p.user_id) for p in start.supporters] == [(org.units["KT"], org.users["ktofficer"].id),
                                                                  (org.units["KT"], None)]
    assert start.assigner_role == Role.AGENCY_LEADER and start.assigner_unit_id is None
    with transaction(engine) as session:
        parties = assignment_repo.parties_of(session, assignment.id)
        (created,) = assignment_repo.history(session, assignment.id)
        linked = assignment_repo.documents_of(session, assignment.id)
    assert [(p.role, p.user_id, p.unit_id) for p in parties] == [
        (PartyRole.LEAD, org.users["officer"].id, None), (PartyRole.SUPPORT, org.users["ktofficer"].id, None),
        (PartyRole.SUPPORT, None, org.units["KT"])]
    assert created[0].code == "assignment.created" and created[0].actor_id == org.users["leader"].id
    assert created[0].data["document_ids"] == [document.id] and [d.id for d in linked] == [document.id]


def test_a_unit_given_the_work_waits_for_its_head_to_name_the_lead_and_a_date_wins(office):
    engine, org, _ = office
    day = vietnam_date(utcnow()) + timedelta(days=20)
    assignment, start = _record(engine, org, lead_unit_id=org.units["KT"], due_date=day.isoformat(), working_days=3)
    assert assignment.status == AssignmentStatus.NAMING and assignment.lead_user_id is None
    assert assignment.due_at == end_of_day(day) and assignment.working_days is None
    assert (start.lead_user_id, start.lead_unit_id, start.due_date) == (None, org.units["KT"], day.isoformat())


def test_a_unit_head_assigns_within_the_unit_only(office):
    engine, org, _ = office
    assignment, start = _record(engine, org, "head", lead_user_id=org.users["officer2"].id,
                                support_user_ids=[org.users["officer"].id])
    assert assignment.assigner_unit_id == org.units["TH"] and start.assigner_role == Role.UNIT_LEADER
    counts = _counts(engine)
    with pytest.raises(DomainError) as refused:
        _record(engine, org, "head", lead_user_id=org.users["officer"].id, support_user_ids=[org.users["ktofficer"].id])
    assert refused.value.code == "assignment_beyond_unit" and refused.value.params["outside"] == "Ktofficer"
    with pytest.raises(DomainError) as refused:
        _record(engine, org, "head", lead_unit_id=org.units["KT"])
    assert refused.value.code == "assignment_beyond_unit"
    assert _counts(engine) == counts


@pytest.mark.parametrize(("who", "raw", "code"), [
    ("leader", {}, "assignment_no_assignee"),
    ("leader", {"lead_user_id": "officer", "lead_unit_id": "KT"}, "assignment_two_leads"),
    ("leader", {"lead_user_id": "outsider"}, "assignment_beyond_agency"),
    ("leader", {"lead_user_id": "officer", "support_user_ids": ["leader"]}, "assignment_to_self"),
    ("leader", {"lead_unit_id": "HCTC"}, "assignment_unit_without_head"),
    ("leader", {"lead_user_id": "officer", "due_date": "PAST"}, "assignment_deadline_past"),
    ("leader", {"lead_user_id": "officer", "working_days": 0}, "assignment_deadline_range"),
    ("leader", {"lead_user_id": "officer", "working_days": None}, "assignment_deadline_required"),
    ("leader", {"lead_user_id": "officer", "title": "  "}, "invalid_fields"),
    ("leader", {"lead_user_id": "officer", "document_ids": ["0" * 36]}, "assignment_document_not_visible"),
    ("officer", {"lead_user_id": "officer2"}, "assignment_leaders_only"),
    ("clerk", {"lead_user_id": "officer2"}, "assignment_leaders_only"),
])
def test_bad_input_is_refused_in_a_named_way_and_changes_nothing(office, who, raw, code):
    engine, org, _ = office
    values = {name: (org.users[value].id if name.endswith("user_id") else org.units[value])
              if name in ("lead_user_id", "lead_unit_id") else value for name, value in raw.items()}
    if "support_user_ids" in values:
        values["support_user_ids"] = [org.users[name].id for name in values["support_user_ids"]]
    if values.get("due_date") == "PAST":
        values["due_date"] = (vietnam_date(utcnow()) - timedelta(days=1)).isoformat()
    counts = _counts(engine)
    with pytest.raises(DomainError) as refused:
        _record(engine, org, who, **values)
    assert refused.value.code == code
    assert _counts(engine) == counts


def test_who_sees_an_assignment_and_its_linked_document(office):
    engine, org, document = office
    assignment, _ = _record(engine, org, lead_user_id=org.users["officer"].id, support_unit_ids=[org.units["KT"]],
                            document_ids=[document.id])
    with reading(engine) as session:
        for name in ("leader", "deputy", "officer", "kthead"):  # assigner, agency leader, lead, supporting head
            assert assignment_repo.assignment_for_user(session, org.users[name], org.roles[name], assignment.id)
        for name in ("officer2", "ktofficer", "outsider"):
            with pytest.raises(DomainError) as hidden:
                assignment_repo.assignment_for_user(session, org.users[name], org.roles[name], assignment.id)
            assert hidden.value.code == "assignment_not_found"
        received = assignment_repo.received_by(session, org.users["kthead"], org.roles["kthead"])
        given = assignment_repo.given_by(session, org.users["leader"])
        assert [a.id for a in received] == [a.id for a in given] == [assignment.id]
        assert assignment_repo.received_by(session, org.users["leader"], org.roles["leader"]) == []

        def sees(name):
            return session.exec(select(Document.id).where(
                Document.id == document.id, visible_documents(org.users[name], org.roles[name]))).first() is not None
        # The lead may read the linked document; an officer of the same unit outside the work may not.
        assert sees("officer") and sees("kthead") and not sees("officer2")


def _steps(engine, assignment, start, *keys_and_steps):
    """Open the workflow's steps as ``open_task`` does (the real activity)."""
    tasks = TaskActivities(engine)
    for key, step, assignee, unit, role in keys_and_steps:
        ActivityEnvironment().run(tasks.open_task, OpenTaskInput(
            workflow_id=assignment.workflow_id, task_key=key, document_id="", step=step,
            agency_id=start.agency_id, candidate_role=role, actions=[], urgency_rank=0,
            due_at=assignment.due_at, unit_id=unit, assignee_id=assignee, work_assignment_id=assignment.id))


def _apply(engine, assignment, key, action, actor, **fields):
    return ActivityEnvironment().run(AssignmentActivities(engine).apply_assignment_decision, ApplyDecisionInput(
        document_id="", workflow_id=assignment.workflow_id, task_key=key, step=key.split(":")[0], action=action,
        actor_id=actor.id, fields={name: str(value) for name, value in fields.items()}))


def _codes(engine, assignment) -> list[str]:
    with reading(engine) as session:
        return [event.code for event, _ in assignment_repo.history(session, assignment.id)]


def test_the_decisions_applied_twice_leave_one_effect_through_to_an_accepted_result(office):
    engine, org, _ = office
    assignment, start = _record(engine, org, lead_unit_id=org.units["KT"], support_user_ids=[org.users["officer"].id])
    lead, head, leader = org.users["ktofficer"], org.users["kthead"], org.users["leader"]
    _steps(engine, assignment, start, ("name_lead:1", "name_lead", None, org.units["KT"], Role.UNIT_LEADER),
           ("support:2", "support", org.users["officer"].id, org.units["TH"], Role.OFFICER))
    for _ in range(2):
        assert _apply(engine, assignment, "name_lead:1", "cu_nguoi_chu_tri", head, handler_id=lead.id).document_status \
            == "in_progress"
        _apply(engine, assignment, "support:2", "gui_y_kien", org.users["officer"], opinion="Số liệu quý III kèm theo",
               party_id=start.supporters[0].party_id)
    _steps(engine, assignment, start, ("carry_out:3", "carry_out", lead.id, org.units["KT"], Role.OFFICER))
    _apply(engine, assignment, "carry_out:3", "xin_gia_han", lead, new_due_date="2099-01-05", reason="Chờ số liệu")
    _steps(engine, assignment, start, ("extension:4", "extension", leader.id, None, Role.AGENCY_LEADER))
    _apply(engine, assignment, "extension:4", "dong_y_gia_han", leader, new_due_date="2099-01-05")
    _steps(engine, assignment, start, ("carry_out:5", "carry_out", lead.id, org.units["KT"], Role.OFFICER))
    for _ in range(2):
        assert _apply(engine, assignment, "carry_out:5", "bao_cao_ket_qua", lead, result="Đã rà soát 120 thủ tục") \
            .document_status == "submitted"
    _steps(engine, assignment, start, ("assess:6", "assess", leader.id, None, Role.AGENCY_LEADER))
    for _ in range(2):
        assert _apply(engine, assignment, "assess:6", "nghiem_thu_ket_qua", leader, rating=4, comment="Tốt") \
            .document_status == "done"
    with transaction(engine) as session:
        done = session.get(WorkAssignment, assignment.id)
        parties = assignment_repo.parties_of(session, assignment.id)
        tasks = session.exec(select(Task).where(Task.work_assignment_id == assignment.id)).all()
        told = session.exec(select(Notification).where(Notification.user_id == lead.id,
                                                       col(Notification.code).startswith("assignment_"))).all()
    assert (done.lead_user_id, parties[0].user_id) == (lead.id, lead.id)
    assert parties[1].contribution == "Số liệu quý III kèm theo" and parties[1].contributed_by == org.users["officer"].id
    assert done.due_at == end_of_day(date(2099, 1, 5)) and done.extensions == 1
    assert (done.rating, done.rating_comment, done.on_time) == (4, "Tốt", True)
    assert done.finished_at == done.submitted_at
    assert {t.status for t in tasks} == {TaskStatus.DONE}
    # The lead is told of the extension and of the assessment, with the way to the assignment.
    assert [(n.code, n.data["link"]) for n in told] == [("assignment_dong_y_gia_han", f"/assignments/{assignment.id}"),
                                                       ("assignment_nghiem_thu_ket_qua", f"/assignments/{assignment.id}")]
    assert _codes(engine, assignment) == [
        "assignment.created", "task.opened", "task.opened", "assignment.cu_nguoi_chu_tri", "assignment.gui_y_kien",
        "task.opened", "assignment.xin_gia_han", "task.opened", "assignment.dong_y_gia_han", "task.opened",
        "assignment.bao_cao_ket_qua", "task.opened", "assignment.nghiem_thu_ket_qua"]


def test_a_result_reported_after_the_deadline_is_late_and_sent_back_it_reopens(office):
    engine, org, _ = office
    assignment, start = _record(engine, org, lead_user_id=org.users["officer"].id)
    with transaction(engine) as session:  # the deadline passed before the result came
        row = session.get(WorkAssignment, assignment.id)
        row.due_at = datetime(2020, 1, 2, 10, 0, tzinfo=UTC)
        session.add(row)
    lead, leader = org.users["officer"], org.users["leader"]
    _steps(engine, assignment, start, ("carry_out:1", "carry_out", lead.id, org.units["TH"], Role.OFFICER))
    _apply(engine, assignment, "carry_out:1", "bao_cao_ket_qua", lead, result="Xong")
    _steps(engine, assignment, start, ("assess:2", "assess", leader.id, None, Role.AGENCY_LEADER))
    assert _apply(engine, assignment, "assess:2", "tra_lai_ket_qua", leader, reason="Thiếu phụ lục").document_status \
        == "in_progress"
    _steps(engine, assignment, start, ("carry_out:3", "carry_out", lead.id, org.units["TH"], Role.OFFICER))
    _apply(engine, assignment, "carry_out:3", "bao_cao_ket_qua", lead, result="Đã bổ sung phụ lục")
    _steps(engine, assignment, start, ("assess:4", "assess", leader.id, None, Role.AGENCY_LEADER))
    _apply(engine, assignment, "assess:4", "nghiem_thu_ket_qua", leader, rating=2)
    with transaction(engine) as session:
        done = session.get(WorkAssignment, assignment.id)
        # One query counts what statistics need: done, and late.
        late = session.exec(select(func.count()).select_from(WorkAssignment).where(
            WorkAssignment.status == AssignmentStatus.DONE, WorkAssignment.on_time == False)).one()  # noqa: E712
    assert (done.status, done.result, done.on_time, late) == (AssignmentStatus.DONE, "Đã bổ sung phụ lục", False, 1)


def test_the_lead_reports_progress_and_nobody_else_does(office):
    engine, org, _ = office
    assignment, _ = _record(engine, org, lead_user_id=org.users["officer"].id)
    report_progress(engine, **_as(org, "officer"), assignment_id=assignment.id, raw={"note": "Đã xong 60%", "percent": 60})
    counts = _counts(engine)
    for name, raw, code in [("officer2", {"note": "x"}, "assignment_not_found"),
                            ("leader", {"note": "x"}, "assignment_not_lead"),
                            ("officer", {"note": "x", "percent": 150}, "invalid_fields"),
                            ("officer", {"note": ""}, "invalid_fields")]:
        with pytest.raises(DomainError) as refused:
            report_progress(engine, **_as(org, name), assignment_id=assignment.id, raw=raw)
        assert refused.value.code == code
    assert _counts(engine) == counts
    with transaction(engine) as session:
        row = session.get(WorkAssignment, assignment.id)
    assert (row.progress_percent, row.progress_note) == (60, "Đã xong 60%")
    assert _codes(engine, assignment)[-1] == "assignment.progress"


def test_cancelling_closes_the_open_steps_once_and_the_lost_start_is_found(office):
    engine, org, _ = office
    assignment, start = _record(engine, org, lead_user_id=org.users["officer"].id)
    with reading(engine) as session:  # no step yet: its start looks lost once it is old enough
        assert [a.id for a in assignment_repo.lost_starts(session, utcnow() + timedelta(seconds=1))] == [assignment.id]
        assert assignment_repo.lost_starts(session, utcnow() - timedelta(minutes=1)) == []
    _steps(engine, assignment, start, ("carry_out:1", "carry_out", org.users["officer"].id, None, Role.OFFICER))
    close = AssignmentActivities(engine).close_assignment
    request = CloseAssignmentInput(assignment.id, assignment.workflow_id, cancelled=True,
                                   actor_id=org.users["leader"].id, reason="Không còn cần thiết")
    assert ActivityEnvironment().run(close, request) == 1
    assert ActivityEnvironment().run(close, request) == 0
    with transaction(engine) as session:
        row = session.get(WorkAssignment, assignment.id)
        (task,) = session.exec(select(Task).where(Task.work_assignment_id == assignment.id)).all()
        assert assignment_repo.lost_starts(session, utcnow() + timedelta(seconds=1)) == []
    assert (row.status, row.cancel_reason, task.status) == (AssignmentStatus.CANCELLED, "Không còn cần thiết",
                                                           TaskStatus.CANCELLED)
    assert _codes(engine, assignment).count("assignment.cancelled") == 1


@pytest.mark.parametrize(("typed", "rating"), [
    ("5", 5), ("1", 1), ("Hoàn thành xuất sắc", 5), ("hoàn thành tốt nhiệm vụ", 4), ("HOAN THANH", 3),
    ("Không hoàn thành nhiệm vụ", 1), ("0", None), ("6", None), ("tốt", None), ("", None), ("٣", None)])
def test_a_rating_is_one_to_five_or_its_vietnamese_words(typed, rating):
    assert parse_rating(typed) == rating


def test_a_rating_out_of_range_is_refused_with_the_decision(office):
    engine, org, _ = office
    with reading(engine) as session:
        assert validate_fields(session, org.agency_id, "nghiem_thu_ket_qua", {"rating": "Hoàn thành tốt"}) \
            == {"rating": "4"}
        with pytest.raises(DomainError) as refused:
            validate_fields(session, org.agency_id, "nghiem_thu_ket_qua", {"rating": "7"})
    assert refused.value.params["fields"] == {"rating": "rating"}
