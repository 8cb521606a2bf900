"""Applying human decisions to documents."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.audit import record
from models.db import transaction, utcnow
from models.documents.search_repo import index_document
from models.documents.tables import Assignment, Document
from models.org.tables import OrgUnit
from models.outgoing.recipient_status import STATUS_FOR_DECISION, report_to_sender
from models.tasks import repo as task_repo
from models.vocab import AssignmentRole, DocumentStatus
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult, WithdrawBranchInput

# What each decision does to the document's status; None leaves it as it is.
STATUS_AFTER: dict[str, DocumentStatus | None] = {
    "giao_xu_ly": DocumentStatus.DIRECTED,
    "luu_tham_khao": DocumentStatus.FILED_FOR_REFERENCE,
    "phan_cong": None,  # IN_PROGRESS, but only for the lead unit (see below)
    "hoan_thanh": DocumentStatus.DONE,
    "gui_y_kien": None,
    "xin_gia_han": None,
    "dong_y_gia_han": None,
    "tu_choi_gia_han": None,
    "tiep_nhan": None,  # accepted for reference; registration follows
    "vao_so": None,  # a document from another agency accepted; registration follows
    "thu_lai": None,  # retry digitising a quarantined scan
    "tra_lai": DocumentStatus.RETURNED,
}
CLOSING = {DocumentStatus.FILED_FOR_REFERENCE, DocumentStatus.DONE, DocumentStatus.RETURNED}


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
            if request.action not in STATUS_AFTER:
                raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
            closed_now = task_repo.close_task(
                session, request.workflow_id, request.task_key, request.action, request.actor_id
            )
            if not closed_now:
                return ApplyDecisionResult(str(document.status))

            now = utcnow()
            fields = request.fields
            effect = _EFFECTS.get(request.action)
            if effect is not None:
                effect(session, document, request)
            new_status = STATUS_AFTER[request.action]
            if request.action == "phan_cong" and request.branch_role == AssignmentRole.LEAD:
                new_status = DocumentStatus.IN_PROGRESS
            if new_status is not None:
                document.status = new_status
                if new_status in CLOSING:
                    document.closed_at = now
            document.updated_at = now
            session.add(document)
            index_document(session, document)
            # The step's own facts win over same-named decision fields (the extension's unit).
            data = {**fields, "step": request.step, "unit_id": request.unit_id,
                    "branch_role": request.branch_role}
            record(session, request.actor_id, f"document.{request.action}", "document", document.id, **data)
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
            live = list(session.exec(select(Assignment).where(
                Assignment.document_id == request.document_id, Assignment.unit_id == request.unit_id,
                Assignment.withdrawn_at == None)))  # noqa: E711
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
            units = session.exec(select(OrgUnit.name).join(Assignment, Assignment.unit_id == OrgUnit.id).where(
                Assignment.document_id == document.id, Assignment.user_id == None,  # noqa: E711
                Assignment.withdrawn_at == None)).all()  # noqa: E711
            document.to_places = "; ".join(dict.fromkeys(units))[:1000]
            document.updated_at = now
            session.add(document)
            record(session, request.actor_id, "document.rerouted", "document", document.id,
                   unit_id=request.unit_id, new_unit_id=request.new_unit_id, role=request.role,
                   reason=request.reason, cancelled_steps=cancelled)
            return cancelled


def _tell_sender(session: Session, document: Document, request: ApplyDecisionInput) -> None:
    """Report the step to the sender when the document came from an agency of this installation."""
    code = STATUS_FOR_DECISION.get(request.action)
    if request.action == "phan_cong" and request.branch_role == AssignmentRole.LEAD:
        code = "05"  # the lead unit started handling it
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
    names = session.exec(select(OrgUnit.name).where(OrgUnit.id.in_([u for u, _ in rows]))).all()
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
    for assignment in session.exec(select(Assignment).where(
            Assignment.document_id == document.id, Assignment.user_id == handler_id,
            Assignment.withdrawn_at == None)):  # noqa: E711
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


_EFFECTS = {
    "giao_xu_ly": _record_direction,
    "hoan_thanh": _link_reply,
    "phan_cong": _record_handler,
    "dong_y_gia_han": _grant_extension,
}
