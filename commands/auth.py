"""Login, logout, the session behind each request, password changes and one's own sessions (QĐ44 Điều 21.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine

from config.settings import Settings
from models.audit import record
from models.db import transaction
from models.errors import AuthFailed, DomainError
from models.org import repo as account_repo
from models.org.tables import Agency, User, UserSession
from models.vocab import Role, SessionKind


@dataclass
class LoginResult:
    token: str
    user: User
    csrf_token: str
    must_change_password: bool


def login(engine: Engine, settings: Settings, username: str, password: str, kind: SessionKind,
          user_agent: str = "", ip_address: str = "") -> LoginResult:
    """Authenticate and open a session; failures are audited and committed before raising."""
    failure: AuthFailed | None = None
    with transaction(engine) as session:
        try:
            user = account_repo.authenticate(
                session, username, password, max_failures=settings.login_max_failures,
                lockout=timedelta(minutes=settings.lockout_minutes), ip_address=ip_address,
            )
            token, row = account_repo.open_session(
                session, user, kind, timedelta(minutes=settings.session_idle_minutes),
                user_agent=user_agent, ip_address=ip_address,
            )
            result = LoginResult(token, user, row.csrf_token, user.must_change_password)
        except AuthFailed as error:
            failure = error
    if failure is not None:
        raise failure
    return result


def logout(engine: Engine, session_id: int, user_id: int) -> None:
    """End the current session."""
    with transaction(engine) as session:
        account_repo.revoke_session(session, user_id, session_id, user_id)
        record(session, user_id, "auth.logout", "user", user_id)


@dataclass
class ResolvedSession:
    """Who is behind a session token, as the request's principal needs it."""

    row: UserSession
    user: User
    roles: set[Role]
    agency: Agency


def resolve_session(engine: Engine, token: str, kind: SessionKind, idle: timedelta) -> ResolvedSession | None:
    """The live session of a cookie or bearer token (its last use is recorded), or None."""
    with transaction(engine) as session:
        found = account_repo.resolve_session(session, token, kind, idle)
        if found is None:
            return None
        row, user = found
        return ResolvedSession(row, user, account_repo.roles_of(session, user.id), session.get(Agency, user.agency_id))


def change_password(engine: Engine, user: User, current: str, new: str, confirm: str) -> None:
    """Change one's own password against the policy; the forced change ends with it."""
    if new != confirm:
        raise DomainError("password_mismatch")
    with transaction(engine) as session:
        account_repo.change_password(session, session.merge(user), current, new)


def revoke_own_session(engine: Engine, user_id: int, session_id: int) -> None:
    """End one of one's own sessions (another device, or this one)."""
    with transaction(engine) as session:
        account_repo.revoke_session(session, user_id, session_id, user_id)
