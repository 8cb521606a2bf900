"""The administrator's corrections to the working-day calendar (make-up days, extra days off).

New deadlines use them at once: the ``compute_due_at`` activity reads them each time. Deadlines
already computed keep their value (they are recorded in workflow history). The command that
changes a day writes its audit event with the day as it was and as it is.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from models.calendar.tables import CalendarDay
from models.calendar.workdays import is_working_day
from models.errors import DomainError, NotFound


def list_days(session: Session, year: int | None = None) -> list[CalendarDay]:
    """The corrections, in date order (one year, or all)."""
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return list(session.exec(query))


def day_state(session: Session, day: date) -> dict:
    """What ``day`` is now: worked or not, and whether by the national calendar or a correction."""
    row = session.get(CalendarDay, day)
    if row is None:
        return {"working": is_working_day(day), "note": "", "source": "national"}
    return {"working": row.working, "note": row.note, "source": "correction"}


def set_day(session: Session, day: date, working: bool, note: str) -> CalendarDay:
    """Declare ``day`` worked (làm bù) or off; refuse a correction that changes nothing.

    ``note`` is already checked (one line, at most 200 characters).
    """
    row = session.get(CalendarDay, day)
    if row is None and is_working_day(day) == working:
        raise DomainError("calendar_no_change")
    row = row or CalendarDay(day=day, working=working)
    row.working, row.note = working, note
    session.add(row)
    return row


def remove_day(session: Session, day: date) -> None:
    """Drop a correction: the national calendar applies again on that day."""
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound("calendar_day_not_found")
    session.delete(row)


def overrides(session: Session) -> dict[date, bool]:
    """Every correction as day → working (what the working-day arithmetic takes)."""
    return {day.day: day.working for day in session.exec(select(CalendarDay))}
