"""Pure rules of the weekly work schedule: ISO weeks, an event's times, and leaders booked twice.

A week is an ISO 8601 week (Monday to Sunday), written ``YYYY-Www`` as HTML's week input sends it.
Days and times are Vietnam time; an event's day and times are stored as they are read aloud.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from models.errors import DomainError
from models.registers.numbering import VIETNAM
from models.vocab import Role
from workflows.work_contracts import ScheduleApprovalInput

# The văn phòng drafts (the văn thư, or an officer designated to); the agency's leaders approve.
DRAFTERS = frozenset({Role.CLERK, Role.SCHEDULER})
SEES_DRAFTS = DRAFTERS | {Role.AGENCY_LEADER}
# The weeks a calendar feed holds around the current one: apps keep what they already fetched.
FEED_WEEKS_BEFORE, FEED_WEEKS_AFTER = 4, 12
WEEK_CODE = re.compile(r"^(\d{4})-W(\d{2})$")
# Thứ Hai … Chủ nhật, as the printed lịch công tác names its days (date.weekday() order).
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class Timed(Protocol):
    """What the overlap check reads of an event (a table row or a view)."""

    uid: str
    day: date
    start_time: time
    end_time: time
    leader_ids: list[int]


def may_draft(roles: Iterable[Role]) -> bool:
    return bool(DRAFTERS & set(roles))


def sees_drafts(roles: Iterable[Role]) -> bool:
    """Drafters and leaders see the working copy; everyone else of the agency the published one."""
    return bool(SEES_DRAFTS & set(roles))


def parse_week(code: str) -> date:
    """The Monday of ISO week ``YYYY-Www``; ``schedule_bad_week`` when there is no such week."""
    match = WEEK_CODE.match((code or "").strip())
    if match is None:
        raise DomainError("schedule_bad_week", week=(code or "")[:20])
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:  # week 00, or 53 in a year of 52 weeks
        raise DomainError("schedule_bad_week", week=code.strip()) from None


def week_of(day: date) -> date:
    """The Monday of the ISO week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def week_code(monday: date) -> str:
    """``YYYY-Www`` of the week starting ``monday`` (the ISO year, which may differ from the date's)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_number(monday: date) -> int:
    return monday.isocalendar()[1]


def current_week(now: datetime) -> date:
    """The Monday of this week in Vietnam."""
    return week_of(now.astimezone(VIETNAM).date())


def week_label(monday: date) -> str:
    """«tuần 49 (30/11/2026 – 06/12/2026)», as notifications and headings name a week."""
    return f"tuần {week_number(monday)} ({monday:%d/%m/%Y} – {monday + timedelta(days=6):%d/%m/%Y})"


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(7)]


def weekday_name(day: date) -> str:
    return WEEKDAY_NAMES[day.weekday()]


def in_week(monday: date, day: date) -> bool:
    return monday <= day <= monday + timedelta(days=6)


def check_event_times(monday: date, day: date, start: time, end: time) -> None:
    """Refuse an event outside the schedule's week, or one that ends before (or when) it starts."""
    if not in_week(monday, day):
        raise DomainError("schedule_event_outside_week", first=f"{monday:%d/%m/%Y}",
                          last=f"{monday + timedelta(days=6):%d/%m/%Y}", fields={"day": "outside_week"})
    if end <= start:
        raise DomainError("schedule_event_ends_before_start", start=f"{start:%H:%M}", end=f"{end:%H:%M}",
                          fields={"end_time": "before_start"})


@dataclass(frozen=True)
class Overlap:
    """A leader booked for two events whose times intersect on the same day."""

    leader_id: int
    day: date
    first_uid: str
    second_uid: str


def overlaps(events: Iterable[Timed]) -> list[Overlap]:
    """Every pair of events that books the same leader at the same time (touching ends do not count).

    A warning only (DOMAIN F-IV.2: warn about conflicts): a leader may leave one meeting for
    another, and the văn phòng decides. Sorted by day, start and leader so pages list them stably.
    """
    ordered = sorted(events, key=lambda e: (e.day, e.start_time, e.end_time, e.uid))
    found: list[Overlap] = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1:]:
            # Sorted by start: once one starts after ``first`` ends (or on another day), all later do.
            if second.day != first.day or second.start_time >= first.end_time:
                break
            for leader_id in sorted(set(first.leader_ids) & set(second.leader_ids)):
                found.append(Overlap(leader_id, first.day, first.uid, second.uid))
    return found


def overlaps_with(events: Sequence[Timed], uid: str) -> list[Overlap]:
    """The overlaps that involve the event ``uid`` (the warning given when it is saved)."""
    return [o for o in overlaps(events) if uid in (o.first_uid, o.second_uid)]


def approval_input(schedule_id: int, agency_id: int, approval_round: int, published_version: int) -> ScheduleApprovalInput:
    """The start input of a schedule's approval round (a change once it was published)."""
    return ScheduleApprovalInput(schedule_id, agency_id, approval_round, change=published_version > 0)
