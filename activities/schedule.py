"""The head of the agency's decision on a weekly work schedule, and lost starts of its approval."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from models.db import reading, transaction, utcnow
from models.org.tables import Agency
from models.schedule import publication
from models.schedule import repo as schedule_repo
from models.schedule.rules import approval_input
from models.tasks import repo as task_repo
from models.tasks.actions import actions_of
from models.vocab import Action
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult
from workflows.starter import start_schedule_approval
from workflows.work_contracts import ScheduleApprovalInput

log = logging.getLogger("qlvb.schedule")
SCHEDULE_ACTIONS = actions_of("schedule")


class ScheduleActivities:
    """Decisions of ``ScheduleApproval``; each call owns its transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="apply_schedule_decision")
    def apply_schedule_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        """Publish the round (telling the people concerned) or send it back, closing the step, in one transaction.

        Idempotency key: the task (closed conditionally; a repeated call changes nothing).
        Non-retryable: ``unknown_action``, ``schedule_round_mismatch`` (the step is not the round
        the schedule waits on). Returns the schedule's status.
        """
        if request.action not in SCHEDULE_ACTIONS:
            raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
        with transaction(self.engine) as session:
            task = task_repo.by_key(session, request.workflow_id, request.task_key)
            schedule = schedule_repo.locked_schedule(session, task.schedule_id)
            if not task_repo.close_task(session, request.workflow_id, request.task_key, request.action,
                                        request.actor_id):
                return ApplyDecisionResult(str(schedule.status))
            if schedule.workflow_id != request.workflow_id or schedule.status not in schedule_repo.PENDING:
                raise ApplicationError("schedule_round_mismatch", type="schedule_round_mismatch", non_retryable=True)
            if request.action == Action.APPROVE_SCHEDULE:
                publication.publish(session, schedule, request.actor_id, request.fields.get("comment", ""))
            else:
                publication.send_back(session, schedule, request.actor_id, request.fields.get("reason", ""))
            return ApplyDecisionResult(str(schedule.status))


async def restart_lost_schedule_starts(client: Client, engine: Engine, task_queue: str,
                                       older_than_seconds: int = 30) -> int:
    """Start the approval rounds whose start was lost after the submission committed; return how many.

    Safe at any time: the start is idempotent on the round's workflow id.
    """
    lost = await asyncio.to_thread(_lost, engine, older_than_seconds)
    for start, workflow_id, agency_code in lost:
        await start_schedule_approval(client, task_queue, start, workflow_id, agency_code)
    return len(lost)


def _lost(engine: Engine, older_than_seconds: int) -> list[tuple[ScheduleApprovalInput, str, str]]:
    with reading(engine) as session:
        before = utcnow() - timedelta(seconds=older_than_seconds)
        return [(approval_input(s.id, s.agency_id, s.approval_round, s.published_version), s.workflow_id,
                 session.get(Agency, s.agency_id).code)
                for s in schedule_repo.submitted_without_step(session, before)]
