"""The weekly work schedule's approval on the real dev server, with the real worker and activities.

The văn thư drafts and submits; the head of the agency (``lanhdao``) sends the first round back,
then approves the second; a change after publication is its own round, and its approval tells
each person concerned, and only them, what changed for them.
"""

from __future__ import annotations

import pytest
from sqlmodel import select
from temporalio.client import WorkflowExecutionStatus

from commands import schedule as schedule_commands
from commands.tasks import act_on_task
from models.db import transaction
from models.errors import Conflict
from models.notifications.tables import Notification
from models.org.tables import OrgUnit, User
from models.schedule.tables import ScheduleStatus, WorkSchedule
from models.tasks.tables import Task
from models.vocab import TaskStatus
from tests.helpers import eventually, make_settings, rows, running_worker, user_and_roles
from tests.workflows.record_outgoing_histories import CASES, HISTORIES

WEEK = "2026-W49"


def _open_step(engine, schedule_id: int) -> Task | None:
    found = rows(engine, Task, Task.schedule_id == schedule_id, Task.status == TaskStatus.OPEN)
    return found[0] if found else None


def _status(engine, schedule_id: int) -> str:
    return str(rows(engine, WorkSchedule, WorkSchedule.id == schedule_id)[0].status)


async def _decide(engine, client, schedule_id: int, action: str, nonce: str, **fields):
    step = await eventually(lambda: _open_step(engine, schedule_id))
    assert (step.step, step.candidate_role, step.document_id) == ("approve_schedule", "lanh_dao_co_quan", None)
    leader, roles = user_and_roles(engine, "lanhdao")
    outcome = await act_on_task(engine, client, task_id=step.id, user=leader, roles=roles, action=action,
                                fields=fields, nonce=nonce)
    assert outcome.applied
    return outcome, rows(engine, WorkSchedule, WorkSchedule.id == schedule_id)[0].workflow_id


def _notified(engine, code: str) -> dict[str, str]:
    with transaction(engine) as session:
        found = session.exec(select(Notification).where(Notification.code == code)).all()
        return {session.get(User, n.user_id).username: n.data.get("detail", "") for n in found}


@pytest.fixture
def drafted(seeded_sqlite):
    """Week 49 with one event: the leader chairs, Phòng Tổng hợp and its chuyên viên attend."""
    engine = seeded_sqlite
    clerk, clerk_roles = user_and_roles(engine, "vanthu")
    leader, _ = user_and_roles(engine, "lanhdao")
    officer, _ = user_and_roles(engine, "chuyenvien")
    unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH", OrgUnit.agency_id == clerk.agency_id)[0]
    schedule, _ = schedule_commands.open_week(engine, user_id=clerk.id, roles=clerk_roles, week=WEEK)
    saved = schedule_commands.add_event(engine, user_id=clerk.id, roles=clerk_roles, schedule_id=schedule.id, data={
        "day": "2026-12-01", "start_time": "08:00", "end_time": "10:00", "content": "Giao ban lãnh đạo Văn phòng",
        "place": "Phòng họp tầng 2", "leader_ids": [leader.id], "participant_unit_ids": [unit.id]})
    schedule_commands.add_event(engine, user_id=clerk.id, roles=clerk_roles, schedule_id=schedule.id, data={
        "day": "2026-12-02", "start_time": "14:00", "end_time": "16:30", "content": "Làm việc với Sở Nội vụ",
        "place": "Sở Nội vụ", "leader_ids": [leader.id], "participant_user_ids": [officer.id]})
    return engine, schedule.id, saved.event.id, (clerk, clerk_roles)


async def test_sent_back_then_approved_publishes_the_week(drafted, temporal_env, task_queue, tmp_path):
    engine, schedule_id, _, (clerk, clerk_roles) = drafted
    client, settings = temporal_env.client, make_settings(tmp_path, task_queue)
    async with running_worker(client, engine, settings):
        await schedule_commands.submit(engine, client, settings, user_id=clerk.id, roles=clerk_roles,
                                       schedule_id=schedule_id)
        assert _status(engine, schedule_id) == ScheduleStatus.PENDING
        outcome, first_run = await _decide(engine, client, schedule_id, "tra_lai_lich", "s1",
                                           reason="Bổ sung đơn vị chuẩn bị")
        assert outcome.document_status == ScheduleStatus.DRAFT
        assert (await client.get_workflow_handle(first_run).result()) == "tra_lai_lich"
        assert "Bổ sung đơn vị chuẩn bị" in _notified(engine, "schedule_returned")["vanthu"]

        assert await schedule_commands.submit(engine, client, settings, user_id=clerk.id, roles=clerk_roles,
                                              schedule_id=schedule_id) == 2
        outcome, second_run = await _decide(engine, client, schedule_id, "duyet_lich", "s2", comment="Đồng ý")
        assert outcome.document_status == ScheduleStatus.PUBLISHED
        handle = client.get_workflow_handle(second_run)
        assert await handle.result() == "duyet_lich"
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert first_run != second_run
    # The leader, the participant, the head of the participating unit and the văn thư are told.
    assert set(_notified(engine, "schedule_published")) == {"lanhdao", "chuyenvien", "truongphong", "vanthu"}
    officer, officer_roles = user_and_roles(engine, "chuyenvien")
    view = schedule_commands.read_week(engine, user=officer, roles=officer_roles, week=WEEK)
    assert view.copy == "published" and len(view.events) == 2


async def test_a_change_after_publication_is_approved_and_tells_those_concerned(drafted, temporal_env, task_queue,
                                                                               tmp_path):
    engine, schedule_id, first_event, (clerk, clerk_roles) = drafted
    client, settings = temporal_env.client, make_settings(tmp_path, task_queue)
    async with running_worker(client, engine, settings):
        await schedule_commands.submit(engine, client, settings, user_id=clerk.id, roles=clerk_roles,
                                       schedule_id=schedule_id)
        await _decide(engine, client, schedule_id, "duyet_lich", "c1")
        with pytest.raises(Conflict):  # a published week is never edited in place
            schedule_commands.remove_event(engine, user_id=clerk.id, roles=clerk_roles, schedule_id=schedule_id,
                                           event_id=first_event)

        schedule_commands.open_change(engine, user_id=clerk.id, roles=clerk_roles, schedule_id=schedule_id)
        working = schedule_commands.read_week(engine, user=clerk, roles=clerk_roles, week=WEEK)
        meeting = next(e for e in working.events if e.content == "Làm việc với Sở Nội vụ")
        schedule_commands.change_event(engine, user_id=clerk.id, roles=clerk_roles, schedule_id=schedule_id,
                                       event_id=meeting.id, data={
                                           "day": "2026-12-03", "start_time": "08:30", "end_time": "11:00",
                                           "content": meeting.content, "place": "Phòng họp số 1, Sở Nội vụ",
                                           "leader_ids": meeting.leader_ids,
                                           "participant_user_ids": meeting.participant_user_ids})
        await schedule_commands.submit(engine, client, settings, user_id=clerk.id, roles=clerk_roles,
                                       schedule_id=schedule_id)
        assert _status(engine, schedule_id) == ScheduleStatus.CHANGE_PENDING
        outcome, _ = await _decide(engine, client, schedule_id, "duyet_lich", "c2")
        assert outcome.document_status == ScheduleStatus.PUBLISHED

    changed = _notified(engine, "schedule_changed")
    # The moved meeting names the leader and the chuyên viên; the unit's head attends nothing that changed.
    assert set(changed) == {"lanhdao", "chuyenvien", "vanthu"}
    assert ("«Làm việc với Sở Nội vụ» (Thứ Tư 02/12/2026, 14:00–16:30): thời gian Thứ Tư 02/12/2026, "
            "14:00–16:30 → Thứ Năm 03/12/2026, 08:30–11:00; địa điểm → Phòng họp số 1, Sở Nội vụ") in changed["chuyenvien"]
    assert "Giao ban" not in changed["chuyenvien"]
    officer, officer_roles = user_and_roles(engine, "chuyenvien")
    published = schedule_commands.read_week(engine, user=officer, roles=officer_roles, week=WEEK)
    moved = next(e for e in published.events if e.content == "Làm việc với Sở Nội vụ")
    assert (moved.day.isoformat(), f"{moved.start_time:%H:%M}", moved.sequence) == ("2026-12-03", "08:30", 1)


def test_every_recorded_path_has_a_committed_history():
    """``tests/workflows/test_replay.py`` replays them through the current code."""
    cases = {case for workflow_type, case in CASES if workflow_type == "ScheduleApproval"}
    assert cases == {"schedule_approved", "schedule_sent_back", "schedule_change_approved"}
    assert {path.stem for path in (HISTORIES / "ScheduleApproval").glob("*.json")} >= cases
