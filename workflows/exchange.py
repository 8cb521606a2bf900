"""The exchange hub's durable jobs: the receive loop and one delivery per queued package (EDXML.md §9.5-9.6).

``HubPoll`` runs one round of the receive loop; a Temporal Schedule starts it every
``hub_poll_seconds`` (skipping a round while the previous one still runs); ``HubDirectorySync``
refreshes the agency directory once a day. ``HubDelivery`` sends
one queued package and retries with exponential back-off for up to 72 hours; when it gives up the
sender is told. The transport status (did it reach the hub) is kept on the outbox row; business
statuses come back as status packages through the receive loop.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName, PollResult, SendFailedInput, SendInput

SEND_FOR = timedelta(hours=72)
SEND_HEARTBEAT = timedelta(seconds=40)  # the activity beats while it signs and uploads
SEND_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), backoff_coefficient=2.0,
                         maximum_interval=timedelta(hours=1), non_retryable_error_types=["hub_rejected"])


@workflow.defn(name="HubPoll")
class HubPollWorkflow:
    """One round of the receive loop."""

    @workflow.run
    async def run(self) -> PollResult:
        # Like a maintenance round: a round that cannot finish (the database restarting, the hub
        # unreachable) is logged and ends; the next round polls again, and the hub keeps every
        # package until it is acknowledged, so a failed round loses nothing and is no failure.
        try:
            return await workflow.execute_activity(
                ActivityName.POLL_HUB, result_type=PollResult, start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(minutes=2),
                retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=5)))
        except ActivityError:
            workflow.logger.warning("hub poll round failed; the next round polls again")
            return PollResult(failed=True)


@workflow.defn(name="HubDelivery")
class HubDeliveryWorkflow:
    """Send one queued package, retrying with back-off for up to 72 hours."""

    @workflow.run
    async def run(self, request: SendInput) -> str:
        try:
            return await workflow.execute_activity(
                ActivityName.SEND_HUB_PACKAGE, request, result_type=str, start_to_close_timeout=timedelta(minutes=2),
                heartbeat_timeout=SEND_HEARTBEAT, schedule_to_close_timeout=SEND_FOR, retry_policy=SEND_RETRY)
        except ActivityError as error:
            reason = str(error.cause or error)[:500]
            await workflow.execute_activity(
                ActivityName.HUB_SEND_FAILED, SendFailedInput(request.outbox_id, reason),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)))
            return "failed"


@workflow.defn(name="HubDirectorySync")
class HubDirectorySyncWorkflow:
    """The daily refresh of the agency directory from the hub."""

    @workflow.run
    async def run(self) -> dict[str, int]:
        return await workflow.execute_activity(
            ActivityName.SYNC_HUB_DIRECTORY, result_type=dict, start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(maximum_attempts=5, initial_interval=timedelta(minutes=1)))
