"""The province supervisor's pages (QĐ44 Điều 16; DOMAIN §7, Văn phòng UBND tỉnh).

``/statistics/province``: the province's totals and one row per agency of the installation for a
period, sortable, with charts; ``…/agency/{id}``: that agency's units and people;
``…/agency/{id}/unit/{unit_id}``: the unit's people and its overdue items; ``…/overdue``: the
in-app list of overdue items, each linking to its page. Every figure of open or overdue work links
to that list and to the matching Temporal UI query (``OrgUnit`` holds the agency's code, so a unit's
query is its agency's). Only the supervisor (``giam_sat``) and the province's administrator see these
pages; a supervisor may open a late document of any agency read only (``supervised_document_page``,
with the same history as the agency's own page, ``web.history``), each view audited. Figures come from ``models.statistics`` (the database, never Temporal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from commands import publications as publication_commands
from commands import supervision as supervision_commands
from config.settings import Settings
from models.assignments import repo as assignment_repo
from models.bounds import Id
from models.documents.access import supervised_document, supervised_steps
from models.errors import DomainError, NotFound
from models.org import repo as org_repo
from models.org.tables import Agency
from models.publications.figures import SORTABLE, figures_of, sort_rows, total
from models.statistics import repo as statistics_repo
from models.statistics.schema import Period, parse_period
from web.charts import ShareBar, TrendPoint, share_chart, trend_chart
from web.deps import DbSession, Principal, State, WebUser
from web.history import history_context
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.labels import ASSIGNMENT_STATUS_LABELS
from web.messages import message_of

router = APIRouter(route_class=IdempotentRoute)

BASE = "/statistics/province"
PERIOD_FIELDS = ("kind", "value", "start", "end")
KINDS = {"day": "Ngày", "week": "Tuần", "month": "Tháng", "quarter": "Quý", "year": "Năm", "range": "Khoảng ngày"}
TREND_SERIES = {"received": "Tiếp nhận", "issued": "Ban hành", "finished": "Hoàn thành"}
OVERDUE_LIMIT, OVERDUE_LIST_LIMIT = 10, 200


# --- shared by the pages and API v1 -------------------------------------------------------------


def _today():
    return publication_commands.today()


def period_from(params: dict[str, str]) -> Period:
    """The period the query asks for (the current month when it names none); refusals in Vietnamese."""
    kind = params.get("kind") or "month"
    return parse_period(kind, params.get("value") or None, start=params.get("start") or None,
                        end=params.get("end") or None, today=_today())


def temporal_query_url(settings: Settings, agency_code: str, *, overdue: bool) -> str:
    """The Temporal UI's list of this agency's workflows that are overdue (or still running)."""
    condition = "Overdue = true" if overdue else 'ExecutionStatus = "Running"'
    query = f'{condition} AND OrgUnit = "{agency_code}"'
    return (f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{quote(settings.temporal_namespace, safe='')}"
            f"/workflows?query={quote(query, safe='')}")


def province_figures(session: Session, period: Period) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One dict per agency of the installation, and the province's totals."""
    rows = [figures_of(row) for row in statistics_repo.agency_rows(session, period, today=_today())]
    return rows, figures_of(statistics_repo.total_row(session, period, today=_today(), label="Toàn tỉnh"))


def _query(params: dict[str, str], **extra: Any) -> str:
    kept = {name: params[name] for name in PERIOD_FIELDS if params.get(name)}
    kept.update({name: value for name, value in extra.items() if value not in (None, "")})
    return urlencode(kept)


def _sorting(params: dict[str, str]) -> tuple[str, bool]:
    key = params.get("sort") or "overdue"
    return (key if key in SORTABLE else "overdue"), params.get("order", "desc") != "asc"


def _sort_href(params: dict[str, str]):
    """A column header's link: the same period, sorted by that column (again: the other way round)."""
    current, descending = _sorting(params)

    def href(key: str) -> str:
        if key == current:
            order = "asc" if descending else "desc"
        else:
            order = "asc" if key == "label" else "desc"
        return "?" + _query(params, sort=key, order=order)
    return href


def on_time_chart(rows: Sequence[dict[str, Any]], title: str, href=None):
    """The on-time share of the rows that finished something, best first; None when none did."""
    bars = [ShareBar(row["label"], row["finished_on_time"], row["finished_on_time"] + row["finished_late"],
                     href(row) if href else None)
            for row in sort_rows(rows, "on_time_share", True) if row["finished_on_time"] + row["finished_late"]]
    return share_chart(bars, title=title) if bars else None


def _trend(session: Session, period: Period, agency_id: int | None, title: str):
    points = []
    for month in statistics_repo.monthly_trend(session, period.end.year, agency_id=agency_id, today=_today()):
        figures = figures_of(month)
        points.append(TrendPoint(f"T{month.key}", {
            "received": figures["received"], "issued": figures["issued"],
            "finished": figures["finished_on_time"] + figures["finished_late"]}))
    return trend_chart(points, TREND_SERIES, title=f"{title} năm {period.end.year}")


def _overdue(session: Session, *, agency_id: int | None = None, unit_id: int | None = None,
             limit: int = OVERDUE_LIMIT) -> list[Any]:
    return statistics_repo.oldest_overdue(session, agency_id=agency_id, unit_id=unit_id, limit=limit, today=_today())


def _page(request: Request, template: str, principal: Principal, build) -> Response:
    """Render a supervision page; a period the statistics refuse shows the form with its error."""
    publication_commands.require_supervisor(principal.roles)
    params = {name: value for name, value in request.query_params.items()}
    try:
        period = period_from(params)
    except DomainError as error:
        return render(request, template, status_code=422, error=message_of(error), period=None, params=params,
                      kinds=KINDS, query=_query(params), base=BASE)
    key, descending = _sorting(params)
    context = build(period, params)
    return render(request, template, error=None, period=period, params=params, kinds=KINDS,
                  query=_query(params), base=BASE, sort=key, descending=descending, sort_href=_sort_href(params),
                  **context)


# --- the pages -------------------------------------------------------------------------------------


@router.get(BASE)
def province_page(request: Request, principal: WebUser, session: DbSession, state: State) -> Response:
    def build(period: Period, params: dict[str, str]) -> dict[str, Any]:
        rows, totals = province_figures(session, period)
        key, descending = _sorting(params)
        codes = agency_codes(session)

        def drill(row):
            return f"{BASE}/agency/{row['key']}?{_query(params)}"

        def open_links(row):
            code = codes.get(row["key"])
            return [("Xem cơ quan", drill(row)),
                    ("Temporal", temporal_query_url(state.settings, code, overdue=False))] if code else []

        def overdue_links(row):
            code = codes.get(row["key"])
            return [("Danh sách quá hạn", f"{BASE}/overdue?{urlencode({'agency_id': row['key']})}"),
                    ("Temporal", temporal_query_url(state.settings, code, overdue=True))] if code else []
        return {"rows": sort_rows(rows, key, descending), "totals": totals, "drill": drill,
                "open_links": open_links, "overdue_links": overdue_links,
                "share_chart": on_time_chart(rows, "Tỷ lệ hoàn thành đúng hạn theo cơ quan", drill),
                "trend_chart": _trend(session, period, None, "Văn bản toàn tỉnh theo tháng"),
                "overdue": _overdue(session), "overdue_list": f"{BASE}/overdue",
                "may_publish": True}
    return _page(request, "supervision/province.html", principal, build)


@router.get(BASE + "/agency/{agency_id}")
def agency_page(request: Request, agency_id: Id, principal: WebUser, session: DbSession, state: State) -> Response:
    def build(period: Period, params: dict[str, str]) -> dict[str, Any]:
        agency = _hosted_agency(session, agency_id)
        units = [figures_of(row) for row in statistics_repo.unit_rows(session, period, agency.id, today=_today())]
        people = [figures_of(row) for row in statistics_repo.person_rows(session, period, agency.id, today=_today())]
        key, descending = _sorting(params)

        def drill(row):
            return f"{BASE}/agency/{agency.id}/unit/{row['key']}?{_query(params)}" if row["key"] else None
        temporal_overdue = temporal_query_url(state.settings, agency.code, overdue=True)
        temporal_open = temporal_query_url(state.settings, agency.code, overdue=False)

        def open_links(row):
            return [("Xem đơn vị", drill(row)), ("Temporal", temporal_open)] if row["key"] else []

        def overdue_links(row):
            query = urlencode({"agency_id": agency.id, "unit_id": row["key"]})
            return [("Danh sách quá hạn", f"{BASE}/overdue?{query}"), ("Temporal", temporal_overdue)] if row["key"] else []
        agency_total = next((figures_of(r) for r in statistics_repo.agency_rows(session, period, [agency.id], today=_today())), None)
        return {"agency": agency, "rows": sort_rows(units, key, descending), "people": sort_rows(people, key, descending),
                "totals": agency_total or total(units, agency.name), "drill": drill,
                "open_links": open_links, "overdue_links": overdue_links,
                "temporal_overdue": temporal_overdue, "temporal_open": temporal_open,
                "share_chart": on_time_chart(units, f"Tỷ lệ hoàn thành đúng hạn theo đơn vị, {agency.name}", drill),
                "trend_chart": _trend(session, period, agency.id, f"Văn bản của {agency.name} theo tháng"),
                "overdue": _overdue(session, agency_id=agency.id),
                "overdue_list": f"{BASE}/overdue?{urlencode({'agency_id': agency.id})}"}
    return _page(request, "supervision/agency.html", principal, build)


@router.get(BASE + "/agency/{agency_id}/unit/{unit_id}")
def unit_page(request: Request, agency_id: Id, unit_id: Id, principal: WebUser, session: DbSession,
              state: State) -> Response:
    def build(period: Period, params: dict[str, str]) -> dict[str, Any]:
        agency = _hosted_agency(session, agency_id)
        unit = org_repo.unit_by_id(session, unit_id)
        if unit.agency_id != agency.id:
            raise NotFound("unit_not_found")
        people = [figures_of(row) for row in statistics_repo.person_rows(session, period, agency.id, unit.id, today=_today())]
        unit_total = next((figures_of(r) for r in statistics_repo.unit_rows(session, period, agency.id, today=_today())
                           if r.key == unit.id), None)
        key, descending = _sorting(params)
        return {"agency": agency, "unit": unit, "people": sort_rows(people, key, descending),
                "totals": unit_total or total(people, unit.name),
                "temporal_overdue": temporal_query_url(state.settings, agency.code, overdue=True),
                "temporal_open": temporal_query_url(state.settings, agency.code, overdue=False),
                "overdue": _overdue(session, agency_id=agency.id, unit_id=unit.id, limit=OVERDUE_LIST_LIMIT),
                "overdue_list": f"{BASE}/overdue?{urlencode({'agency_id': agency.id, 'unit_id': unit.id})}"}
    return _page(request, "supervision/unit.html", principal, build)


@router.get(BASE + "/overdue")
def overdue_page(request: Request, principal: WebUser, session: DbSession,
                 agency_id: Id | None = None, unit_id: Id | None = None) -> Response:
    publication_commands.require_supervisor(principal.roles)
    agency = _hosted_agency(session, agency_id) if agency_id is not None else None
    unit = org_repo.unit_by_id(session, unit_id) if unit_id is not None else None
    if unit is not None and (agency is None or unit.agency_id != agency.id):
        raise NotFound("unit_not_found")
    items = _overdue(session, agency_id=agency_id, unit_id=unit_id, limit=OVERDUE_LIST_LIMIT)
    return render(request, "supervision/overdue.html", agency=agency, unit=unit, overdue=items, base=BASE)


def supervised_document_page(request: Request, principal: Principal, session: Session, state, document_id: str) -> Response:
    """A late document of another agency, read only, for the supervisor (``/documents/{id}``)."""
    document = supervised_document(session, principal.roles, document_id, today=publication_commands.today())
    supervision_commands.document_supervised(state.engine, principal.user.id, document.id,
                                            agency_id=document.agency_id, reader=session)
    return render(request, "supervision/document.html", document=document,
                  agency=org_repo.agency_by_id(session, document.agency_id),
                  steps=supervised_steps(session, document.id), base=BASE, **history_context(session, document))


def supervised_assignment_page(request: Request, principal: Principal, session: Session, state,
                               assignment_id: int) -> Response:
    """A late assignment of another agency, read only, for the supervisor (``/assignments/{id}``)."""
    assignment = assignment_repo.supervised_assignment(session, principal.roles, assignment_id)
    supervision_commands.assignment_supervised(state.engine, principal.user.id, assignment.id,
                                               agency_id=assignment.agency_id)
    steps = assignment_repo.open_steps(session, assignment.id)
    people = assignment_repo.people_by_id(session, [assignment.assigner_id, assignment.lead_user_id,
                                                    *(t.assignee_id for t in steps)])
    units = assignment_repo.units_by_id(session, [assignment.lead_unit_id, *(t.unit_id for t in steps)])
    return render(request, "supervision/assignment.html", assignment=assignment, steps=steps, people=people,
                  units=units, agency=org_repo.agency_by_id(session, assignment.agency_id), base=BASE,
                  ASSIGNMENT_STATUS_LABELS=ASSIGNMENT_STATUS_LABELS)


# --- helpers ---------------------------------------------------------------------------------------


def _hosted_agency(session: Session, agency_id: int) -> Agency:
    agency = org_repo.agency_by_id(session, agency_id)
    if not agency.hosted:
        raise NotFound("agency_not_found", agency_id=agency_id)
    return agency


def agency_codes(session: Session) -> dict[int, str]:
    """Agency id → its current code, for the Temporal UI queries (``OrgUnit``)."""
    return {agency.id: agency.code for agency, _ in org_repo.all_agencies_with_units(session)}
