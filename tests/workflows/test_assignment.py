"""``WorkAssignment`` on the dev server with stand-in activities: naming the lead, contributions,
more time, a result sent back then accepted, cancellation by the assigner and by an operator; and,
with time skipping, the reminder, the Overdue flag and the escalation of a lead's late step."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.service import RPCError
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment

from tests.helpers import eventually_async
from tests.workflows.assignment_mocks import (
    ASSIGNER_ID,
    HEAD_ID,
    LEAD_ID,
    LEAD_UNIT,
    SUPPORT_UNIT,
    SUPPORTER_ID,
    SUPPORTER_UNIT,
    AssignmentMocks,
    assignment_input,
)
from tests.workflows.mocks import RPC_TIMEOUT, mock_worker
from workflows import search_attributes as sa
from workflows.assignment import OPERATOR_CANCELLED, WorkAssignmentWorkflow
from workflows.contracts import DecideInput
from workflows.starter import start_assignment
from workflows.work_contracts import CancelAssignmentInput, CloseAssignmentInput, assignment_workflow_id


async def _start(client, task_queue, start) -> WorkflowHandle:
    return await start_assignment(client, task_queue, start, assignment_workflow_id(str(uuid.uuid4())))


async def _open(handle, kind: str, *, count: int = 1, mocks: AssignmentMocks | None = None) -> list[str]:
    """Wait until ``count`` steps of ``kind`` are open (and, given ``mocks``, their rows projected:
    a step takes decisions a moment before ``open_task`` runs); their keys."""
    async def found():
        keys = [key for key in await handle.query(WorkAssignmentWorkflow.open_steps) if key.startswith(f"{kind}:")]
        projected = {call.task_key for call in mocks.called("open_task")} if mocks else set(keys)
        return keys if len(keys) >= count and set(keys) <= projected else None
    return await eventually_async(found, timeout=10)


async def _decide(handle, key, action, actor, **fields) -> str:
    result = await handle.execute_update(WorkAssignmentWorkflow.decide, DecideInput(key, action, actor, fields),
                                         id=f"{key}:{action}", rpc_timeout=RPC_TIMEOUT)
    return result.document_status


def _opened(mocks, step):
    return [call for call in mocks.called("open_task") if call.step == step]


async def test_a_unit_names_its_lead_who_gets_more_time_is_sent_back_then_accepted(temporal_env, task_queue):
    client = temporal_env.client
    async with mock_worker(client, task_queue, AssignmentMocks()) as mocks:
        handle = await _start(client, task_queue, assignment_input(lead_user_id=None))
        (naming,) = await _open(handle, "name_lead", mocks=mocks)
        (step,) = _opened(mocks, "name_lead")
        assert (step.candidate_role, step.unit_id, step.assignee_id, step.work_assignment_id, step.document_id) == (
            "lanh_dao_don_vi", LEAD_UNIT, None, 1, "")
        assert await _decide(handle, naming, "cu_nguoi_chu_tri", HEAD_ID, handler_id=str(LEAD_ID)) == "in_progress"

        (work,) = await _open(handle, "carry_out", mocks=mocks)
        person, unit = sorted(await _open(handle, "support", count=2, mocks=mocks))
        opened = {call.task_key: call for call in mocks.called("open_task")}
        assert (opened[work].assignee_id, opened[work].unit_id) == (LEAD_ID, LEAD_UNIT)
        assert (opened[person].assignee_id, opened[person].unit_id) == (SUPPORTER_ID, SUPPORTER_UNIT)
        assert (opened[unit].assignee_id, opened[unit].unit_id, opened[unit].candidate_role) == (
            None, SUPPORT_UNIT, "lanh_dao_don_vi")
        await _decide(handle, person, "gui_y_kien", SUPPORTER_ID, opinion="Số liệu kèm theo")
        applied = mocks.called("apply_assignment_decision")[-1]
        assert applied.fields == {"party_id": "11", "opinion": "Số liệu kèm theo"}

        await _decide(handle, work, "xin_gia_han", LEAD_ID, new_due_date="2099-02-01", reason="Chờ số liệu")
        (extension,) = await _open(handle, "extension", mocks=mocks)
        (step,) = _opened(mocks, "extension")
        assert (step.assignee_id, step.candidate_role) == (ASSIGNER_ID, "lanh_dao_co_quan")
        await _decide(handle, extension, "dong_y_gia_han", ASSIGNER_ID)
        assert mocks.called("apply_assignment_decision")[-1].fields == {"new_due_date": "2099-02-01"}
        (work,) = await _open(handle, "carry_out")
        assert [c.due_date for c in mocks.called("compute_due_at")][-1] == "2099-02-01"

        await _decide(handle, work, "bao_cao_ket_qua", LEAD_ID, result="Đã xong")
        (assess,) = await _open(handle, "assess")
        assert await _decide(handle, assess, "tra_lai_ket_qua", ASSIGNER_ID, reason="Thiếu phụ lục") == "in_progress"
        (work,) = await _open(handle, "carry_out")
        await _decide(handle, work, "bao_cao_ket_qua", LEAD_ID, result="Đã bổ sung")
        (assess,) = await _open(handle, "assess")
        assert await _decide(handle, assess, "nghiem_thu_ket_qua", ASSIGNER_ID, rating="5") == "done"
        assert await handle.result(rpc_timeout=RPC_TIMEOUT) == "done"

    # The supporting unit never answered: its step was closed when the result was accepted.
    assert mocks.called("close_assignment") == [CloseAssignmentInput(1, handle.id, cancelled=False)]
    assert [c.due_date for c in mocks.called("compute_due_at") if c.due_date][:3] == ["2099-01-02"] * 3
    description = await handle.describe()
    assert description.typed_search_attributes.get(sa.STAGE) == "closed"
    assert description.typed_search_attributes.get(sa.DOC_KIND) == "assignment"
    assert description.typed_search_attributes.get(sa.OVERDUE) is False


async def test_the_assigner_cancels_and_the_open_steps_close_with_the_reason(temporal_env, task_queue):
    client = temporal_env.client
    async with mock_worker(client, task_queue, AssignmentMocks()) as mocks:
        handle = await _start(client, task_queue, assignment_input())
        await _open(handle, "support", count=2)
        (work,) = await _open(handle, "carry_out")
        cancel = CancelAssignmentInput("cancel:1", ASSIGNER_ID, "Không còn cần thiết")
        assert await handle.execute_update(WorkAssignmentWorkflow.cancel, cancel, id="cancel-1",
                                           rpc_timeout=RPC_TIMEOUT) == "cancelled"
        # The same request again (a retry after a lost answer) gets the same answer.
        assert await handle.execute_update(WorkAssignmentWorkflow.cancel, cancel, id="cancel-1",
                                           rpc_timeout=RPC_TIMEOUT) == "cancelled"
        assert await handle.result(rpc_timeout=RPC_TIMEOUT) == "cancelled"
    assert mocks.called("close_assignment") == [
        CloseAssignmentInput(1, handle.id, cancelled=True, actor_id=ASSIGNER_ID, reason="Không còn cần thiết")]
    assert mocks.called("apply_assignment_decision") == []
    with pytest.raises(RPCError):  # the run is over: nothing more is accepted
        await handle.execute_update(WorkAssignmentWorkflow.decide, DecideInput(work, "bao_cao_ket_qua", LEAD_ID,
                                                                               {"result": "x"}),
                                    id="late", rpc_timeout=RPC_TIMEOUT)


async def test_a_second_cancellation_while_one_runs_is_refused(temporal_env, task_queue):
    client = temporal_env.client
    mocks = AssignmentMocks()
    mocks.close_gate = asyncio.Event()  # the first cancellation stays half-way until the second is refused
    async with mock_worker(client, task_queue, mocks):
        handle = await _start(client, task_queue, assignment_input(supporters=False))
        await _open(handle, "carry_out")
        first = await handle.start_update(WorkAssignmentWorkflow.cancel,
                                          CancelAssignmentInput("cancel:a", ASSIGNER_ID, "Lý do một"), id="a",
                                          wait_for_stage=WorkflowUpdateStage.ACCEPTED)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(WorkAssignmentWorkflow.cancel,
                                        CancelAssignmentInput("cancel:b", ASSIGNER_ID, "Lý do hai"), id="b",
                                        rpc_timeout=RPC_TIMEOUT)
        assert refused.value.cause.type == "assignment_closed"
        mocks.close_gate.set()
        assert await first.result() == "cancelled"
    assert [call.reason for call in mocks.called("close_assignment")] == ["Lý do một"]


async def test_an_operator_cancellation_closes_the_steps_and_says_so(temporal_env, task_queue):
    client = temporal_env.client
    async with mock_worker(client, task_queue, AssignmentMocks()) as mocks:
        handle = await _start(client, task_queue, assignment_input())
        await _open(handle, "carry_out")
        await handle.cancel()

        async def cancelled():
            return (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
        await eventually_async(cancelled, timeout=10)
    assert mocks.called("close_assignment") == [
        CloseAssignmentInput(1, handle.id, cancelled=True, reason=OPERATOR_CANCELLED)]


# --- deadlines, with time skipping (the dev server's experimental virtual clock) ---------------------


@pytest.fixture(scope="module")
async def skipping_env():
    """A dev server whose workflows' clocks move only when a test fast-forwards them (STACK-NOTES §7.2):
    skipping stays off until then, so a timer fires at the moment the test chose, not at the next idle."""
    try:
        env = await WorkflowEnvironment.start_time_skipping_v2(
            ts_config=TimeSkippingConfig(enabled=False),
            dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
            search_attributes=sa.ALL,
            dev_server_extra_args=["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"])
    except Exception as error:  # an experimental API: a server without it skips, never fails
        pytest.skip(f"time skipping is not available: {error}")
    yield env
    await env.shutdown()


async def _attributes(handle, predicate):
    async def check():
        attributes = (await handle.describe()).typed_search_attributes
        return attributes if predicate(attributes) else None
    return await eventually_async(check, timeout=15, interval=0.2)


async def test_a_late_lead_is_reminded_then_flagged_overdue_and_escalated(skipping_env, task_queue):
    client = skipping_env.client
    async with mock_worker(client, task_queue, AssignmentMocks(due_in=timedelta(days=3))) as mocks:
        handle = await _start(client, task_queue, assignment_input(supporters=False))
        (work,) = await _open(handle, "carry_out")
        due = (await _attributes(handle, lambda a: a.get(sa.STAGE) == "carry_out")).get(sa.DUE_AT)
        (computed,) = mocks.called("compute_due_at")
        assert due == computed.start + timedelta(days=3)

        # Four hours before the deadline: one reminder, not yet overdue.
        await skipping_env.fast_forward(handle, timedelta(days=2, hours=20, minutes=30))

        async def reminded():
            return mocks.called("send_reminder")
        (reminder,) = await eventually_async(reminded, timeout=15)
        assert reminder.task_key == work
        assert (await handle.describe()).typed_search_attributes.get(sa.OVERDUE) is False

        # Past the deadline: Overdue, the row flagged once, the lead's unit head and leaders alerted.
        await skipping_env.fast_forward(handle, timedelta(hours=4))
        await _attributes(handle, lambda a: a.get(sa.OVERDUE) is True)

        async def escalated():
            return mocks.called("escalate_overdue")
        (escalation,) = await eventually_async(escalated, timeout=15)
        assert (escalation.task_key, escalation.step, escalation.unit_id) == (work, "carry_out", LEAD_UNIT)
        assert [ref.task_key for ref in mocks.called("mark_task_overdue")] == [work]

        # A late result is still taken; the assessment is a new step, not overdue.
        await _decide(handle, work, "bao_cao_ket_qua", LEAD_ID, result="Xong, trễ hạn")
        (assess,) = await _open(handle, "assess")
        await _attributes(handle, lambda a: a.get(sa.OVERDUE) is False and a.get(sa.STAGE) == "assess")
        await _decide(handle, assess, "nghiem_thu_ket_qua", ASSIGNER_ID, rating="3")
        assert await handle.result(rpc_timeout=RPC_TIMEOUT) == "done"
    assert len(mocks.called("send_reminder")) == 1 and len(mocks.called("escalate_overdue")) == 1
