"""The weekly work schedule: the week page ``/schedule``, its print, the calendar feeds, and API v1.

Pages: ``/schedule?week=YYYY-Www`` (the reader's agency; ``leader`` keeps one leader's events), the
văn phòng's forms on it (open the week, add, change, remove events, submit, prepare or drop a
change), the head of the agency's decision on it, ``/schedule/{id}/print.pdf``, ``/schedule/feeds``
(the person's secret calendar addresses) and the feeds themselves, ``/calendar/{token}/…ics``, which
calendar apps fetch without logging in. API v1: ``/api/v1/schedules`` and below; the decision goes
through the task API (``/api/v1/tasks/{id}/actions``). Routes only parse, call ``commands.schedule``
(or a repository read) and render.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from commands import schedule as schedule_commands
from commands import tasks as task_commands
from models.bounds import Id
from models.db import reading, utcnow
from models.errors import DomainError
from models.org import repo as org_repo
from models.schedule import repo as schedule_repo
from models.schedule.rules import week_code, weekday_name
from models.schedule.views import WeekView
from models.tasks.actions import ACTION_FIELDS
from web import flash
from web.deps import CsrfChecked, Principal, State, WebUser
from web.htmx import render
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with
from web.labels import SCHEDULE_STATUS_LABELS
from web.messages import field_errors, message_of
from web.reports import schedule as schedule_report

router = APIRouter(route_class=IdempotentRoute)

WeekQuery = Annotated[str, Query(max_length=10, description="Tuần, dạng YYYY-Www; bỏ trống: tuần này")]
ICS_TYPE = "text/calendar; charset=utf-8"


def _actor(principal: Principal) -> dict:
    return {"user_id": principal.user.id, "roles": principal.roles}


def event_fields(form) -> dict[str, Any]:
    """An event's fields from a page form, as ``models.schedule.schema.EventInput`` reads them."""
    def many(name: str) -> list[str]:
        return [str(value).strip() for value in form.getlist(name) if str(value).strip()]
    return {"day": str(form.get("day", "")), "start_time": str(form.get("start_time", "")),
            "end_time": str(form.get("end_time", "")), "content": str(form.get("content", "")),
            "place": str(form.get("place", "")), "leader_ids": many("leader_ids"),
            "participant_user_ids": many("participant_user_ids"), "participant_unit_ids": many("participant_unit_ids"),
            "participants_note": str(form.get("participants_note", "")),
            "preparing_unit_id": str(form.get("preparing_unit_id", "")).strip() or None,
            "document_ids": many("document_ids")}


def _week_page(request: Request, principal: Principal, view: WeekView, *, status_code: int = 200,
               notice: str | None = None, error: DomainError | None = None, warnings=(), values: dict | None = None,
               leader_id: int | None = None) -> Response:
    engine = request.app.state.qlvb.engine
    agency_id = principal.user.agency_id
    # Rendered inside the read transaction: the rows it shows stay loaded while the template reads them.
    with reading(engine) as session:
        steps = schedule_repo.open_steps(session, view.schedule.id, principal.user, principal.roles) if view.schedule else []
        choices = {"leaders": schedule_repo.leaders_of(session, agency_id),
                   "units": org_repo.units_of(session, agency_id, current_only=True),
                   "people": org_repo.people_of(session, agency_id),
                   "documents": (schedule_repo.recent_documents(session, principal.user, principal.roles)
                                 if view.editable else [])}
        return render(request, "schedule/week.html", status_code=error.status if error else status_code, view=view,
                      notice=notice, error=message_of(error) if error else None,
                      errors=field_errors(error) if error else {}, warnings=list(warnings), values=values or {},
                      steps=steps, action_fields=ACTION_FIELDS, nonce=uuid.uuid4().hex, leader_id=leader_id,
                      weekday_name=weekday_name, SCHEDULE_STATUS_LABELS=SCHEDULE_STATUS_LABELS,
                      week_before=week_code(view.monday - timedelta(weeks=1)),
                      week_after=week_code(view.monday + timedelta(weeks=1)), **choices)


@router.get("/schedule")
def week_page(request: Request, principal: WebUser, state: State, week: WeekQuery = "",
              leader: Id | None = None) -> Response:
    view = schedule_commands.read_week(state.engine, user=principal.user, roles=principal.roles, week=week,
                                       leader_id=leader)
    return _week_page(request, principal, view, leader_id=leader)


def _schedule_week(state, principal: Principal, schedule_id: int) -> str:
    view = schedule_commands.read_schedule(state.engine, user=principal.user, roles=principal.roles,
                                           schedule_id=schedule_id)
    return view.code


@router.get("/schedule/{schedule_id:int}")
def schedule_page(schedule_id: Id, principal: WebUser, state: State) -> Response:
    """A schedule by id (the inbox links its approval step here): its week's page."""
    return RedirectResponse(f"/schedule?week={_schedule_week(state, principal, schedule_id)}", status_code=303)


async def _show_week(request: Request, principal: Principal, week: str, **shown) -> Response:
    """The week's page again, with what the request did (``notice``, ``warnings``) or why not (``error``)."""
    engine = request.app.state.qlvb.engine
    view = await run_in_threadpool(lambda: schedule_commands.read_week(
        engine, user=principal.user, roles=principal.roles, week=week))
    return await run_in_threadpool(lambda: _week_page(request, principal, view, **shown))


async def _on_week(request: Request, principal: Principal, week: str, call, notice: str,
                   values: dict | None = None) -> Response:
    """Run a command in a worker thread, then show the week (a refusal keeps the form's values)."""
    try:
        result = await run_in_threadpool(call)
    except DomainError as failure:
        if failure.status in (403, 404):
            raise
        refused = failure
    else:
        return flash.done(request, f"/schedule?week={week}", notice + _overlaps_said(getattr(result, "warnings", [])),
                          trigger=None)
    return await _show_week(request, principal, week, error=refused, values=values)


def _overlaps_said(warnings) -> str:
    """Leaders booked twice by what was saved, told with the result (it was saved all the same)."""
    if not warnings:
        return ""
    said = "; ".join(
        f"{o.leader_name}: «{o.first.content}» ({o.first.start_time:%H:%M}–{o.first.end_time:%H:%M}) và "
        f"«{o.second.content}» ({o.second.start_time:%H:%M}–{o.second.end_time:%H:%M}), "
        f"{weekday_name(o.day)} {o.day:%d/%m/%Y}" for o in warnings)
    return f" Lưu ý: lãnh đạo bị trùng lịch: {said}."


@router.post("/schedule")
async def open_week(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    week = str(form.get("week", ""))[:10]
    schedule = await run_in_threadpool(lambda: schedule_commands.open_week(state.engine, **_actor(principal),
                                                                           week=week)[0])
    return flash.done(request, f"/schedule?week={week_code(schedule.week_start)}",
                      f"Đã mở lịch công tác tuần {week_code(schedule.week_start)}.", trigger=None)


@router.post("/schedule/{schedule_id}/events")
async def add_event(request: Request, schedule_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    fields = event_fields(form)
    week = await run_in_threadpool(_schedule_week, state, principal, schedule_id)
    return await _on_week(request, principal, week, lambda: schedule_commands.add_event(
        state.engine, **_actor(principal), schedule_id=schedule_id, data=fields),
        "Đã thêm nội dung vào lịch.", values=fields)


@router.post("/schedule/{schedule_id}/events/{event_id}")
async def change_event(request: Request, schedule_id: Id, event_id: Id, principal: WebUser, state: State,
                       _: CsrfChecked) -> Response:
    form = await request.form()
    fields = event_fields(form)
    week = await run_in_threadpool(_schedule_week, state, principal, schedule_id)
    return await _on_week(request, principal, week, lambda: schedule_commands.change_event(
        state.engine, **_actor(principal), schedule_id=schedule_id, event_id=event_id, data=fields),
        "Đã sửa nội dung của lịch.", values={**fields, "event_id": event_id})


@router.post("/schedule/{schedule_id}/events/{event_id}/delete")
async def remove_event(request: Request, schedule_id: Id, event_id: Id, principal: WebUser, state: State,
                       _: CsrfChecked) -> Response:
    week = await run_in_threadpool(_schedule_week, state, principal, schedule_id)
    return await _on_week(request, principal, week, lambda: schedule_commands.remove_event(
        state.engine, **_actor(principal), schedule_id=schedule_id, event_id=event_id), "Đã xóa nội dung khỏi lịch.")


@router.post("/schedule/{schedule_id}/submit")
async def submit(request: Request, schedule_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    week = await run_in_threadpool(_schedule_week, state, principal, schedule_id)
    try:
        await schedule_commands.submit(state.engine, state.client, state.settings, **_actor(principal),
                                       schedule_id=schedule_id)
    except DomainError as failure:
        if failure.status in (403, 404):
            raise
        refused = failure
    else:
        return flash.done(request, f"/schedule?week={week}",
                          "Đã trình lãnh đạo cơ quan duyệt lịch; lịch có hiệu lực khi được duyệt.", trigger=None)
    return await _show_week(request, principal, week, error=refused)


@router.post("/schedule/{schedule_id}/change")
async def open_change(request: Request, schedule_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    week = await run_in_threadpool(_schedule_week, state, principal, schedule_id)
    return await _on_week(request, principal, week, lambda: schedule_commands.open_change(
        state.engine, **_actor(principal), schedule_id=schedule_id),
        "Đã mở dự thảo điều chỉnh. Lịch đã ban hành vẫn giữ nguyên cho đến khi lãnh đạo duyệt điều chỉnh.")


@router.post("/schedule/{schedule_id}/change/cancel")
async def cancel_change(request: Request, schedule_id: Id, principal: WebUser, state: State,
                        _: CsrfChecked) -> Response:
    week = await run_in_threadpool(_schedule_week, state, principal, schedule_id)
    return await _on_week(request, principal, week, lambda: schedule_commands.cancel_change(
        state.engine, **_actor(principal), schedule_id=schedule_id), "Đã hủy dự thảo điều chỉnh.")


def _schedule_of_task(state, task_id: int) -> int | None:
    with reading(state.engine) as session:
        return schedule_repo.schedule_of_task(session, task_id)


@router.post("/schedule/tasks/{task_id}/act")
@answers_retries_with(RUN_AGAIN)
async def act(request: Request, task_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    """The head of the agency's decision, taken on the week page (the inbox's generic form goes to documents)."""
    form = await request.form()
    action = str(form.get("action", ""))
    fields = {spec.name: str(form.get(spec.name, "")).strip() for spec in ACTION_FIELDS.get(action, ())
              if str(form.get(spec.name, "")).strip()}
    schedule_id = await asyncio.to_thread(_schedule_of_task, state, task_id)
    outcome = await task_commands.act_on_task(state.engine, state.client, task_id=task_id, user=principal.user,
                                              roles=principal.roles, action=action, fields=fields,
                                              nonce=str(form.get("nonce", "")) or uuid.uuid4().hex)
    return flash.done(request, f"/schedule/{schedule_id}" if schedule_id else "/",
                      flash.decision_said(action, None, applied=outcome.applied))


@router.get("/schedule/{schedule_id:int}/print.pdf")
def print_schedule(schedule_id: Id, principal: WebUser, state: State) -> Response:
    return schedule_pdf(state, principal, schedule_id)


def schedule_pdf(state, principal: Principal, schedule_id: int) -> Response:
    view = schedule_commands.read_schedule(state.engine, user=principal.user, roles=principal.roles,
                                           schedule_id=schedule_id, published_only=True)
    if view.copy != "published":
        raise DomainError("schedule_not_published")
    data = schedule_report.render_schedule(view, utcnow(), principal.user.full_name)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{schedule_report.file_name(view)}"'})


# --- calendar feeds ---------------------------------------------------------------------------


def feed_urls(request: Request, token: str) -> dict[str, str]:
    base = str(request.base_url).rstrip("/")
    return {"agency": f"{base}/calendar/{token}/co-quan.ics", "personal": f"{base}/calendar/{token}/ca-nhan.ics"}


@router.get("/schedule/feeds")
def feeds_page(request: Request, principal: WebUser, state: State) -> Response:
    # A new secret address is shown once, on the page the creation redirected to.
    shown = flash.shown_once(request)
    page = render(request, "schedule/feeds.html", urls=feed_urls(request, shown[0]) if shown else None,
                  created_at=schedule_commands.feed_created_at(state.engine, principal.user.id))
    return flash.forget_shown(page) if shown else page


@router.post("/schedule/feeds")
def new_feed(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    token = schedule_commands.new_feed_token(state.engine, user_id=principal.user.id)
    answer = flash.done(request, "/schedule/feeds", "Đã tạo địa chỉ lịch riêng; địa chỉ cũ (nếu có) không còn dùng được.",
                        trigger=None)
    return flash.show_once(request, answer, [token])


@router.get("/calendar/{token}/co-quan.ics")
def agency_feed(token: str, state: State) -> Response:
    return Response(schedule_commands.feed_ics(state.engine, token, whole_agency=True), media_type=ICS_TYPE,
                    headers={"Cache-Control": "private, max-age=300"})


@router.get("/calendar/{token}/ca-nhan.ics")
def personal_feed(token: str, state: State) -> Response:
    return Response(schedule_commands.feed_ics(state.engine, token, whole_agency=False), media_type=ICS_TYPE,
                    headers={"Cache-Control": "private, max-age=300"})
