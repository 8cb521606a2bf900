"""The working-day calendar, on SQLite and PostgreSQL: the province's administrator adds an extra
day off and a compensating working day, the deadline activity counts on them at once, removing a
correction brings the national calendar back; each change is audited with the day before and
after; an agency's administrator and bad input are refused in Vietnamese and change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from activities.calendar import CalendarActivities
from commands import configuration_calendar as calendar_commands
from models.audit import AuditEvent
from models.calendar.tables import CalendarDay
from models.db import reading
from models.errors import DomainError, Forbidden
from tests.helpers import actor_of, agency_admin, rows
from web.messages import field_errors, message_of
from workflows.contracts import DueAtInput

WEDNESDAY_MORNING = datetime(2026, 12, 30, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def _due(engine, start=WEDNESDAY_MORNING, working_days=1) -> date:
    result = CalendarActivities(engine).compute_due_at(DueAtInput(start=start, working_days=working_days))
    return result.due_at.astimezone(UTC).date()


def _state(engine):
    with reading(engine) as session:
        days = [(d.day, d.working, d.note) for d in session.exec(select(CalendarDay).order_by(CalendarDay.day))]
        return days, len(session.exec(select(AuditEvent)).all())


def test_deadlines_count_on_the_days_the_administrator_adds_and_removes(seeded):
    engine = seeded
    admin = actor_of(engine, "admin")
    assert _due(engine) == date(2026, 12, 31)
    off = calendar_commands.set_day(engine, **admin, day_text="2026-12-31", working=False,
                                    note="Nghỉ bù theo thông báo của UBND tỉnh")
    assert (off.working, off.national_working) == (False, True)
    assert _due(engine) == date(2027, 1, 4)  # 31/12 off, 1/1 a holiday, then the weekend
    worked = calendar_commands.set_day(engine, **admin, day_text="2027-01-02", working=True, note="Làm bù")
    assert (worked.working, worked.national_working) == (True, False)
    assert _due(engine) == date(2027, 1, 2)  # the Saturday is worked
    assert [(d.day, d.working) for d in calendar_commands.list_days(engine, **admin, year=2026)] == [
        (date(2026, 12, 31), False)]
    # The same correction again changes and records nothing; a new note is a change.
    calendar_commands.set_day(engine, **admin, day_text="2027-01-02", working=True, note="Làm bù")
    calendar_commands.set_day(engine, **admin, day_text="2027-01-02", working=True, note="Làm bù cho 31/12")
    assert calendar_commands.remove_day(engine, **admin, day_text="2027-01-02") == date(2027, 1, 2)
    assert _due(engine) == date(2027, 1, 4)
    events = sorted(rows(engine, AuditEvent, AuditEvent.subject_type == "calendar"), key=lambda e: e.id)
    assert [(e.code, e.subject_id, e.data["before"], e.data["after"]) for e in events] == [
        ("calendar.changed", "2026-12-31", {"working": True, "note": "", "source": "national"},
         {"working": False, "note": "Nghỉ bù theo thông báo của UBND tỉnh", "source": "correction"}),
        ("calendar.changed", "2027-01-02", {"working": False, "note": "", "source": "national"},
         {"working": True, "note": "Làm bù", "source": "correction"}),
        ("calendar.changed", "2027-01-02", {"working": True, "note": "Làm bù", "source": "correction"},
         {"working": True, "note": "Làm bù cho 31/12", "source": "correction"}),
        ("calendar.removed", "2027-01-02", {"working": True, "note": "Làm bù cho 31/12", "source": "correction"},
         {"working": False, "note": "", "source": "national"}),
    ]


def test_an_agency_administrator_and_bad_days_are_refused_and_change_nothing(seeded):
    engine = seeded
    admin, snv_admin = actor_of(engine, "admin"), agency_admin(engine)
    calendar_commands.set_day(engine, **admin, day_text="2026-12-31", working=False, note="")
    before = _state(engine)
    for call in (
        lambda: calendar_commands.set_day(engine, **snv_admin, day_text="2026-12-30", working=False, note=""),
        lambda: calendar_commands.remove_day(engine, **snv_admin, day_text="2026-12-31"),
    ):
        with pytest.raises(Forbidden) as refused:
            call()
        assert "chỉ quản trị hệ thống cấp tỉnh" in message_of(refused.value)
    assert calendar_commands.list_days(engine, **snv_admin, year=2026)  # an agency's administrator reads it
    with pytest.raises(Forbidden):
        calendar_commands.list_days(engine, **actor_of(engine, "lanhdao"), year=2026)
    cases = [
        (dict(day_text="31/12/2026", working=False, note=""), "calendar_bad_date", "Ngày không hợp lệ"),
        (dict(day_text="2026-02-30", working=False, note=""), "calendar_bad_date", "Ngày không hợp lệ"),
        (dict(day_text="0999-01-01", working=False, note=""), "calendar_bad_date", "Ngày không hợp lệ"),
        (dict(day_text="2026-12-27", working=False, note=""), "calendar_no_change", "không cần điều chỉnh"),
        (dict(day_text="2026-12-30", working=False, note="x" * 201), "invalid_fields", "Ghi chú: quá dài"),
        (dict(day_text="2026-12-30", working=False, note="Nghỉ\x00"), "invalid_fields", "Ghi chú: chứa ký tự"),
    ]
    for values, code, words in cases:
        with pytest.raises(DomainError) as refused:
            calendar_commands.set_day(engine, **admin, **values)
        said = message_of(refused.value) + " " + " ".join(field_errors(refused.value).values())
        assert refused.value.code == code and words in said, said
    with pytest.raises(DomainError) as refused:
        calendar_commands.remove_day(engine, **admin, day_text="2026-12-30")
    assert "không có điều chỉnh nào" in message_of(refused.value)
    assert _state(engine) == before
