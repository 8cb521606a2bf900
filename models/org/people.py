"""People and their rights, as administrators change them (ND30 PL VI Mục IV, F-IV.1.b–đ).

Who manages whom: the province's administrator (``Role.SYSTEM_ADMIN``) every agency; an agency's
administrator (``Role.ADMIN``) only the people of their own agency. A move between units hands the
person's open tasks and open hồ sơ to a named successor in the same transaction. Every change of
rights is audited with what it was before. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.audit import record
from models.db import utcnow
from models.errors import DomainError, Forbidden, NotFound
from models.org.tables import Agency, OrgUnit, User, UserRole
from models.records.tables import RecordFile, RecordStatus
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.text import refuse_unsafe_text
from models.vocab import Role, TaskStatus

# A person's own work that follows a move: claimed or offered to them by name. A decision in
# flight (COMPLETING) is finished by whoever started it.
HANDED_OVER = (TaskStatus.OPEN, TaskStatus.CLAIMED)

# Roles only the province's administrator grants or takes away, since they reach every agency: the
# province's administration and the supervision of the Văn phòng UBND tỉnh. Each with its refusal.
PROVINCE_ROLES = {Role.SYSTEM_ADMIN: "admin_system_role", Role.SUPERVISOR: "admin_supervisor_role"}


def offered_roles(agency_ids: set[int] | None) -> list[Role]:
    """The roles an administrator may hand out: every one for the province's, the agency ones otherwise."""
    return [role for role in Role if role not in PROVINCE_ROLES or agency_ids is None]


def check_province_roles(wanted: set[Role], agency_ids: set[int] | None) -> None:
    """Refuse (403) a province-wide role asked for by an agency's administrator."""
    for role, code in PROVINCE_ROLES.items():
        if role in wanted and agency_ids is not None:
            raise Forbidden(code)


def managed_agencies(session: Session, actor: User, roles: set[Role]) -> set[int] | None:
    """The agencies whose people ``actor`` may manage; None means every agency."""
    if Role.SYSTEM_ADMIN in roles:
        return None
    if Role.ADMIN in roles:
        return {actor.agency_id}
    raise Forbidden("admin_only")


def check_managed(agency_ids: set[int] | None, agency_id: int) -> None:
    """Refuse (403) a change to a person or agency outside the administrator's agencies."""
    if agency_ids is not None and agency_id not in agency_ids:
        raise Forbidden("admin_other_agency")


def person(session: Session, username: str, agency_ids: set[int] | None) -> User:
    """A person the administrator manages, by login name (404 unknown, 403 another agency's)."""
    user = session.exec(select(User).where(User.username == username.strip())).first()
    if user is None:
        raise NotFound("user_not_found", username=username)
    check_managed(agency_ids, user.agency_id)
    if agency_ids is not None and session.get(UserRole, (user.id, Role.SYSTEM_ADMIN)) is not None:
        # The province's administrator answers to no agency's administrator.
        raise Forbidden("admin_system_role")
    return user


def unit_of_agency(session: Session, agency_id: int, unit_id: int | None) -> OrgUnit | None:
    """A current unit of this agency, or None for "no unit"; anything else is refused."""
    if unit_id is None:
        return None
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.agency_id != agency_id or unit.valid_to is not None:
        raise DomainError("invalid_fields", fields={"unit_id": "invalid"})
    return unit


def update_details(session: Session, user: User, *, full_name: str, position: str, email: str,
                   actor_id: int) -> dict:
    """Change name, position (chức vụ) and e-mail; audited with the old values. Returns what changed."""
    full_name, position, email = full_name.strip(), position.strip(), email.strip()
    refuse_unsafe_text(multiline=False, full_name=full_name, position=position, email=email)
    problems = {}
    if not full_name:
        problems["full_name"] = "required"
    for name, value, limit in (("full_name", full_name, 50), ("position", position, 100), ("email", email, 200)):
        if len(value) > limit:
            problems[name] = "too_long"
    if problems:
        raise DomainError("invalid_fields", fields=problems)
    changed = {name: {"before": getattr(user, name), "after": value}
               for name, value in (("full_name", full_name), ("position", position), ("email", email))
               if getattr(user, name) != value}
    if changed:
        for name, values in changed.items():
            setattr(user, name, values["after"])
        session.add(user)
        code = "user.position_changed" if "position" in changed else "user.updated"
        record(session, actor_id, code, "user", user.id, username=user.username, changes=changed)
    return changed


def set_roles(session: Session, user: User, roles: set[Role], actor_id: int,
              may_grant_system_admin: bool) -> tuple[list[str], list[str]]:
    """Replace a person's roles; audited with those added and removed. Returns (added, removed)."""
    current = {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == user.id))}
    if not may_grant_system_admin:
        # An agency's administrator is not offered the province roles: one the person holds stays.
        roles = roles | (current & {Role.SUPERVISOR})
        for role, code in PROVINCE_ROLES.items():
            if role in roles ^ current:
                raise Forbidden(code)
    if user.id == actor_id and current & {Role.ADMIN, Role.SYSTEM_ADMIN} - roles:
        raise DomainError("admin_own_rights")
    added, removed = sorted(roles - current), sorted(current - roles)
    for role in removed:
        row = session.get(UserRole, (user.id, role))
        session.delete(row)
    for role in added:
        session.add(UserRole(user_id=user.id, role=role))
    if added or removed:
        session.flush()
        record(session, actor_id, "user.roles_changed", "user", user.id, username=user.username,
               added=[str(r) for r in added], removed=[str(r) for r in removed],
               roles=sorted(str(r) for r in roles))
    return [str(r) for r in added], [str(r) for r in removed]


def unlock(session: Session, user: User, actor_id: int) -> None:
    """Re-enable a locked account with its own password (the lock reason is gone)."""
    if not user.disabled and user.locked_until is None:
        raise DomainError("user_not_locked")
    user.disabled = False
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    record(session, actor_id, "user.unlocked", "user", user.id, username=user.username)


@dataclass
class OpenWork:
    """What a person holds that needs a successor before they move."""

    task_ids: list[int]
    record_ids: list[int]

    @property
    def empty(self) -> bool:
        return not self.task_ids and not self.record_ids


KEPT_BY_THE_UNIT = (RecordStatus.OPEN, RecordStatus.CLOSED, RecordStatus.TRANSFERRING)


def open_work(session: Session, user: User) -> OpenWork:
    """The person's open tasks (claimed or offered by name) and the hồ sơ they keep for their unit."""
    tasks = session.exec(select(Task.id).where(Task.assignee_id == user.id,
                                               col(Task.status).in_(HANDED_OVER))).all()
    # Every hồ sơ the unit still keeps, closed ones too: transfer warnings and a returned transfer
    # go to the creator. Archived and disposed ones are the archive's.
    records = session.exec(select(RecordFile.id).where(RecordFile.creator_id == user.id,
                                                       col(RecordFile.status).in_(KEPT_BY_THE_UNIT))).all()
    return OpenWork(sorted(tasks), sorted(records))


def hand_over(session: Session, user: User, successor: User, actor_id: int, reason: str) -> OpenWork:
    """Give the person's open tasks and the hồ sơ they keep to ``successor``; one audit event each."""
    work = open_work(session, user)
    for task_id in work.task_ids:
        task = session.get(Task, task_id)
        result = session.execute(
            update(Task).where(col(Task.id) == task_id, col(Task.assignee_id) == user.id,
                               col(Task.status).in_(HANDED_OVER))
            .values(assignee_id=successor.id, unit_id=successor.unit_id if task.unit_id is not None else None,
                    state_changed_at=utcnow(), version=Task.version + 1))
        if result.rowcount == 1:
            record(session, actor_id, "task.handed_over", *task_repo.subject_of(task), task_id=task_id,
                   from_user_id=user.id, to_user_id=successor.id, reason=reason)
    for record_id in work.record_ids:
        row = session.get(RecordFile, record_id)
        row.creator_id = successor.id
        session.add(row)
        record(session, actor_id, "record.handed_over", "record", record_id, from_user_id=user.id,
               to_user_id=successor.id, reason=reason)
    session.flush()
    session.expire_all()
    return work


def check_successor(user: User, successor: User | None) -> User:
    """A successor: another active person of the agency the work belongs to."""
    if successor is None or successor.id == user.id or successor.disabled or successor.agency_id != user.agency_id:
        raise DomainError("move_bad_successor")
    return successor


def move(session: Session, user: User, *, agency: Agency, unit: OrgUnit | None, position: str,
         successor: User | None, actor_id: int) -> OpenWork:
    """Move a person to another unit (of this or another agency), handing open work to ``successor``.

    Work can stay behind only when there is none: with open tasks or hồ sơ and no valid successor
    the move is refused and nothing changes.
    """
    refuse_unsafe_text(multiline=False, position=position)
    if len(position.strip()) > 100:
        raise DomainError("invalid_fields", fields={"position": "too_long"})
    if agency.id == user.agency_id and (unit.id if unit else None) == user.unit_id:
        raise DomainError("move_same_unit")
    work = open_work(session, user)
    if not work.empty:
        check_successor(user, successor)
        work = hand_over(session, user, successor, actor_id, reason="chuyển công tác")
    elif successor is not None:
        check_successor(user, successor)
    before = {"agency_id": user.agency_id, "unit_id": user.unit_id, "position": user.position}
    user = session.get(User, user.id)
    user.agency_id = agency.id
    user.unit_id = unit.id if unit else None
    if position.strip():
        user.position = position.strip()
    session.add(user)
    record(session, actor_id, "user.moved", "user", user.id, username=user.username, before=before,
           after={"agency_id": user.agency_id, "unit_id": user.unit_id, "position": user.position},
           successor_id=successor.id if successor else None, tasks=work.task_ids, records=work.record_ids)
    return work


@dataclass
class PeopleOverview:
    """What the people page lists for one administrator."""

    users: list[User]
    user_roles: dict[int, list[str]]
    agencies: dict[int, Agency]
    units: dict[int, OrgUnit]
    managed: list[Agency]


def overview(session: Session, agency_ids: set[int] | None) -> PeopleOverview:
    """The people an administrator manages, their roles, and the agencies and units to pick from."""
    query = select(User).order_by(User.username)
    if agency_ids is not None:
        query = query.where(col(User.agency_id).in_(sorted(agency_ids)))
    users = list(session.exec(query))
    roles: dict[int, list[str]] = {}
    ids = [u.id for u in users]
    for row in session.exec(select(UserRole).where(col(UserRole.user_id).in_(ids))):
        roles.setdefault(row.user_id, []).append(str(row.role))
    agencies = {a.id: a for a in session.exec(select(Agency))}
    managed = [a for a in agencies.values() if a.hosted and a.valid_to is None
               and (agency_ids is None or a.id in agency_ids)]
    units = {u.id: u for u in session.exec(select(OrgUnit))}
    return PeopleOverview(users, roles, agencies, units, sorted(managed, key=lambda a: a.code))
