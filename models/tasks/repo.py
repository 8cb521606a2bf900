"""Task rows: projection from workflows, claiming, the completion handshake, inbox queries.

Every state change is a conditional UPDATE guarded by status (and ``version`` for claims), so
two people clicking at once get exactly one winner; zero rows changed means "someone else won".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, update
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
    if task.work_assignment_id is not None:
        return "assignment", str(task.work_assignment_id)
    if task.record_id is not None:
        return "record", str(task.record_id)
    if task.record_plan_id is not None:
        return "record_plan", str(task.record_plan_id)
    if task.schedule_id is not None:
        return "schedule", str(task.schedule_id)
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


# The steps a leader may pass to a deputy, and the kind of delegation that covers each.
DELEGABLE_STEPS = {"sign": delegation_rules.SIGN, "direct": delegation_rules.DIRECT}
STEP_OF_KIND = {kind: step for step, kind in DELEGABLE_STEPS.items()}


def _candidate_filter(user: User, roles: Iterable[Role]):
    """The tasks offered to a group ``user`` belongs to (any status)."""
    return and_(
        col(Task.agency_id) == user.agency_id,
        col(Task.candidate_role).in_(sorted(roles)),
        or_(col(Task.unit_id).is_(None), col(Task.unit_id) == user.unit_id),
    )


def is_candidate(task: Task, user: User, roles: set[Role]) -> bool:
    """Whether ``user`` belongs to the group a loaded task row is offered to: ``_candidate_filter``
    for one row in hand. Who may act on a task is ``reach_of``'s answer, not this."""
    return (task.agency_id == user.agency_id and task.candidate_role in roles
            and (task.unit_id is None or task.unit_id == user.unit_id))


@dataclass(frozen=True)
class DelegatedArm:
    """One delegation in force that a person holds, its leader, and the leader's steps it covers."""

    delegation: Delegation
    leader: User
    condition: ColumnElement[bool]


def _delegated_arm(delegation: Delegation, leader: User, leader_roles: set[Role], deputy_id: int) -> DelegatedArm:
    """The leader's steps a delegation lets its deputy take, as a condition over ``task``.

    The step is the kind's (``sign`` for signing, ``direct`` for direction) in the delegation's
    agency; the document's type, and its unit (the drafting unit of a draft, the task's unit for a
    direction), are in the scope (an empty list covers all). The step is the leader's: offered to
    a group of the leader's while open, claimed by the leader, or the deputy's own decision on it
    in flight (the completion handshake puts the deputy's name on the row, and a retry of that
    decision must still name the leader).
    """
    conditions = [col(Task.step) == STEP_OF_KIND[delegation.kind], col(Task.agency_id) == delegation.agency_id]
    about_document = []
    if delegation.doc_type_ids:
        about_document.append(col(Document.doc_type_id).in_(delegation.doc_type_ids))
    if delegation.unit_ids and delegation.kind == delegation_rules.SIGN:
        about_document.append(col(Document.drafting_unit_id).in_(delegation.unit_ids))
    elif delegation.unit_ids:
        conditions.append(col(Task.unit_id).in_(delegation.unit_ids))
    if about_document:
        # Correlated on the task's document (its primary key), so only the few steps the other
        # conditions leave are looked up, never every document of a type.
        conditions.append(select(Document.id).where(col(Document.id) == col(Task.document_id), *about_document)
                          .exists())
    offered_to_leader = _candidate_filter(leader, leader_roles)
    leaders_step = or_(
        and_(col(Task.status) == TaskStatus.OPEN, offered_to_leader),
        and_(col(Task.status) == TaskStatus.CLAIMED, col(Task.assignee_id) == leader.id),
        and_(col(Task.status).in_([TaskStatus.CLAIMED, TaskStatus.COMPLETING]), col(Task.assignee_id) == deputy_id,
             offered_to_leader),
    )
    return DelegatedArm(delegation, leader, and_(*conditions, leaders_step))


def delegated_arms(session: Session, user: User, day: date | None = None) -> list[DelegatedArm]:
    """Each delegation of a leader's step ``user`` holds in force on ``day`` (today by default), as
    its condition over ``task``. Read by date at every call: an expired or revoked delegation is
    simply not among them, so nothing has to end it. A disabled leader passes nothing on."""
    arms = []
    for delegation in delegation_repo.held_by(session, user.id, day=day):
        leader = session.get(User, delegation.delegator_id)
        if delegation.kind not in STEP_OF_KIND or leader is None or leader.disabled:
            continue
        leader_roles = {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == leader.id))}
        arms.append(_delegated_arm(delegation, leader, leader_roles, user.id))
    return arms


@dataclass(frozen=True)
class Reach:
    """Which tasks one person may act on, as conditions over ``task``: the one answer the inbox page,
    its counts, API v1 and every act (claim, decide, sign) share, so they cannot disagree.

    ``own``: claimed by them or their decision in flight; ``offered``: open in a group they belong
    to; ``arms``: a leader's steps they may take under each delegation in force today. The inbox
    scopes ``mine``, ``unit`` and ``delegated`` are disjoint (a step offered to them in their own
    right is listed under ``unit`` even when a delegation covers it too), so the counts add up.
    """

    own: ColumnElement[bool]
    offered: ColumnElement[bool]
    arms: tuple[DelegatedArm, ...]

    @property
    def delegated(self) -> ColumnElement[bool]:
        """Every leader's step a delegation in force covers."""
        return or_(*(arm.condition for arm in self.arms)) if self.arms else false()

    @property
    def may_act(self) -> ColumnElement[bool]:
        """Every task the person may act on."""
        return or_(self.own, self.offered, self.delegated)

    def scope(self, name: str) -> ColumnElement[bool]:
        """The condition of one inbox scope: ``mine``, ``unit``, ``delegated`` or ``overdue``."""
        if name == "mine":
            return self.own
        if name == "unit":
            return self.offered
        if name == "delegated":
            # Never NULL on a delegated row (its status or assignee decides own/offered), so NOT is exact.
            return and_(self.delegated, not_(self.own), not_(self.offered))
        if name == "overdue":
            # Each arm on its own, so each can use its index (assignee+status, agency+status): one OR
            # around the plain conditions made SQLite scan every task ever created.
            late = col(Task.overdue).is_(True)
            return or_(*(and_(self.scope(listed), late) for listed in LISTED_SCOPES))
        raise ValueError(name)


LISTED_SCOPES = ("mine", "unit", "delegated")


def reach_of(session: Session, user: User, roles: set[Role], day: date | None = None) -> Reach:
    """The tasks ``user`` with ``roles`` may act on (``Reach``), delegations read on ``day`` (today)."""
    own = and_(col(Task.assignee_id) == user.id, col(Task.status).in_([TaskStatus.CLAIMED, TaskStatus.COMPLETING]))
    offered = and_(col(Task.status) == TaskStatus.OPEN, _candidate_filter(user, roles))
    return Reach(own, offered, tuple(delegated_arms(session, user, day)))


def _matches(session: Session, task_id: int, condition) -> bool:
    """Whether the stored row of ``task_id`` meets ``condition`` (the same SQL the lists use)."""
    return session.exec(select(Task.id).where(col(Task.id) == task_id, condition)).first() is not None


def covering(session: Session, user: User, task_ids: Sequence[int]) -> dict[int, DelegatedArm]:
    """For each of ``task_ids`` a delegation in force lets ``user`` act on, that delegation and its leader."""
    found: dict[int, DelegatedArm] = {}
    for arm in delegated_arms(session, user) if task_ids else ():
        for task_id in session.exec(select(Task.id).where(col(Task.id).in_(list(task_ids)), arm.condition)):
            found.setdefault(task_id, arm)
    return found


def acting_for(session: Session, task: Task, user: User) -> Delegation | None:
    """The delegation in force today under which ``user`` may act on a leader's ``task``, if any.

    One covering the step is used even when the person could act on it in their own right too, so
    the act names the leader whose step it is (and a retry of it names them the same way).
    """
    arm = covering(session, user, [task.id]).get(task.id)
    return arm.delegation if arm else None


def task_for_user(session: Session, task_id: int, user: User, roles: set[Role]) -> Task:
    """A task the user may act on (``reach_of``), one of their groups' that a colleague holds (acting
    on it is then a conflict, not a 404), or one they hold or held themselves; 404 otherwise."""
    reach = reach_of(session, user, roles)
    visible = or_(reach.may_act, col(Task.assignee_id) == user.id, _candidate_filter(user, roles))
    task = session.get(Task, task_id)
    if task is None or not _matches(session, task_id, visible):
        raise NotFound("task_not_found")
    return task


def claim(session: Session, task: Task, user: User, roles: set[Role]) -> None:
    """Take an open task of one's group for oneself.

    A deputy does not claim a leader's step: it stays the leader's, so the deputy's reach to it
    ends with the delegation; they act on it directly.
    """
    if not _matches(session, task.id, _candidate_filter(user, roles)):
        if acting_for(session, task, user) is not None:
            raise Forbidden("delegated_task_not_claimed")
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
    # A deputy acts on the step while the leader holds it; anyone else's claim is a conflict.
    holders = sorted({user.id} | ({deputy_of.delegator_id} if deputy_of is not None else set()))
    if task.status == TaskStatus.CLAIMED and task.assignee_id not in holders:
        raise Conflict("task_claimed_by_other")
    if not _matches(session, task.id, reach_of(session, user, roles).may_act):
        raise Forbidden("not_your_task")
    previous = task.status
    _conditional(
        session, task, {"status": TaskStatus.COMPLETING, "assignee_id": user.id, "decision_nonce": nonce[:80]},
        or_(col(Task.status) == TaskStatus.OPEN,
            and_(col(Task.status) == TaskStatus.CLAIMED, col(Task.assignee_id).in_(holders))),
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


def inbox(session: Session, user: User, roles: set[Role], scope: str, *, limit: int | None = None,
          offset: int = 0, reach: Reach | None = None) -> list[Task]:
    """List tasks for the inbox; urgent first, then the nearest deadline.

    scope ``mine``: claimed by me or being completed by me; ``unit``: open tasks offered to my
    groups; ``delegated``: leaders' steps I may take under a delegation in force today (and not
    in my own right); ``overdue``: overdue among the three. ``limit``/``offset`` page the list: a
    leader's unit scope holds thousands of tasks at a million documents (``counts`` gives the
    totals). ``reach`` is ``reach_of`` when the caller has it already.
    """
    reach = reach or reach_of(session, user, roles)
    query = select(Task).where(reach.scope(scope)).order_by(
        col(Task.urgency_rank).desc(), col(Task.due_at).is_(None), col(Task.due_at), col(Task.id)
    )
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return list(session.exec(query))


def counts(session: Session, user: User, roles: set[Role], reach: Reach | None = None) -> dict[str, int]:
    """Count the inbox scopes (for the navigation badges), in SQL: a leader's unit scope holds
    thousands of open tasks at a million documents, too many to load for a badge.

    Overdue is counted per scope (disjoint), each on its own index; a count over their OR scans
    the whole task table. A scope with nothing possible (no delegation held) asks nothing.
    """
    reach = reach or reach_of(session, user, roles)

    def count(condition) -> int:
        return session.exec(select(func.count()).select_from(Task).where(condition)).one()

    late = col(Task.overdue).is_(True)
    scopes = [scope for scope in LISTED_SCOPES if scope != "delegated" or reach.arms]
    found = {scope: count(reach.scope(scope)) for scope in scopes}
    return {"delegated": 0, **found,
            "overdue": sum(count(and_(reach.scope(scope), late)) for scope in scopes)}


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
    """The steps of a document the user may act on (``reach_of``): what its page offers them."""
    return list(session.exec(select(Task).where(
        Task.document_id == document_id, reach_of(session, user, roles).may_act).order_by(col(Task.id))))


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
