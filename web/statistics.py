"""``/statistics``: an agency's figures for a period (QĐ44 Điều 16.1), for its leaders, văn thư and
administrators; the Báo cáo tình hình giải quyết văn bản đến/đi (F-V.2, F-V.4) to download.

The period is a plain GET form (works without JavaScript). Everyone sees their own agency only:
asking for another agency's figures is refused (``statistics_forbidden``, 403). The province-wide
pages are ``web/supervision.py``. Figures come from the rollups (``models.statistics.repo``), whose
age the page shows. API v1 is ``web/statistics_api.py``.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from models.bounds import parse_id
from models.db import utcnow
from models.errors import DomainError, Forbidden, NotFound
from models.registers.numbering import vietnam_date
from models.statistics import repo
from models.statistics.schema import KINDS, Period, parse_period
from models.vocab import Role
from web.deps import DbSession, Principal, State, WebUser
from web.htmx import render
from web.messages import message_of
from web.reports import PDF_MEDIA_TYPE, XLSX_MEDIA_TYPE, file_response, handling

router = APIRouter()

# Who may read an agency's statistics: its leaders, its văn thư, its administrators.
READERS = frozenset({Role.AGENCY_LEADER, Role.UNIT_LEADER, Role.CLERK, Role.ADMIN, Role.SYSTEM_ADMIN})
KIND_LABELS = {"day": "Ngày", "week": "Tuần", "month": "Tháng", "quarter": "Quý", "year": "Năm",
               "range": "Khoảng thời gian"}
SOURCE_LABELS = {"hub": "Trục liên thông", "internal": "Nội bộ tỉnh", "upload": "Tải lên", "paper": "Bản giấy"}
URGENCY_LABELS = {"thuong": "Thường", "khan": "Khẩn", "thuong_khan": "Thượng khẩn", "hoa_toc": "Hỏa tốc"}


def may_read(principal: Principal) -> bool:
    return bool(principal.roles & READERS)


def agency_of_request(principal: Principal, raw_agency_id: str | None) -> int:
    """The agency asked for: the reader's own; any other is refused (missing role or foreign agency)."""
    if not may_read(principal):
        raise Forbidden("statistics_role")
    agency_id = parse_id(raw_agency_id) if raw_agency_id not in (None, "") else principal.user.agency_id
    if agency_id != principal.user.agency_id:
        raise Forbidden("statistics_forbidden")
    return agency_id


def period_of_request(params, today: date) -> Period:
    kind = params.get("period") or params.get("kind") or "month"
    return parse_period(kind, params.get("value") or None, start=params.get("start") or None,
                        end=params.get("end") or None, today=today)


def report_links(query: str, prefix: str = "/statistics/reports") -> dict[str, str]:
    return {f"{form}_{fmt}": f"{prefix}/{form}.{fmt}?{query}" for form in handling.FORMS for fmt in ("pdf", "xlsx")}


def period_query(period: Period, agency_id: int) -> str:
    value = {"day": f"{period.start:%Y-%m-%d}", "week": f"{period.start.isocalendar()[0]}-W{period.start.isocalendar()[1]:02d}",
             "month": f"{period.start:%Y-%m}", "quarter": f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}",
             "year": f"{period.start.year}"}.get(period.kind)
    if value is None:
        return f"agency_id={agency_id}&period=range&start={period.start:%Y-%m-%d}&end={period.end:%Y-%m-%d}"
    return f"agency_id={agency_id}&period={period.kind}&value={value}"


@router.get("/statistics")
def statistics_page(request: Request, principal: WebUser, session: DbSession) -> Response:
    today = vietnam_date(utcnow())
    params = request.query_params
    agency_id = agency_of_request(principal, params.get("agency_id"))
    form = {name: params.get(name, "") for name in ("period", "value", "start", "end")}
    form["period"] = form["period"] or "month"
    error, period = None, None
    try:
        period = period_of_request(params, today)
    except DomainError as refused:
        error = message_of(refused)
    context = dict(form=form, kinds=[(kind, KIND_LABELS[kind]) for kind in KINDS], error=error, period=period,
                   SOURCE_LABELS=SOURCE_LABELS, URGENCY_LABELS=URGENCY_LABELS, refreshed_at=repo.refreshed_at(session))
    if period is None:
        return render(request, "statistics/index.html", status_code=422, **context)
    unit_id = parse_id(params["unit_id"]) if params.get("unit_id") else None
    total = repo.agency_rows(session, period, [agency_id], today=today)[0]
    units = repo.unit_rows(session, period, agency_id, today=today)
    people = repo.person_rows(session, period, agency_id, unit_id, today=today)
    chosen_unit = next((row for row in units if row.key == unit_id), None) if unit_id is not None else None
    trend = repo.monthly_trend(session, period.end.year, agency_id, today=today)
    overdue = repo.oldest_overdue(session, agency_id=agency_id, unit_id=unit_id, limit=20, today=today)
    query = period_query(period, agency_id)
    return render(request, "statistics/index.html", total=total, units=units, people=people, chosen_unit=chosen_unit,
                  trend=trend, overdue=overdue, query=query, reports=report_links(query),
                  agency_name=principal.agency.name, as_of=period.as_of(today), **context)


@router.get("/statistics/reports/{form}.{extension}")
def download_report(request: Request, form: str, extension: str, principal: WebUser, state: State) -> Response:
    return handling_response(request.query_params, form, extension, principal, state)


def handling_response(params, form: str, extension: str, principal: Principal, state) -> Response:
    """F-V.2 / F-V.4 as PDF or XLSX (shared by the page and API v1); refusals in Vietnamese."""
    if form not in handling.FORMS or extension not in ("pdf", "xlsx"):
        raise NotFound("not_found")
    today = vietnam_date(utcnow())
    agency_id = agency_of_request(principal, params.get("agency_id"))
    period = period_of_request(params, today)
    report = handling.load(state.engine, form, agency_id, period, today)
    if extension == "pdf":
        return file_response(handling.render_pdf(report, utcnow(), principal.user.full_name), PDF_MEDIA_TYPE,
                             report.file_name("pdf"), inline=True)
    return file_response(handling.render_xlsx(report), XLSX_MEDIA_TYPE, report.file_name("xlsx"), inline=False)
