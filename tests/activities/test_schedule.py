"""The weekly work schedule's commands and decision activity, on SQLite and PostgreSQL.

A văn phòng drafts a week, the approval round is decided by the activity the workflow runs
(called here as the worker would), a change after publication is prepared on the working copy
while the published one stays in force, and its approval tells each person concerned what
changed. Bad input is refused in Vietnamese and changes nothing.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlmodel import func, select

from activities.schedule import ScheduleActivities, restart_lost_schedule_starts
from activities.tasks import TaskActivities
from commands import schedule as schedule_commands
from models.audit import AuditEvent
from models.db import transaction
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.notifications.tables import Notification
from models.org.tables import Agency, OrgUnit, User, UserRole
from models.schedule.tables import ScheduleEvent, ScheduleStatus, WorkSchedule
from models.tasks.tables import Task
from models.vocab import AgencyKind, Role
from tests.factories import Org, make_document, make_org
from tests.helpers import make_settings
from workflows.contracts import ApplyDecisionInput, OpenTaskInput

WEEK = "2026-W49"  # Monday 30/11/2026 to Sunday 06/12/2026
TUESDAY = "2026-12-01"
CLERK = {Role.CLERK}
LEADER = {Role.AGENCY_LEADER}


@pytest.fixture
def office(engine):
    """The factories' Văn phòng with a head of unit for Phòng Tổng hợp, and a second agency."""
    with transaction(engine) as session:
        org = make_org(session)
        head = User(username="truongphong", full_name="Trưởng phòng Tổng hợp", agency_id=org.agency_id,
                    unit_id=org.units["TH"], password_hash="!", must_change_password=False)
        session.add(head)
        session.flush()
        session.add(UserRole(user_id=head.id, role=Role.UNIT_LEADER))
        org.users["unit_head"] = head
        other = _other_agency(session)
    return engine, org, other


def _other_agency(session) -> Org:
    """Sở Nội vụ with a unit, a leader and a văn thư (usernames of its own)."""
    agency = Agency(code="000.00.02.H23", name="Sở Nội vụ tỉnh Hà Nam", abbreviation="SNV",
                    kind=AgencyKind.DEPARTMENT, place_name="Hà Nam")
    session.add(agency)
    session.flush()
    other = Org(agency_id=agency.id)
    unit = OrgUnit(agency_id=agency.id, abbreviation="VP", name="Văn phòng Sở")
    session.add(unit)
    session.flush()
    other.units["VP"] = unit.id
    for username, role in (("lanhdao.snv", Role.AGENCY_LEADER), ("vanthu.snv", Role.CLERK)):
        user = User(username=username, full_name=username, agency_id=agency.id, unit_id=unit.id,
                    password_hash="!", must_change_password=False)
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, role=role))
        other.users["leader" if role == Role.AGENCY_LEADER else "clerk"] = user
    session.flush()
    return other


def _event(org, **overrides) -> dict:
    values = {"day": TUESDAY, "start_time": "08:00", "end_time": "10:00", "content": "Họp giao ban lãnh đạo Văn phòng",
              "place": "Phòng họp số 1", "leader_ids": [org.users["leader"].id],
              "participant_unit_ids": [org.units["TH"]], "preparing_unit_id": org.units["HCTC"]}
    values.update(overrides)
    return values


def _draft(engine, org, **event) -> tuple[int, int]:
    schedule, _ = schedule_commands.open_week(engine, user_id=org.users["clerk"].id, roles=CLERK, week=WEEK)
    saved = schedule_commands.add_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule.id,
                                        data=_event(org, **event))
    return schedule.id, saved.event.id


def _count(engine, model, *conditions) -> int:
    with transaction(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


async def _submit(engine, client, org, schedule_id) -> int:
    settings = make_settings(Path(tempfile.gettempdir()), f"test-{uuid.uuid4()}")  # no worker: the run waits
    return await schedule_commands.submit(engine, client, settings, user_id=org.users["clerk"].id, roles=CLERK,
                                          schedule_id=schedule_id)


def _decide(engine, org, schedule_id: int, action: str, **fields) -> str:
    """Open the round's step as the workflow does, then apply the leader's decision as the worker does."""
    with transaction(engine) as session:
        schedule = session.get(WorkSchedule, schedule_id)
        workflow_id = schedule.workflow_id
    key = "approve_schedule:1"
    TaskActivities(engine).open_task(OpenTaskInput(
        workflow_id=workflow_id, task_key=key, document_id="", step="approve_schedule", agency_id=org.agency_id,
        candidate_role=Role.AGENCY_LEADER, actions=["duyet_lich", "tra_lai_lich"], urgency_rank=0, due_at=None,
        schedule_id=schedule_id))
    request = ApplyDecisionInput(document_id="", workflow_id=workflow_id, task_key=key, step="approve_schedule",
                                 action=action, actor_id=org.users["leader"].id, fields=fields)
    first = ScheduleActivities(engine).apply_schedule_decision(request)
    again = ScheduleActivities(engine).apply_schedule_decision(request)  # a retried activity changes nothing
    assert again == first
    return first.document_status


def _notifications(engine, code: str) -> dict[int, str]:
    with transaction(engine) as session:
        return {n.user_id: n.data.get("detail", "") for n in session.exec(select(Notification).where(Notification.code == code))}


def test_the_vanphong_drafts_a_week_and_a_leader_booked_twice_is_a_warning(office):
    engine, org, _ = office
    schedule_id, _ = _draft(engine, org)
    second = schedule_commands.add_event(
        engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
        data=_event(org, start_time="09:30", end_time="11:00", content="Tiếp công dân định kỳ", place="Trụ sở tiếp công dân"))
    assert [(w.leader_id, w.first.content, w.second.content) for w in second.warnings] == [
        (org.users["leader"].id, "Họp giao ban lãnh đạo Văn phòng", "Tiếp công dân định kỳ")]
    # Touching ends are no overlap; another leader is not booked twice.
    third = schedule_commands.add_event(
        engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
        data=_event(org, start_time="11:00", end_time="12:00", content="Làm việc với Sở Tài chính"))
    assert third.warnings == []
    view = schedule_commands.read_week(engine, user=org.users["leader"], roles=LEADER, week=WEEK)
    assert view.copy == "working" and len(view.events) == 3 and len(view.overlaps) == 1
    assert view.events[0].participants_text == "Phòng Tổng hợp"
    # Someone outside the văn phòng sees nothing before publication.
    officer_view = schedule_commands.read_week(engine, user=org.users["officer"], roles={Role.OFFICER}, week=WEEK)
    assert officer_view.copy == "none" and officer_view.events == []


def test_opening_a_week_twice_gives_one_schedule_and_only_the_vanphong_drafts(office):
    engine, org, _ = office
    first, created = schedule_commands.open_week(engine, user_id=org.users["clerk"].id, roles=CLERK, week=WEEK)
    again, created_again = schedule_commands.open_week(engine, user_id=org.users["clerk"].id, roles=CLERK, week=WEEK)
    assert (first.id, created, created_again) == (again.id, True, False)
    with pytest.raises(Forbidden) as refused:
        schedule_commands.add_event(engine, user_id=org.users["officer"].id, roles={Role.OFFICER},
                                    schedule_id=first.id, data=_event(org))
    assert refused.value.code == "schedule_drafter_only"
    # A designated officer of the văn phòng (lap_lich) drafts like the văn thư.
    saved = schedule_commands.add_event(engine, user_id=org.users["officer"].id, roles={Role.OFFICER, Role.SCHEDULER},
                                        schedule_id=first.id, data=_event(org))
    assert saved.event.content == "Họp giao ban lãnh đạo Văn phòng"
    with pytest.raises(DomainError) as bad_week:
        schedule_commands.open_week(engine, user_id=org.users["clerk"].id, roles=CLERK, week="2025-W53")
    assert bad_week.value.code == "schedule_bad_week"


@pytest.mark.parametrize(("overrides", "code"), [
    ({"start_time": "10:00", "end_time": "09:00"}, "schedule_event_ends_before_start"),
    ({"start_time": "10:00", "end_time": "10:00"}, "schedule_event_ends_before_start"),
    ({"day": "2026-12-07"}, "schedule_event_outside_week"),
    ({"day": "2026-11-29"}, "schedule_event_outside_week"),
    ({"content": ""}, "invalid_fields"),
    ({"start_time": "25:00"}, "invalid_fields"),
])
def test_bad_events_are_refused_and_change_nothing(office, overrides, code):
    engine, org, _ = office
    schedule_id, _ = _draft(engine, org)
    events, audits = _count(engine, ScheduleEvent), _count(engine, AuditEvent)
    with pytest.raises(DomainError) as refused:
        schedule_commands.add_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                    data=_event(org, **overrides))
    assert refused.value.code == code
    assert (_count(engine, ScheduleEvent), _count(engine, AuditEvent)) == (events, audits)


def test_another_agencys_leader_unit_or_hidden_document_is_refused(office):
    engine, org, other = office
    schedule_id, event_id = _draft(engine, org)
    with transaction(engine) as session:
        foreign_document = make_document(session, other).id
        own_document = make_document(session, org).id
    for overrides in ({"leader_ids": [other.users["leader"].id]},
                      {"leader_ids": [org.users["officer"].id]},  # not a leader of the agency
                      {"participant_unit_ids": [other.units["VP"]]},
                      {"participant_user_ids": [other.users["clerk"].id]},
                      {"preparing_unit_id": other.units["VP"]}):
        with pytest.raises(DomainError) as refused:
            schedule_commands.change_event(engine, user_id=org.users["clerk"].id, roles=CLERK,
                                           schedule_id=schedule_id, event_id=event_id, data=_event(org, **overrides))
        assert refused.value.code == "schedule_foreign_people", overrides
    with pytest.raises(DomainError) as hidden:
        schedule_commands.change_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                       event_id=event_id, data=_event(org, document_ids=[foreign_document]))
    assert hidden.value.code == "schedule_document_not_visible"
    saved = schedule_commands.change_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                           event_id=event_id, data=_event(org, document_ids=[own_document]))
    assert [d for d, _ in saved.event.documents] == [own_document]
    # The other agency's văn thư cannot reach this schedule at all.
    with pytest.raises(NotFound):
        schedule_commands.remove_event(engine, user_id=other.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                       event_id=event_id)
    with pytest.raises(NotFound):
        schedule_commands.read_schedule(engine, user=other.users["leader"], roles=LEADER, schedule_id=schedule_id)


async def test_approval_publishes_and_a_published_week_changes_only_through_a_change_round(office, temporal_env):
    engine, org, _ = office
    client = temporal_env.client
    schedule_id, event_id = _draft(engine, org, participant_user_ids=[org.users["officer"].id])
    assert await _submit(engine, client, org, schedule_id) == 1
    with pytest.raises(Conflict) as pending:
        schedule_commands.add_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                    data=_event(org))
    assert pending.value.code == "schedule_pending"

    assert _decide(engine, org, schedule_id, "duyet_lich", comment="Đồng ý") == ScheduleStatus.PUBLISHED
    published = _notifications(engine, "schedule_published")
    # The leader, the participant, the head of the participating unit and of the preparing unit's
    # (none here), and the văn thư who submitted.
    assert set(published) == {org.users[n].id for n in ("leader", "officer", "unit_head", "clerk")}
    officer_view = schedule_commands.read_week(engine, user=org.users["officer"], roles={Role.OFFICER}, week=WEEK)
    assert [e.content for e in officer_view.events] == ["Họp giao ban lãnh đạo Văn phòng"]

    # Editing a published week without a change round is refused and changes nothing.
    with pytest.raises(Conflict) as refused:
        schedule_commands.change_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                       event_id=event_id, data=_event(org, start_time="14:00", end_time="16:00"))
    assert refused.value.code == "schedule_published_needs_change"

    # The change round: edit the working copy; readers still see the published one.
    schedule_commands.open_change(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id)
    view = schedule_commands.read_week(engine, user=org.users["clerk"], roles=CLERK, week=WEEK)
    moved = next(e for e in view.events if e.content == "Họp giao ban lãnh đạo Văn phòng")
    schedule_commands.change_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                   event_id=moved.id, data=_event(org, start_time="14:00", end_time="16:00",
                                                                  participant_user_ids=[org.users["officer"].id]))
    schedule_commands.add_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                data=_event(org, day="2026-12-03", content="Kiểm tra công tác văn thư",
                                            leader_ids=[org.users["deputy"].id], participant_unit_ids=[]))
    officer_view = schedule_commands.read_week(engine, user=org.users["officer"], roles={Role.OFFICER}, week=WEEK)
    assert [(e.content, f"{e.start_time:%H:%M}") for e in officer_view.events] == [
        ("Họp giao ban lãnh đạo Văn phòng", "08:00")]
    clerk_view = schedule_commands.read_week(engine, user=org.users["clerk"], roles=CLERK, week=WEEK)
    assert len(clerk_view.changes) == 2 and "14:00–16:00" in clerk_view.changes[0]

    assert await _submit(engine, client, org, schedule_id) == 2
    assert _decide(engine, org, schedule_id, "duyet_lich") == ScheduleStatus.PUBLISHED
    changed = _notifications(engine, "schedule_changed")
    # Everyone named in a changed event, and the unit heads of its units, each with their own changes.
    assert set(changed) == {org.users[n].id for n in ("leader", "officer", "unit_head", "deputy", "clerk")}
    assert "08:00–10:00 → Thứ Ba 01/12/2026, 14:00–16:00" in changed[org.users["officer"].id]
    assert "Kiểm tra công tác văn thư" not in changed[org.users["officer"].id]
    assert "Kiểm tra công tác văn thư" in changed[org.users["deputy"].id]
    with transaction(engine) as session:
        rows = session.exec(select(ScheduleEvent).where(ScheduleEvent.schedule_id == schedule_id,
                                                        ScheduleEvent.published == True)).all()  # noqa: E712
        assert sorted((f"{r.start_time:%H:%M}", r.sequence) for r in rows) == [("08:00", 0), ("14:00", 1)]
        assert session.get(WorkSchedule, schedule_id).published_version == 2


async def test_a_round_sent_back_returns_to_the_vanphong_with_the_reason(office, temporal_env):
    engine, org, _ = office
    schedule_id, event_id = _draft(engine, org)
    await _submit(engine, temporal_env.client, org, schedule_id)
    assert _decide(engine, org, schedule_id, "tra_lai_lich", reason="Bổ sung thành phần dự họp") == ScheduleStatus.DRAFT
    with transaction(engine) as session:
        assert session.get(WorkSchedule, schedule_id).returned_reason == "Bổ sung thành phần dự họp"
        assert session.exec(select(ScheduleEvent).where(ScheduleEvent.published == True)).all() == []  # noqa: E712
    assert "Bổ sung thành phần dự họp" in _notifications(engine, "schedule_returned")[org.users["clerk"].id]
    # Editable again, and the next submission is round 2.
    schedule_commands.change_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                   event_id=event_id, data=_event(org, participant_user_ids=[org.users["officer"].id]))
    assert await _submit(engine, temporal_env.client, org, schedule_id) == 2


def test_a_change_dropped_restores_the_published_copy(office):
    engine, org, _ = office
    schedule_id, _ = _draft(engine, org)
    with transaction(engine) as session:  # published as the activity leaves it
        from models.schedule import publication, repo
        schedule = repo.locked_schedule(session, schedule_id)
        publication.publish(session, schedule, org.users["leader"].id)
    schedule_commands.open_change(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id)
    view = schedule_commands.read_week(engine, user=org.users["clerk"], roles=CLERK, week=WEEK)
    schedule_commands.remove_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id,
                                   event_id=view.events[0].id)
    assert schedule_commands.read_week(engine, user=org.users["clerk"], roles=CLERK, week=WEEK).events == []
    schedule_commands.cancel_change(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id)
    restored = schedule_commands.read_week(engine, user=org.users["clerk"], roles=CLERK, week=WEEK)
    assert restored.status == ScheduleStatus.PUBLISHED and [e.content for e in restored.events] == [
        "Họp giao ban lãnh đạo Văn phòng"]
    with pytest.raises(Conflict):
        schedule_commands.cancel_change(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule_id)


def test_the_calendar_feeds_hold_the_published_events_and_a_new_address_retires_the_old(office, monkeypatch):
    engine, org, _ = office
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    year, week, _ = monday.isocalendar()
    schedule, _ = schedule_commands.open_week(engine, user_id=org.users["clerk"].id, roles=CLERK,
                                              week=f"{year}-W{week:02d}")
    for content, leader, day in (("Họp giao ban", "leader", monday), ("Đi cơ sở", "deputy", monday + timedelta(days=2))):
        schedule_commands.add_event(engine, user_id=org.users["clerk"].id, roles=CLERK, schedule_id=schedule.id,
                                    data=_event(org, day=day.isoformat(), content=content,
                                                leader_ids=[org.users[leader].id], participant_unit_ids=[]))
    token = schedule_commands.new_feed_token(engine, user_id=org.users["leader"].id)
    empty = Calendar.from_ical(schedule_commands.feed_ics(engine, token, whole_agency=True))
    assert list(empty.walk("VEVENT")) == []  # nothing before publication
    with transaction(engine) as session:
        from models.schedule import publication, repo
        publication.publish(session, repo.locked_schedule(session, schedule.id), org.users["leader"].id)

    agency = Calendar.from_ical(schedule_commands.feed_ics(engine, token, whole_agency=True))
    personal = Calendar.from_ical(schedule_commands.feed_ics(engine, token, whole_agency=False))
    assert sorted(str(e["SUMMARY"]) for e in agency.walk("VEVENT")) == ["Họp giao ban", "Đi cơ sở"]
    [mine] = personal.walk("VEVENT")
    assert str(mine["SUMMARY"]) == "Họp giao ban"
    assert mine.decoded("DTSTART").isoformat() == f"{monday.isoformat()}T08:00:00+07:00"
    assert str(mine["LOCATION"]) == "Phòng họp số 1"

    fresh = schedule_commands.new_feed_token(engine, user_id=org.users["leader"].id)
    with pytest.raises(NotFound):
        schedule_commands.feed_ics(engine, token, whole_agency=True)
    assert schedule_commands.feed_ics(engine, fresh, whole_agency=True).startswith(b"BEGIN:VCALENDAR")
    with pytest.raises(NotFound):
        schedule_commands.feed_ics(engine, "made-up-token", whole_agency=False)


async def test_a_lost_start_is_started_again_by_the_reconciler(office, temporal_env):
    engine, org, _ = office
    schedule_id, _ = _draft(engine, org)
    # The submission committed but its start never happened (Temporal down): only the row says so.
    with transaction(engine) as session:
        schedule = session.get(WorkSchedule, schedule_id)
        schedule.status, schedule.approval_round = ScheduleStatus.PENDING, 1
        schedule.workflow_id = f"lichtuan-{schedule_id}-1-{uuid.uuid4().hex[:8]}"
        schedule.submitted_at = schedule.created_at - timedelta(minutes=5)
        schedule.submitted_by = org.users["clerk"].id
        session.add(schedule)
    assert await restart_lost_schedule_starts(temporal_env.client, engine, f"test-{uuid.uuid4()}") == 1
    with transaction(engine) as session:
        workflow_id = session.get(WorkSchedule, schedule_id).workflow_id
    handle = temporal_env.client.get_workflow_handle(workflow_id)
    assert (await handle.describe()).workflow_type == "ScheduleApproval"
    await handle.terminate("test over")
    assert _count(engine, Task) == 0  # no worker ran it: the reconciler only started it
