"""The period a statistic or report covers, read from a request (day, week, month, quarter, year, range).

``parse_period`` is the one reader for the page, API v1 and the reports. Refusals are
``DomainError``s with ``statistics_*`` codes (Vietnamese text in ``web.messages``): a malformed
value, an end before the start, a period that has not started yet (QĐ44 Điều 16 reports describe
what happened), a range longer than ``MAX_RANGE_DAYS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from models.errors import DomainError
from models.registers.numbering import VIETNAM

KINDS = ("day", "week", "month", "quarter", "year", "range")
MAX_RANGE_DAYS = 3660  # ten years: longer ranges are a typo, not a report
ROMAN_QUARTERS = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end`` inclusive, in Vietnam time; ``kind`` only shapes the label."""

    start: date
    end: date
    kind: str = "range"

    @property
    def label(self) -> str:
        start, end = self.start, self.end
        if self.kind == "day" or (self.kind == "range" and start == end):
            return f"Ngày {start:%d/%m/%Y}"
        if self.kind == "week":
            iso_year, week, _ = start.isocalendar()
            return f"Tuần {week}/{iso_year}"
        if self.kind == "month":
            return f"Tháng {start.month}/{start.year}"
        if self.kind == "quarter":
            return f"Quý {ROMAN_QUARTERS[(start.month - 1) // 3]}/{start.year}"
        if self.kind == "year":
            return f"Năm {start.year}"
        return f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The half-open interval of UTC instants [start 00:00, day after end 00:00), Vietnam time."""
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))

    def as_of(self, today: date) -> date:
        """The day open and overdue work is counted at: the period's end, or today if it ends later."""
        return min(self.end, today)


def local_midnight(day: date) -> datetime:
    """00:00 Vietnam time of ``day``, as an aware UTC instant."""
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC)


def local_day(instant: datetime) -> date:
    """The Vietnam calendar day of an aware instant."""
    return instant.astimezone(VIETNAM).date()


def parse_period(kind: str, value: str | None = None, start: str | None = None, end: str | None = None,
                 *, today: date) -> Period:
    """Read a period; ``value`` names it for a single kind, ``start``/``end`` bound a range.

    Values: day ``2026-12-03``, week ``2026-W48`` (ISO week), month ``2026-11``, quarter ``2026-Q4``
    (or ``2026-4``), year ``2026``; an empty value means the one containing ``today``. A range
    needs ``start`` and ``end`` (``YYYY-MM-DD``); a missing end is today. A period that reaches
    past today is kept as asked (its open work is counted as of today), one that starts after
    today is refused.
    """
    kind = (kind or "month").strip().lower()
    if kind not in KINDS:
        raise DomainError("statistics_period_kind", kind=kind[:20])
    value = (value or "").strip()
    if kind == "range":
        first = _day(start, "start") if (start or "").strip() else None
        last = _day(end, "end") if (end or "").strip() else today
        if first is None:
            raise DomainError("statistics_period_start_missing")
        period = Period(first, last, "range")
    elif kind == "day":
        day = _day(value, "value") if value else today
        period = Period(day, day, "day")
    elif kind == "week":
        period = _week(value, today)
    elif kind == "month":
        year, month = _month(value, today)
        following = date(year + month // 12, month % 12 + 1, 1)
        period = Period(date(year, month, 1), following - timedelta(days=1), "month")
    elif kind == "quarter":
        year, quarter = _quarter(value, today)
        following = date(year + quarter // 4, (quarter % 4) * 3 + 1, 1)
        period = Period(date(year, quarter * 3 - 2, 1), following - timedelta(days=1), "quarter")
    else:
        year = _year(value) if value else today.year
        period = Period(date(year, 1, 1), date(year, 12, 31), "year")
    if period.end < period.start:
        raise DomainError("statistics_period_reversed", start=f"{period.start:%d/%m/%Y}",
                          end=f"{period.end:%d/%m/%Y}")
    if period.start > today:
        raise DomainError("statistics_period_future", start=f"{period.start:%d/%m/%Y}")
    if period.days > MAX_RANGE_DAYS:
        raise DomainError("statistics_period_too_long", days=MAX_RANGE_DAYS)
    return period


def _bad(value: str, field: str = "value") -> DomainError:
    return DomainError("statistics_period_value", value=value[:30], field=field)


def _day(raw: str | None, field: str) -> date:
    text = (raw or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise _bad(text, field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(text, field) from None


def _year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 9999:
        raise _bad(text)
    return int(text)


def _week(text: str, today: date) -> Period:
    if not text:
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=6), "week")
    match = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text, re.IGNORECASE)
    if not match:
        raise _bad(text)
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise _bad(text) from None
    return Period(monday, monday + timedelta(days=6), "week")


def _month(text: str, today: date) -> tuple[int, int]:
    if not text:
        return today.year, today.month
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise _bad(text)
    return _year(match[1]), int(match[2])


def _quarter(text: str, today: date) -> tuple[int, int]:
    if not text:
        return today.year, (today.month - 1) // 3 + 1
    match = re.fullmatch(r"(\d{4})-Q?([1-4])", text, re.IGNORECASE)
    if not match:
        raise _bad(text)
    return _year(match[1]), int(match[2])
