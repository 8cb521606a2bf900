"""Giao việc: all its SQL. Never commits; the caller (a command or an activity) owns the transaction.

Who may see an assignment (``visible_assignments``): the assigner, the agency's leaders, each
person taking part, and the head of each unit taking part. Missing and not visible look the same
(``assignment_not_found``), so ids cannot be probed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, exists, false, or_
from sqlmodel import Session, col, select

from models.assignments import rules
from models.assignments.schema import AssignmentForm
from models.assignments.tables import (
    OPEN_STATUSES,
    AssignmentDocument,
    AssignmentParty,
    AssignmentStatus,
    PartyRole,
    WorkAssignment,
)
from models.audit import AuditEvent
from models.calendar import repo as calendar_repo
from models.calendar.workdays import add_working_days, end_of_day
from models.db import utcnow
from models.documents.access import visible_documents
from models.documents.tables import Document
from models.errors import DomainError, Forbidden, NotFound
from models.org import tree_repo
from models.org.tables import Agency, OrgUnit, User, UserRole
from models.registers.numbering import vietnam_date
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import Role
from workflows.work_contracts import AssignmentInput, AssignmentPartyRef, assignment_workflow_id

# --- a new assignment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """A new assignment that passed every check: who takes part, the deadline, the linked documents."""

    role: Role
    lead_user: User | None
    lead_unit: OrgUnit | None
    support_users: list[User]
    support_units: list[OrgUnit]
    due_at: datetime
    document_ids: list[str]


def check_new(session: Session, assigner: User, roles: set[Role], form: AssignmentForm, now: datetime) -> Checked:
    """Check a new assignment against the assigner's powers; raise a domain error naming the problem.

    1. The assigner is an agency leader (the whole agency) or a unit head (their unit and below).
    2. There is exactly one lead, a person or a unit; nobody is assigned work by themselves.
    3. Each person is an active account, each unit an open unit with a head to act for it, and
       all lie within the assigner's powers (``assignment_beyond_unit``/``_agency`` names those outside).
    4. The deadline (a date, or working days on the calendar) lies ahead.
    5. Each linked document is one the assigner may see.
    """
    role = rules.assigning_role(roles, assigner.unit_id)
    if role is None:
        raise Forbidden("assignment_leaders_only")
    if form.lead_user_id is None and form.lead_unit_id is None:
        raise DomainError("assignment_no_assignee")
    if form.lead_user_id is not None and form.lead_unit_id is not None:
        raise DomainError("assignment_two_leads")
    today = vietnam_date(now)
    problem = rules.deadline_problem(form.working_days, form.due_date, today)
    if problem is not None:
        raise DomainError(problem, limit=rules.MAX_WORKING_DAYS)
    due_at = (end_of_day(form.due_date) if form.due_date is not None
              else add_working_days(now, form.working_days, calendar_repo.overrides(session)))
    if due_at <= now:
        raise DomainError("assignment_deadline_past")
    people = [form.lead_user_id] if form.lead_user_id else []
    people += [p for p in dict.fromkeys(form.support_user_ids) if p != form.lead_user_id]
    units = [form.lead_unit_id] if form.lead_unit_id else []
    units += [u for u in dict.fromkeys(form.support_unit_ids) if u != form.lead_unit_id]
    if assigner.id in people:
        raise DomainError("assignment_to_self")
    found_people = _people(session, assigner, role, people, lead=form.lead_user_id is not None)
    found_units = _units(session, assigner, role, units, today, lead=form.lead_unit_id is not None)
    return Checked(role, found_people[0] if form.lead_user_id else None,
                   found_units[0] if form.lead_unit_id else None,
                   found_people[1:] if form.lead_user_id else found_people,
                   found_units[1:] if form.lead_unit_id else found_units,
                   due_at, _documents(session, assigner, roles, form.document_ids))


def _people(session: Session, assigner: User, role: Role, ids: list[int], *, lead: bool) -> list[User]:
    """The active accounts ``ids`` (in order; the lead first when ``lead``), all within the assigner's powers."""
    found, outside = [], []
    for user_id in ids:
        person = session.get(User, user_id)
        if person is None or person.disabled:
            field = "lead_user_id" if lead and not found else "support_user_ids"
            raise DomainError("invalid_fields", fields={field: "invalid"})
        if person.agency_id != assigner.agency_id:
            outside.append("người của cơ quan khác")
        elif not rules.unit_within(role, assigner.unit_id, _unit_chain(session, person.unit_id)):
            outside.append(person.full_name)
        found.append(person)
    _refuse_outside(role, outside)
    return found


def _units(session: Session, assigner: User, role: Role, ids: list[int], today: date, *, lead: bool) -> list[OrgUnit]:
    """The open units ``ids`` (in order; the lead first when ``lead``), each with a head, all within
    the assigner's powers."""
    found, outside = [], []
    for unit_id in ids:
        unit = session.get(OrgUnit, unit_id)
        if unit is None or (unit.valid_to is not None and unit.valid_to < today):
            field = "lead_unit_id" if lead and not found else "support_unit_ids"
            raise DomainError("invalid_fields", fields={field: "invalid"})
        if unit.agency_id != assigner.agency_id:
            outside.append("đơn vị của cơ quan khác")
        elif not rules.unit_within(role, assigner.unit_id, _unit_chain(session, unit.id)):
            outside.append(unit.name)
        elif not unit_heads(session, unit):
            raise DomainError("assignment_unit_without_head", unit=unit.name)
        found.append(unit)
    _refuse_outside(role, outside)
    return found


def _refuse_outside(role: Role, outside: list[str]) -> None:
    if outside:
        code = "assignment_beyond_agency" if role == Role.AGENCY_LEADER else "assignment_beyond_unit"
        raise Forbidden(code, outside=", ".join(dict.fromkeys(outside)))


def _unit_chain(session: Session, unit_id: int | None) -> list[int]:
    """A unit's id and the ids above it, nearest first (empty for no unit)."""
    unit = session.get(OrgUnit, unit_id) if unit_id is not None else None
    return [unit.id, *tree_repo.unit_ancestors(session, unit)] if unit else []


def unit_heads(session: Session, unit: OrgUnit) -> list[int]:
    """The active heads of a unit (who name its lead person or send its contribution)."""
    return list(session.exec(select(User.id).join(UserRole, col(UserRole.user_id) == User.id).where(
        User.unit_id == unit.id, User.agency_id == unit.agency_id, UserRole.role == Role.UNIT_LEADER,
        col(User.disabled).is_(False))))


def _documents(session: Session, assigner: User, roles: set[Role], ids: list[str]) -> list[str]:
    """The linked documents, each one the assigner may see (``assignment_document_not_visible``)."""
    if not ids:
        return []
    seen = set(session.exec(select(Document.id).where(col(Document.id).in_(ids), visible_documents(assigner, roles))))
    if len(seen) != len(ids):
        raise DomainError("assignment_document_not_visible")
    return ids


def create(session: Session, assigner: User, form: AssignmentForm, checked: Checked) -> WorkAssignment:
    """Store a checked assignment, its parties and links; the workflow id is a new UUID."""
    naming = checked.lead_user is None
    assignment = WorkAssignment(
        workflow_id=assignment_workflow_id(str(uuid.uuid4())), agency_id=assigner.agency_id,
        assigner_id=assigner.id, assigner_role=str(checked.role),
        assigner_unit_id=assigner.unit_id if checked.role == Role.UNIT_LEADER else None,
        title=form.title, content=form.content,
        lead_user_id=checked.lead_user.id if checked.lead_user else None,
        lead_unit_id=checked.lead_unit.id if checked.lead_unit else None,
        status=AssignmentStatus.NAMING if naming else AssignmentStatus.IN_PROGRESS,
        working_days=form.working_days if form.due_date is None else None, due_at=checked.due_at)
    session.add(assignment)
    session.flush()
    lead = AssignmentParty(assignment_id=assignment.id, role=PartyRole.LEAD,
                           user_id=assignment.lead_user_id, unit_id=assignment.lead_unit_id)
    session.add(lead)
    for person in checked.support_users:
        session.add(AssignmentParty(assignment_id=assignment.id, role=PartyRole.SUPPORT, user_id=person.id))
    for unit in checked.support_units:
        session.add(AssignmentParty(assignment_id=assignment.id, role=PartyRole.SUPPORT, unit_id=unit.id))
    for document_id in checked.document_ids:
        session.add(AssignmentDocument(assignment_id=assignment.id, document_id=document_id))
    session.flush()
    return assignment


def start_input(session: Session, assignment: WorkAssignment) -> AssignmentInput:
    """The workflow's start input, rebuilt from the rows (the same after a lost start)."""
    agency = session.get(Agency, assignment.agency_id)
    supporters = []
    for party in parties_of(session, assignment.id):
        if party.role == PartyRole.SUPPORT:
            unit_id = party.unit_id if party.user_id is None else _unit_of(session, party.user_id)
            supporters.append(AssignmentPartyRef(party.id, unit_id, party.user_id))
    lead_unit = assignment.lead_unit_id
    if assignment.lead_user_id is not None and lead_unit is None:
        lead_unit = _unit_of(session, assignment.lead_user_id)
    return AssignmentInput(
        assignment_id=assignment.id, agency_id=assignment.agency_id, agency_code=agency.code,
        assigner_id=assignment.assigner_id, assigner_role=assignment.assigner_role,
        assigner_unit_id=assignment.assigner_unit_id, lead_user_id=assignment.lead_user_id,
        lead_unit_id=lead_unit, supporters=supporters, due_date=vietnam_date(assignment.due_at).isoformat())


def _unit_of(session: Session, user_id: int) -> int | None:
    person = session.get(User, user_id)
    return person.unit_id if person else None


def lost_starts(session: Session, older_than: datetime, limit: int = 100) -> list[WorkAssignment]:
    """Open assignments created before ``older_than`` whose workflow never opened a step: their start
    was lost (the web process died, Temporal was unreachable). Starting one again is harmless."""
    opened = exists(select(Task.id).where(col(Task.workflow_id) == WorkAssignment.workflow_id))
    return list(session.exec(select(WorkAssignment).where(
        col(WorkAssignment.status).in_(OPEN_STATUSES), col(WorkAssignment.created_at) < older_than, ~opened)
        .order_by(WorkAssignment.id).limit(limit)))


# --- reading ----------------------------------------------------------------------------------


def visible_assignments(user: User, roles: set[Role]):
    """A SQL condition on ``WorkAssignment``: what ``user`` may see (see the module docstring)."""
    conditions = [col(WorkAssignment.assigner_id) == user.id, _takes_part(user, roles)]
    if Role.AGENCY_LEADER in roles:
        conditions.append(col(WorkAssignment.agency_id) == user.agency_id)
    return or_(*conditions)


def _takes_part(user: User, roles: set[Role]):
    """The assignments ``user`` takes part in: as a person, or as the head of a unit taking part."""
    heads_unit = (col(AssignmentParty.unit_id) == user.unit_id
                  if Role.UNIT_LEADER in roles and user.unit_id is not None else false())
    return exists(select(AssignmentParty.id).where(
        col(AssignmentParty.assignment_id) == WorkAssignment.id,
        or_(col(AssignmentParty.user_id) == user.id, heads_unit)))


def assignment_for_user(session: Session, user: User, roles: set[Role], assignment_id: int,
                        *, for_update: bool = False) -> WorkAssignment:
    """The assignment if ``user`` may see it; ``assignment_not_found`` otherwise."""
    query = select(WorkAssignment).where(WorkAssignment.id == assignment_id, visible_assignments(user, roles))
    found = session.exec(query.with_for_update() if for_update else query).first()
    if found is None:
        raise NotFound("assignment_not_found")
    return found


def supervised_assignment(session: Session, roles: set[Role], assignment_id: int) -> WorkAssignment:
    """The province supervisor's read-only look at a late assignment of any agency of the
    installation (the province dashboard's overdue list): still open and past its deadline.
    ``assignment_not_found`` for anyone but a ``giam_sat`` holder, and for anything else."""
    hosted = exists(select(Agency.id).where(col(Agency.id) == WorkAssignment.agency_id, col(Agency.hosted).is_(True)))
    found = session.exec(select(WorkAssignment).where(
        WorkAssignment.id == assignment_id, hosted, col(WorkAssignment.status).in_(OPEN_STATUSES),
        col(WorkAssignment.due_at) < utcnow())).first() if Role.SUPERVISOR in roles else None
    if found is None:
        raise NotFound("assignment_not_found")
    return found


def by_workflow(session: Session, workflow_id: str) -> WorkAssignment:
    """The assignment of a workflow, its row locked (an activity applying a decision)."""
    return session.exec(select(WorkAssignment).where(WorkAssignment.workflow_id == workflow_id)
                        .with_for_update()).one()


def _listing(condition, status: str | None, limit: int, offset: int):
    query = select(WorkAssignment).where(condition)
    if status == "open":
        query = query.where(col(WorkAssignment.status).in_(OPEN_STATUSES))
    elif status:
        query = query.where(WorkAssignment.status == status)
    still_open = case((col(WorkAssignment.status).in_(OPEN_STATUSES), 0), else_=1)
    return query.order_by(still_open, col(WorkAssignment.due_at), col(WorkAssignment.id).desc()).offset(offset).limit(limit)


def given_by(session: Session, user: User, *, status: str | None = None, limit: int = 100,
             offset: int = 0) -> list[WorkAssignment]:
    """Việc tôi giao: open ones first, the nearest deadline first."""
    return list(session.exec(_listing(col(WorkAssignment.assigner_id) == user.id, status, limit, offset)))


def received_by(session: Session, user: User, roles: set[Role], *, status: str | None = None, limit: int = 100,
                offset: int = 0) -> list[WorkAssignment]:
    """Việc được giao: those ``user`` takes part in (or heads a unit taking part), open ones first."""
    return list(session.exec(_listing(_takes_part(user, roles), status, limit, offset)))


def parties_of(session: Session, assignment_id: int) -> list[AssignmentParty]:
    """The lead first, then the supporting people and units, in the order they were given."""
    return list(session.exec(select(AssignmentParty).where(AssignmentParty.assignment_id == assignment_id)
                             .order_by(col(AssignmentParty.role) != PartyRole.LEAD, AssignmentParty.id)))


def documents_of(session: Session, assignment_id: int) -> list[Document]:
    """The documents linked to an assignment."""
    return list(session.exec(select(Document).join(AssignmentDocument, col(AssignmentDocument.document_id) == Document.id)
                             .where(AssignmentDocument.assignment_id == assignment_id).order_by(Document.created_at)))


def history(session: Session, assignment_id: int) -> list[tuple[AuditEvent, User | None]]:
    """The assignment's audit events, oldest first, with who acted (its history page)."""
    rows = session.exec(select(AuditEvent, User).join(User, col(User.id) == AuditEvent.actor_id, isouter=True)
                        .where(AuditEvent.subject_type == "assignment", AuditEvent.subject_id == str(assignment_id))
                        .order_by(AuditEvent.at, AuditEvent.id))
    return [(event, user) for event, user in rows]


def open_steps_for(session: Session, assignment_id: int, user: User, roles: set[Role]) -> list[Task]:
    """The assignment's steps ``user`` may act on now (``task_repo.reach_of``): the page's forms."""
    reach = task_repo.reach_of(session, user, roles)
    return list(session.exec(select(Task).where(Task.work_assignment_id == assignment_id, reach.may_act)
                             .order_by(col(Task.id))))


def open_steps(session: Session, assignment_id: int) -> list[Task]:
    """Every step of the assignment still open, whoever holds it (the page says who it waits for)."""
    return list(session.exec(select(Task).where(Task.work_assignment_id == assignment_id,
                                                col(Task.status).in_(task_repo.ACTIVE)).order_by(col(Task.id))))


def people_by_id(session: Session, ids) -> dict[int, User]:
    """People by id (names on lists and pages)."""
    wanted = sorted({i for i in ids if i is not None})
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted)))} if wanted else {}


def units_by_id(session: Session, ids) -> dict[int, OrgUnit]:
    """Units by id (names on lists and pages)."""
    wanted = sorted({i for i in ids if i is not None})
    return {u.id: u for u in session.exec(select(OrgUnit).where(col(OrgUnit.id).in_(wanted)))} if wanted else {}


def assignable(session: Session, assigner: User, roles: set[Role]) -> tuple[list[User], list[OrgUnit]]:
    """The people and open units an assigner may give work to (the form's choices)."""
    role = rules.assigning_role(roles, assigner.unit_id)
    if role is None:
        return [], []
    today = vietnam_date(utcnow())
    units = [unit for unit in session.exec(select(OrgUnit).where(OrgUnit.agency_id == assigner.agency_id)
                                           .order_by(OrgUnit.name))
             if (unit.valid_to is None or unit.valid_to >= today)
             and rules.unit_within(role, assigner.unit_id, _unit_chain(session, unit.id))]
    unit_ids = {unit.id for unit in units}
    people = [person for person in session.exec(select(User).where(
        User.agency_id == assigner.agency_id, col(User.disabled).is_(False), User.id != assigner.id)
        .order_by(User.full_name))
        if role == Role.AGENCY_LEADER or person.unit_id in unit_ids]
    return people, units


def party(session: Session, party_id: int, assignment_id: int) -> AssignmentParty:
    """One party of an assignment (a step's context names it)."""
    found = session.get(AssignmentParty, party_id)
    if found is None or found.assignment_id != assignment_id:
        raise NotFound("assignment_not_found")
    return found


def lead_party(session: Session, assignment_id: int) -> AssignmentParty:
    """The lead's party row."""
    return session.exec(select(AssignmentParty).where(AssignmentParty.assignment_id == assignment_id,
                                                      AssignmentParty.role == PartyRole.LEAD)).one()
