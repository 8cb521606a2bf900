"""Request dependencies: application state, the signed-in principal, read sessions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client

from commands import auth as auth_commands
from config.settings import Settings
from models.db import reading
from models.documents.file_store import FileStore
from models.errors import DomainError
from models.org.tables import Agency, User, UserSession
from models.vocab import Role, SessionKind

SESSION_COOKIE = "qlvb_session"


@dataclass
class AppState:
    """Everything the lifespan builds once and routes share."""

    settings: Settings
    engine: Engine
    client: Client
    store: FileStore


@dataclass
class Principal:
    """The signed-in person, their roles and the session they came with."""

    user: User
    roles: set[Role]
    agency: Agency
    session: UserSession
    two_factor: bool = False

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles or Role.SYSTEM_ADMIN in self.roles

    @property
    def must_enrol(self) -> bool:
        """An administrator without a second factor: only the enrolment page is open to them."""
        return self.is_admin and not self.two_factor


class LoginRequired(DomainError):
    """No valid session: pages redirect to the login form, the API answers 401."""

    status = 401

    def __init__(self) -> None:
        super().__init__("login_required")


class PasswordChangeRequired(DomainError):
    """The account must change its password before doing anything else."""

    status = 403

    def __init__(self) -> None:
        super().__init__("password_change_required")


class TwoFactorRequired(DomainError):
    """An administrator must enrol a second factor before doing anything else."""

    status = 403

    def __init__(self) -> None:
        super().__init__("two_factor_required")


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the thread
# pool, and each hop there costs a request more than the work itself.
async def app_state(request: Request) -> AppState:
    """The state built by the lifespan."""
    return request.app.state.qlvb


State = Annotated[AppState, Depends(app_state)]


def read_session(state: State) -> Iterator[Session]:
    """A read-only session: pages and API reads never take the write lock (writes go through
    the commands package, which owns their transactions)."""
    with reading(state.engine) as session:
        yield session


DbSession = Annotated[Session, Depends(read_session)]


def _resolve(state: AppState, token: str | None, kind: SessionKind) -> Principal:
    if not token:
        raise LoginRequired()
    found = auth_commands.resolve_session(state.engine, token, kind,
                                          timedelta(minutes=state.settings.session_idle_minutes))
    if found is None:
        raise LoginRequired()
    return Principal(found.user, found.roles, found.agency, found.row, found.two_factor)


def web_principal_any(request: Request, state: State) -> Principal:
    """The browser session's principal, even when a password change is pending."""
    principal = _resolve(state, request.cookies.get(SESSION_COOKIE), SessionKind.WEB)
    request.state.principal = principal
    return principal


async def web_principal_enrolling(principal: Annotated[Principal, Depends(web_principal_any)]) -> Principal:
    """The browser session's principal, who must have changed a first-login password (first), and
    may still have to enrol a second factor (the enrolment pages)."""
    if principal.user.must_change_password:
        raise PasswordChangeRequired()
    return principal


async def web_principal(principal: Annotated[Principal, Depends(web_principal_enrolling)]) -> Principal:
    """The browser session's principal, past the forced password change and, for an
    administrator, enrolled in two-factor login."""
    if principal.must_enrol:
        raise TwoFactorRequired()
    return principal


def api_principal(request: Request, state: State) -> Principal:
    """The bearer token's principal (API v1 never accepts the session cookie)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    principal = _resolve(state, token.strip() if scheme.lower() == "bearer" else None, SessionKind.API)
    if principal.user.must_change_password:
        raise PasswordChangeRequired()
    return principal


WebUser = Annotated[Principal, Depends(web_principal)]
WebUserAny = Annotated[Principal, Depends(web_principal_any)]
WebUserEnrolling = Annotated[Principal, Depends(web_principal_enrolling)]
ApiUser = Annotated[Principal, Depends(api_principal)]


async def check_csrf(request: Request, principal: WebUserAny) -> None:
    """Dependency for every state-changing page route."""
    from web.csrf import verify  # local import: csrf depends on nothing here, keep it that way

    await verify(request, principal.session.csrf_token)


CsrfChecked = Annotated[None, Depends(check_csrf)]
