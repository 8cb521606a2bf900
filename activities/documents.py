"""Applying human decisions to documents."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models import task_repo
from models.audit import record
from models.db import transaction, utcnow
from models.documents import Assignment, Document
from models.org import OrgUnit
from models.search_repo import index_document
from models.vocab import AssignmentRole, DocumentStatus
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult

# What each decision does to the document's status.
STATUS_AFTER = {
    "giao_xu_ly": DocumentStatus.DIRECTED,
    "luu_tham_khao": DocumentStatus.FILED_FOR_REFERENCE,
}


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
            if request.action == "giao_xu_ly":
                _record_direction(session, document, request.actor_id, fields)
            document.status = STATUS_AFTER[request.action]
            document.updated_at = now
            if document.status == DocumentStatus.FILED_FOR_REFERENCE:
                document.closed_at = now
            session.add(document)
            index_document(session, document)
            record(session, request.actor_id, f"document.{request.action}", "document", document.id,
                   step=request.step, **fields)
            return ApplyDecisionResult(str(document.status))


def _record_direction(session, document: Document, actor_id: int, fields: dict[str, str]) -> None:
    """Write the routing rows of a direction: one chủ trì, any phối hợp, each with the deadline."""
    due = date.fromisoformat(fields["due_date"]) if fields.get("due_date") else None
    lead_id = int(fields["lead_unit_id"])
    cooperating = [int(part) for part in fields.get("cooperating_unit_ids", "").split(",") if part]
    rows = [(lead_id, AssignmentRole.LEAD)] + [
        (unit_id, AssignmentRole.COOPERATE) for unit_id in cooperating if unit_id != lead_id
    ]
    for unit_id, role in rows:
        session.add(Assignment(document_id=document.id, role=role, unit_id=unit_id, due_date=due,
                               opinion=fields.get("opinion", ""), assigned_by=actor_id))
    names = session.exec(select(OrgUnit.name).where(OrgUnit.id.in_([u for u, _ in rows]))).all()
    document.to_places = "; ".join(names)[:1000]
    if due is not None:
        document.due_date = due
