"""People and their rights: create, change details, unit and roles, move with a handover, lock,
unlock, reset (ND30 PL VI Mục IV, F-IV.1.b–đ; QĐ44 Điều 21.2.b).

Shared by the administration pages and API v1. Each command loads the acting administrator, checks
that the person belongs to an agency they manage (``models.org.people.managed_agencies``: the
province's administrator every agency, an agency's administrator only their own; ``roles`` None is
the operator on the server, ``qlvb people``), runs one transaction with its audit events, and
returns what the page or the JSON answer shows. A refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.audit import record
from models.db import reading, transaction
from models.delegation import repo as delegation_repo
from models.errors import DomainError, Forbidden, NotFound
from models.org import people
from models.org import repo as account_repo
from models.org.tables import Agency, User
from models.vocab import Role


@dataclass
class PersonView:
    """A person as pages and API v1 show them."""

    id: int
    username: str
    full_name: str
    email: str
    agency_code: str
    agency_name: str
    unit_id: int | None
    unit_name: str
    position: str
    roles: list[str]
    disabled: bool
    must_change_password: bool


def _actor_scope(session: Session, actor_id: int | None,
                 roles: set[Role] | None) -> tuple[User | None, set[int] | None]:
    if roles is None:
        # The operator on the server (``qlvb people``): every agency, audited without a person.
        return None, None
    actor = session.get(User, actor_id)
    if actor is None:
        raise Forbidden("admin_only")
    return actor, people.managed_agencies(session, actor, roles)


def parse_roles(values: list[str]) -> set[Role]:
    """Role values from a form or a JSON body; an unknown value is refused, not dropped."""
    known = {str(r) for r in Role}
    unknown = [v for v in values if v not in known]
    if unknown:
        raise DomainError("invalid_fields", fields={"roles": "invalid"})
    return {Role(v) for v in values}


def view_of(session: Session, user: User) -> PersonView:
    """The person's row, agency, unit and roles."""
    agency = session.get(Agency, user.agency_id)
    unit = account_repo.unit_by_id(session, user.unit_id) if user.unit_id else None
    return PersonView(user.id, user.username, user.full_name, user.email, agency.code, agency.name, user.unit_id,
                      unit.name if unit else "", user.position,
                      sorted(str(r) for r in account_repo.roles_of(session, user.id)), user.disabled,
                      user.must_change_password)


def list_people(engine: Engine, *, actor_id: int | None, roles: set[Role] | None) -> list[PersonView]:
    """Everyone the administrator manages."""
    with reading(engine) as session:
        _, scope = _actor_scope(session, actor_id, roles)
        return [view_of(session, user) for user in people.overview(session, scope).users]


def get_person(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, username: str) -> PersonView:
    """One person the administrator manages."""
    with reading(engine) as session:
        _, scope = _actor_scope(session, actor_id, roles)
        return view_of(session, people.person(session, username, scope))


def create_person(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, username: str, full_name: str,
                  agency_code: str, position: str, unit_abbreviation: str | None, account_roles: list[str],
                  email: str = "") -> tuple[PersonView, str]:
    """Create an account in a managed agency; it must change its one-time password at first login."""
    wanted = parse_roles(account_roles)
    with transaction(engine) as session:
        _, scope = _actor_scope(session, actor_id, roles)
        agency = account_repo.agency_by_code(session, agency_code.strip())
        if agency is None:
            raise DomainError("invalid_fields", fields={"agency_code": "invalid"})
        people.check_managed(scope, agency.id)
        people.check_province_roles(wanted, scope)
        if len(username.strip()) > 50 or len(full_name.strip()) > 50 or len(position.strip()) > 100:
            raise DomainError("invalid_fields", fields={"username": "too_long"})
        if not full_name.strip():
            raise DomainError("invalid_fields", fields={"full_name": "required"})
        user, password = account_repo.create_user(
            session, username=username, full_name=full_name.strip(), agency_code=agency.code,
            position=position.strip(), unit_abbreviation=(unit_abbreviation or "").strip() or None,
            email=email.strip(), roles=sorted(wanted), actor_id=actor_id)
        return view_of(session, user), password


def change_person(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, username: str,
                  full_name: str | None = None, position: str | None = None, email: str | None = None,
                  unit_id: int | None | str = "unchanged", account_roles: list[str] | None = None) -> PersonView:
    """Change details, unit (within the agency) and roles; each change audited (F-IV.1.b, đ)."""
    wanted = parse_roles(account_roles) if account_roles is not None else None
    with transaction(engine) as session:
        _, scope = _actor_scope(session, actor_id, roles)
        user = people.person(session, username, scope)
        people.update_details(session, user, full_name=user.full_name if full_name is None else full_name,
                              position=user.position if position is None else position,
                              email=user.email if email is None else email, actor_id=actor_id)
        if unit_id != "unchanged" and unit_id != user.unit_id:
            unit = people.unit_of_agency(session, user.agency_id, unit_id)
            work = people.open_work(session, user)
            if work.task_ids:
                # Tasks follow the unit they were offered to: a unit change with open tasks is a move.
                raise DomainError("move_needs_successor", tasks=len(work.task_ids))
            before = user.unit_id
            user.unit_id = unit.id if unit else None
            session.add(user)
            record(session, actor_id, "user.unit_changed", "user", user.id, username=user.username,
                   before=before, after=user.unit_id)
        if wanted is not None:
            people.set_roles(session, user, wanted, actor_id, may_grant_system_admin=scope is None)
        session.flush()
        return view_of(session, user)


def move_person(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, username: str,
                agency_code: str | None, unit_id: int | None, position: str, successor_username: str | None,
                unit_abbreviation: str | None = None) -> tuple[PersonView, int, int]:
    """Move a person to another unit (``unit_id``, or ``unit_abbreviation`` among the agency's current
    units), handing their open tasks and hồ sơ to a named successor.

    Their delegations (given or held) end with the move. Returns (person, tasks, hồ sơ handed over).
    """
    with transaction(engine) as session:
        _, scope = _actor_scope(session, actor_id, roles)
        user = people.person(session, username, scope)
        agency = session.get(Agency, user.agency_id)
        if agency_code and agency_code.strip() != agency.code:
            agency = account_repo.agency_by_code(session, agency_code.strip())
            if agency is None or not agency.hosted or agency.valid_to is not None:
                raise DomainError("invalid_fields", fields={"agency_code": "invalid"})
            people.check_managed(scope, agency.id)
        if unit_abbreviation:
            unit_id = _unit_id(session, agency, unit_abbreviation.strip())
        unit = people.unit_of_agency(session, agency.id, unit_id)
        successor = None
        if successor_username:
            successor = people.person(session, successor_username, scope)
        work = people.move(session, user, agency=agency, unit=unit, position=position, successor=successor,
                           actor_id=actor_id)
        delegation_repo.end_for_person(session, user.id, actor_id, reason="chuyển công tác")
        return view_of(session, session.get(User, user.id)), len(work.task_ids), len(work.record_ids)


def _unit_id(session: Session, agency: Agency, abbreviation: str) -> int:
    found = [u.id for u in account_repo.units_of(session, agency.id, current_only=True)
             if u.abbreviation == abbreviation]
    if not found:
        raise NotFound("unit_not_found", agency_code=agency.code, unit=abbreviation)
    return found[0]


def lock_person(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, username: str, reason: str) -> None:
    """Lock an account (its sessions and tokens end at once)."""
    reason = reason.strip()
    if not reason:
        raise DomainError("invalid_fields", fields={"reason": "required"})
    if len(reason) > 200:
        raise DomainError("invalid_fields", fields={"reason": "too_long"})
    with transaction(engine) as session:
        _, scope = _actor_scope(session, actor_id, roles)
        user = people.person(session, username, scope)
        if user.id == actor_id:
            raise DomainError("admin_own_rights")
        account_repo.lock_user(session, user, actor_id, reason)


def unlock_person(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, username: str) -> None:
    """Unlock an account with its own password."""
    with transaction(engine) as session:
        _, scope = _actor_scope(session, actor_id, roles)
        people.unlock(session, people.person(session, username, scope), actor_id)


def reset_person(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, username: str) -> str:
    """Give an account a new one-time password it must change at next login; return it."""
    with transaction(engine) as session:
        _, scope = _actor_scope(session, actor_id, roles)
        return account_repo.reset_user(session, people.person(session, username, scope), actor_id)
