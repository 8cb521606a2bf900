"""Login, logout, password change and the user's own sessions (browser pages)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from commands import auth as auth_commands
from commands import two_factor as two_factor_commands
from models.bounds import Id
from models.db import reading
from models.errors import DomainError
from models.org import repo as account_repo
from models.org.throttle import DEVICE_COOKIE, DEVICE_LIFETIME
from models.org.two_factor import ENROLMENT_LIFETIME, PENDING_COOKIE, PENDING_LIFETIME
from models.vocab import SessionKind
from web import flash
from web.csrf import LOGIN_CSRF_COOKIE, CsrfFailed, new_token, verify
from web.deps import SESSION_COOKIE, CsrfChecked, DbSession, State, WebUserAny, WebUserEnrolling
from web.htmx import render
from web.messages import message_of, retry_after, status_of

router = APIRouter()


# Where a login without a page to return to lands: the person's home page (web/home.py).
LANDING = "/home"


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return LANDING


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = render(request, "auth/login.html", login_csrf=token, next=_safe_next(next), error=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.qlvb.settings.cookie_secure)
    return response


@router.post("/login")
async def login_submit(request: Request, state: State, username: Annotated[str, Form()] = "",
                       password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = LANDING) -> Response:
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
    if isinstance(result, auth_commands.SecondStep):
        # No session yet: the code form comes with a short-lived signed state, read only under /login.
        response = RedirectResponse(f"/login/code?next={quote(_safe_next(next))}", status_code=303)
        response.set_cookie(PENDING_COOKIE, result.pending, httponly=True, samesite="lax", path="/login",
                            secure=state.settings.cookie_secure, max_age=int(PENDING_LIFETIME.total_seconds()))
        return response
    return _signed_in(state, result, next)


def _signed_in(state, result: auth_commands.LoginResult, next: str) -> Response:
    """The session cookie and the known-device cookie, then the page to go to: the forced
    password change first, then (administrators) the enrolment of a second factor."""
    target = ("/account/password" if result.must_change_password
              else "/account/two-factor" if result.must_enrol_two_factor else _safe_next(next))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, result.token, httponly=True, samesite="lax",
                        secure=state.settings.cookie_secure,
                        max_age=state.settings.session_idle_minutes * 60)
    # Only the login form reads it: the browser stays known to this account (throttle exemption).
    response.set_cookie(DEVICE_COOKIE, result.device_cookie, httponly=True, samesite="lax", path="/login",
                        secure=state.settings.cookie_secure, max_age=int(DEVICE_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    response.delete_cookie(PENDING_COOKIE, path="/login")
    return response


@router.get("/login/code")
def code_form(request: Request, next: str | None = None) -> Response:
    if not request.cookies.get(PENDING_COOKIE):
        return RedirectResponse("/login", status_code=303)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = render(request, "auth/login_code.html", login_csrf=token, next=_safe_next(next), error=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.qlvb.settings.cookie_secure)
    return response


@router.post("/login/code")
async def code_submit(request: Request, state: State, code: Annotated[str, Form(max_length=100)] = "",
                      next: Annotated[str, Form()] = LANDING) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    try:
        await verify(request, expected)
        result = auth_commands.complete_login(state.engine, state.settings, request.cookies.get(PENDING_COOKIE, ""),
                                              code, SessionKind.WEB,
                                              user_agent=request.headers.get("user-agent", ""),
                                              ip_address=request.client.host if request.client else "",
                                              device_cookie=request.cookies.get(DEVICE_COOKIE, ""))
    except CsrfFailed as error:
        return render(request, "auth/login_code.html", status_code=403, login_csrf=expected or new_token(),
                      next=_safe_next(next), error=message_of(error))
    except DomainError as error:
        if error.code == "login_expired":
            response = render(request, "auth/login.html", status_code=status_of(error), login_csrf=expected or new_token(),
                              next=_safe_next(next), error=message_of(error))
            response.delete_cookie(PENDING_COOKIE, path="/login")
            return response
        return render(request, "auth/login_code.html", status_code=status_of(error), login_csrf=expected,
                      headers=retry_after(error), next=_safe_next(next), error=message_of(error))
    return _signed_in(state, result, next)


@router.post("/logout")
def logout(principal: WebUserAny, state: State, _: CsrfChecked) -> Response:
    auth_commands.logout(state.engine, principal.session.id, principal.user.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    # The result messages and secrets shown once were this person's: the next person at this
    # browser (a shared office computer) must not read a one-time password or recovery codes.
    flash.forget(response)
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


# --- two-factor login (commands/two_factor.py) ----------------------------------------------------


def _two_factor_page(request: Request, principal, state, *, status_code: int = 200, error: str | None = None,
                     notice: str | None = None, recovery_codes: list[str] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    current = two_factor_commands.status(state.engine, principal.user.id)
    enrolment = None if current.enabled else two_factor_commands.start_enrolment(state.settings,
                                                                                 principal.user.username)
    return render(request, "auth/two_factor.html", status_code=status_code, headers=headers, status=current,
                  enrolment=enrolment,
                  error=error, notice=notice, recovery_codes=recovery_codes or [],
                  enrolment_minutes=int(ENROLMENT_LIFETIME.total_seconds() // 60))


@router.get("/account/two-factor")
def two_factor_page(request: Request, principal: WebUserEnrolling, state: State) -> Response:
    # New recovery codes arrive once, after the redirect that followed enabling or regenerating.
    codes = flash.shown_once(request)
    if not codes:
        return _two_factor_page(request, principal, state)
    return flash.forget_shown(_two_factor_page(request, principal, state, recovery_codes=codes))


@router.post("/account/two-factor/enable")
def two_factor_enable(request: Request, principal: WebUserEnrolling, state: State, _: CsrfChecked,
                      sealed: Annotated[str, Form(max_length=1000)] = "",
                      code: Annotated[str, Form(max_length=100)] = "") -> Response:
    try:
        codes = two_factor_commands.enable(state.engine, state.settings, principal.user.id, sealed, code)
    except DomainError as error:
        return _two_factor_page(request, principal, state, status_code=status_of(error), error=message_of(error))
    return flash.show_once(request, flash.done(request, "/account/two-factor", "Đã bật xác thực hai bước.",
                                               trigger=None), codes)


@router.post("/account/two-factor/recovery-codes")
def two_factor_recovery_codes(request: Request, principal: WebUserEnrolling, state: State, _: CsrfChecked,
                              code: Annotated[str, Form(max_length=100)] = "") -> Response:
    try:
        codes = two_factor_commands.regenerate_recovery_codes(state.engine, state.settings, principal.user, code)
    except DomainError as error:
        return _two_factor_page(request, principal, state, status_code=status_of(error), error=message_of(error),
                                headers=retry_after(error))
    return flash.show_once(request, flash.done(request, "/account/two-factor",
                                               "Đã tạo mã khôi phục mới; các mã cũ không còn dùng được.",
                                               trigger=None), codes)


@router.post("/account/two-factor/disable")
def two_factor_disable(request: Request, principal: WebUserEnrolling, state: State, _: CsrfChecked,
                       password: Annotated[str, Form(max_length=1000)] = "",
                       code: Annotated[str, Form(max_length=100)] = "") -> Response:
    try:
        two_factor_commands.disable(state.engine, state.settings, principal.user, password, code)
    except DomainError as error:
        return _two_factor_page(request, principal, state, status_code=status_of(error), error=message_of(error),
                                headers=retry_after(error))
    return flash.done(request, "/account/two-factor", "Đã tắt xác thực hai bước.", trigger=None)
