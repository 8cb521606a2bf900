"""Administration pages: accounts (create, lock, reset), process definitions (the calendar is in
``web.configuration_calendar``).

Routes parse the form, run the command of ``commands.admin`` in a worker thread (it is
synchronous database work) and render the page again with what happened.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from commands import admin
from commands import two_factor as two_factor_commands
from models.db import reading
from models.errors import DomainError
from models.org import people as people_repo
from models.org import two_factor_repo
from models.processes import repo as definition_repo
from web import flash
from web.deps import CsrfChecked, DbSession, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.messages import message_of

router = APIRouter(route_class=IdempotentRoute, prefix="/admin")


def _users_context(session, principal: Principal) -> dict:
    """The accounts of the agencies this administrator manages (every agency for the province's)."""
    scope = people_repo.managed_agencies(session, principal.user, principal.roles)
    overview = people_repo.overview(session, scope)
    return {"users": overview.users, "user_roles": overview.user_roles, "agencies": overview.agencies,
            "hosted_agencies": overview.managed, "units": list(overview.units.values()),
            "roles": people_repo.offered_roles(scope),
            "two_factor_users": two_factor_repo.enrolled_user_ids(session)}


def _users_page(request: Request, state: State, *, notice: str | None, error: str | None) -> Response:
    with reading(state.engine) as session:
        return render(request, "admin/users.html", status_code=422 if error else 200, notice=notice,
                      error=error, **_users_context(session, request.state.principal))


def _processes_page(request: Request, state: State, *, notice: str | None, error: str | None) -> Response:
    with reading(state.engine) as session:
        return render(request, "admin/processes.html", status_code=422 if error else 200,
                      processes=definition_repo.all_versions(session), notice=notice, error=error)


USERS = "/admin/users"  # where the account actions lead back to (Post/Redirect/Get)


def _actor(principal: Principal) -> dict:
    return {"actor_id": principal.user.id, "roles": principal.roles}


@router.get("/users")
def users_page(request: Request, principal: WebUser, session: DbSession) -> Response:
    admin.require_admin(principal.roles)
    return render(request, "admin/users.html", notice=None, error=None, **_users_context(session, principal))


@router.post("/users")
async def create_user(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    admin.require_admin(principal.roles)
    form = await request.form()
    notice = error = None
    try:
        username, password = await run_in_threadpool(
            admin.create_account, state.engine, **_actor(principal), username=str(form.get("username", "")),
            full_name=str(form.get("full_name", "")), agency_code=str(form.get("agency_code", "")),
            position=str(form.get("position", "")), unit_abbreviation=str(form.get("unit", "")) or None,
            account_roles=[str(role) for role in form.getlist("roles")])
        notice = f"Đã tạo tài khoản {username}. Mật khẩu dùng một lần: {password}"
    except DomainError as failure:
        error = message_of(failure)
        return await run_in_threadpool(_users_page, request, state, notice=None, error=error)
    return flash.done(request, USERS, notice, trigger=None)


@router.post("/users/{username}/lock")
async def lock_user(request: Request, username: str, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    admin.require_admin(principal.roles)
    form = await request.form()
    await run_in_threadpool(admin.lock_account, state.engine, **_actor(principal), username=username,
                            reason=str(form.get("reason", "")))
    return flash.done(request, USERS, f"Đã khóa tài khoản {username}.", trigger=None)


@router.post("/users/{username}/reset")
def reset_user(request: Request, username: str, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    password = admin.reset_account(state.engine, **_actor(principal), username=username)
    return flash.done(request, USERS, f"Đã đặt lại mật khẩu tài khoản {username}. Mật khẩu dùng một lần: {password}",
                      trigger=None)


@router.post("/users/{username}/two-factor/reset")
def reset_two_factor(request: Request, username: str, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    two_factor_commands.reset(state.engine, **_actor(principal), username=username)
    return flash.done(request, USERS, f"Đã đặt lại xác thực hai bước của tài khoản {username}. Người này có thể "
                                      f"đăng nhập bằng mật khẩu và bật lại xác thực hai bước.", trigger=None)


@router.get("/processes")
def processes_page(request: Request, principal: WebUser, state: State) -> Response:
    admin.require_admin(principal.roles)
    return _processes_page(request, state, notice=None, error=None)


@router.post("/processes")
async def deploy_process(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    admin.require_admin(principal.roles)
    form = await request.form()
    try:
        key, version, created = await run_in_threadpool(admin.deploy_process, state.engine, **_actor(principal),
                                                        body_text=str(form.get("body", "")))
    except DomainError as failure:
        return await run_in_threadpool(_processes_page, request, state, notice=None, error=message_of(failure))
    return flash.done(request, "/admin/processes", f"Đã ban hành {key} phiên bản {version}." if created
                      else f"Nội dung trùng phiên bản {version}: không thay đổi.", trigger=None)
