"""The ``decide`` validator refuses stale or impossible decisions without touching the workflow.

A rejected update leaves no trace in history and the step keeps waiting (TEMPORAL-PATTERNS §3).
"""

from __future__ import annotations

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from tests.helpers import eventually_async
from tests.workflows.mocks import LEADER_ID, RPC_TIMEOUT, MockActivities, incoming_input, mock_worker
from workflows.contracts import DecideInput
from workflows.incoming import IncomingDocumentWorkflow
from workflows.starter import start_incoming


async def _rejection(handle, command: DecideInput, update_id: str) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as error:
        await handle.execute_update(IncomingDocumentWorkflow.decide, command, id=update_id,
                                   rpc_timeout=RPC_TIMEOUT)
    cause = error.value.cause
    assert isinstance(cause, ApplicationError)
    return cause.type


async def _open_step(handle) -> str:
    return await handle.query(IncomingDocumentWorkflow.open_step)


async def _direct_opens(handle) -> None:
    async def direct_is_open():
        return await _open_step(handle) == "direct:1"

    await eventually_async(direct_is_open)


async def test_it_rejects_a_wrong_task_key_or_a_disallowed_action_and_keeps_waiting(temporal_env, task_queue):
    client = temporal_env.client
    async with mock_worker(client, task_queue, MockActivities()) as mocks:
        handle = await start_incoming(client, task_queue, incoming_input())

        await _direct_opens(handle)

        assert await _rejection(handle, DecideInput("direct:2", "giao_xu_ly", LEADER_ID), "u-wrong-key") \
            == "task_not_open"
        assert await _rejection(handle, DecideInput("register:1", "luu_tham_khao", LEADER_ID), "u-old-step") \
            == "task_not_open"
        assert await _rejection(handle, DecideInput("direct:1", "ky_ban_hanh", LEADER_ID), "u-bad-action") \
            == "action_not_allowed"

        # Still waiting on the same step, and nothing was applied.
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        assert await _open_step(handle) == "direct:1"
        assert await handle.query(IncomingDocumentWorkflow.awaiting_decision) is True
        assert mocks.called("apply_decision") == []

        result = await handle.execute_update(
            IncomingDocumentWorkflow.decide,
            DecideInput("direct:1", "luu_tham_khao", LEADER_ID, {"opinion": "Lưu"}), id="u-good",
            rpc_timeout=RPC_TIMEOUT,
        )
        assert (result.task_key, result.action, result.document_status) == (
            "direct:1", "luu_tham_khao", "for_reference")
        assert await handle.result(rpc_timeout=RPC_TIMEOUT) == "for_reference"

    (applied,) = mocks.called("apply_decision")
    assert (applied.task_key, applied.action, applied.actor_id) == ("direct:1", "luu_tham_khao", LEADER_ID)
    history = await handle.fetch_history()
    accepted = [e for e in history.events
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
    assert [e.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
            for e in accepted] == ["u-good"]


async def test_it_returns_the_first_result_when_the_same_update_id_is_sent_again(temporal_env, task_queue):
    client = temporal_env.client
    async with mock_worker(client, task_queue, MockActivities()) as mocks:
        handle = await start_incoming(client, task_queue, incoming_input())

        await _direct_opens(handle)
        first = await handle.execute_update(
            IncomingDocumentWorkflow.decide, DecideInput("direct:1", "luu_tham_khao", LEADER_ID), id="u-1",
            rpc_timeout=RPC_TIMEOUT)
        # The same update id again returns the first result instead of deciding twice.
        again = await handle.execute_update(
            IncomingDocumentWorkflow.decide, DecideInput("direct:1", "luu_tham_khao", LEADER_ID), id="u-1",
            rpc_timeout=RPC_TIMEOUT)
        assert again == first
        await handle.result(rpc_timeout=RPC_TIMEOUT)
    assert len(mocks.called("apply_decision")) == 1


@pytest.mark.parametrize("fields", [
    {"opinion": "Giao", "lead_unit_id": "phòng tổng hợp"},
    {"opinion": "Giao"},
    {"opinion": "Giao", "lead_unit_id": "3", "cooperating_unit_ids": "4,x"},
    {"opinion": "Giao", "lead_unit_id": "3", "due_date": "31/12/2026"},
    {"opinion": "Giao", "lead_unit_id": "-3"},
    {"opinion": "Giao", "lead_unit_id": "9" * 40},
])
async def test_decision_fields_the_workflow_reads_are_checked_before_history(temporal_env, task_queue, fields):
    """Any caller of the update, not only the web layer: a malformed unit id or date is refused and the
    workflow keeps waiting (it would otherwise fail its task on ``int()`` for ever)."""
    client = temporal_env.client
    async with mock_worker(client, task_queue, MockActivities()) as mocks:
        handle = await start_incoming(client, task_queue, incoming_input())

        await _direct_opens(handle)
        assert await _rejection(handle, DecideInput("direct:1", "giao_xu_ly", LEADER_ID, fields),
                                "u-malformed") == "invalid_fields"
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        assert await handle.query(IncomingDocumentWorkflow.awaiting_decision) is True
        assert mocks.called("apply_decision") == []
        history = [event.event_type async for event in handle.fetch_history_events()]
        assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED not in history
