"""The one chokepoint for "may this person see X" (STYLE habit 9).

A document belongs to the agency that registered or issues it. Inside that agency (issue 3,
Permissions): the văn thư, the agency leaders and administrators see all of its documents; a unit
leader sees what was routed to their unit; anyone sees what they were assigned, informed of,
or had a task on. Other agencies' documents are visible only through a step of theirs on it (a
consulted agency's leaders on another agency's draft); otherwise never. Missing and forbidden look the
same (404), so ids cannot be probed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, select

from models.assignments.tables import AssignmentDocument, AssignmentParty
from models.db import utcnow
from models.documents.tables import Assignment, Document
from models.errors import NotFound
from models.org.tables import Agency, OrgUnit, User
from models.registers.tables import Register
from models.tasks.tables import Task
from models.vocab import Direction, Role, TaskStatus

SEES_WHOLE_AGENCY = {Role.CLERK, Role.AGENCY_LEADER, Role.ADMIN}
OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.COMPLETING)


def visible_documents(user: User, roles: set[Role]):
    """A SQL condition on ``Document`` selecting what ``user`` may see; use it in every listing."""
    return or_(*visibility_arms(user, roles))


def visibility_arms(user: User, roles: set[Role]) -> list:
    """The ways ``user`` may see a document, each a SQL condition on ``Document``: a document is
    visible when one of them holds (``visible_documents`` is their OR). Apart, each can be planned
    from its own index (a search on PostgreSQL reads each arm's documents, not every match)."""
    same_agency = col(Document.agency_id) == user.agency_id
    # A step offered to the user (an agency consulted on another agency's draft, whose leaders
    # answer for it) shows that document too, whichever agency owns it.
    offered_task = exists(select(Task.id).where(
        col(Task.document_id) == Document.id,
        or_(col(Task.assignee_id) == user.id,
            and_(col(Task.agency_id) == user.agency_id, col(Task.candidate_role).in_(list(roles)),
                 or_(col(Task.unit_id).is_(None), col(Task.unit_id) == user.unit_id)))))
    # The drafter of an outgoing document (an incoming one delivered from it keeps the sender's
    # drafter as creator, hence the direction).
    drafted = and_(col(Document.direction) == Direction.OUTGOING, col(Document.created_by) == user.id)
    if roles & SEES_WHOLE_AGENCY:
        return [same_agency, offered_task, drafted]
    routed = [and_(col(Assignment.document_id) == Document.id, col(Assignment.user_id) == user.id)]
    if Role.UNIT_LEADER in roles and user.unit_id is not None:
        routed.append(and_(col(Assignment.document_id) == Document.id,
                           col(Assignment.unit_id) == user.unit_id))
    had_task = exists(select(Task.id).where(col(Task.document_id) == Document.id,
                                            col(Task.assignee_id) == user.id))
    # A document linked to work they take part in (giao việc): as a person, or as a unit's head.
    takes_part = [col(AssignmentParty.user_id) == user.id]
    if Role.UNIT_LEADER in roles and user.unit_id is not None:
        takes_part.append(col(AssignmentParty.unit_id) == user.unit_id)
    linked = exists(select(AssignmentDocument.document_id)
                    .join(AssignmentParty, col(AssignmentParty.assignment_id) == AssignmentDocument.assignment_id)
                    .where(col(AssignmentDocument.document_id) == Document.id, or_(*takes_part)))
    return [and_(same_agency, exists(select(Assignment.id).where(or_(*routed)))), and_(same_agency, had_task),
            and_(same_agency, linked), offered_task, drafted]


def document_for_user(session: Session, user: User, document_id: str, roles: set[Role]) -> Document:
    """Return the document if ``user`` may see it; ``NotFound`` otherwise."""
    document = session.exec(
        select(Document).where(Document.id == document_id, visible_documents(user, roles))
    ).first()
    if document is None:
        raise NotFound("document_not_found")
    return document


def register_for_user(session: Session, user: User, register_id: int) -> Register:
    """Return one of the user's agency registers; ``NotFound`` otherwise."""
    register = session.get(Register, register_id)
    if register is None or register.agency_id != user.agency_id:
        raise NotFound("register_not_found")
    return register


def supervised_document(session: Session, roles: set[Role], document_id: str, *, today: date) -> Document:
    """The province supervisor's read-only look at a document of any agency of the installation.

    Narrow on purpose (DOMAIN §7: the Văn phòng UBND tỉnh monitors every agency's handling): only a
    ``giam_sat`` holder, and only while the document is late, as the province dashboard lists it:
    an open step past its deadline, or its handling deadline passed before it was finished. The
    caller renders it without any action and audits every view (``commands.supervision``).
    Missing and not allowed look the same (404).
    """
    if Role.SUPERVISOR not in roles:
        raise NotFound("document_not_found")
    late_step = exists(select(Task.id).where(
        col(Task.document_id) == Document.id, col(Task.status).in_(OPEN_TASK_STATUSES),
        or_(col(Task.overdue).is_(True), col(Task.due_at) < utcnow())))
    late_document = and_(col(Document.closed_at).is_(None), col(Document.due_date) < today)
    hosted = exists(select(Agency.id).where(col(Agency.id) == Document.agency_id, col(Agency.hosted).is_(True)))
    document = session.exec(select(Document).where(Document.id == document_id, hosted,
                                                   or_(late_step, late_document))).first()
    if document is None:
        raise NotFound("document_not_found")
    return document


def supervised_steps(session: Session, document_id: str) -> list[tuple[Task, str, str]]:
    """The open steps of a supervised document, oldest deadline first, with their unit's and
    assignee's names: where the document waits and since when."""
    rows = session.exec(
        select(Task, OrgUnit.name, User.full_name)
        .join(OrgUnit, col(OrgUnit.id) == Task.unit_id, isouter=True)
        .join(User, col(User.id) == Task.assignee_id, isouter=True)
        .where(col(Task.document_id) == document_id, col(Task.status).in_(OPEN_TASK_STATUSES))
        .order_by(col(Task.due_at).asc(), col(Task.id).asc()))
    return [(task, unit_name or "", assignee or "") for task, unit_name, assignee in rows]
