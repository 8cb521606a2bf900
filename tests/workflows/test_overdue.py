"""The step deadline timer: Overdue flips, the row is flagged once, a late decision still closes.

The stand-in ``compute_due_at`` puts the deadline two seconds after the step starts, so the
real timer fires during the test (TEMPORAL-PATTERNS §5).
"""

from __future__ import annotations

import time
from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus

from tests.helpers import eventually_async
from tests.workflows.mocks import LEADER_ID, RPC_TIMEOUT, MockActivities, incoming_input, mock_worker
from workflows import search_attributes as sa
from workflows.contracts import DecideInput, TaskRef
from workflows.incoming import IncomingDocumentWorkflow
from workflows.starter import start_incoming

DUE_IN = timedelta(seconds=2)


async def test_it_flags_the_step_overdue_then_still_accepts_the_decision(temporal_env, task_queue):
    client = temporal_env.client
    start = incoming_input()
    async with mock_worker(client, task_queue, MockActivities(due_in=DUE_IN)) as mocks:
        started = time.monotonic()
        handle = await start_incoming(client, task_queue, start)

        async def attributes_when(predicate):
            async def check():
                attributes = (await handle.describe()).typed_search_attributes
                return attributes if predicate(attributes) else None
            return check

        waiting = await eventually_async(
            await attributes_when(lambda a: a.get(sa.STAGE) == "direct"), timeout=10)
        (due,) = mocks.called("compute_due_at")
        assert waiting.get(sa.DUE_AT) == due.start + DUE_IN
        if time.monotonic() - started < 1.5:  # seen well before the timer fired
            assert waiting.get(sa.OVERDUE) is False

        overdue = await eventually_async(
            await attributes_when(lambda a: a.get(sa.OVERDUE) is True), timeout=10, interval=0.2)
        assert overdue.get(sa.STAGE) == "direct"

        async def flagged():
            return mocks.called("mark_task_overdue")

        marked = await eventually_async(flagged, timeout=5)
        assert marked == [TaskRef(handle.id, "direct:1", start.document_id)]
        assert await handle.query(IncomingDocumentWorkflow.open_step) == "direct:1"

        result = await handle.execute_update(
            IncomingDocumentWorkflow.decide,
            DecideInput("direct:1", "giao_xu_ly", LEADER_ID, {"opinion": "Giao xử lý", "lead_unit_id": "7"}),
            id="late-decision", rpc_timeout=RPC_TIMEOUT,
        )
        assert result.document_status == "directed"
        assert await handle.result(rpc_timeout=RPC_TIMEOUT) == "directed"

    description = await handle.describe()
    assert description.status == WorkflowExecutionStatus.COMPLETED
    attributes = description.typed_search_attributes
    assert attributes.get(sa.OVERDUE) is False and attributes.get(sa.STAGE) == "closed"
    assert len(mocks.called("mark_task_overdue")) == 1
    (applied,) = mocks.called("apply_decision")
    assert (applied.action, applied.fields["lead_unit_id"]) == ("giao_xu_ly", "7")


async def test_it_does_not_flag_a_step_decided_before_its_deadline(temporal_env, task_queue):
    client = temporal_env.client
    async with mock_worker(client, task_queue, MockActivities(due_in=DUE_IN)) as mocks:
        handle = await start_incoming(client, task_queue, incoming_input())

        async def direct_is_open():
            return await handle.query(IncomingDocumentWorkflow.open_step) == "direct:1"

        await eventually_async(direct_is_open)
        await handle.execute_update(IncomingDocumentWorkflow.decide,
                                    DecideInput("direct:1", "luu_tham_khao", LEADER_ID), id="on-time",
                                    rpc_timeout=RPC_TIMEOUT)
        assert await handle.result(rpc_timeout=RPC_TIMEOUT) == "for_reference"
    assert mocks.called("mark_task_overdue") == []
    assert (await handle.describe()).typed_search_attributes.get(sa.OVERDUE) is False
