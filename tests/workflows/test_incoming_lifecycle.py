"""The incoming workflow end to end on the real dev server, with the real activities and DB."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowExecutionStatus

from commands.tasks import act_on_task
from models.audit import AuditEvent
from models.documents.tables import Assignment, Document
from models.errors import Conflict, NotFound
from models.org.tables import OrgUnit
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import (
    eventually,
    eventually_async,
    make_settings,
    rows,
    running_worker,
    upload,
    user_and_roles,
)
from workflows import search_attributes as sa


def _open_task(engine, document_id):
    found = rows(engine, Task, Task.document_id == document_id, Task.status == TaskStatus.OPEN)
    return found[0] if found else None


async def test_it_registers_then_waits_for_the_leader_then_closes(seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf(2), priority="khan")
        task = await eventually(lambda: _open_task(engine, document.id))

        registered = rows(engine, Document, Document.id == document.id)[0]
        assert registered.status == DocumentStatus.REGISTERED
        assert registered.arrival_number == 1
        assert registered.page_amount == 2
        assert task.candidate_role == "lanh_dao_co_quan"
        assert task.urgency_rank == 1

        handle = client.get_workflow_handle(document.workflow_id)

        async def stage_is_direct():
            attributes = (await handle.describe()).typed_search_attributes
            return attributes if attributes.get(sa.STAGE) == "direct" else None

        attributes = await eventually_async(stage_is_direct)
        assert attributes.get(sa.ORG_UNIT) == "000.00.01.H23"
        assert attributes.get(sa.URGENCY_LEVEL) == 1
        assert attributes.get(sa.OVERDUE) is False
        assert attributes.get(sa.DUE_AT) is not None

        clerk, clerk_roles = user_and_roles(engine, "vanthu")
        with pytest.raises(NotFound):
            await act_on_task(engine, client, task_id=task.id, user=clerk, roles=clerk_roles,
                              action="luu_tham_khao", fields={}, nonce="n0")

        leader, leader_roles = user_and_roles(engine, "lanhdao")
        unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
        outcome = await act_on_task(
            engine, client, task_id=task.id, user=leader, roles=leader_roles, action="giao_xu_ly",
            fields={"opinion": "Giao Phòng Tổng hợp chủ trì tham mưu", "lead_unit_id": str(unit.id)},
            nonce="n1",
        )
        assert outcome.applied and outcome.document_status == DocumentStatus.DIRECTED

        # A second click on the same (now closed) task is refused and changes nothing.
        with pytest.raises(Conflict):
            await act_on_task(engine, client, task_id=task.id, user=leader, roles=leader_roles,
                              action="luu_tham_khao", fields={}, nonce="n2")

        # The unit head of the lead unit names a handler; the handler finishes.
        head, head_roles = user_and_roles(engine, "truongphong")
        officer, officer_roles = user_and_roles(engine, "chuyenvien")
        assign = await eventually(lambda: _open_task(engine, document.id))
        assert (assign.step, assign.unit_id, assign.candidate_role) == ("assign", unit.id, "lanh_dao_don_vi")
        outcome = await act_on_task(engine, client, task_id=assign.id, user=head, roles=head_roles,
                                    action="phan_cong", nonce="n3",
                                    fields={"handler_id": str(officer.id), "opinion": "Đồng chí Hùng xử lý"})
        assert outcome.document_status == DocumentStatus.IN_PROGRESS
        work = await eventually(lambda: next(iter(rows(engine, Task, Task.document_id == document.id,
                                                        Task.step == "handle")), None))
        assert work.status == TaskStatus.CLAIMED and work.assignee_id == officer.id
        outcome = await act_on_task(engine, client, task_id=work.id, user=officer, roles=officer_roles,
                                    action="hoan_thanh", nonce="n4",
                                    fields={"result": "Đã tham mưu văn bản trả lời"})
        assert outcome.document_status == DocumentStatus.DONE

        assert await handle.result() == DocumentStatus.DONE
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED

    closed = rows(engine, Task, Task.id == task.id)[0]
    assert closed.status == TaskStatus.DONE and closed.completed_by == leader.id
    assignment = rows(engine, Assignment, Assignment.document_id == document.id)
    assert [(a.role, a.unit_id, a.user_id) for a in assignment] == [
        ("chu_tri", unit.id, None), ("chu_tri", unit.id, officer.id)]
    codes = [e.code for e in rows(engine, AuditEvent, AuditEvent.subject_id == document.id)]
    assert codes == ["document.received", "document.signature_checked", "document.registered",
                     "task.opened", "document.giao_xu_ly", "task.opened", "document.phan_cong",
                     "task.opened", "document.hoan_thanh"]
