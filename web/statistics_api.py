"""API v1 of an agency's statistics: ``GET /api/v1/statistics`` and the F-V.2 / F-V.4 reports.

The same access as the page (``web/statistics.py``): an agency's leaders, văn thư and
administrators read their own agency only; another agency is refused with 403. Figures and their
meaning are those of ``models.statistics.repo``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from models.bounds import Id
from models.db import utcnow
from models.registers.numbering import vietnam_date
from models.statistics import repo
from models.statistics.figures import FigureRow
from web import statistics as pages
from web.deps import ApiUser, DbSession, State
from web.idempotency import IdempotentRoute

api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


class FiguresOut(BaseModel):
    """One row of figures (an agency, a unit, a person or a month); meanings in the module docstring
    of ``models.statistics.repo``."""

    key: int | str = Field(description="id of the agency, unit or person (0: none named yet), or the month")
    label: str
    received: int = Field(description="văn bản đến registered in the period")
    received_by_source: dict[str, int] = Field(description="hub, internal, upload, paper")
    received_by_urgency: dict[str, int] = Field(description="thuong, khan, thuong_khan, hoa_toc")
    issued: int = Field(description="văn bản đi issued in the period")
    issued_by_type: dict[str, int]
    issued_late: int = Field(description="issued after the next working morning (QĐ44 Điều 6.2)")
    finished_on_time: int
    finished_late: int
    on_time_share: float | None = Field(description="finished on time / finished, null when none finished")
    open: int = Field(description="incoming documents still open at the end of the count day")
    overdue: int = Field(description="of those, past their handling deadline")
    avg_handling_days: float | None = Field(description="working days from arrival to closing, on average")
    unacknowledged: int = Field(description="recipients of the period's issued documents that never sent status 01")
    extension_requests: int
    assignments_open: int
    assignments_overdue: int

    @classmethod
    def of(cls, row: FigureRow) -> FiguresOut:
        return cls(**row.__dict__, on_time_share=row.on_time_share)


class PeriodOut(BaseModel):
    kind: str
    start: date
    end: date
    label: str
    as_of: date = Field(description="open and overdue work is counted at the end of this day")


class StatisticsOut(BaseModel):
    agency_id: int
    agency_name: str
    period: PeriodOut
    refreshed_at: datetime | None = Field(description="when the rollups were rebuilt (every 15 minutes)")
    total: FiguresOut
    units: list[FiguresOut]
    people: list[FiguresOut]
    reports: dict[str, str] = Field(description="F-V.2 (incoming) and F-V.4 (outgoing) as PDF and XLSX")


PERIOD_HELP = "day | week | month | quarter | year | range"
VALUE_HELP = "2026-12-03, 2026-W48, 2026-11, 2026-Q4, 2026; empty: the current one"


@api_router.get("/statistics", response_model=StatisticsOut,
                summary="Thống kê văn bản đến, văn bản đi, giao việc của cơ quan theo kỳ",
                description="Cho lãnh đạo, văn thư, quản trị của cơ quan; chỉ cơ quan của mình (403 với cơ quan "
                            "khác). Số liệu từ bảng tổng hợp, cập nhật 15 phút một lần (`refreshed_at`).")
def api_statistics(request: Request, principal: ApiUser, session: DbSession,
                   agency_id: Annotated[Id | None, Query(description="mặc định: cơ quan của người gọi")] = None,
                   period: Annotated[str, Query(description=PERIOD_HELP)] = "month",
                   value: Annotated[str | None, Query(description=VALUE_HELP)] = None,
                   start: Annotated[str | None, Query(description="range: YYYY-MM-DD")] = None,
                   end: Annotated[str | None, Query(description="range: YYYY-MM-DD")] = None,
                   unit_id: Annotated[Id | None, Query(description="people of this unit only")] = None) -> StatisticsOut:
    today = vietnam_date(utcnow())
    owner = pages.agency_of_request(principal, None if agency_id is None else str(agency_id))
    chosen = pages.period_of_request({"period": period, "value": value, "start": start, "end": end}, today)
    total = repo.agency_rows(session, chosen, [owner], today=today)[0]
    query = pages.period_query(chosen, owner)
    return StatisticsOut(
        agency_id=owner, agency_name=total.label,
        period=PeriodOut(kind=chosen.kind, start=chosen.start, end=chosen.end, label=chosen.label,
                         as_of=chosen.as_of(today)),
        refreshed_at=repo.refreshed_at(session), total=FiguresOut.of(total),
        units=[FiguresOut.of(row) for row in repo.unit_rows(session, chosen, owner, today=today)],
        people=[FiguresOut.of(row) for row in repo.person_rows(session, chosen, owner, unit_id, today=today)],
        reports=pages.report_links(query, "/api/v1/statistics/reports"))


@api_router.get("/statistics/reports/{form}.{extension}",
                summary="Báo cáo tình hình giải quyết văn bản đến (incoming) hoặc đi (outgoing), PDF hoặc XLSX",
                responses={200: {"content": {"application/pdf": {}, pages.XLSX_MEDIA_TYPE: {}}}})
def api_report(request: Request, form: str, extension: str, principal: ApiUser, state: State) -> Response:
    return pages.handling_response(request.query_params, form, extension, principal, state)
