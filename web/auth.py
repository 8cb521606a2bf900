"""Login, logout, password change and the user's own sessions (browser pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from commands import auth as auth_commands
from models.bounds import Id
from models.db import reading
from models.errors import DomainError
from models.org import repo as account_repo
from models.org.throttle import DEVICE_COOKIE, DEVICE_LIFETIME
from models.vocab import SessionKind
from web.csrf import LOGIN_CSRF_COOKIE, CsrfFailed, new_token, verify
from web.deps import SESSION_COOKIE, CsrfChecked, DbSession, State, WebUserAny
from web.htmx import render
from web.messages import message_of, retry_after, status_of

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = render(request, "auth/login.html", login_csrf=token, next=_safe_next(next), error=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.qlvb.settings.cookie_secure)
    return response


@router.post("/login")
async def login_submit(request: Request, state: State, username: Annotated[str, Form()] = "",
                       password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    try:
        await verify(request, expected)
    except CsrfFailed as error:
        return render(request, "auth/login.html", status_code=403, login_csrf=expected or new_token(),
                      next=_safe_next(next), error=message_of(error), username=username)
    try:
        result = auth_commands.login(state.engine, state.settings, username, password, SessionKind.WEB,
                                user_agent=request.headers.get("user-agent", ""),
                                ip_address=request.client.host if request.client else "",
                                device_cookie=request.cookies.get(DEVICE_COOKIE, ""))
    except DomainError as error:
        return render(request, "auth/login.html", status_code=status_of(error), login_csrf=expected,
                      headers=retry_after(error), next=_safe_next(next), error=message_of(error),
                      username=username)
    target = "/account/password" if result.must_change_password else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, result.token, httponly=True, samesite="lax",
                        secure=state.settings.cookie_secure,
                        max_age=state.settings.session_idle_minutes * 60)
    # Only the login form reads it: the browser stays known to this account (throttle exemption).
    response.set_cookie(DEVICE_COOKIE, result.device_cookie, httponly=True, samesite="lax", path="/login",
                        secure=state.settings.cookie_secure, max_age=int(DEVICE_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(principal: WebUserAny, state: State, _: CsrfChecked) -> Response:
    auth_commands.logout(state.engine, principal.session.id, principal.user.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account/password")
def password_form(request: Request, principal: WebUserAny, done: bool = False) -> Response:
    return render(request, "auth/password.html", error=None, done=done and not principal.user.must_change_password)


@router.post("/account/password")
def password_submit(request: Request, principal: WebUserAny, state: State, _: CsrfChecked,
                    current: Annotated[str, Form()] = "", new: Annotated[str, Form()] = "",
                    confirm: Annotated[str, Form()] = "") -> Response:
    try:
        auth_commands.change_password(state.engine, principal.user, current, new, confirm)
    except DomainError as error:
        return render(request, "auth/password.html", status_code=422, error=message_of(error), done=False)
    # Post/redirect/get: reloading the result page must not send the passwords again.
    return RedirectResponse("/account/password?done=1", status_code=303)


@router.get("/account/sessions")
def sessions_page(request: Request, principal: WebUserAny, session: DbSession) -> Response:
    rows = account_repo.active_sessions(session, principal.user.id)
    return render(request, "auth/sessions.html", "auth/_sessions.html", sessions=rows)


@router.post("/account/sessions/{session_id}/revoke")
def revoke(request: Request, session_id: Id, principal: WebUserAny, state: State, _: CsrfChecked) -> Response:
    auth_commands.revoke_own_session(state.engine, principal.user.id, session_id)
    if session_id == principal.session.id:
        response = Response(status_code=204, headers={"HX-Redirect": "/login"})
        response.delete_cookie(SESSION_COOKIE)
        return response
    with reading(state.engine) as session:
        rows = account_repo.active_sessions(session, principal.user.id)
    return render(request, "auth/sessions.html", "auth/_sessions.html", sessions=rows)
