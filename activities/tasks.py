"""Projecting human steps into task rows the inbox reads."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity

from models.audit import already_recorded, record
from models.db import transaction
from models.notifications.notify import notify, people_with_role
from models.org import dated_repo
from models.tasks import repo as task_repo
from models.vocab import Role, TaskStatus
from workflows.contracts import CloseWorkflowTasksInput, EscalateInput, OpenTaskInput, TaskRef


class TaskActivities:
    """Task row writes; each call owns exactly one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="open_task")
    def open_task(self, request: OpenTaskInput) -> int:
        """Insert the task row; idempotent on (workflow id, task key). Returns the row id.

        The audit event is written only when the row is new, so retries leave one event. A step of an
        agency closed by a reorganisation opens for the agency answering for it now (its successor),
        in the same unit only when that unit belongs to the successor.
        """
        with transaction(self.engine) as session:
            agency_id = dated_repo.answering_agency(session, request.agency_id)
            unit_id = (request.unit_id if agency_id == request.agency_id
                       else dated_repo.answering_unit(session, request.unit_id, agency_id))
            task, created = task_repo.open_task(session, {
                "workflow_id": request.workflow_id, "task_key": request.task_key,
                "document_id": request.document_id or None, "record_id": request.record_id,
                "work_assignment_id": request.work_assignment_id,
                "record_plan_id": request.record_plan_id, "schedule_id": request.schedule_id, "step": request.step,
                "agency_id": agency_id, "candidate_role": request.candidate_role,
                "actions": list(request.actions), "urgency_rank": request.urgency_rank,
                "due_at": request.due_at, "unit_id": unit_id,
                "assignee_id": request.assignee_id,
                # A step for one named person starts as theirs; others wait to be claimed.
                "status": TaskStatus.CLAIMED if request.assignee_id else TaskStatus.OPEN,
            })
            if created:
                record(session, None, "task.opened", *task_repo.subject_of(task),
                       task_id=task.id, step=request.step, candidate_role=request.candidate_role,
                       unit_id=unit_id, assignee_id=request.assignee_id,
                       due_at=request.due_at.isoformat() if request.due_at else None,
                       **({"for_agency_id": request.agency_id, "agency_id": agency_id}
                          if agency_id != request.agency_id else {}))
                people = ([request.assignee_id] if request.assignee_id else
                          people_with_role(session, agency_id, Role(request.candidate_role), unit_id))
                urgent = request.urgency_rank > 0
                notify(session, people, request.document_id or None, "urgent_task" if urgent else "new_task",
                       urgent=urgent, step=request.step, task_id=task.id)
            return task.id

    @activity.defn(name="send_reminder")
    def send_reminder(self, request: TaskRef) -> int:
        """Remind whoever holds (or may take) a step that falls due soon.

        Idempotency key: (workflow id, task key) through the ``task.reminded`` audit event.
        Returns how many people were reminded (0 when already done or the step is closed).
        """
        with transaction(self.engine) as session:
            task = task_repo.by_key(session, request.workflow_id, request.task_key)
            subject_type, subject_id = task_repo.subject_of(task)
            if already_recorded(session, "task.reminded", subject_id, task_key=request.task_key):
                return 0
            if task.status not in task_repo.ACTIVE:
                return 0
            people = ([task.assignee_id] if task.assignee_id else
                      people_with_role(session, task.agency_id, Role(task.candidate_role), task.unit_id))
            sent = notify(session, people, task.document_id, "due_soon", step=task.step, task_id=task.id)
            record(session, None, "task.reminded", subject_type, subject_id, task_key=request.task_key, notified=sent)
            return sent

    @activity.defn(name="escalate_overdue")
    def escalate_overdue(self, request: EscalateInput) -> int:
        """Alert the unit head (for unit steps) and the agency leaders that a step is overdue.

        Idempotency key: (workflow id, task key) through the audit trail: a second call finds
        the ``task.escalated`` event and sends nothing. Returns how many people were alerted.
        """
        with transaction(self.engine) as session:
            task = task_repo.by_key(session, request.workflow_id, request.task_key)
            subject_type, subject_id = task_repo.subject_of(task)
            if already_recorded(session, "task.escalated", subject_id, task_key=request.task_key):
                return 0
            people = people_with_role(session, task.agency_id, Role.AGENCY_LEADER)
            if request.unit_id is not None and task.unit_id is not None:
                # The unit the row holds now: a reorganisation may have handed the step to a successor unit.
                people += people_with_role(session, task.agency_id, Role.UNIT_LEADER, task.unit_id)
            sent = notify(session, people, task.document_id, "overdue", urgent=True,
                          step=request.step, task_id=task.id)
            record(session, None, "task.escalated", subject_type, subject_id,
                   task_key=request.task_key, step=request.step, notified=sent)
            return sent

    @activity.defn(name="close_workflow_tasks")
    def close_workflow_tasks(self, request: CloseWorkflowTasksInput) -> int:
        """Cancel the steps still open when the document was finished or its workflow cancelled.

        Idempotent by status; a cancellation is recorded once, with its reason.
        """
        with transaction(self.engine) as session:
            cancelled = task_repo.cancel_tasks(session, request.workflow_id)
            if cancelled:
                record(session, None, "task.cancelled", "document", request.document_id, count=cancelled,
                       reason=request.reason)
            if request.reason and not already_recorded(session, "document.workflow_cancelled", request.document_id,
                                                       workflow_id=request.workflow_id):
                record(session, None, "document.workflow_cancelled", "document", request.document_id,
                       workflow_id=request.workflow_id, reason=request.reason, cancelled_steps=cancelled)
            return cancelled

    @activity.defn(name="mark_task_overdue")
    def mark_task_overdue(self, request: TaskRef) -> bool:
        """Flag the task overdue; idempotent (a second call changes nothing, audits nothing)."""
        with transaction(self.engine) as session:
            changed = task_repo.mark_overdue(session, request.workflow_id, request.task_key)
            if changed:
                task = task_repo.by_key(session, request.workflow_id, request.task_key)
                record(session, None, "task.overdue", *task_repo.subject_of(task),
                       task_key=request.task_key)
            return changed
