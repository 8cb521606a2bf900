"""Working-day arithmetic on the Vietnamese calendar.

The public holidays (Tết and the other lunar dates, and the government's announced swaps, where
a Saturday is worked to bridge a holiday) come from the ``holidays`` package; an administrator's
corrections (extra days off, make-up days the package does not know yet) override them.
Workflows never call this: the ``due_at`` activity does, and its result is recorded in history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from models.registers.numbering import VIETNAM

END_OF_WORKDAY = time(17, 0)


@lru_cache(maxsize=64)
def _national_calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_working_day(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    """Tell whether ``day`` is worked; ``overrides`` maps a date to True (worked) or False (off)."""
    if overrides and day in overrides:
        return overrides[day]
    return _national_calendar(day.year).is_working_day(day)


def add_working_days(
    start: datetime, working_days: int, overrides: Mapping[date, bool] | None = None
) -> datetime:
    """Return the deadline ``working_days`` working days after ``start``, at 17:00 Vietnam time.

    1. Convert ``start`` to Vietnam time; the day of receipt itself does not count.
    2. Step forward one calendar day at a time, counting only working days.
    3. The deadline is the end of the last counted day (17:00, +07:00), returned as UTC.

    ``working_days`` of 0 means "at once" (urgent documents, ND30 Điều 23.1): by the end of
    the day of receipt, or of the next working day when received after hours or on a day off.
    """
    if start.tzinfo is None:
        raise ValueError("aware datetime required")
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    local = start.astimezone(VIETNAM)
    day = local.date()
    remaining = working_days
    if remaining == 0 and (local.time() >= END_OF_WORKDAY or not is_working_day(day, overrides)):
        remaining = 1
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            remaining -= 1
    return datetime.combine(day, END_OF_WORKDAY, tzinfo=VIETNAM).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The end of the working day ``day`` (17:00 Vietnam time), as UTC."""
    return datetime.combine(day, END_OF_WORKDAY, tzinfo=VIETNAM).astimezone(UTC)


ISSUE_BY_MORNING = time(12, 0)


def issue_deadline(signed_at: datetime, overrides: Mapping[date, bool] | None = None) -> datetime:
    """When a signed document must be issued at the latest: the next working morning (as UTC).

    QĐ44 Điều 6.2: issued the day it is signed, at the latest in the morning of the next working
    day. "Morning" ends at noon, Vietnam time.
    """
    day = signed_at.astimezone(VIETNAM).date() + timedelta(days=1)
    while not is_working_day(day, overrides):
        day += timedelta(days=1)
    return datetime.combine(day, ISSUE_BY_MORNING, tzinfo=VIETNAM).astimezone(UTC)
