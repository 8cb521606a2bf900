"""The head of the agency approves a Danh mục hồ sơ through ``RecordPlanApproval`` on the dev server.

The văn thư drafts and submits; the leader sends the list back with a reason, the văn thư adds
what was asked and submits again (a new round, a new run), the leader approves and the plan is
issued; a later addition is proposed, submitted in a third round and approved, and the numbers
approved before never change.
"""

from __future__ import annotations

from sqlmodel import col

from commands import record_plans as commands
from commands.tasks import act_on_task
from models.audit import AuditEvent
from models.db import reading, transaction
from models.org import repo as org_repo
from models.records import plan_repo
from models.records.plan_schema import EntryInput, HeadingInput, PlanInput
from models.records.tables import EntryStatus, PlanStatus
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import TaskStatus
from tests.factories import skip_plan_ids
from tests.helpers import eventually, make_settings, rows, running_worker, user_and_roles
from workflows.record_contracts import record_plan_workflow_id

OFFICE = "000.00.01.H23"


def _open_step(engine, plan_id: int):
    found = rows(engine, Task, Task.record_plan_id == plan_id, col(Task.status).in_([TaskStatus.OPEN]))
    return found[0] if found else None


def _draft(engine, clerk, roles) -> tuple[int, int]:
    with transaction(engine) as session:
        unit = next(u.id for u in org_repo.units_of(session, clerk.agency_id) if u.abbreviation == "HCTC")
    plan_id = commands.create_plan(engine, user=clerk, roles=roles, data=PlanInput(year=2026))
    heading = commands.add_heading(engine, user=clerk, roles=roles, plan_id=plan_id,
                                   data=HeadingInput(title="Hành chính, tổ chức", abbreviation="HCTC", unit_id=unit))
    commands.add_entry(engine, user=clerk, roles=roles, plan_id=plan_id,
                       data=EntryInput(heading_id=heading, title="Quy chế làm việc của cơ quan", maintenance="Vĩnh viễn"))
    return plan_id, heading


async def _decide(engine, client, plan_id: int, action: str, fields: dict, nonce: str) -> str:
    leader, roles = user_and_roles(engine, "lanhdao")
    step = await eventually(lambda: _open_step(engine, plan_id))
    assert (step.step, step.candidate_role, step.document_id) == ("approve_plan", "lanh_dao_co_quan", None)
    with reading(engine) as session:
        assert step.id in {task.id for task in task_repo.inbox(session, leader, roles, "unit")}
    outcome = await act_on_task(engine, client, task_id=step.id, user=leader, roles=roles, action=action,
                                fields=fields, nonce=nonce)
    assert outcome.applied
    return outcome.document_status


async def test_send_back_resubmit_approve_and_a_later_addition(seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    clerk, roles = user_and_roles(engine, "vanthu")
    with transaction(engine) as session:
        skip_plan_ids(session)
    plan_id, heading = _draft(engine, clerk, roles)
    async with running_worker(client, engine, settings):
        assert await commands.submit_plan(engine, client, settings, user=clerk, roles=roles, plan_id=plan_id) == 1
        status = await _decide(engine, client, plan_id, "tra_lai_danh_muc",
                               {"reason": "Bổ sung hồ sơ thi đua, khen thưởng"}, "back")
        assert status == PlanStatus.DRAFT
        first_run = client.get_workflow_handle(record_plan_workflow_id(plan_id, 1))
        assert await first_run.result() == "tra_lai_danh_muc"

        commands.add_entry(engine, user=clerk, roles=roles, plan_id=plan_id, data=EntryInput(
            heading_id=heading, title="Hồ sơ thi đua, khen thưởng năm 2026", maintenance="10 năm"))
        assert await commands.submit_plan(engine, client, settings, user=clerk, roles=roles, plan_id=plan_id) == 2
        assert await _decide(engine, client, plan_id, "duyet_danh_muc", {"comment": "Đồng ý"}, "ok") == PlanStatus.ISSUED
        assert await client.get_workflow_handle(record_plan_workflow_id(plan_id, 2)).result() == "duyet_danh_muc"

        added = commands.add_entry(engine, user=clerk, roles=roles, plan_id=plan_id, data=EntryInput(
            heading_id=heading, title="Hồ sơ nâng bậc lương", maintenance="20 năm"))
        assert await commands.submit_plan(engine, client, settings, user=clerk, roles=roles, plan_id=plan_id) == 3
        with reading(engine) as session:
            assert plan_repo.plan_by_id(session, plan_id).status == PlanStatus.PENDING
            assert len(plan_repo.approved_entries(session, clerk.agency_id, 2026)) == 2
        assert await _decide(engine, client, plan_id, "duyet_danh_muc", {}, "more") == PlanStatus.ISSUED
        assert await client.get_workflow_handle(record_plan_workflow_id(plan_id, 3)).result() == "duyet_danh_muc"

    with reading(engine) as session:
        plan = plan_repo.plan_by_id(session, plan_id)
        assert (plan.status, plan.approval_round, plan.approved_by) == (
            PlanStatus.ISSUED, 3, user_and_roles(engine, "lanhdao")[0].id)
        entries = plan_repo.approved_entries(session, clerk.agency_id, 2026)
        assert [(e.file_notation, e.status, e.added_in_round) for e in entries] == [
            ("01.HCTC", EntryStatus.APPROVED, 0), ("02.HCTC", EntryStatus.APPROVED, 0),
            ("03.HCTC", EntryStatus.APPROVED, 3)]
        assert entries[2].id == added
    codes = [e.code for e in rows(engine, AuditEvent, AuditEvent.subject_type == "record_plan",
                                  AuditEvent.subject_id == str(plan_id))]
    assert [c for c in codes if c in ("record_plan.submitted", "record_plan.sent_back", "record_plan.approved")] == [
        "record_plan.submitted", "record_plan.sent_back", "record_plan.submitted", "record_plan.approved",
        "record_plan.submitted", "record_plan.approved"]
    assert codes.count("task.opened") == 3
