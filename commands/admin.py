"""The administrator's write operations: accounts, process definitions, the working-day calendar.

Each command checks that the actor administers the installation, runs one transaction with its
audit event (written by the repository it calls), and returns the notice the page shows.
Callers in the web layer run these in a worker thread: they are synchronous database work.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.engine import Engine

from models.bounds import MAX_JSON_DEPTH, json_too_deep
from models.calendar import repo as calendar_repo
from models.db import transaction
from models.errors import DomainError, Forbidden
from models.org import repo as account_repo
from models.processes import repo as definition_repo
from models.vocab import Role


def require_admin(roles: set[Role]) -> None:
    """Refuse anyone but an administrator (QĐ44 Điều 21: accounts are the administrator's)."""
    if Role.ADMIN not in roles:
        raise Forbidden("admin_only")


def create_account(engine: Engine, *, actor_id: int, roles: set[Role], username: str, full_name: str,
                   agency_code: str, position: str, unit_abbreviation: str | None,
                   account_roles: list[str]) -> tuple[str, str]:
    """Create an account that must change its password at first login; return (username, one-time password)."""
    require_admin(roles)
    with transaction(engine) as session:
        user, password = account_repo.create_user(
            session, username=username, full_name=full_name, agency_code=agency_code, position=position,
            unit_abbreviation=unit_abbreviation or None,
            roles=[Role(r) for r in account_roles if r in set(Role)], actor_id=actor_id)
        return user.username, password


def lock_account(engine: Engine, *, actor_id: int, roles: set[Role], username: str, reason: str) -> None:
    """Lock an account (its sessions and tokens end at once)."""
    require_admin(roles)
    with transaction(engine) as session:
        account_repo.lock_user(session, account_repo.get_by_username(session, username), actor_id, reason)


def reset_account(engine: Engine, *, actor_id: int, roles: set[Role], username: str) -> str:
    """Give an account a new one-time password it must change at next login; return it."""
    require_admin(roles)
    with transaction(engine) as session:
        return account_repo.reset_user(session, account_repo.get_by_username(session, username), actor_id)


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


def change_calendar_day(engine: Engine, *, actor_id: int, roles: set[Role], day_text: str, remove: bool,
                        working: bool, note: str) -> date:
    """Set a make-up working day or an extra day off, or remove the correction; return the day."""
    require_admin(roles)
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise DomainError("calendar_bad_date") from None
    with transaction(engine) as session:
        if remove:
            calendar_repo.remove_day(session, day, actor_id)
        else:
            calendar_repo.set_day(session, day, working, note, actor_id)
    return day
