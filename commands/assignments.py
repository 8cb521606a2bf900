"""Giao việc: giving work, reporting progress on it, cancelling it (issue 13).

Decisions on an assignment's steps (naming the lead, the result, more time, contributions, the
assessment) are ordinary task decisions (``commands.tasks.act_on_task``). Bad input is refused in
Vietnamese and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from commands import workflow_updates
from config.settings import Settings
from models.assignments import repo as assignment_repo
from models.assignments.schema import AssignmentForm, CancelForm, ProgressForm
from models.assignments.tables import OPEN_STATUSES, AssignmentStatus, WorkAssignment
from models.audit import record
from models.db import reading, transaction, utcnow
from models.errors import Conflict, Forbidden
from models.org.tables import User
from models.vocab import Role
from workflows.assignment import WorkAssignmentWorkflow
from workflows.starter import start_assignment
from workflows.work_contracts import AssignmentInput, CancelAssignmentInput

log = logging.getLogger("qlvb.commands")


async def create_assignment(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                            raw: dict) -> WorkAssignment:
    """Record a new assignment, then start its workflow.

    One transaction checks it (``assignment_repo.check_new``), stores it with its people, units
    and links, and audits it; the workflow starts after the commit. A start that fails (Temporal
    unreachable) is not an error for the assigner: the ``Reconcile`` round starts it later from
    the rows (``activities.assignments.reconcile_assignment_starts``).
    """
    assignment, start = await asyncio.to_thread(record_assignment, engine, user=user, roles=roles, raw=raw)
    try:
        await start_assignment(client, settings.temporal_task_queue, start, assignment.workflow_id)
    except RPCError:
        log.warning("assignment workflow %s deferred to the reconciler", assignment.workflow_id, exc_info=True)
    return assignment


def record_assignment(engine: Engine, *, user: User, roles: set[Role],
                      raw: dict) -> tuple[WorkAssignment, AssignmentInput]:
    """The transaction of ``create_assignment``: check, store and audit; the workflow's start input."""
    form = AssignmentForm.parse(raw)
    with transaction(engine) as session:
        checked = assignment_repo.check_new(session, user, roles, form, utcnow())
        assignment = assignment_repo.create(session, user, form, checked)
        record(session, user.id, "assignment.created", "assignment", assignment.id,
               workflow_id=assignment.workflow_id, title=assignment.title, role=assignment.assigner_role,
               lead_user_id=assignment.lead_user_id, lead_unit_id=assignment.lead_unit_id,
               support_user_ids=[person.id for person in checked.support_users],
               support_unit_ids=[unit.id for unit in checked.support_units],
               working_days=assignment.working_days, due_at=assignment.due_at.isoformat(),
               document_ids=checked.document_ids)
        return assignment, assignment_repo.start_input(session, assignment)


def report_progress(engine: Engine, *, user: User, roles: set[Role], assignment_id: int, raw: dict) -> WorkAssignment:
    """The lead reports how the work goes (ND30 Điều 24.2, as for a document's handler).

    Progress does not move the process, so it is a database record only: the latest on the
    assignment row (what the lists show) and every report in its history.
    """
    form = ProgressForm.parse(raw)
    with transaction(engine) as session:
        assignment = assignment_repo.assignment_for_user(session, user, roles, assignment_id, for_update=True)
        if assignment.lead_user_id != user.id:
            raise Forbidden("assignment_not_lead")
        if assignment.status != AssignmentStatus.IN_PROGRESS:
            raise Conflict("assignment_not_in_progress")
        assignment.progress_percent, assignment.progress_note = form.percent, form.note
        assignment.progress_at = utcnow()
        session.add(assignment)
        record(session, user.id, "assignment.progress", "assignment", assignment.id,
               percent=form.percent, note=form.note)
        return assignment


async def cancel_assignment(engine: Engine, client: Client, *, user: User, roles: set[Role], assignment_id: int,
                            raw: dict, nonce: str) -> bool:
    """The assigner cancels an open assignment: its workflow closes the open steps and records why.

    The cancellation is an update of the workflow, whose id derives from ``nonce``: a retried
    request gets the first outcome. Returns False when the outcome is not known yet (Temporal did
    not answer in time; the workflow applies it when it can).
    """
    form = CancelForm.parse(raw)
    workflow_id = await asyncio.to_thread(_cancellable, engine, user, roles, assignment_id)
    handle = client.get_workflow_handle(workflow_id)
    try:
        await handle.execute_update(
            WorkAssignmentWorkflow.cancel,
            CancelAssignmentInput(request_id=f"cancel:{nonce}", actor_id=user.id, reason=form.reason),
            id=f"cancel-{assignment_id}:{nonce}", rpc_timeout=workflow_updates.UPDATE_WAIT)
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        return False
    except (WorkflowUpdateFailedError, RPCError) as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, ApplicationError) and cause.type:
            raise Conflict(cause.type) from error
        raise Conflict("workflow_unavailable") from error
    return True


def _cancellable(engine: Engine, user: User, roles: set[Role], assignment_id: int) -> str:
    """Check the assigner cancels an open assignment; its workflow id."""
    with reading(engine) as session:
        assignment = assignment_repo.assignment_for_user(session, user, roles, assignment_id)
        if assignment.assigner_id != user.id:
            raise Forbidden("assignment_not_assigner")
        if assignment.status not in OPEN_STATUSES:
            raise Conflict("assignment_closed")
        return assignment.workflow_id
