"""Acting on human steps: claiming, releasing, deciding (the Workflow Update handshake), the same decision or claim
on several tasks, reporting progress, rerouting a document's units.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from commands import workflow_updates
from models.audit import record
from models.db import reading, transaction
from models.documents.access import document_for_user
from models.errors import Conflict, DomainError, Forbidden
from models.org.tables import User
from models.records.decisions import check_decision as check_record_decision
from models.tasks import repo as task_repo
from models.tasks.actions import SERVER_ONLY_ACTIONS, units_belong, validate_fields
from models.text import refuse_unsafe_text
from models.vocab import Action, Role, TaskStatus
from workflows.contracts import DecideInput, DecideResult, RerouteInput
from workflows.incoming import IncomingDocumentWorkflow

# How many times a decision whose call failed in flight is asked again with the same update id.
UPDATE_ATTEMPTS = 3

log = logging.getLogger("qlvb.commands")


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
       report why. Failed in flight: ask again with the same id (the first outcome comes back).
       Timed out or still unreachable: leave it COMPLETING; the outcome is unknown, not failed.

    A retry with the same nonce (a form re-sent, an API call repeated after a lost answer) resumes
    the decision in flight or returns the one applied, instead of being refused as a second one.
    """
    if action in SERVER_ONLY_ACTIONS and server_fields is None:
        raise DomainError("action_needs_own_request")
    begun = await asyncio.to_thread(_begin_completing, engine, task_id, user, roles, action, fields, server_fields,
                                    nonce)
    if begun.already_applied:
        # A retry of a decision that was applied (its answer never reached the client).
        return ActionOutcome(task_id, action, applied=True, document_id=begun.document_id,
                             document_status=begun.document_status)

    handle = client.get_workflow_handle(begun.workflow_id)
    command = DecideInput(task_key=begun.task_key, action=action, actor_id=user.id, fields=begun.fields)
    # The update id is derived from task, action and nonce: asking again with it returns the first
    # outcome (applied once), so a call that failed in flight is asked again, never guessed.
    update_id = f"task-{task_id}:{action}:{nonce}"
    for attempt in range(UPDATE_ATTEMPTS):
        try:
            # By name: every document workflow (incoming, outgoing) speaks the same ``decide``.
            result = await handle.execute_update("decide", command, result_type=DecideResult, id=update_id,
                                                 rpc_timeout=workflow_updates.UPDATE_WAIT)
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            return ActionOutcome(task_id, action, applied=False, document_id=begun.document_id)
        except WorkflowUpdateFailedError as error:
            # The workflow refused it (stale step, malformed field): nothing was applied.
            await asyncio.to_thread(_revert_completing, engine, task_id, begun.previous,
                                    begun.previous_assignee or user.id)
            cause = getattr(error, "cause", None)
            if isinstance(cause, ApplicationError) and cause.type:
                raise Conflict(cause.type) from error
            raise Conflict("workflow_unavailable") from error
        except RPCError:
            # The call failed in flight: it may or may not have reached the workflow. Ask again
            # with the same id; if Temporal stays unreachable, the outcome is unknown and the
            # row stays COMPLETING for the reconciler (which asks the workflow) to resolve.
            if attempt + 1 == UPDATE_ATTEMPTS:
                # The row knows if it was applied (the workflow may have finished since).
                status = await asyncio.to_thread(_status_if_applied, engine, task_id, nonce)
                if status is not None:
                    return ActionOutcome(task_id, action, applied=True, document_id=begun.document_id,
                                         document_status=status)
                log.warning("decision %s on task %s: outcome unknown", update_id, task_id, exc_info=True)
                return ActionOutcome(task_id, action, applied=False, document_id=begun.document_id)
            continue
        return ActionOutcome(task_id, action, applied=True, document_id=begun.document_id,
                             document_status=result.document_status)
    raise AssertionError("unreachable")  # pragma: no cover - the loop always returns


@dataclass
class _Begun:
    """Step 1's result: what to send, what to revert to, or that the decision was already applied."""

    fields: dict
    previous: TaskStatus
    workflow_id: str
    task_key: str
    document_id: str
    already_applied: bool = False
    document_status: str = ""
    previous_assignee: int | None = None


def _begin_completing(engine: Engine, task_id: int, user: User, roles: set[Role], action: str, fields: dict,
                      server_fields: dict | None, nonce: str) -> _Begun:
    """Step 1 in one transaction: the clean fields, the status to revert to, and the task's keys.

    A retry with the nonce of the decision the row carries resumes it (still COMPLETING: the same
    update is sent again) or returns it (DONE: applied, its answer was lost on the way).
    """
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        retry = task_repo.same_decision(task, user, action, nonce)
        if not retry and action not in task.actions:
            raise DomainError("action_not_allowed")
        clean = validate_fields(session, task.agency_id, action, fields, task.unit_id)
        if task.record_id is not None:  # is the hồ sơ as it is now ready for this decision
            check_record_decision(session, task.record_id, action)
        # Facts QLVB established itself (the signed file), never taken from the form.
        clean.update(server_fields or {})
        deputy_of = task_repo.acting_for(session, task, user)
        if deputy_of is not None:
            # A deputy acts with their own account; the audit names the leader too (DOMAIN §7), on a
            # retry of the decision as well (the row then carries the deputy's name while in flight).
            clean.update(on_behalf_of=str(deputy_of.delegator_id), delegation_id=str(deputy_of.id),
                         delegation_form=deputy_of.form)
        if retry:
            # A step about a hồ sơ or a Danh mục has no document: its status answer is empty.
            status = (str(document_for_user(session, user, task.document_id, roles).status)
                      if task.document_id else "")
            return _Begun(clean, TaskStatus.CLAIMED, task.workflow_id, task.task_key, task.document_id or "",
                          already_applied=task.status == TaskStatus.DONE, document_status=status)
        holder = task.assignee_id
        previous = task_repo.begin_completing(session, task, user, roles, nonce)
        return _Begun(clean, previous, task.workflow_id, task.task_key, task.document_id or "",
                      previous_assignee=holder)


def _status_if_applied(engine: Engine, task_id: int, nonce: str) -> str | None:
    """The document's status when the decision with ``nonce`` closed the task, else None."""
    with reading(engine) as session:
        return task_repo.document_status_if_decided(session, task_id, nonce)


def _revert_completing(engine: Engine, task_id: int, previous: TaskStatus, user_id: int) -> None:
    """Put a rejected decision's task back to its previous status in one transaction."""
    with transaction(engine) as session:
        task_repo.revert_completing(session, task_id, previous, user_id)


def claim_task(engine: Engine, task_id: int, user: User, roles: set[Role]) -> None:
    """Claim an open task for oneself, with an audit event."""
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        task_repo.claim(session, task, user, roles)
        record(session, user.id, "task.claimed", *task_repo.subject_of(task), task_id=task.id)


def release_task(engine: Engine, task_id: int, user: User, roles: set[Role]) -> None:
    """Give a claimed task back to its group, with an audit event."""
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        if task.status != TaskStatus.CLAIMED:
            raise Conflict("task_not_claimed")
        task_repo.release(session, task, user)
        record(session, user.id, "task.released", *task_repo.subject_of(task), task_id=task.id)


# The decisions the inbox offers on several tasks at once: those a step takes without anything to
# type (the văn thư's "vào sổ" of received documents, a leader's "lưu tham khảo"), and claiming.
BULK_DECISIONS = frozenset({Action.REGISTER, Action.FILE_FOR_REFERENCE})
BULK_LIMIT = 100  # a page of the inbox


@dataclass
class TaskResult:
    """What one task of a bulk action came to: ``outcome`` when it was done (or is in flight, for a
    decision), ``error`` (why not) otherwise. ``document_id``: the task's document when the person
    may see it, so the page can name it."""

    task_id: int
    document_id: str = ""
    outcome: ActionOutcome | None = None
    error: DomainError | None = None


def _selected(task_ids: list[int]) -> list[int]:
    chosen = list(dict.fromkeys(task_ids))
    if not chosen:
        raise DomainError("bulk_nothing_selected")
    if len(chosen) > BULK_LIMIT:
        raise DomainError("bulk_too_many", limit=BULK_LIMIT)
    return chosen


def _document_of(engine: Engine, task_id: int, user: User, roles: set[Role]) -> str:
    """The document of a task the user may see (``task_for_user``); "" for any other."""
    with reading(engine) as session:
        try:
            return task_repo.task_for_user(session, task_id, user, roles).document_id or ""
        except DomainError:
            return ""


async def act_on_tasks(engine: Engine, client: Client, *, task_ids: list[int], user: User, roles: set[Role],
                       action: str, fields: dict, nonce: str) -> list[TaskResult]:
    """The same decision on several tasks, each through ``act_on_task`` exactly as one decision is.

    Each task is its own completion handshake (its own transaction and Workflow Update), so a task
    that cannot take the decision (another step now, claimed by a colleague, not the person's) is
    refused alone and the others still go through; none is ever half-done. Each task's nonce is
    the request's with the task id, so the whole request sent again resumes or returns each first
    outcome instead of deciding twice.
    """
    if action not in BULK_DECISIONS:
        raise DomainError("bulk_action_unknown")
    results = []
    for task_id in _selected(task_ids):
        try:
            outcome = await act_on_task(engine, client, task_id=task_id, user=user, roles=roles, action=action,
                                        fields=fields, nonce=f"{nonce[:60]}:{task_id}")
            results.append(TaskResult(task_id, outcome.document_id, outcome=outcome))
        except DomainError as error:
            document_id = await asyncio.to_thread(_document_of, engine, task_id, user, roles)
            results.append(TaskResult(task_id, document_id, error=error))
    return results


def claim_tasks(engine: Engine, task_ids: list[int], user: User, roles: set[Role]) -> list[TaskResult]:
    """Claim several open tasks, each through ``claim_task`` (one transaction and audit event each):
    one a colleague took first is refused alone, the others are claimed."""
    results = []
    for task_id in _selected(task_ids):
        try:
            claim_task(engine, task_id, user, roles)
            results.append(TaskResult(task_id, _document_of(engine, task_id, user, roles),
                                      outcome=ActionOutcome(task_id, "nhan_xu_ly", applied=True, document_id="")))
        except DomainError as error:
            results.append(TaskResult(task_id, _document_of(engine, task_id, user, roles), error=error))
    return results


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
            id=f"reroute-{document_id}:{nonce}", rpc_timeout=workflow_updates.UPDATE_WAIT,
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
