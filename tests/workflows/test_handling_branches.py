"""Handling after direction: cooperating branches, an extension granted, and the lead closing."""

from __future__ import annotations

from datetime import date, timedelta

from commands.tasks import act_on_task
from models.audit import AuditEvent
from models.calendar.workdays import end_of_day
from models.documents.tables import Assignment, Document
from models.notifications.tables import Notification
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


def _task(engine, document_id, step, status=(TaskStatus.OPEN, TaskStatus.CLAIMED)):
    found = [t for t in rows(engine, Task, Task.document_id == document_id, Task.step == step)
             if t.status in status]
    return found[-1] if found else None


async def _shows_earliest_open_step(client, engine, document) -> bool:
    from workflows import search_attributes as sa

    attributes = (await client.get_workflow_handle(document.workflow_id).describe()).typed_search_attributes
    open_steps = _open_tasks(engine, document.id)
    first = min(open_steps, key=lambda task: task.due_at)
    shown = attributes.get(sa.DUE_AT)
    return (len(open_steps) > 1 and shown is not None and abs((shown - first.due_at).total_seconds()) < 1
            and attributes.get(sa.STAGE) == first.step)


def _open_tasks(engine, document_id):
    return rows(engine, Task, Task.document_id == document_id,
                Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))


async def test_it_grants_an_extension_and_closes_cooperating_steps_when_the_lead_finishes(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    lead_unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    helper_unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "KT")[0]
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    head, head_roles = user_and_roles(engine, "truongphong")
    officer, officer_roles = user_and_roles(engine, "chuyenvien")
    first_due = date.today() + timedelta(days=7)
    later_due = date.today() + timedelta(days=14)

    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf())
        direct = await eventually(lambda: _task(engine, document.id, "direct"))
        await act_on_task(engine, client, task_id=direct.id, user=leader, roles=leader_roles,
                          action="giao_xu_ly", nonce="d", fields={
                              "opinion": "TH chủ trì, KT phối hợp", "lead_unit_id": str(lead_unit.id),
                              "cooperating_unit_ids": str(helper_unit.id), "due_date": first_due.isoformat()})

        assigns = await eventually(lambda: len(rows(engine, Task, Task.document_id == document.id,
                                                    Task.step == "assign")) == 2 and
                                   rows(engine, Task, Task.document_id == document.id, Task.step == "assign"))
        assert {t.unit_id for t in assigns} == {lead_unit.id, helper_unit.id}
        lead_assign = next(t for t in assigns if t.unit_id == lead_unit.id)
        # The head of TH is notified of new work; nobody outside the unit is.
        assert rows(engine, Notification, Notification.user_id == head.id, Notification.code == "new_task")

        await act_on_task(engine, client, task_id=lead_assign.id, user=head, roles=head_roles,
                          action="phan_cong", nonce="a", fields={"handler_id": str(officer.id)})
        work = await eventually(lambda: _task(engine, document.id, "handle"))
        assert work.due_at == end_of_day(first_due)
        # Two steps are open now (TH's handler, KT's unit head): Stage and DueAt show the one that
        # falls due first, not the one opened last.
        await eventually_async(lambda: _shows_earliest_open_step(client, engine, document))

        await act_on_task(engine, client, task_id=work.id, user=officer, roles=officer_roles,
                          action="xin_gia_han", nonce="x", fields={
                              "new_due_date": later_due.isoformat(), "reason": "Chờ số liệu của Sở Tài chính"})
        approval = await eventually(lambda: _task(engine, document.id, "extension"))
        assert approval.candidate_role == "lanh_dao_co_quan"
        await act_on_task(engine, client, task_id=approval.id, user=leader, roles=leader_roles,
                          action="dong_y_gia_han", nonce="y", fields={"opinion": "Đồng ý"})

        again = await eventually(lambda: (t := _task(engine, document.id, "handle")) and t.id != work.id and t)
        assert again.due_at == end_of_day(later_due)
        assert rows(engine, Document, Document.id == document.id)[0].due_date == later_due
        outcome = await act_on_task(engine, client, task_id=again.id, user=officer, roles=officer_roles,
                                    action="hoan_thanh", nonce="h", fields={"result": "Đã xong"})
        assert outcome.document_status == DocumentStatus.DONE
        await client.get_workflow_handle(document.workflow_id).result()

    # The cooperating unit never assigned anyone: its step was cancelled, not left hanging.
    helper_assign = next(t for t in rows(engine, Task, Task.document_id == document.id, Task.step == "assign")
                         if t.unit_id == helper_unit.id)
    assert helper_assign.status == TaskStatus.CANCELLED
    handler_rows = rows(engine, Assignment, Assignment.document_id == document.id, Assignment.user_id == officer.id)
    assert [a.due_date for a in handler_rows] == [later_due]
    codes = [e.code for e in rows(engine, AuditEvent, AuditEvent.subject_id == document.id)]
    assert "document.xin_gia_han" in codes and "document.dong_y_gia_han" in codes
    assert codes[-1] == "task.cancelled"


async def test_it_refuses_a_handler_outside_the_unit(seeded_sqlite, temporal_env, task_queue, tmp_path):
    import pytest

    from models.errors import DomainError

    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    lead_unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    head, head_roles = user_and_roles(engine, "truongphong")
    clerk, _ = user_and_roles(engine, "vanthu")
    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf())
        direct = await eventually(lambda: _task(engine, document.id, "direct"))
        await act_on_task(engine, client, task_id=direct.id, user=leader, roles=leader_roles,
                          action="giao_xu_ly", nonce="d",
                          fields={"opinion": "TH chủ trì", "lead_unit_id": str(lead_unit.id)})
        assign = await eventually(lambda: _task(engine, document.id, "assign"))
        with pytest.raises(DomainError) as refused:
            await act_on_task(engine, client, task_id=assign.id, user=head, roles=head_roles,
                              action="phan_cong", nonce="a", fields={"handler_id": str(clerk.id)})
        assert refused.value.params["fields"] == {"handler_id": "invalid"}
        assert rows(engine, Task, Task.id == assign.id)[0].status == TaskStatus.OPEN
