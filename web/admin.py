"""Administration pages: accounts (create, lock, reset) and process definitions."""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import select

from models.calendar import repo as calendar_repo
from models.db import transaction, utcnow
from models.errors import DomainError, Forbidden
from models.org import repo as account_repo
from models.org.tables import Agency, OrgUnit, User, UserRole
from models.processes import repo as definition_repo
from models.processes.tables import ProcessDefinition
from models.registers.numbering import VIETNAM
from models.vocab import Role
from web.deps import CsrfChecked, DbSession, Principal, State, WebUser
from web.htmx import render
from web.messages import message_of

router = APIRouter(prefix="/admin")


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("admin_only")


def _users_context(session) -> dict:
    users = list(session.exec(select(User).order_by(User.username)))
    roles: dict[int, list[str]] = {}
    for row in session.exec(select(UserRole)):
        roles.setdefault(row.user_id, []).append(row.role)
    agencies = {a.id: a for a in session.exec(select(Agency))}
    return {"users": users, "user_roles": roles, "agencies": agencies,
            "hosted_agencies": [a for a in agencies.values() if a.hosted and a.valid_to is None],
            "units": list(session.exec(select(OrgUnit))), "roles": list(Role)}


@router.get("/users")
def users_page(request: Request, principal: WebUser, session: DbSession) -> Response:
    _require_admin(principal)
    return render(request, "admin/users.html", notice=None, error=None, **_users_context(session))


@router.post("/users")
async def create_user(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    _require_admin(principal)
    form = await request.form()
    notice = error = None
    try:
        with transaction(state.engine) as session:
            user, password = account_repo.create_user(
                session, username=str(form.get("username", "")), full_name=str(form.get("full_name", "")),
                agency_code=str(form.get("agency_code", "")), position=str(form.get("position", "")),
                unit_abbreviation=str(form.get("unit", "")) or None,
                roles=[Role(r) for r in form.getlist("roles") if r in set(Role)], actor_id=principal.user.id,
            )
            notice = f"Đã tạo tài khoản {user.username}. Mật khẩu dùng một lần: {password}"
    except DomainError as failure:
        error = message_of(failure)
    with transaction(state.engine) as session:
        return render(request, "admin/users.html", status_code=422 if error else 200, notice=notice,
                      error=error, **_users_context(session))


@router.post("/users/{username}/lock")
async def lock_user(request: Request, username: str, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    _require_admin(principal)
    form = await request.form()
    with transaction(state.engine) as session:
        user = account_repo.get_by_username(session, username)
        account_repo.lock_user(session, user, principal.user.id, str(form.get("reason", "")))
    with transaction(state.engine) as session:
        return render(request, "admin/users.html", notice=f"Đã khóa tài khoản {username}.", error=None,
                      **_users_context(session))


@router.post("/users/{username}/reset")
def reset_user(request: Request, username: str, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    _require_admin(principal)
    with transaction(state.engine) as session:
        user = account_repo.get_by_username(session, username)
        password = account_repo.reset_user(session, user, principal.user.id)
    with transaction(state.engine) as session:
        return render(request, "admin/users.html", error=None,
                      notice=f"Đã cấp lại tài khoản {username}. Mật khẩu dùng một lần: {password}",
                      **_users_context(session))


def _processes(session) -> list[ProcessDefinition]:
    return list(session.exec(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                ProcessDefinition.version.desc())))


@router.get("/processes")
def processes_page(request: Request, principal: WebUser, session: DbSession) -> Response:
    _require_admin(principal)
    return render(request, "admin/processes.html", processes=_processes(session), notice=None, error=None)


@router.post("/processes")
async def deploy_process(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    _require_admin(principal)
    form = await request.form()
    notice = error = None
    try:
        try:
            raw = json.loads(str(form.get("body", "")))
        except json.JSONDecodeError as failure:
            raise DomainError("invalid_process", detail=f"JSON không hợp lệ ({failure.msg})") from None
        with transaction(state.engine) as session:
            row, created = definition_repo.publish(session, definition_repo.parse_body(raw), principal.user.id)
            notice = (f"Đã ban hành {row.key} phiên bản {row.version}." if created
                      else f"Nội dung trùng phiên bản {row.version}: không thay đổi.")
    except DomainError as failure:
        error = message_of(failure)
    with transaction(state.engine) as session:
        return render(request, "admin/processes.html", status_code=422 if error else 200,
                      processes=_processes(session), notice=notice, error=error)


def _calendar_context(session, year: int) -> dict:
    return {"days": calendar_repo.list_days(session, year), "year": year}


@router.get("/calendar")
def calendar_page(request: Request, principal: WebUser, session: DbSession, year: int | None = None) -> Response:
    _require_admin(principal)
    year = year or utcnow().astimezone(VIETNAM).year
    return render(request, "admin/calendar.html", notice=None, error=None, **_calendar_context(session, year))


@router.post("/calendar")
async def calendar_change(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    _require_admin(principal)
    form = await request.form()
    notice = error = None
    year = utcnow().astimezone(VIETNAM).year
    try:
        try:
            day = date.fromisoformat(str(form.get("day", "")))
        except ValueError:
            raise DomainError("calendar_bad_date") from None
        year = day.year
        with transaction(state.engine) as session:
            if form.get("remove"):
                calendar_repo.remove_day(session, day, principal.user.id)
                notice = f"Đã bỏ điều chỉnh ngày {day:%d/%m/%Y}."
            else:
                working = form.get("working") == "1"
                calendar_repo.set_day(session, day, working, str(form.get("note", "")), principal.user.id)
                notice = f"Ngày {day:%d/%m/%Y} được đặt là {'ngày làm việc' if working else 'ngày nghỉ'}."
    except DomainError as failure:
        error = message_of(failure)
    with transaction(state.engine) as session:
        return render(request, "admin/calendar.html", status_code=422 if error else 200, notice=notice,
                      error=error, **_calendar_context(session, year))
