"""Giao việc: the decisions of ``WorkAssignment`` applied to the database, and its closing."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from models.assignments import repo as assignment_repo
from models.assignments import rules
from models.assignments.tables import AssignmentStatus, WorkAssignment
from models.audit import record
from models.calendar.workdays import end_of_day
from models.db import reading, transaction, utcnow
from models.notifications.notify import notify
from models.tasks import repo as task_repo
from models.tasks.actions import actions_of
from models.vocab import Action
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult
from workflows.starter import start_assignment
from workflows.work_contracts import CloseAssignmentInput

log = logging.getLogger("qlvb.assignments")

# Its own decisions, and the incoming ones an assignment shares (more time, contributions).
ASSIGNMENT_ACTIONS = actions_of("assignment") | {
    Action.ASK_EXTENSION, Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION, Action.SEND_OPINION}


class AssignmentActivities:
    """Writes of the assignment workflow; each call owns exactly one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="apply_assignment_decision")
    def apply_assignment_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        """Close the step and apply its decision to the assignment, audited, in one transaction.

        Idempotency key: the task (closed conditionally; a repeated call changes nothing and
        answers the status as it stands). Non-retryable: ``unknown_action``.
        Returns the assignment's status.
        """
        if request.action not in ASSIGNMENT_ACTIONS:
            raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
        with transaction(self.engine) as session:
            assignment = assignment_repo.by_workflow(session, request.workflow_id)
            if not task_repo.close_task(session, request.workflow_id, request.task_key, request.action,
                                        request.actor_id):
                return ApplyDecisionResult(str(assignment.status))
            fields, now = request.fields, utcnow()
            data: dict = {"task_key": request.task_key}
            if request.action == Action.NAME_LEAD:
                lead = assignment_repo.lead_party(session, assignment.id)
                lead.user_id = assignment.lead_user_id = int(fields["handler_id"])
                assignment.status = AssignmentStatus.IN_PROGRESS
                session.add(lead)
                data.update(lead_user_id=lead.user_id, note=fields.get("note", ""))
            elif request.action == Action.REPORT_RESULT:
                assignment.result = fields["result"]
                assignment.result_document_id = fields.get("result_document_id") or None
                assignment.submitted_at, assignment.status = now, AssignmentStatus.SUBMITTED
                data.update(result=assignment.result, result_document_id=assignment.result_document_id,
                            on_time=rules.on_time(now, assignment.due_at))
            elif request.action == Action.ASK_EXTENSION:
                data.update(new_due_date=fields["new_due_date"], reason=fields.get("reason", ""))
            elif request.action == Action.GRANT_EXTENSION:
                new_due = end_of_day(date.fromisoformat(fields["new_due_date"]))
                data.update(new_due_date=fields["new_due_date"], previous_due_at=assignment.due_at.isoformat(),
                            opinion=fields.get("opinion", ""))
                assignment.due_at, assignment.extensions = new_due, assignment.extensions + 1
            elif request.action == Action.REFUSE_EXTENSION:
                data.update(new_due_date=fields.get("new_due_date", ""), opinion=fields.get("opinion", ""))
            elif request.action == Action.SEND_OPINION:
                party = assignment_repo.party(session, int(fields["party_id"]), assignment.id)
                party.contribution, party.contributed_by, party.contributed_at = fields["opinion"], request.actor_id, now
                session.add(party)
                data.update(party_id=party.id, opinion=party.contribution)
            elif request.action == Action.ACCEPT_RESULT:
                self._accept(assignment, int(fields["rating"]), fields.get("comment", ""))
                data.update(rating=assignment.rating, comment=assignment.rating_comment, on_time=assignment.on_time)
            else:  # RETURN_RESULT: the lead's step opens again
                assignment.status = AssignmentStatus.IN_PROGRESS
                data.update(reason=fields["reason"])
            session.add(assignment)
            record(session, request.actor_id, f"assignment.{request.action}", "assignment", assignment.id, **data)
            if request.action in (Action.ACCEPT_RESULT, Action.RETURN_RESULT, Action.REFUSE_EXTENSION,
                                  Action.GRANT_EXTENSION) and assignment.lead_user_id is not None:
                notify(session, [assignment.lead_user_id], None, f"assignment_{request.action}",
                       assignment_id=assignment.id, link=f"/assignments/{assignment.id}")
            return ApplyDecisionResult(str(assignment.status))

    @staticmethod
    def _accept(assignment: WorkAssignment, rating: int, comment: str) -> None:
        """Done: finished when the accepted result was reported, on time if by the deadline then."""
        assignment.status, assignment.rating, assignment.rating_comment = AssignmentStatus.DONE, rating, comment
        assignment.finished_at = assignment.submitted_at or utcnow()
        assignment.on_time = rules.on_time(assignment.finished_at, assignment.due_at)

    @activity.defn(name="close_assignment")
    def close_assignment(self, request: CloseAssignmentInput) -> int:
        """Cancel the assignment's open steps; when it is a cancellation, cancel the assignment too.

        Idempotent: steps are cancelled by status, and the assignment is cancelled (and audited)
        only while it is open. Returns how many steps were closed.
        """
        with transaction(self.engine) as session:
            assignment = assignment_repo.by_workflow(session, request.workflow_id)
            closed = task_repo.cancel_tasks(session, request.workflow_id)
            if request.cancelled and assignment.status not in (AssignmentStatus.DONE, AssignmentStatus.CANCELLED):
                assignment.status, assignment.cancelled_at = AssignmentStatus.CANCELLED, utcnow()
                assignment.cancel_reason = request.reason[:500]
                session.add(assignment)
                record(session, request.actor_id, "assignment.cancelled", "assignment", assignment.id,
                       reason=request.reason, closed_steps=closed)
                people = [p.user_id for p in assignment_repo.parties_of(session, assignment.id) if p.user_id]
                notify(session, people, None, "assignment_cancelled", assignment_id=assignment.id,
                       link=f"/assignments/{assignment.id}", detail=request.reason[:200])
            elif closed:
                record(session, None, "assignment.steps_closed", "assignment", assignment.id, closed_steps=closed)
            return closed


async def reconcile_assignment_starts(client: Client, engine: Engine, task_queue: str,
                                      older_than_seconds: int = 30) -> int:
    """Start the workflows of assignments whose start was lost (the Reconcile round); idempotent on
    the workflow id, so a start that did happen is left as it is. Returns how many were asked."""
    starts = await asyncio.to_thread(_lost_starts, engine, older_than_seconds)
    for workflow_id, start in starts:
        await start_assignment(client, task_queue, start, workflow_id)
    return len(starts)


def _lost_starts(engine: Engine, older_than_seconds: int) -> list:
    with reading(engine) as session:
        cutoff = utcnow() - timedelta(seconds=older_than_seconds)
        return [(a.workflow_id, assignment_repo.start_input(session, a))
                for a in assignment_repo.lost_starts(session, cutoff)]
