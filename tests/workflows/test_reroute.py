"""The leader hands the lead to another unit and withdraws a cooperating one while handling runs."""

from __future__ import annotations

import pytest

from commands.tasks import act_on_task, reroute
from models.audit import AuditEvent
from models.documents.tables import Assignment, Document
from models.errors import Conflict, Forbidden
from models.org.tables import OrgUnit
from models.tasks.tables import Task
from models.vocab import TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, upload, user_and_roles


def _open(engine, document_id, step, unit_id):
    found = [t for t in rows(engine, Task, Task.document_id == document_id, Task.step == step,
                             Task.unit_id == unit_id) if t.status in (TaskStatus.OPEN, TaskStatus.CLAIMED)]
    return found[-1] if found else None


async def test_it_moves_the_lead_and_withdraws_a_cooperating_unit(seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    units = {u.abbreviation: u.id for u in rows(engine, OrgUnit)}
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    head, head_roles = user_and_roles(engine, "truongphong")
    officer, officer_roles = user_and_roles(engine, "chuyenvien")
    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf())
        direct = await eventually(lambda: next(iter(rows(engine, Task, Task.document_id == document.id)), None))
        await act_on_task(engine, client, task_id=direct.id, user=leader, roles=leader_roles,
                          action="giao_xu_ly", nonce="d", fields={
                              "opinion": "KT chủ trì, NC phối hợp", "lead_unit_id": str(units["KT"]),
                              "cooperating_unit_ids": str(units["NC"])})
        old_lead = await eventually(lambda: _open(engine, document.id, "assign", units["KT"]))
        await eventually(lambda: _open(engine, document.id, "assign", units["NC"]))

        with pytest.raises(Forbidden):
            await reroute(engine, client, document_id=document.id, user=head, roles=head_roles,
                          unit_id=units["KT"], new_unit_id=units["TH"], reason="x", nonce="n0")
        with pytest.raises(Conflict) as refused:
            await reroute(engine, client, document_id=document.id, user=leader, roles=leader_roles,
                          unit_id=units["KT"], new_unit_id=None, reason="Thu hồi", nonce="n1")
        assert refused.value.code == "lead_needs_successor"

        await reroute(engine, client, document_id=document.id, user=leader, roles=leader_roles,
                      unit_id=units["KT"], new_unit_id=units["TH"], reason="Chuyển TH chủ trì", nonce="n2")
        await reroute(engine, client, document_id=document.id, user=leader, roles=leader_roles,
                      unit_id=units["NC"], new_unit_id=None, reason="Không cần phối hợp", nonce="n3")
        assert rows(engine, Task, Task.id == old_lead.id)[0].status == TaskStatus.CANCELLED

        new_lead = await eventually(lambda: _open(engine, document.id, "assign", units["TH"]))
        await act_on_task(engine, client, task_id=new_lead.id, user=head, roles=head_roles,
                          action="phan_cong", nonce="a", fields={"handler_id": str(officer.id)})
        work = await eventually(lambda: _open(engine, document.id, "handle", units["TH"]))
        await act_on_task(engine, client, task_id=work.id, user=officer, roles=officer_roles,
                          action="hoan_thanh", nonce="h", fields={"result": "Xong"})
        assert await client.get_workflow_handle(document.workflow_id).result() == "done"

    live = [(a.role, a.unit_id) for a in rows(engine, Assignment, Assignment.document_id == document.id,
                                              Assignment.withdrawn_at == None, Assignment.user_id == None)]  # noqa: E711
    assert live == [("chu_tri", units["TH"])]
    assert rows(engine, Document, Document.id == document.id)[0].to_places == "Phòng Tổng hợp"
    codes = [e.code for e in rows(engine, AuditEvent, AuditEvent.subject_id == document.id)]
    assert codes.count("document.rerouted") == 2
    assert all(t.status in (TaskStatus.DONE, TaskStatus.CANCELLED)
               for t in rows(engine, Task, Task.document_id == document.id))
