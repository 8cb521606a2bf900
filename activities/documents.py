"""Applying human decisions to documents."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.audit import record
from models.db import transaction, utcnow
from models.documents import lifecycle
from models.documents import repo as document_repo
from models.documents.tables import Assignment, Document
from models.outgoing.recipient_status import report_to_sender
from models.tasks import repo as task_repo
from models.tasks.actions import actions_of, sender_code, status_after
from models.vocab import Action, AssignmentRole
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult, WithdrawBranchInput

INCOMING_ACTIONS = actions_of("incoming")


class DocumentActivities:
    """Decision effects; each call owns exactly one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="apply_decision")
    def apply_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        """Close the task and apply the decision to the document, in one transaction.

        Idempotency key: (workflow id, task key). Closing the task is conditional; when it was
        already closed by an earlier attempt, the document is returned as it stands and nothing
        is written twice. Non-retryable: ``document_missing``, ``unknown_action``.
        """
        with transaction(self.engine) as session:
            document = session.get(Document, request.document_id)
            if document is None:
                raise ApplicationError("document_missing", type="document_missing", non_retryable=True)
            if request.action not in INCOMING_ACTIONS:
                raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
            closed_now = task_repo.close_task(
                session, request.workflow_id, request.task_key, request.action, request.actor_id
            )
            if not closed_now:
                return ApplyDecisionResult(str(document.status))

            effect = _EFFECTS.get(request.action)
            if effect is not None:
                effect(session, document, request)
            # The step's own facts win over same-named decision fields (the extension's unit).
            data = {**request.fields, "step": request.step, "unit_id": request.unit_id,
                    "branch_role": request.branch_role}
            lifecycle.change(session, document, f"document.{request.action}", actor_id=request.actor_id,
                             status=status_after(request.action, lead=request.branch_role == AssignmentRole.LEAD),
                             **data)
            _tell_sender(session, document, request)
            return ApplyDecisionResult(str(document.status))


class RoutingActivities:
    """Routing changes made while handling runs; each call owns one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="withdraw_branch")
    def withdraw_branch(self, request: WithdrawBranchInput) -> int:
        """Close a unit's open steps and routing rows, and route to the successor unit if any.

        Idempotency key: the unit's live routing rows. A retry finds them already withdrawn and
        writes nothing. Returns how many steps were cancelled.
        """
        with transaction(self.engine) as session:
            live = document_repo.live_unit_assignments(session, request.document_id, request.unit_id)
            if not live:
                return 0
            now = utcnow()
            for row in live:
                row.withdrawn_at = now
                session.add(row)
            cancelled = task_repo.cancel_task_keys(session, request.workflow_id, request.task_keys)
            document = session.get(Document, request.document_id)
            if request.new_unit_id is not None:
                unit_row = next((r for r in live if r.user_id is None), live[0])
                session.add(Assignment(document_id=document.id, role=AssignmentRole(request.role),
                                       unit_id=request.new_unit_id, due_date=unit_row.due_date,
                                       opinion=request.reason, assigned_by=request.actor_id))
            session.flush()
            document.to_places = "; ".join(document_repo.routed_unit_names(session, document.id))[:1000]
            document.updated_at = now
            session.add(document)
            record(session, request.actor_id, "document.rerouted", "document", document.id,
                   unit_id=request.unit_id, new_unit_id=request.new_unit_id, role=request.role,
                   reason=request.reason, cancelled_steps=cancelled)
            return cancelled


def _tell_sender(session: Session, document: Document, request: ApplyDecisionInput) -> None:
    """Report the step to the sender when the document came from an agency of this installation."""
    code = sender_code(request.action, lead=request.branch_role == AssignmentRole.LEAD)
    if code is not None:
        note = request.fields.get("reason") or request.fields.get("result") or request.fields.get("opinion", "")
        report_to_sender(session, document, code, utcnow(), note=note, actor_id=request.actor_id)


def _record_direction(session: Session, document: Document, request: ApplyDecisionInput) -> None:
    """Write the routing rows of a direction: one chủ trì, any phối hợp, each with the deadline."""
    fields = request.fields
    due = date.fromisoformat(fields["due_date"]) if fields.get("due_date") else None
    lead_id = int(fields["lead_unit_id"])
    cooperating = [int(part) for part in fields.get("cooperating_unit_ids", "").split(",") if part]
    rows = [(lead_id, AssignmentRole.LEAD)] + [
        (unit_id, AssignmentRole.COOPERATE) for unit_id in cooperating if unit_id != lead_id
    ]
    for unit_id, role in rows:
        session.add(Assignment(document_id=document.id, role=role, unit_id=unit_id, due_date=due,
                               opinion=fields.get("opinion", ""), assigned_by=request.actor_id))
    names = document_repo.unit_names(session, [unit_id for unit_id, _ in rows])
    document.to_places = "; ".join(names)[:1000]
    if due is not None:
        document.due_date = due


def _record_handler(session: Session, document: Document, request: ApplyDecisionInput) -> None:
    """The unit head named a handler: a routing row for the person (PL IV Mục VII.2)."""
    fields = request.fields
    due = date.fromisoformat(fields["due_date"]) if fields.get("due_date") else None
    session.add(Assignment(document_id=document.id, role=AssignmentRole(request.branch_role or "chu_tri"),
                           unit_id=request.unit_id, user_id=int(fields["handler_id"]), due_date=due,
                           opinion=fields.get("opinion", ""), assigned_by=request.actor_id))


def _grant_extension(session: Session, document: Document, request: ApplyDecisionInput) -> None:
    """An approved extension moves the handler's deadline, and the document's for the lead."""
    new_due = date.fromisoformat(request.fields["new_due_date"])
    handler_id = int(request.fields["handler_id"])
    for assignment in document_repo.live_handler_assignments(session, document.id, handler_id):
        assignment.due_date = new_due
        session.add(assignment)
    if request.branch_role == AssignmentRole.LEAD:
        document.due_date = new_due


def _link_reply(session: Session, document: Document, request: ApplyDecisionInput) -> None:
    """The handler named the outgoing reply: link it both ways (ResponseFor) unless it answers another."""
    reply_id = request.fields.get("reply_document_id")
    reply = session.get(Document, reply_id) if reply_id else None
    if reply is not None and reply.in_reply_to_id is None:
        reply.in_reply_to_id = document.id
        session.add(reply)


def _confirm_despite_duplicates(session: Session, document: Document, request: ApplyDecisionInput) -> None:
    """The văn thư registers a document the registration page warned may be a duplicate: audit that decision."""
    found = document_repo.probable_duplicates(session, document)
    if found:
        record(session, request.actor_id, "document.duplicate_confirmed", "document", document.id,
               duplicate_of=[other.id for other in found], step=request.step)


_EFFECTS = {
    Action.REGISTER: _confirm_despite_duplicates,
    Action.ACCEPT_FOR_REFERENCE: _confirm_despite_duplicates,
    Action.DIRECT: _record_direction,
    Action.FINISH: _link_reply,
    Action.ASSIGN: _record_handler,
    Action.GRANT_EXTENSION: _grant_extension,
}
