"""A domain error raised in an activity is final: the worker does not retry it for ever."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.interceptors import DomainErrorsAreFinal
from models.errors import DomainError

attempts: list[int] = []


@activity.defn(name="refuse_for_good")
def refuse_for_good() -> None:
    attempts.append(activity.info().attempt)
    raise DomainError("agency_certificate_missing", agency_code="000.00.01.H42")


@workflow.defn(name="RefusedOnce", sandboxed=False)
class RefusedOnce:
    @workflow.run
    async def run(self) -> None:
        # The default retry policy retries without end: only the error's own verdict can stop it.
        await workflow.execute_activity("refuse_for_good", start_to_close_timeout=timedelta(seconds=5))


async def test_a_domain_error_fails_the_activity_once_with_its_code(temporal_env, task_queue):
    client = temporal_env.client
    attempts.clear()
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with Worker(client, task_queue=task_queue, workflows=[RefusedOnce], activities=[refuse_for_good],
                          activity_executor=executor, interceptors=[DomainErrorsAreFinal()],
                          workflow_runner=UnsandboxedWorkflowRunner()):
            with pytest.raises(WorkflowFailureError) as failure:
                await client.execute_workflow(RefusedOnce.run, id=f"refused-{task_queue}", task_queue=task_queue,
                                              execution_timeout=timedelta(seconds=60))
    cause = failure.value.cause
    assert isinstance(cause, ActivityError) and isinstance(cause.cause, ApplicationError)
    assert cause.cause.type == "agency_certificate_missing" and cause.cause.non_retryable
    assert attempts == [1]
