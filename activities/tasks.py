"""Projecting human steps into task rows the inbox reads."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity

from models import task_repo
from models.audit import record
from models.db import transaction
from workflows.contracts import OpenTaskInput, TaskRef


class TaskActivities:
    """Task row writes; each call owns exactly one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="open_task")
    def open_task(self, request: OpenTaskInput) -> int:
        """Insert the task row; idempotent on (workflow id, task key). Returns the row id.

        The audit event is written only when the row is new, so retries leave one event.
        """
        with transaction(self.engine) as session:
            task, created = task_repo.open_task(session, {
                "workflow_id": request.workflow_id, "task_key": request.task_key,
                "document_id": request.document_id, "step": request.step,
                "agency_id": request.agency_id, "candidate_role": request.candidate_role,
                "actions": list(request.actions), "urgency_rank": request.urgency_rank,
                "due_at": request.due_at,
            })
            if created:
                record(session, None, "task.opened", "document", request.document_id,
                       task_id=task.id, step=request.step, candidate_role=request.candidate_role,
                       due_at=request.due_at.isoformat() if request.due_at else None)
            return task.id

    @activity.defn(name="mark_task_overdue")
    def mark_task_overdue(self, request: TaskRef) -> bool:
        """Flag the task overdue; idempotent (a second call changes nothing, audits nothing)."""
        with transaction(self.engine) as session:
            changed = task_repo.mark_overdue(session, request.workflow_id, request.task_key)
            if changed:
                record(session, None, "task.overdue", "document", request.document_id,
                       task_key=request.task_key)
            return changed
