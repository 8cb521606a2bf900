"""The head of the agency's decision on a Danh mục hồ sơ, applied to the database."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.audit import record
from models.db import transaction, utcnow
from models.records import plan_repo
from models.records.tables import EntryStatus, PlanStatus
from models.tasks import repo as task_repo
from models.tasks.actions import actions_of
from models.vocab import Action
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult

PLAN_ACTIONS = actions_of("record_plan")


class RecordPlanActivities:
    """Decisions of ``RecordPlanApproval``; each call owns its transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="apply_record_plan_decision")
    def apply_record_plan_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        """Issue the plan (or its additions) or send it back, closing the step, in one transaction.

        Approving turns the round's entries (the draft's, or the proposed additions) into approved
        ones, whose số và ký hiệu never changes again, and issues the plan (``issued_at`` is kept
        from the first round). Sending back returns the plan to its drafters: a draft again, or an
        issued plan whose proposed additions can be changed and submitted in a new round.
        Idempotency key: the task (closed conditionally; a repeated call changes nothing).
        Non-retryable: ``unknown_action``, ``plan_round_mismatch`` (the step is not the round
        the plan waits on).
        Returns the plan's status.
        """
        if request.action not in PLAN_ACTIONS:
            raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
        with transaction(self.engine) as session:
            task = task_repo.by_key(session, request.workflow_id, request.task_key)
            plan = plan_repo.plan_by_id(session, task.record_plan_id, for_update=True)
            if not task_repo.close_task(session, request.workflow_id, request.task_key, request.action,
                                        request.actor_id):
                return ApplyDecisionResult(str(plan.status))
            if plan.workflow_id != request.workflow_id or plan.status != PlanStatus.PENDING:
                raise ApplicationError("plan_round_mismatch", type="plan_round_mismatch", non_retryable=True)
            waiting = EntryStatus.DRAFT if plan.issued_at is None else EntryStatus.PROPOSED
            entries = [item for item in plan_repo.entries_of(session, plan.id) if item.status == waiting]
            plan.version += 1
            if request.action == Action.APPROVE_PLAN:
                for item in entries:
                    item.status = EntryStatus.APPROVED
                    session.add(item)
                plan.status, plan.approved_by = PlanStatus.ISSUED, request.actor_id
                plan.issued_at = plan.issued_at or utcnow()
                session.add(plan)
                record(session, request.actor_id, "record_plan.approved", "record_plan", plan.id,
                       round=plan.approval_round, workflow_id=request.workflow_id,
                       entries=[item.file_notation for item in entries],
                       comment=request.fields.get("comment", ""))
            else:
                plan.status = PlanStatus.DRAFT if plan.issued_at is None else PlanStatus.ISSUED
                session.add(plan)
                record(session, request.actor_id, "record_plan.sent_back", "record_plan", plan.id,
                       round=plan.approval_round, workflow_id=request.workflow_id,
                       entries=[item.file_notation for item in entries],
                       reason=request.fields.get("reason", ""))
            return ApplyDecisionResult(str(plan.status))
