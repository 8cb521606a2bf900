"""API v1 of the weekly work schedule: ``/api/v1/schedules`` and below, ``/api/v1/calendar-feed``.

The same commands as the pages (``commands.schedule``); the head of the agency's decision goes
through the task API (``GET /api/v1/tasks``, then ``POST /api/v1/tasks/{id}/actions`` with
``duyet_lich`` or ``tra_lai_lich``). Clock times are the schedule's own (Vietnam time); each event
also carries ``starts_at``/``ends_at`` in ISO 8601 with ``+07:00``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from commands import schedule as schedule_commands
from models.bounds import Id, PageNumber
from models.db import reading
from models.registers.numbering import VIETNAM
from models.schedule import repo as schedule_repo
from models.schedule.rules import week_code
from models.schedule.schema import EventInput, WeekInput
from models.schedule.tables import WorkSchedule
from models.schedule.views import EventView, OverlapView, WeekView
from web.deps import ApiUser, Principal, State
from web.idempotency import IdempotentRoute
from web.schedule import feed_urls, schedule_pdf

api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


def _actor(principal: Principal) -> dict:
    return {"user_id": principal.user.id, "roles": principal.roles}


def _at(day, clock) -> str:
    return datetime.combine(day, clock, tzinfo=VIETNAM).isoformat()


def event_json(event: EventView) -> dict[str, Any]:
    """An event as API v1 shows it (only the documents the caller may see are listed)."""
    return {
        "id": event.id, "uid": event.uid, "day": event.day.isoformat(),
        "start_time": f"{event.start_time:%H:%M}", "end_time": f"{event.end_time:%H:%M}",
        "starts_at": _at(event.day, event.start_time), "ends_at": _at(event.day, event.end_time),
        "content": event.content, "place": event.place,
        "leaders": [{"id": i, "full_name": n} for i, n in zip(event.leader_ids, event.leader_names, strict=True)],
        "participant_user_ids": event.participant_user_ids, "participant_unit_ids": event.participant_unit_ids,
        "participants_note": event.participants_note, "participants": event.participants_text,
        "preparing_unit_id": event.preparing_unit_id, "preparing_unit": event.preparing_unit_name,
        "documents": [{"id": i, "title": t} for i, t in event.documents], "sequence": event.sequence,
        "booked_twice": event.booked_twice,
    }


def overlap_json(overlap: OverlapView) -> dict[str, Any]:
    return {"leader_id": overlap.leader_id, "leader_name": overlap.leader_name, "day": overlap.day.isoformat(),
            "event_ids": [overlap.first.id, overlap.second.id]}


def summary_json(schedule: WorkSchedule) -> dict[str, Any]:
    return {"id": schedule.id, "week": week_code(schedule.week_start), "week_start": schedule.week_start.isoformat(),
            "status": str(schedule.status), "approval_round": schedule.approval_round,
            "published_version": schedule.published_version,
            "published_at": schedule.published_at.astimezone(VIETNAM).isoformat() if schedule.published_at else None,
            "returned_reason": schedule.returned_reason or None}


def week_json(view: WeekView) -> dict[str, Any]:
    """A week as the caller sees it: the working copy (văn phòng, leaders) or the published one."""
    body = summary_json(view.schedule) if view.schedule else {"id": None, "week": view.code, "status": None}
    body.update({"agency_name": view.agency_name, "copy": view.copy, "editable": view.editable,
                 "events": [event_json(e) for e in view.events], "overlaps": [overlap_json(o) for o in view.overlaps],
                 "changes": view.changes})
    return body


@api_router.get("/schedules", summary="Lịch công tác tuần của cơ quan (tuần gần nhất trước)")
def list_schedules(principal: ApiUser, state: State,
                   week: Annotated[str, Query(max_length=10, description="Chỉ tuần này, dạng YYYY-Www")] = "",
                   page: PageNumber = 1,
                   per_page: Annotated[int, Query(ge=1, le=200, description="lịch mỗi trang")] = 52) -> list[dict[str, Any]]:
    if week:
        view = schedule_commands.read_week(state.engine, user=principal.user, roles=principal.roles, week=week)
        return [summary_json(view.schedule)] if view.schedule else []
    with reading(state.engine) as session:
        rows = schedule_repo.schedules_of(session, principal.user.agency_id, limit=per_page,
                                          offset=(page - 1) * per_page)
        return [summary_json(row) for row in rows]


@api_router.post("/schedules", status_code=201, summary="Lập lịch công tác của một tuần (văn thư, cán bộ lập lịch)",
                 description="Tạo lịch dự thảo của tuần; lịch của tuần đã có thì trả về lịch đó (mã 200).")
async def create_schedule(body: WeekInput, principal: ApiUser, state: State) -> JSONResponse:
    schedule, created = await run_in_threadpool(schedule_commands.open_week, state.engine, **_actor(principal),
                                                week=body.week)
    return JSONResponse(summary_json(schedule), status_code=201 if created else 200)


@api_router.get("/schedules/{schedule_id}", summary="Một lịch công tác tuần: nội dung, trùng lịch, điều chỉnh")
def get_schedule(schedule_id: Id, principal: ApiUser, state: State) -> dict[str, Any]:
    return week_json(schedule_commands.read_schedule(state.engine, user=principal.user, roles=principal.roles,
                                                     schedule_id=schedule_id))


def _saved_json(saved: schedule_commands.EventSaved) -> dict[str, Any]:
    return {"event": event_json(saved.event), "warnings": [overlap_json(o) for o in saved.warnings]}


@api_router.post("/schedules/{schedule_id}/events", status_code=201, summary="Thêm nội dung vào lịch",
                 description="Chỉ khi lịch là dự thảo hoặc đang dự thảo điều chỉnh. `warnings` nêu lãnh đạo bị "
                             "trùng lịch (vẫn lưu).")
async def add_event(schedule_id: Id, body: EventInput, principal: ApiUser, state: State) -> dict[str, Any]:
    return _saved_json(await run_in_threadpool(schedule_commands.add_event, state.engine, **_actor(principal),
                                               schedule_id=schedule_id, data=body))


@api_router.post("/schedules/{schedule_id}/events/{event_id}", summary="Sửa một nội dung của lịch (gửi đủ các trường)")
async def change_event(schedule_id: Id, event_id: Id, body: EventInput, principal: ApiUser, state: State) -> dict[str, Any]:
    return _saved_json(await run_in_threadpool(schedule_commands.change_event, state.engine, **_actor(principal),
                                               schedule_id=schedule_id, event_id=event_id, data=body))


@api_router.delete("/schedules/{schedule_id}/events/{event_id}", status_code=204, summary="Xóa một nội dung khỏi lịch")
async def remove_event(schedule_id: Id, event_id: Id, principal: ApiUser, state: State) -> Response:
    await run_in_threadpool(schedule_commands.remove_event, state.engine, **_actor(principal),
                            schedule_id=schedule_id, event_id=event_id)
    return Response(status_code=204)


@api_router.post("/schedules/{schedule_id}/submit", status_code=202, summary="Trình lãnh đạo cơ quan duyệt lịch",
                 description="Lịch dự thảo, hoặc điều chỉnh của lịch đã ban hành. Lãnh đạo duyệt hoặc trả lại qua "
                             "`/api/v1/tasks/{id}/actions` (`duyet_lich`, `tra_lai_lich` kèm `reason`).")
async def submit(schedule_id: Id, principal: ApiUser, state: State) -> dict[str, Any]:
    await schedule_commands.submit(state.engine, state.client, state.settings, **_actor(principal),
                                   schedule_id=schedule_id)
    return await run_in_threadpool(get_schedule, schedule_id, principal, state)


@api_router.post("/schedules/{schedule_id}/change", summary="Mở dự thảo điều chỉnh lịch đã ban hành",
                 description="Lịch đã ban hành vẫn có hiệu lực cho đến khi lãnh đạo duyệt điều chỉnh.")
async def open_change(schedule_id: Id, principal: ApiUser, state: State) -> dict[str, Any]:
    schedule = await run_in_threadpool(schedule_commands.open_change, state.engine, **_actor(principal),
                                       schedule_id=schedule_id)
    return summary_json(schedule)


@api_router.post("/schedules/{schedule_id}/change/cancel", summary="Hủy dự thảo điều chỉnh")
async def cancel_change(schedule_id: Id, principal: ApiUser, state: State) -> dict[str, Any]:
    schedule = await run_in_threadpool(schedule_commands.cancel_change, state.engine, **_actor(principal),
                                       schedule_id=schedule_id)
    return summary_json(schedule)


@api_router.get("/schedules/{schedule_id}/print.pdf", summary="In lịch công tác tuần đã ban hành (PDF)",
                response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def print_schedule(schedule_id: Id, principal: ApiUser, state: State) -> Response:
    return schedule_pdf(state, principal, schedule_id)


@api_router.post("/calendar-feed", summary="Tạo địa chỉ lịch riêng (iCalendar) cho ứng dụng lịch",
                 description="Địa chỉ cũ ngừng hoạt động; địa chỉ mới chỉ trả về một lần.")
async def new_feed(request: Request, principal: ApiUser, state: State) -> dict[str, str]:
    token = await run_in_threadpool(schedule_commands.new_feed_token, state.engine, user_id=principal.user.id)
    return feed_urls(request, token)
