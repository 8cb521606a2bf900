"""Acting on human steps: claiming, releasing, deciding (the Workflow Update handshake), reporting progress, rerouting a document's units.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from models.audit import record
from models.db import transaction
from models.documents.access import document_for_user
from models.errors import Conflict, DomainError, Forbidden
from models.org.tables import User
from models.tasks import repo as task_repo
from models.tasks.actions import SERVER_ONLY_ACTIONS, units_belong, validate_fields
from models.text import refuse_unsafe_text
from models.vocab import Role, TaskStatus
from workflows.contracts import DecideInput, DecideResult, RerouteInput
from workflows.incoming import IncomingDocumentWorkflow

UPDATE_RPC_TIMEOUT = timedelta(seconds=10)


@dataclass
class ActionOutcome:
    """What happened to a decision: applied, or still in flight (outcome unknown)."""

    task_id: int
    action: str
    applied: bool
    document_id: str
    document_status: str = ""


async def act_on_task(engine: Engine, client: Client, *, task_id: int, user: User, roles: set[Role],
                      action: str, fields: dict, nonce: str, server_fields: dict | None = None) -> ActionOutcome:
    """The completion handshake (TEMPORAL-PATTERNS §4).

    1. Validate the fields, then move the row OPEN/CLAIMED-by-me → COMPLETING (conditional).
    2. Send the decision as a Workflow Update with an id derived from task, action and nonce,
       so a retried click returns the first result instead of deciding twice.
    3. Accepted: the workflow's activity has closed the row. Rejected: put the row back and
       report why. Timed out: leave it COMPLETING; the outcome is unknown, not failed.
    """
    if action in SERVER_ONLY_ACTIONS and server_fields is None:
        raise DomainError("action_needs_own_request")
    clean, previous, workflow_id, task_key, document_id = await asyncio.to_thread(
        _begin_completing, engine, task_id, user, roles, action, fields, server_fields)

    handle = client.get_workflow_handle(workflow_id)
    try:
        # By name: every document workflow (incoming, outgoing) speaks the same ``decide``.
        result = await handle.execute_update(
            "decide",
            DecideInput(task_key=task_key, action=action, actor_id=user.id, fields=clean),
            result_type=DecideResult,
            id=f"task-{task_id}:{action}:{nonce}",
            rpc_timeout=UPDATE_RPC_TIMEOUT,
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        return ActionOutcome(task_id, action, applied=False, document_id=document_id)
    except (WorkflowUpdateFailedError, RPCError) as error:
        await asyncio.to_thread(_revert_completing, engine, task_id, previous, user.id)
        cause = getattr(error, "cause", None)
        if isinstance(cause, ApplicationError) and cause.type:
            raise Conflict(cause.type) from error
        raise Conflict("workflow_unavailable") from error
    return ActionOutcome(task_id, action, applied=True, document_id=document_id,
                         document_status=result.document_status)


def _begin_completing(engine: Engine, task_id: int, user: User, roles: set[Role], action: str, fields: dict,
                      server_fields: dict | None) -> tuple[dict, TaskStatus, str, str, str]:
    """Step 1 in one transaction: the clean fields, the status to revert to, and the task's keys."""
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        if action not in task.actions:
            raise DomainError("action_not_allowed")
        clean = validate_fields(session, task.agency_id, action, fields, task.unit_id)
        # Facts QLVB established itself (the signed file), never taken from the form.
        clean.update(server_fields or {})
        previous = task_repo.begin_completing(session, task, user, roles)
        workflow_id, task_key, document_id = task.workflow_id, task.task_key, task.document_id
    return clean, previous, workflow_id, task_key, document_id


def _revert_completing(engine: Engine, task_id: int, previous: TaskStatus, user_id: int) -> None:
    """Put a rejected decision's task back to its previous status in one transaction."""
    with transaction(engine) as session:
        task_repo.revert_completing(session, task_id, previous, user_id)


def claim_task(engine: Engine, task_id: int, user: User, roles: set[Role]) -> None:
    """Claim an open task for oneself, with an audit event."""
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        task_repo.claim(session, task, user, roles)
        record(session, user.id, "task.claimed", "document", task.document_id, task_id=task.id)


def release_task(engine: Engine, task_id: int, user: User, roles: set[Role]) -> None:
    """Give a claimed task back to its group, with an audit event."""
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        if task.status != TaskStatus.CLAIMED:
            raise Conflict("task_not_claimed")
        task_repo.release(session, task, user)
        record(session, user.id, "task.released", "document", task.document_id, task_id=task.id)


PROGRESS_MAX_LENGTH = 2000


def report_progress(engine: Engine, task_id: int, user: User, roles: set[Role], text: str) -> None:
    """A handler reports progress on their open handling step (ND30 Điều 24.2).

    Progress does not move the process, so it is a database record only: an audit event on the
    document, which the processing history and the follow-up register read.
    """
    text = text.strip()
    if not text:
        raise DomainError("invalid_fields", fields={"progress": "required"})
    if len(text) > PROGRESS_MAX_LENGTH:
        raise DomainError("invalid_fields", fields={"progress": "too_long"})
    refuse_unsafe_text(progress=text)
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        if task.step != "handle" or task.status != TaskStatus.CLAIMED or task.assignee_id != user.id:
            raise Conflict("progress_not_allowed")
        record(session, user.id, "document.bao_cao_tien_do", "document", task.document_id,
               task_id=task.id, progress=text)


async def reroute(engine: Engine, client: Client, *, document_id: str, user: User, roles: set[Role],
                  unit_id: int, new_unit_id: int | None, reason: str, nonce: str) -> None:
    """The agency leader withdraws a routed unit or hands its part to another unit.

    Who may do it is checked here (agency leaders of the document's agency); whether the change
    fits the running process is checked by the workflow's validator.
    """
    if Role.AGENCY_LEADER not in roles:
        raise Forbidden("leader_only")
    reason = reason.strip()
    if not reason:
        raise DomainError("invalid_fields", fields={"reason": "required"})
    refuse_unsafe_text(reason=reason)
    workflow_id = await asyncio.to_thread(_reroute_workflow_id, engine, user, roles, document_id, unit_id,
                                          new_unit_id)
    handle = client.get_workflow_handle(workflow_id)
    try:
        await handle.execute_update(
            IncomingDocumentWorkflow.reroute,
            RerouteInput(request_id=f"reroute:{nonce}", actor_id=user.id, unit_id=unit_id,
                         new_unit_id=new_unit_id, reason=reason[:500]),
            id=f"reroute-{document_id}:{nonce}", rpc_timeout=UPDATE_RPC_TIMEOUT,
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        return
    except (WorkflowUpdateFailedError, RPCError) as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, ApplicationError) and cause.type:
            raise Conflict(cause.type) from error
        raise Conflict("workflow_unavailable") from error


def _reroute_workflow_id(engine: Engine, user: User, roles: set[Role], document_id: str, unit_id: int,
                         new_unit_id: int | None) -> str:
    """Check the units belong to the document's agency (one transaction); the document's workflow id."""
    with transaction(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        unit_ids = [unit_id] + ([new_unit_id] if new_unit_id is not None else [])
        if not units_belong(session, document.agency_id, [str(u) for u in unit_ids]):
            raise DomainError("invalid_fields", fields={"new_unit_id": "invalid"})
        return document.workflow_id
