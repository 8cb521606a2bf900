"""The working-day calendar: ``/admin/calendar`` and API v1 ``/api/v1/configuration/calendar``. Routes
only parse, call ``commands.configuration_calendar`` in a worker thread, and render.
"""

from __future__ import annotations

import functools
from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from commands import configuration_calendar as calendar_commands
from models.bounds import Year
from models.db import utcnow
from models.errors import DomainError
from models.registers.numbering import vietnam_date
from web.configuration import actor, agency_code_of, form_text, page_context, run_then_redirect
from web.deps import ApiUser, CsrfChecked, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


def _this_year() -> int:
    return vietnam_date(utcnow()).year


def _page(request: Request, principal: Principal, year: int, *, notice: str | None = None,
          error: DomainError | None = None) -> Response:
    context = page_context(request, principal, "calendar", agency_code_of(principal), notice=notice, error=error)
    days = calendar_commands.list_days(request.app.state.qlvb.engine, **actor(principal), year=year)
    return render(request, "admin/calendar.html", days=days, year=year, **context)


@router.get("/admin/calendar")
def calendar_page(request: Request, principal: WebUser, year: Year | None = None) -> Response:
    return _page(request, principal, year or _this_year())


@router.post("/admin/calendar")
async def calendar_change(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    day_text, working = form_text(form, "day"), form.get("working") == "1"
    try:  # the page shows the year of the day changed (this year for a date that cannot be read)
        day = calendar_commands.parse_day(day_text)
        year, shown = day.year, f"{day:%d/%m/%Y}"
    except DomainError:
        year, shown = _this_year(), day_text
    page = functools.partial(_page, request, principal, year)
    target = f"/admin/calendar?year={year}"
    if form.get("remove"):
        return await run_then_redirect(request, page, lambda: calendar_commands.remove_day(
            state.engine, **actor(principal), day_text=day_text),
            f"Đã bỏ điều chỉnh ngày {shown}: áp dụng lại lịch nghỉ lễ quốc gia.", target)
    return await run_then_redirect(request, page, lambda: calendar_commands.set_day(
        state.engine, **actor(principal), day_text=day_text, working=working, note=form_text(form, "note")),
        f"Ngày {shown} được đặt là {'ngày làm bù' if working else 'ngày nghỉ'}; hạn xử lý tính từ nay theo "
        f"lịch này.", target)


# --- API v1 -----------------------------------------------------------------------------------

class DayChange(BaseModel):
    day: str = Field(max_length=10, description="ngày, dạng YYYY-MM-DD")
    working: bool = Field(description="true: ngày làm bù (làm việc); false: ngày nghỉ thêm")
    note: str = Field(default="", max_length=200, description="căn cứ, ví dụ số thông báo của cơ quan có thẩm quyền")


class DayRemoval(BaseModel):
    day: str = Field(max_length=10, description="ngày, dạng YYYY-MM-DD")


@api_router.get("/configuration/calendar", summary="Điều chỉnh lịch làm việc trong một năm",
                description="Ngày làm bù và ngày nghỉ thêm quản trị đã khai báo, kèm lịch quốc gia của ngày đó "
                            "(national_working). Hạn xử lý tính theo ngày làm việc trên lịch này.")
def api_calendar(principal: ApiUser, state: State, year: Year | None = None) -> list[dict]:
    return [asdict(d) for d in calendar_commands.list_days(state.engine, **actor(principal),
                                                           year=year or _this_year())]


@api_router.post("/configuration/calendar", summary="Khai báo ngày làm bù hoặc ngày nghỉ thêm",
                 description="Chỉ quản trị hệ thống cấp tỉnh (lịch dùng chung cho mọi cơ quan). Hạn xử lý tính "
                             "từ nay theo lịch mới; hạn đã tính giữ nguyên.")
async def api_set_day(body: DayChange, principal: ApiUser, state: State) -> dict:
    return asdict(await run_in_threadpool(calendar_commands.set_day, state.engine, **actor(principal),
                                          day_text=body.day, working=body.working, note=body.note))


@api_router.post("/configuration/calendar/remove", summary="Bỏ điều chỉnh một ngày",
                 description="Ngày đó theo lại lịch nghỉ lễ quốc gia.")
async def api_remove_day(body: DayRemoval, principal: ApiUser, state: State) -> dict:
    day = await run_in_threadpool(calendar_commands.remove_day, state.engine, **actor(principal), day_text=body.day)
    return {"day": day.isoformat(), "removed": True}
