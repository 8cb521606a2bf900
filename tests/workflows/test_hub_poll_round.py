"""A receive-loop round that cannot finish ends as a round that failed, not as a failed workflow.

Found by ``make chaos``: while PostgreSQL restarted, ``poll_hub`` failed its three attempts and the
``HubPoll`` workflow ended Failed, though the next round polls again and the hub keeps every
package until it is acknowledged.
"""

from __future__ import annotations

import uuid

from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from workflows.contracts import ActivityName, PollResult
from workflows.exchange import HubPollWorkflow


async def test_a_round_whose_poll_fails_completes_and_says_it_failed(temporal_env, task_queue):
    calls = []

    @activity.defn(name=ActivityName.POLL_HUB)
    async def poll_hub() -> PollResult:
        calls.append(activity.info().attempt)
        raise ApplicationError("the database system is starting up", non_retryable=True)

    client = temporal_env.client
    async with Worker(client, task_queue=task_queue, workflows=[HubPollWorkflow], activities=[poll_hub]):
        handle = await client.start_workflow(HubPollWorkflow.run, id=f"hub-poll-{uuid.uuid4()}",
                                             task_queue=task_queue)
        result = await handle.result()
        assert result == PollResult(failed=True)
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert calls == [1]


async def test_a_round_that_polls_returns_what_it_did(temporal_env, task_queue):
    @activity.defn(name=ActivityName.POLL_HUB)
    async def poll_hub() -> PollResult:
        return PollResult(stored=2, statuses=1)

    client = temporal_env.client
    async with Worker(client, task_queue=task_queue, workflows=[HubPollWorkflow], activities=[poll_hub]):
        result = await client.execute_workflow(HubPollWorkflow.run, id=f"hub-poll-{uuid.uuid4()}",
                                               task_queue=task_queue)
    assert result == PollResult(stored=2, statuses=1) and not result.failed
