"""Task rows: projection from workflows, claiming, the completion handshake, inbox queries.

Every state change is a conditional UPDATE guarded by status (and ``version`` for claims), so
two people clicking at once get exactly one winner; zero rows changed means "someone else won".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from models.db import insert_ignoring_conflict, utcnow
from models.delegation import repo as delegation_repo
from models.delegation import rules as delegation_rules
from models.delegation.tables import Delegation
from models.documents.tables import Document
from models.errors import Conflict, Forbidden, NotFound
from models.org.tables import User, UserRole
from models.tasks.tables import Task
from models.vocab import Role, TaskStatus

ACTIVE = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.COMPLETING)


def open_task(session: Session, values: dict) -> tuple[Task, bool]:
    """Insert a task row unless (workflow_id, task_key) exists; return it and whether it is new."""
    result = insert_ignoring_conflict(
        session, Task.__table__, {"created_at": utcnow(), **values}, ["workflow_id", "task_key"]
    )
    task = session.exec(
        select(Task).where(Task.workflow_id == values["workflow_id"], Task.task_key == values["task_key"])
    ).one()
    return task, result.rowcount == 1


def subject_of(task: Task) -> tuple[str, str]:
    """The audit subject (type, id) of a task: its document, hồ sơ or Danh mục hồ sơ."""
    if task.record_id is not None:
        return "record", str(task.record_id)
    if task.record_plan_id is not None:
        return "record_plan", str(task.record_plan_id)
    return "document", str(task.document_id)


def close_task(session: Session, workflow_id: str, task_key: str, outcome: str, actor_id: int | None) -> bool:
    """Mark a task DONE unless it is already closed; return whether this call closed it."""
    result = session.execute(
        update(Task)
        .where(
            col(Task.workflow_id) == workflow_id,
            col(Task.task_key) == task_key,
            col(Task.status).in_(ACTIVE),
        )
        .values(status=TaskStatus.DONE, outcome=outcome, completed_by=actor_id,
                closed_at=utcnow(), state_changed_at=utcnow(), version=Task.version + 1)
    )
    return result.rowcount == 1


def mark_overdue(session: Session, workflow_id: str, task_key: str) -> bool:
    """Flag an active task overdue; return whether it changed."""
    result = session.execute(
        update(Task)
        .where(col(Task.workflow_id) == workflow_id, col(Task.task_key) == task_key,
               col(Task.status).in_(ACTIVE), col(Task.overdue).is_(False))
        .values(overdue=True)
    )
    return result.rowcount == 1


def cancel_tasks(session: Session, workflow_id: str) -> int:
    """Cancel every active task of a workflow (withdrawn or terminated document)."""
    result = session.execute(
        update(Task)
        .where(col(Task.workflow_id) == workflow_id, col(Task.status).in_(ACTIVE))
        .values(status=TaskStatus.CANCELLED, closed_at=utcnow(), state_changed_at=utcnow(),
                version=Task.version + 1)
    )
    return result.rowcount


def is_candidate(task: Task, user: User, roles: set[Role]) -> bool:
    """Tell whether ``user`` belongs to the group a task is offered to."""
    return (
        task.agency_id == user.agency_id
        and task.candidate_role in roles
        and (task.unit_id is None or task.unit_id == user.unit_id)
    )


# The steps a leader may pass to a deputy, and the kind of delegation that covers each.
DELEGABLE_STEPS = {"sign": delegation_rules.SIGN, "direct": delegation_rules.DIRECT}


def acting_for(session: Session, task: Task, user: User) -> Delegation | None:
    """The delegation in force today under which ``user`` may act on a leader's ``task``, if any.

    The step must be one a leader delegates (signing, direction); the leader must be the task's
    assignee, or one of its candidates when nobody holds it; the document's type and unit (the
    drafting unit of a draft, the task's unit otherwise) must be in the delegation's scope.
    Checked by date at each call: an expired delegation covers nothing.
    """
    kind = DELEGABLE_STEPS.get(task.step)
    if kind is None or task.assignee_id == user.id:
        return None
    held = delegation_repo.held_by(session, user.id, kind)
    if not held:
        return None
    document = session.get(Document, task.document_id)
    unit_id = document.drafting_unit_id if kind == delegation_rules.SIGN else task.unit_id
    for delegation in held:
        if delegation.agency_id != task.agency_id or not delegation_rules.covers(
                delegation.doc_type_ids, delegation.unit_ids, document.doc_type_id if document else None, unit_id):
            continue
        leader = session.get(User, delegation.delegator_id)
        if leader is None or leader.disabled:
            continue
        if task.assignee_id == leader.id:
            return delegation
        leader_roles = {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == leader.id))}
        if task.assignee_id is None and is_candidate(task, leader, leader_roles):
            return delegation
    return None


def delegated_tasks(session: Session, user: User, limit: int = 100) -> list[Task]:
    """The leaders' open steps a deputy may act on today under their delegations (the inbox lists
    them apart, with the leader's name). Bounded: a deputy holds few delegations."""
    leaders = {d.delegator_id for kind in DELEGABLE_STEPS.values() for d in delegation_repo.held_by(session, user.id, kind)}
    if not leaders:
        return []
    agency_ids = {session.get(User, leader_id).agency_id for leader_id in leaders}
    candidates = session.exec(select(Task).where(
        col(Task.step).in_(list(DELEGABLE_STEPS)), col(Task.agency_id).in_(sorted(agency_ids)),
        col(Task.status).in_([TaskStatus.OPEN, TaskStatus.CLAIMED]),
        or_(col(Task.assignee_id).in_(sorted(leaders)), col(Task.assignee_id).is_(None)),
    ).order_by(col(Task.urgency_rank).desc(), col(Task.due_at).is_(None), col(Task.due_at), col(Task.id))
        .limit(limit * 4))
    return [task for task in candidates if acting_for(session, task, user) is not None][:limit]


def task_for_user(session: Session, task_id: int, user: User, roles: set[Role]) -> Task:
    """Load a task the user may see (a candidate, its assignee, or a deputy acting for them); 404 otherwise."""
    task = session.get(Task, task_id)
    if task is None or not (task.assignee_id == user.id or is_candidate(task, user, roles)
                            or acting_for(session, task, user) is not None):
        raise NotFound("task_not_found")
    return task


def claim(session: Session, task: Task, user: User, roles: set[Role]) -> None:
    """Take an open task for oneself (as a candidate, or as a deputy acting for one)."""
    if not is_candidate(task, user, roles) and acting_for(session, task, user) is None:
        raise Forbidden("not_your_task")
    _conditional(session, task, {"status": TaskStatus.CLAIMED, "assignee_id": user.id},
                 col(Task.status) == TaskStatus.OPEN)


def release(session: Session, task: Task, user: User) -> None:
    """Give a claimed task back to its group."""
    if task.assignee_id != user.id:
        raise Forbidden("not_your_task")
    _conditional(session, task, {"status": TaskStatus.OPEN, "assignee_id": None},
                 and_(col(Task.status) == TaskStatus.CLAIMED, col(Task.assignee_id) == user.id))


def same_decision(task: Task, user: User, action: str, nonce: str) -> bool:
    """Whether this is a retry of the decision the row already carries (same person, action, nonce)."""
    return (bool(nonce) and task.decision_nonce == nonce and task.assignee_id == user.id
            and task.status in (TaskStatus.COMPLETING, TaskStatus.DONE)
            and (task.status == TaskStatus.COMPLETING or task.outcome == action))


def begin_completing(session: Session, task: Task, user: User, roles: set[Role], nonce: str = "") -> TaskStatus:
    """Step 1 of the completion handshake: OPEN (as a candidate) or CLAIMED-by-me → COMPLETING.

    Returns the status to revert to if the workflow rejects the decision.
    """
    if task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise Conflict("task_closed")
    if task.status == TaskStatus.COMPLETING:
        raise Conflict("task_in_progress")
    deputy_of = acting_for(session, task, user)
    holder = deputy_of.delegator_id if deputy_of is not None else user.id
    if task.status == TaskStatus.CLAIMED and task.assignee_id != holder:
        raise Conflict("task_claimed_by_other")
    if not (task.assignee_id == user.id or is_candidate(task, user, roles) or deputy_of is not None):
        raise Forbidden("not_your_task")
    previous = task.status
    _conditional(
        session, task, {"status": TaskStatus.COMPLETING, "assignee_id": user.id, "decision_nonce": nonce[:80]},
        or_(col(Task.status) == TaskStatus.OPEN,
            and_(col(Task.status) == TaskStatus.CLAIMED, col(Task.assignee_id) == holder)),
    )
    return previous


def revert_completing(session: Session, task_id: int, previous: TaskStatus, user_id: int | None) -> None:
    """Undo step 1 after the workflow refused the decision (the row goes back as it was, to the
    person who held it: ``user_id``, the leader when a deputy acted for them)."""
    session.execute(
        update(Task)
        .where(col(Task.id) == task_id, col(Task.status) == TaskStatus.COMPLETING)
        .values(status=previous, assignee_id=user_id if previous == TaskStatus.CLAIMED else None,
                state_changed_at=utcnow(), version=Task.version + 1)
    )


def _conditional(session: Session, task: Task, values: dict, condition) -> None:
    result = session.execute(
        update(Task)
        .where(col(Task.id) == task.id, col(Task.version) == task.version, condition)
        .values(**values, state_changed_at=utcnow(), version=Task.version + 1)
    )
    if result.rowcount != 1:
        raise Conflict("task_changed")
    session.refresh(task)


def _candidate_filter(user: User, roles: Sequence[Role]):
    return and_(
        col(Task.agency_id) == user.agency_id,
        col(Task.candidate_role).in_(list(roles)),
        or_(col(Task.unit_id).is_(None), col(Task.unit_id) == user.unit_id),
    )


def _inbox_condition(user: User, roles: set[Role], scope: str):
    mine = and_(col(Task.assignee_id) == user.id,
                col(Task.status).in_([TaskStatus.CLAIMED, TaskStatus.COMPLETING]))
    offered = and_(col(Task.status) == TaskStatus.OPEN, _candidate_filter(user, list(roles)))
    if scope == "mine":
        return mine
    if scope == "unit":
        return offered
    if scope == "overdue":
        # Each arm on its own, so each can use its index (assignee+status, agency+status): one OR
        # around both made SQLite scan every task ever created.
        late = col(Task.overdue).is_(True)
        return or_(and_(mine, late), and_(offered, late))
    raise ValueError(scope)


def inbox(session: Session, user: User, roles: set[Role], scope: str, *, limit: int | None = None,
          offset: int = 0) -> list[Task]:
    """List tasks for the inbox; urgent first, then the nearest deadline.

    scope ``mine``: claimed by me or being completed by me; ``unit``: open tasks offered to my
    groups; ``overdue``: overdue among both. ``limit``/``offset`` page the list: a leader's unit
    scope holds thousands of tasks at a million documents (``counts`` gives the totals).
    """
    query = select(Task).where(_inbox_condition(user, roles, scope)).order_by(
        col(Task.urgency_rank).desc(), col(Task.due_at).is_(None), col(Task.due_at), col(Task.id)
    )
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return list(session.exec(query))


def counts(session: Session, user: User, roles: set[Role]) -> dict[str, int]:
    """Count the three inbox scopes (for the navigation badges), in SQL: a leader's unit scope
    holds thousands of open tasks at a million documents, too many to load for a badge.

    Overdue is counted per arm (mine, offered: disjoint by status), each on its own index; a
    count over their OR scans the whole task table.
    """
    def count(condition) -> int:
        return session.exec(select(func.count()).select_from(Task).where(condition)).one()

    late = col(Task.overdue).is_(True)
    mine, offered = _inbox_condition(user, roles, "mine"), _inbox_condition(user, roles, "unit")
    return {"mine": count(mine), "unit": count(offered),
            "overdue": count(and_(mine, late)) + count(and_(offered, late))}


def touch_due(session: Session, task: Task, due_at: datetime | None) -> None:
    """Move a task's deadline (extension granted)."""
    task.due_at = due_at
    task.overdue = False
    session.add(task)


def stuck_completing(session: Session, older_than: datetime) -> list[Task]:
    """Tasks that entered COMPLETING before ``older_than``: decisions whose outcome was unknown."""
    return list(session.exec(
        select(Task).where(Task.status == TaskStatus.COMPLETING, col(Task.state_changed_at) < older_than)
    ))


def cancel_task_keys(session: Session, workflow_id: str, task_keys: Sequence[str]) -> int:
    """Cancel the given active steps of a workflow (a withdrawn routing)."""
    if not task_keys:
        return 0
    result = session.execute(
        update(Task)
        .where(col(Task.workflow_id) == workflow_id, col(Task.task_key).in_(list(task_keys)),
               col(Task.status).in_(ACTIVE))
        .values(status=TaskStatus.CANCELLED, closed_at=utcnow(), state_changed_at=utcnow(),
                version=Task.version + 1)
    )
    return result.rowcount


def open_tasks_of(session: Session, document_id: str, user: User, roles: set[Role]) -> list[Task]:
    """The user's open steps on a document (what the page offers them to do)."""
    return [task for task in session.exec(select(Task).where(
                Task.document_id == document_id,
                Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.COMPLETING])))
            if task.assignee_id == user.id or is_candidate(task, user, roles)
            or acting_for(session, task, user) is not None]


def by_key(session: Session, workflow_id: str, task_key: str) -> Task:
    """The row of one step of a workflow (it exists: the workflow opened it)."""
    return session.exec(select(Task).where(Task.workflow_id == workflow_id, Task.task_key == task_key)).one()


def document_status_if_decided(session: Session, task_id: int, nonce: str) -> str | None:
    """The document's status when the task was closed by the decision carrying ``nonce``, else None."""
    task = session.get(Task, task_id)
    if task is None or not nonce or task.status != TaskStatus.DONE or task.decision_nonce != nonce:
        return None
    if task.document_id is None:
        return ""  # a step about a hồ sơ or a Danh mục: decided, with no document status
    document = session.get(Document, task.document_id)
    return str(document.status) if document else None
