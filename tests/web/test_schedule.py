"""The weekly work schedule through the pages and API v1, with the real worker behind them.

The văn thư drafts (a leader booked twice is a warning, bad input a Vietnamese refusal that changes
nothing), the head of the agency approves through the task API or on the page, everyone of the
agency reads the published week, its PDF and its iCalendar feeds (parsed back with ``icalendar``),
and a published week changes only through a change round.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from icalendar import Calendar
from sqlmodel import func, select

from models.db import reading
from models.schedule.tables import ScheduleEvent
from tests.helpers import eventually_async, rows, user_and_roles
from tests.web.conftest import api_token, browser_login

TODAY = date.today()
MONDAY = TODAY - timedelta(days=TODAY.weekday())
WEEK = "{}-W{:02d}".format(*MONDAY.isocalendar()[:2])


def _ids(web) -> dict[str, int]:
    return {name: user_and_roles(web.engine, name)[0].id for name in ("lanhdao", "chuyenvien", "vanthu")}


def _event_count(web) -> int:
    with reading(web.engine) as session:
        return session.exec(select(func.count()).select_from(ScheduleEvent)).one()


async def _task_of(web, headers, schedule_id: int) -> dict:
    """The leader's approval step of the schedule, once the worker opened it."""
    async def find():
        tasks = (await web.get("/api/v1/tasks?scope=unit", headers=headers)).json()
        return next((t for t in tasks if t["schedule_id"] == schedule_id), None)
    return await eventually_async(find)


async def _published(web, headers, schedule_id: int, start_time: str | None = None) -> dict:
    """The schedule once the worker has published it (with its first event at ``start_time``)."""
    async def check():
        body = (await web.get(f"/api/v1/schedules/{schedule_id}", headers=headers)).json()
        ready = body["status"] == "da_ban_hanh" and (start_time is None or body["events"][0]["start_time"] == start_time)
        return body if ready else None
    return await eventually_async(check)


async def test_api_drafts_submits_approves_through_the_task_api_and_changes_in_a_round(web):
    ids = _ids(web)
    clerk, leader, officer = [await api_token(web, name) for name in ("vanthu", "lanhdao", "chuyenvien")]
    created = await web.post("/api/v1/schedules", json={"week": WEEK}, headers=clerk)
    assert created.status_code == 201, created.text
    schedule_id = created.json()["id"]
    again = await web.post("/api/v1/schedules", json={"week": WEEK}, headers=clerk)
    assert (again.status_code, again.json()["id"]) == (200, schedule_id)
    assert (await web.post("/api/v1/schedules", json={"week": WEEK}, headers=officer)).status_code == 403

    event = {"day": (MONDAY + timedelta(days=1)).isoformat(), "start_time": "08:00", "end_time": "10:00",
             "content": "Giao ban lãnh đạo Văn phòng", "place": "Phòng họp tầng 2", "leader_ids": [ids["lanhdao"]],
             "participant_user_ids": [ids["chuyenvien"]]}
    first = await web.post(f"/api/v1/schedules/{schedule_id}/events", json=event, headers=clerk)
    assert first.status_code == 201, first.text
    assert first.json()["event"]["starts_at"].endswith("T08:00:00+07:00") and first.json()["warnings"] == []
    second = await web.post(f"/api/v1/schedules/{schedule_id}/events", headers=clerk,
                            json={**event, "start_time": "09:00", "end_time": "11:00", "content": "Tiếp công dân"})
    assert second.status_code == 201
    assert second.json()["warnings"] == [{"leader_id": ids["lanhdao"], "leader_name": "Trần Văn Minh",
                                          "day": event["day"], "event_ids": [first.json()["event"]["id"],
                                                                             second.json()["event"]["id"]]}]

    count = _event_count(web)
    for bad, code in (({"end_time": "07:00"}, "schedule_event_ends_before_start"),
                      ({"day": (MONDAY + timedelta(days=7)).isoformat()}, "schedule_event_outside_week"),
                      ({"leader_ids": [user_and_roles(web.engine, "lanhdao.snv")[0].id]}, "schedule_foreign_people")):
        refused = await web.post(f"/api/v1/schedules/{schedule_id}/events", json={**event, **bad}, headers=clerk)
        assert (refused.status_code, refused.json()["code"]) == (422, code), refused.text
        assert refused.json()["detail"].endswith("."), refused.json()  # a Vietnamese sentence
    assert _event_count(web) == count
    deleted = await web.delete(f"/api/v1/schedules/{schedule_id}/events/{second.json()['event']['id']}", headers=clerk)
    assert deleted.status_code == 204

    submitted = await web.post(f"/api/v1/schedules/{schedule_id}/submit", headers=clerk)
    assert (submitted.status_code, submitted.json()["status"]) == (202, "cho_duyet")
    task = await _task_of(web, leader, schedule_id)
    assert [a["action"] for a in task["actions"]] == ["duyet_lich", "tra_lai_lich"]
    decided = await web.post(f"/api/v1/tasks/{task['id']}/actions", headers=leader,
                             json={"action": "duyet_lich", "fields": {"comment": "Đồng ý"}})
    assert decided.status_code == 200, decided.text
    published = await _published(web, officer, schedule_id)
    assert [e["content"] for e in published["events"]] == ["Giao ban lãnh đạo Văn phòng"]

    # A published week is not edited without a change round; with one, the change is approved in turn.
    refused = await web.post(f"/api/v1/schedules/{schedule_id}/events", json=event, headers=clerk)
    assert (refused.status_code, refused.json()["code"]) == (409, "schedule_published_needs_change")
    assert (await web.post(f"/api/v1/schedules/{schedule_id}/change", headers=clerk)).json()["status"] == "dang_dieu_chinh"
    event_id = published["events"][0]["id"]
    working = (await web.get(f"/api/v1/schedules/{schedule_id}", headers=clerk)).json()
    working_id = working["events"][0]["id"]
    assert working_id != event_id  # the working copy, beside the published one
    moved = await web.post(f"/api/v1/schedules/{schedule_id}/events/{working_id}", headers=clerk,
                           json={**event, "start_time": "14:00", "end_time": "16:00"})
    assert moved.status_code == 200, moved.text
    assert (await web.get(f"/api/v1/schedules/{schedule_id}", headers=officer)).json()["events"][0]["start_time"] == "08:00"
    await web.post(f"/api/v1/schedules/{schedule_id}/submit", headers=clerk)
    task = await _task_of(web, leader, schedule_id)
    assert (await web.post(f"/api/v1/tasks/{task['id']}/actions", headers=leader,
                           json={"action": "duyet_lich"})).status_code == 200
    await _published(web, officer, schedule_id, "14:00")
    notes = (await web.get("/api/v1/schedules", headers=officer)).json()
    assert [n["published_version"] for n in notes if n["id"] == schedule_id] == [2]


async def test_the_week_page_warns_refuses_in_vietnamese_and_the_leader_decides_on_it(web):
    ids = _ids(web)
    csrf = await browser_login(web, "vanthu")
    opened = await web.post("/schedule", data={"week": WEEK, "csrf_token": csrf})
    assert opened.status_code == 303 and opened.headers["location"] == f"/schedule?week={WEEK}"
    page = await web.get(opened.headers["location"])
    schedule_id = int(re.search(r'action="/schedule/(\d+)/events"', page.text).group(1))
    day = (MONDAY + timedelta(days=2)).isoformat()
    form = {"csrf_token": csrf, "day": day, "start_time": "08:00", "end_time": "10:00", "content": "Họp Ban Giám đốc",
            "place": "Phòng họp số 1", "leader_ids": str(ids["lanhdao"])}
    assert (await web.post(f"/schedule/{schedule_id}/events", data=form)).status_code == 303
    overlap = await web.post(f"/schedule/{schedule_id}/events", follow_redirects=True,
                             data={**form, "start_time": "09:30", "end_time": "11:00", "content": "Đi kiểm tra cơ sở"})
    assert "lãnh đạo bị trùng lịch: Trần Văn Minh" in overlap.text  # said with the result, until read
    assert 'id="overlaps"' in overlap.text and "booked-twice" in overlap.text

    count = _event_count(web)
    refused = await web.post(f"/schedule/{schedule_id}/events",
                             data={**form, "end_time": "07:30", "content": "Họp chuẩn bị Tết"})
    assert refused.status_code == 422
    assert "Giờ kết thúc (07:30) phải sau giờ bắt đầu (08:00)" in refused.text
    assert "Họp chuẩn bị Tết</textarea>" in refused.text  # the form keeps what was typed
    assert _event_count(web) == count

    submitted = await web.post(f"/schedule/{schedule_id}/submit", data={"csrf_token": csrf}, follow_redirects=True)
    assert "Đã trình lãnh đạo cơ quan duyệt lịch" in submitted.text
    # The PDF is printed only once published.
    assert (await web.get(f"/schedule/{schedule_id}/print.pdf")).status_code == 409

    web.cookies.clear()
    csrf = await browser_login(web, "lanhdao")
    page = await eventually_page(web, f"/schedule/{schedule_id}", "Duyệt lịch công tác tuần")
    task_id = int(re.search(r'action="/schedule/tasks/(\d+)/act"', page.text).group(1))
    decided = await web.post(f"/schedule/tasks/{task_id}/act", data={"csrf_token": csrf, "action": "duyet_lich",
                                                                      "nonce": "page-1"})
    assert decided.status_code == 303 and decided.headers["location"] == f"/schedule/{schedule_id}"

    web.cookies.clear()
    await browser_login(web, "chuyenvien")
    week = await eventually_page(web, f"/schedule?week={WEEK}", "Đã ban hành")
    assert "Họp Ban Giám đốc" in week.text and "Đi kiểm tra cơ sở" in week.text
    assert 'id="overlaps"' in week.text  # the published week still shows the double booking
    pdf = await web.get(f"/schedule/{schedule_id}/print.pdf")
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf") and pdf.content.startswith(b"%PDF")
    # Another agency's people never see it.
    web.cookies.clear()
    await browser_login(web, "vanthu.snv")
    assert (await web.get(f"/schedule/{schedule_id}")).status_code == 404
    assert rows(web.engine, ScheduleEvent, ScheduleEvent.schedule_id == schedule_id)


async def eventually_page(web, url: str, text: str):
    """The page once the worker has done its part (it shows ``text``)."""
    async def fetch():
        response = await web.get(url, follow_redirects=True)
        return response if text in response.text else None
    return await eventually_async(fetch)


async def test_the_ical_feeds_answer_their_secret_address_only(web):
    ids = _ids(web)
    clerk, leader = await api_token(web, "vanthu"), await api_token(web, "lanhdao")
    schedule_id = (await web.post("/api/v1/schedules", json={"week": WEEK}, headers=clerk)).json()["id"]
    for content, people in (("Hội nghị giao ban", [ids["chuyenvien"]]), ("Tiếp khách", [])):
        await web.post(f"/api/v1/schedules/{schedule_id}/events", headers=clerk, json={
            "day": MONDAY.isoformat(), "start_time": "08:00" if people else "14:00",
            "end_time": "09:00" if people else "15:00", "content": content, "place": "Hội trường",
            "leader_ids": [ids["lanhdao"]], "participant_user_ids": people})
    await web.post(f"/api/v1/schedules/{schedule_id}/submit", headers=clerk)
    task = await _task_of(web, leader, schedule_id)
    await web.post(f"/api/v1/tasks/{task['id']}/actions", headers=leader, json={"action": "duyet_lich"})
    await _published(web, leader, schedule_id)

    csrf = await browser_login(web, "chuyenvien")
    made = await web.post("/schedule/feeds", data={"csrf_token": csrf}, follow_redirects=True)
    personal = re.search(r'id="feed-personal" readonly value="([^"]+)"', made.text).group(1)
    agency = re.search(r'id="feed-agency" readonly value="([^"]+)"', made.text).group(1)
    web.cookies.clear()  # calendar apps send no cookie and no token
    mine = await web.get(personal.removeprefix("http://testserver"))
    assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/calendar")
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(mine.content).walk("VEVENT")] == ["Hội nghị giao ban"]
    everyone = Calendar.from_ical((await web.get(agency.removeprefix("http://testserver"))).content)
    events = sorted(everyone.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [str(e["SUMMARY"]) for e in events] == ["Hội nghị giao ban", "Tiếp khách"]
    assert events[1].decoded("DTSTART").isoformat() == f"{MONDAY.isoformat()}T14:00:00+07:00"
    assert "Trần Văn Minh" in str(events[0]["DESCRIPTION"])

    # A new address (here through API v1) retires the old one.
    renewed = await web.post("/api/v1/calendar-feed", headers=await api_token(web, "chuyenvien"))
    assert renewed.status_code == 200 and renewed.json()["personal"] != personal
    assert (await web.get(personal.removeprefix("http://testserver"))).status_code == 404
    assert (await web.get("/calendar/not-a-token/co-quan.ics")).status_code == 404


async def test_api_v1_describes_the_schedule_routes(web):
    spec = (await web.get("/openapi.json")).json()
    for path, method in (("/api/v1/schedules", "get"), ("/api/v1/schedules", "post"),
                         ("/api/v1/schedules/{schedule_id}/events", "post"),
                         ("/api/v1/schedules/{schedule_id}/submit", "post"), ("/api/v1/calendar-feed", "post")):
        assert spec["paths"][path][method]["summary"], (path, method)
    event = spec["components"]["schemas"]["EventInput"]["properties"]
    assert event["end_time"]["description"].startswith("Giờ kết thúc")
