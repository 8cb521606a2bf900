"""The working-day calendar deadlines are counted on (DOMAIN §10.4; ND30 Điều 24).

The national holidays and announced swaps come with the ``holidays`` package; the province's
administrator adds the rest: extra days off (a provincial holiday, a day announced late) and
compensating working days (làm bù), or removes a correction. The calendar is one for the whole
installation, since every agency's deadlines run on it, so an agency's administrator reads it and
the province's administrator changes it. New deadlines use a change at once
(``activities.calendar``); deadlines already computed keep their value. Each change is audited
with the day as it was and as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from commands.configuration import admin_scope, require_province_admin
from models.audit import record
from models.bounds import parse_int
from models.calendar import repo as calendar_repo
from models.calendar.workdays import is_working_day
from models.db import reading, transaction
from models.errors import DomainError
from models.text import refuse_unsafe_text
from models.vocab import Role

NOTE_LIMIT = 200
FIRST_YEAR, LAST_YEAR = 1900, 2199  # models.bounds.Year


@dataclass
class CalendarDayView:
    """A correction: the day, worked or not, its note, and what the national calendar says."""

    day: date
    working: bool
    note: str
    national_working: bool


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD within the years the calendar holds, or ``calendar_bad_date``."""
    try:
        day = date.fromisoformat(str(text or "").strip())
    except ValueError:
        raise DomainError("calendar_bad_date") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError("calendar_bad_date")
    return day


def parse_year(text: str, default: int) -> int:
    """A year typed in a query, or ``default`` when empty; ``calendar_bad_date`` out of range."""
    if not str(text or "").strip():
        return default
    year = parse_int(text, FIRST_YEAR, LAST_YEAR)
    if year is None:
        raise DomainError("calendar_bad_date")
    return year


def list_days(engine: Engine, *, actor_id: int, roles: set[Role], year: int) -> list[CalendarDayView]:
    """The corrections of one year, in date order."""
    with reading(engine) as session:
        admin_scope(session, actor_id, roles)
        return [CalendarDayView(row.day, row.working, row.note, is_working_day(row.day))
                for row in calendar_repo.list_days(session, year)]


def set_day(engine: Engine, *, actor_id: int, roles: set[Role], day_text: str, working: bool,
            note: str) -> CalendarDayView:
    """Make ``day`` a compensating working day (``working``) or an extra day off.

    Refused when the national calendar already says so and no correction exists (nothing to
    correct); the same correction again changes nothing and records nothing.
    """
    day = parse_day(day_text)
    refuse_unsafe_text(multiline=False, note=note)
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise DomainError("invalid_fields", fields={"note": "too_long"})
    with transaction(engine) as session:
        require_province_admin(session, actor_id, roles, "config_calendar_province_only")
        before = calendar_repo.day_state(session, day)
        after = {"working": working, "note": note, "source": "correction"}
        if before == after:
            return CalendarDayView(day, working, note, is_working_day(day))
        calendar_repo.set_day(session, day, working, note)
        session.flush()
        record(session, actor_id, "calendar.changed", "calendar", day.isoformat(), working=working, note=note,
               before=before, after=after)
        return CalendarDayView(day, working, note, is_working_day(day))


def remove_day(engine: Engine, *, actor_id: int, roles: set[Role], day_text: str) -> date:
    """Drop the correction of ``day``: the national calendar applies again."""
    day = parse_day(day_text)
    with transaction(engine) as session:
        require_province_admin(session, actor_id, roles, "config_calendar_province_only")
        before = calendar_repo.day_state(session, day)
        calendar_repo.remove_day(session, day)
        session.flush()
        record(session, actor_id, "calendar.removed", "calendar", day.isoformat(), before=before,
               after={"working": is_working_day(day), "note": "", "source": "national"})
        return day
