"""API v1 of province supervision and published statistics (QĐ44 Điều 16).

``GET /api/v1/statistics/province``: the province's totals and one row per agency for a period
(the supervisor and the province's administrator); ``GET /api/v1/statistics/publications`` and
``…/{id}``: the published reports, frozen, for everyone of the installation;
``POST /api/v1/statistics/publications``: publish a finished period (the supervisor).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from commands import publications as commands
from models.bounds import Id, PageNumber
from models.publications import repo
from models.publications.schema import PublicationForm
from models.publications.tables import StatisticsPublication
from models.statistics.schema import Period
from web.deps import ApiUser, DbSession, State
from web.filters import iso_vn
from web.idempotency import IdempotentRoute
from web.supervision import agency_codes, period_from, province_figures, temporal_query_url

api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


class Figures(BaseModel):
    """The figures of one agency (or the province's totals, ``key`` null) for a period."""

    key: int | str | None = Field(description="Mã cơ quan trong hệ thống (id); null ở dòng tổng")
    label: str = Field(description="Tên cơ quan")
    received: int = Field(description="Văn bản đến đã vào sổ trong kỳ")
    received_by_source: dict[str, int] = Field(description="Theo nguồn: hub, internal, upload, paper")
    received_by_urgency: dict[str, int] = Field(description="Theo độ khẩn")
    issued: int = Field(description="Văn bản đi đã ban hành trong kỳ")
    issued_by_type: dict[str, int] = Field(description="Theo tên loại văn bản")
    issued_late: int = Field(description="Ban hành trễ (sau sáng ngày làm việc tiếp theo)")
    finished_on_time: int = Field(description="Văn bản đến hoàn thành đúng hạn trong kỳ")
    finished_late: int = Field(description="Văn bản đến hoàn thành trễ hạn trong kỳ")
    open: int = Field(description="Đang xử lý cuối kỳ (hoặc hôm nay)")
    overdue: int = Field(description="Quá hạn cuối kỳ (hoặc hôm nay)")
    avg_handling_days: float | None = Field(description="Số ngày làm việc xử lý bình quân")
    unacknowledged: int = Field(description="Nơi nhận chưa xác nhận đã nhận (chưa có trạng thái 01)")
    extension_requests: int = Field(description="Đề nghị gia hạn trong kỳ")
    assignments_open: int = Field(description="Công việc giao đang thực hiện")
    assignments_overdue: int = Field(description="Công việc giao quá hạn")
    on_time_share: float | None = Field(description="Tỷ lệ hoàn thành đúng hạn (0–1); null khi chưa có văn bản hoàn thành")


class PeriodOut(BaseModel):
    kind: str
    start: date
    end: date
    label: str


class AgencyFigures(Figures):
    temporal_overdue_url: str | None = Field(default=None, description="Truy vấn quy trình quá hạn trên Temporal UI")


class ProvinceFigures(BaseModel):
    period: PeriodOut
    totals: Figures
    agencies: list[AgencyFigures]


class Publication(BaseModel):
    """A published report: frozen figures as they were when published (never recounted)."""

    id: int
    title: str
    period: PeriodOut
    published_at: str = Field(description="Thời điểm công bố (ISO 8601, giờ Việt Nam)")
    note: str
    supersedes_id: int | None = Field(description="Báo cáo được đính chính, thay thế")
    superseded_by: int | None = Field(description="Báo cáo đính chính thay thế báo cáo này, nếu có")


class PublicationDetail(Publication):
    totals: Figures
    agencies: list[Figures]


def _period(period: Period) -> dict[str, Any]:
    return {"kind": period.kind, "start": period.start, "end": period.end, "label": period.label}


def publication_json(publication: StatisticsPublication, superseded_by: int | None, *, detail: bool) -> dict[str, Any]:
    body = {"id": publication.id, "title": publication.title, "note": publication.note,
            "period": {"kind": publication.period_kind, "start": publication.period_start,
                       "end": publication.period_end, "label": publication.period_label},
            "published_at": iso_vn(publication.published_at), "supersedes_id": publication.supersedes_id,
            "superseded_by": superseded_by}
    if detail:
        body |= {"totals": publication.totals, "agencies": publication.figures}
    return body


@api_router.get("/statistics/province", response_model=ProvinceFigures,
                summary="Số liệu toàn tỉnh theo cơ quan (giám sát, quản trị hệ thống cấp tỉnh)",
                description="Kỳ: `kind` (day, week, month, quarter, year, range) với `value`, hoặc `start`–`end`; "
                            "mặc định tháng hiện tại. Số liệu đọc từ cơ sở dữ liệu (bảng tổng hợp), không từ Temporal.")
def province(principal: ApiUser, session: DbSession, state: State,
             kind: Annotated[str, Query(max_length=10)] = "month",
             value: Annotated[str, Query(max_length=20)] = "",
             start: Annotated[str, Query(max_length=10)] = "",
             end: Annotated[str, Query(max_length=10)] = "") -> dict[str, Any]:
    commands.require_supervisor(principal.roles)
    period = period_from({"kind": kind, "value": value, "start": start, "end": end})
    rows, totals = province_figures(session, period)
    codes = agency_codes(session)
    return {"period": _period(period), "totals": totals,
            "agencies": [row | {"temporal_overdue_url": temporal_query_url(state.settings, codes[row["key"]], overdue=True)
                                if codes.get(row["key"]) else None} for row in rows]}


@api_router.get("/statistics/publications", response_model=list[Publication],
                summary="Các báo cáo số liệu đã công bố (mới nhất trước)")
def publications(principal: ApiUser, session: DbSession, page: PageNumber = 1,
                 per_page: Annotated[int, Query(ge=1, le=200)] = 50) -> list[dict[str, Any]]:
    found = repo.listing(session, limit=per_page, offset=(page - 1) * per_page)
    replaced = repo.replaced_ids(session, [p.id for p in found])
    return [publication_json(p, replaced.get(p.id), detail=False) for p in found]


@api_router.get("/statistics/publications/{publication_id}", response_model=PublicationDetail,
                summary="Một báo cáo đã công bố: số liệu chốt tại thời điểm công bố")
def publication(publication_id: Id, principal: ApiUser, session: DbSession) -> dict[str, Any]:
    found = repo.get(session, publication_id)
    newer = repo.superseded_by(session, found.id)
    return publication_json(found, newer.id if newer else None, detail=True)


@api_router.post("/statistics/publications", status_code=201, response_model=PublicationDetail,
                 summary="Công bố số liệu một kỳ đã kết thúc (giám sát)",
                 description="Số liệu từng cơ quan được chốt tại thời điểm công bố. Kỳ chưa kết thúc bị từ chối. "
                             "`supersedes_id`: công bố bản đính chính thay thế báo cáo đó.")
async def publish(body: PublicationForm, principal: ApiUser, state: State) -> JSONResponse:
    raw = body.model_dump(exclude_none=True)
    created = await run_in_threadpool(commands.publish, state.engine, actor_id=principal.user.id,
                                      roles=principal.roles, raw=raw)
    return JSONResponse(Publication.model_validate(publication_json(created, None, detail=False)).model_dump(mode="json")
                        | {"totals": created.totals, "agencies": created.figures}, status_code=201)
