"""Trang chủ (``/home``): where each person lands after login, with what waits for them today.

One section per role a person holds (several roles, several sections): the văn thư's documents to
register and drafts to issue, and recipients that never acknowledged; a leader's steps waiting for
direction or signature (delegated ones too), the overdue work of their agency or unit and their
week's published schedule; a handler's tasks by deadline and their open giao việc; the
supervisor's way to the province dashboard; the administrator's and the archivist's areas.
Every figure is counted in SQL through the repositories; the page is plain HTML (no script needed)
and fits a 390 px phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response

from models.assignments import repo as assignment_repo
from models.db import utcnow
from models.documents import repo as document_repo
from models.home import repo as home_repo
from models.schedule.rules import current_week, weekday_name
from models.schedule.views import week_view
from models.tasks import repo as task_repo
from models.vocab import Role
from web.deps import DbSession, Principal, WebUser
from web.htmx import render
from web.labels import ASSIGNMENT_STATUS_LABELS, ROLE_LABELS

router = APIRouter()

LEADERS = {Role.AGENCY_LEADER, Role.UNIT_LEADER}
PROVINCE_DASHBOARD = "/statistics/province"


@dataclass
class Home:
    """What the page shows: a section per role held, each only with what it has."""

    clerk: dict | None = None
    leader: dict | None = None
    handler: dict | None = None
    supervisor: bool = False
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, path): other roles' areas
    documents: dict = field(default_factory=dict)  # id → Document, for the task rows' subjects


def _clerk(session, principal: Principal, reach) -> dict:
    return {"registration": home_repo.my_steps(session, reach, home_repo.REGISTRATION_STEPS),
            "issue": home_repo.my_steps(session, reach, home_repo.ISSUE_STEPS),
            "unacknowledged": home_repo.unacknowledged_recipients(session, principal.user.agency_id)}


def _leader(session, principal: Principal, reach) -> dict:
    user, roles = principal.user, principal.roles
    if Role.AGENCY_LEADER in roles or user.unit_id is None:
        overdue, scope = home_repo.overdue_in_agency(session, user.agency_id), "cơ quan"
    else:
        overdue, scope = home_repo.overdue_in_unit(session, user.agency_id, user.unit_id), "đơn vị"
    week = week_view(session, user, roles, user.agency_id, current_week(utcnow()), published_only=True)
    mine = [event for event in week.events
            if user.id in event.leader_ids or user.id in event.participant_user_ids
            or (user.unit_id is not None and user.unit_id in event.participant_unit_ids)]
    return {"direction": home_repo.my_steps(session, reach, home_repo.DIRECTION_STEPS),
            "signature": home_repo.my_steps(session, reach, home_repo.SIGNATURE_STEPS),
            "other": home_repo.my_other_steps(session, reach,
                                              home_repo.DIRECTION_STEPS + home_repo.SIGNATURE_STEPS),
            "overdue": overdue, "overdue_scope": scope, "week": week, "events": mine}


def _handler(session, principal: Principal, reach) -> dict:
    return {"tasks": home_repo.my_tasks(session, reach),
            "assignments": assignment_repo.received_by(session, principal.user, principal.roles, status="open",
                                                       limit=home_repo.SHOWN)}


def _links(roles: set) -> list[tuple[str, str]]:
    links = []
    if roles & {Role.ADMIN, Role.SYSTEM_ADMIN}:
        links += [("Tài khoản", "/admin/users"), ("Tổ chức", "/admin/organisation"),
                  ("Quy trình", "/admin/processes"), ("Nhật ký", "/admin/audit")]
    if Role.ARCHIVIST in roles:
        links += [("Kho lưu trữ", "/records?scope=archive"), ("Danh mục hồ sơ", "/record-plans")]
    if Role.SCHEDULER in roles:
        links += [("Lập lịch công tác tuần", "/schedule")]
    return links


def home_of(session, principal: Principal) -> Home:
    """Every section of the person's roles, read in one session."""
    roles = principal.roles
    reach = task_repo.reach_of(session, principal.user, roles)
    home = Home(supervisor=Role.SUPERVISOR in roles, links=_links(roles))
    if Role.CLERK in roles:
        home.clerk = _clerk(session, principal, reach)
    if roles & LEADERS:
        home.leader = _leader(session, principal, reach)
    if Role.OFFICER in roles:
        home.handler = _handler(session, principal, reach)
    listings = [*(home.clerk or {}).values(), *(home.leader or {}).values(), *(home.handler or {}).values()]
    task_rows = [row for listing in listings if isinstance(listing, home_repo.Listing) for row in listing.rows
                 if getattr(row, "document_id", None)]
    home.documents = document_repo.documents_by_id(session, list({t.document_id for t in task_rows}))
    return home


@router.get("/home")
def home_page(request: Request, principal: WebUser, session: DbSession) -> Response:
    # Rendered inside the read session: the rows stay loaded while the template reads them.
    return render(request, "home/index.html", home=home_of(session, principal), weekday_name=weekday_name,
                  role_names=[ROLE_LABELS.get(str(role), str(role)) for role in sorted(principal.roles)],
                  ASSIGNMENT_STATUS_LABELS=ASSIGNMENT_STATUS_LABELS, PROVINCE_DASHBOARD=PROVINCE_DASHBOARD)
