"""Administrators correct the working-day calendar; new deadlines follow at once."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from models.audit import AuditEvent
from models.calendar.tables import CalendarDay
from models.calendar.workdays import add_working_days
from models.db import transaction
from tests.helpers import rows
from tests.web.conftest import browser_login


async def test_it_adds_an_extra_day_off_and_refuses_a_useless_one(web):
    csrf = await browser_login(web, "admin")
    added = await web.post("/admin/calendar", follow_redirects=True, data={"csrf_token": csrf, "day": "2026-12-31", "working": "0",
                                                     "note": "Nghỉ bù theo thông báo của UBND tỉnh"})
    assert added.status_code == 200 and "31/12/2026" in added.text
    useless = await web.post("/admin/calendar", data={"csrf_token": csrf, "day": "2026-12-27", "working": "0"})
    assert useless.status_code == 422 and "không cần điều chỉnh" in useless.text
    with transaction(web.engine) as session:
        overrides = {d.day: d.working for d in session.exec(select(CalendarDay))}
    assert overrides == {date(2026, 12, 31): False}
    from datetime import UTC, datetime
    due = add_working_days(datetime(2026, 12, 30, 3, 0, tzinfo=UTC), 1, overrides)
    assert due.date() == date(2027, 1, 4)  # 31/12 off, 1/1 holiday, then the weekend
    assert rows(web.engine, AuditEvent, AuditEvent.code == "calendar.changed")

    leader_csrf = await browser_login(web, "lanhdao")
    refused = await web.post("/admin/calendar", data={"csrf_token": leader_csrf, "day": "2026-12-30"})
    assert refused.status_code == 403
