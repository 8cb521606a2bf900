"""The administrator's write operations: accounts and process definitions (the working-day calendar is
``commands.configuration_calendar``).

Each command checks that the actor administers the installation, runs one transaction with its
audit event (written by the repository it calls), and returns the notice the page shows.
Callers in the web layer run these in a worker thread: they are synchronous database work.
"""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine

from commands import people
from models.bounds import MAX_JSON_DEPTH, json_too_deep
from models.db import transaction
from models.errors import DomainError, Forbidden
from models.processes import repo as definition_repo
from models.vocab import Role


def require_admin(roles: set[Role]) -> None:
    """Refuse anyone but an administrator (QĐ44 Điều 21: accounts are the administrator's)."""
    if Role.ADMIN not in roles and Role.SYSTEM_ADMIN not in roles:
        raise Forbidden("admin_only")


def create_account(engine: Engine, *, actor_id: int, roles: set[Role], username: str, full_name: str,
                   agency_code: str, position: str, unit_abbreviation: str | None,
                   account_roles: list[str]) -> tuple[str, str]:
    """Create an account that must change its password at first login; return (username, one-time password).

    Only in an agency the administrator manages (``commands.people``).
    """
    require_admin(roles)
    person, password = people.create_person(
        engine, actor_id=actor_id, roles=roles, username=username, full_name=full_name, agency_code=agency_code,
        position=position, unit_abbreviation=unit_abbreviation, account_roles=account_roles)
    return person.username, password


def lock_account(engine: Engine, *, actor_id: int, roles: set[Role], username: str, reason: str) -> None:
    """Lock an account of a managed agency (its sessions and tokens end at once)."""
    require_admin(roles)
    people.lock_person(engine, actor_id=actor_id, roles=roles, username=username, reason=reason)


def reset_account(engine: Engine, *, actor_id: int, roles: set[Role], username: str) -> str:
    """Give an account of a managed agency a new one-time password it must change at next login."""
    require_admin(roles)
    return people.reset_person(engine, actor_id=actor_id, roles=roles, username=username)


def deploy_process(engine: Engine, *, actor_id: int, roles: set[Role], body_text: str) -> tuple[str, int, bool]:
    """Publish a process definition from its JSON text; return (key, version, created).

    The same body as the latest version publishes nothing (``created`` is False).
    """
    require_admin(roles)
    if json_too_deep(body_text):
        raise DomainError("invalid_process", detail=f"JSON lồng nhau quá {MAX_JSON_DEPTH} cấp")
    try:
        raw = json.loads(body_text)
    except json.JSONDecodeError as failure:
        raise DomainError("invalid_process", detail=f"JSON không hợp lệ ({failure.msg})") from None
    body = definition_repo.parse_body(raw)
    with transaction(engine) as session:
        row, created = definition_repo.publish(session, body, actor_id)
        return row.key, row.version, created
