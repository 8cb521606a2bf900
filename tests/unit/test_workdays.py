"""Working-day deadlines on the Vietnamese calendar (weekends, Tết, administrator overrides)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models.calendar.workdays import add_working_days, is_working_day
from models.registers.numbering import VIETNAM


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware instant given in Hà Nội time."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


def end_of(year: int, month: int, day: int) -> datetime:
    """17:00 Hà Nội time on a day, as the function returns it (UTC)."""
    return datetime(year, month, day, 17, 0, tzinfo=VIETNAM).astimezone(UTC)


def test_it_skips_the_weekend():
    friday = local(2026, 3, 6, 10)
    assert add_working_days(friday, 1) == end_of(2026, 3, 9)  # Monday
    assert add_working_days(friday, 3) == end_of(2026, 3, 11)  # Wednesday


def test_it_does_not_count_the_day_of_receipt():
    monday = local(2026, 3, 9, 8)
    assert add_working_days(monday, 1) == end_of(2026, 3, 10)


def test_it_skips_tet_2026():
    for day in range(16, 21):
        assert not is_working_day(date(2026, 2, day)), f"16–20/2/2026 are Tết holidays ({day})"
    friday_before_tet = local(2026, 2, 13, 10)
    # Sat 14, Sun 15, Tết Mon 16 – Fri 20, Sat 21, Sun 22: the first working day is Mon 23.
    assert add_working_days(friday_before_tet, 1) == end_of(2026, 2, 23)
    assert add_working_days(friday_before_tet, 2) == end_of(2026, 2, 24)


def test_it_honours_an_extra_day_off_set_by_the_administrator():
    friday = local(2026, 3, 6, 10)
    overrides = {date(2026, 3, 9): False}
    assert add_working_days(friday, 1, overrides) == end_of(2026, 3, 10)


def test_it_honours_a_make_up_saturday_set_by_the_administrator():
    friday = local(2026, 3, 6, 10)
    overrides = {date(2026, 3, 7): True}
    assert add_working_days(friday, 1, overrides) == end_of(2026, 3, 7)
    assert add_working_days(friday, 2, overrides) == end_of(2026, 3, 9)


def test_it_lets_an_override_win_over_a_national_holiday():
    friday_before_tet = local(2026, 2, 13, 10)
    overrides = {date(2026, 2, 20): True}
    assert add_working_days(friday_before_tet, 1, overrides) == end_of(2026, 2, 20)


def test_it_gives_zero_days_the_same_day_when_received_before_17h():
    assert add_working_days(local(2026, 3, 11, 9), 0) == end_of(2026, 3, 11)
    assert add_working_days(local(2026, 3, 11, 16, 59), 0) == end_of(2026, 3, 11)


def test_it_gives_zero_days_the_next_working_day_when_received_after_17h():
    assert add_working_days(local(2026, 3, 11, 17, 0), 0) == end_of(2026, 3, 12)
    assert add_working_days(local(2026, 3, 11, 17, 30), 0) == end_of(2026, 3, 12)
    # Friday evening: the next working day is Monday.
    assert add_working_days(local(2026, 3, 13, 18), 0) == end_of(2026, 3, 16)


def test_it_gives_zero_days_the_next_working_day_when_received_on_a_day_off():
    saturday = local(2026, 3, 7, 9)
    assert add_working_days(saturday, 0) == end_of(2026, 3, 9)


def test_it_reads_the_start_in_vietnam_time():
    # 2026-03-11T11:00Z is 18:00 in Hà Nội: after hours, so "at once" means Thursday.
    assert add_working_days(datetime(2026, 3, 11, 11, 0, tzinfo=UTC), 0) == end_of(2026, 3, 12)
    # 2026-03-05T18:00Z (a Thursday in UTC) is already Friday 01:00 in Hà Nội: Friday is the day
    # of receipt, so one working day later is Monday, not Friday.
    assert add_working_days(datetime(2026, 3, 5, 18, 0, tzinfo=UTC), 1) == end_of(2026, 3, 9)


def test_it_returns_an_aware_utc_instant_at_17h_vietnam_time():
    due = add_working_days(local(2026, 3, 6, 10), 1)
    assert due.tzinfo is not None
    assert due.utcoffset() == timedelta(0)
    assert due == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    shown = due.astimezone(VIETNAM)
    assert (shown.hour, shown.minute, shown.utcoffset()) == (17, 0, timedelta(hours=7))


def test_it_refuses_naive_starts_and_negative_days():
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 3, 6, 10), 1)
    with pytest.raises(ValueError):
        add_working_days(local(2026, 3, 6), -1)
