"""Published schedules as iCalendar (RFC 5545) feeds, built with the ``icalendar`` library (pure).

A feed is a snapshot that calendar apps poll: it holds the published events of a window of weeks,
each with a stable ``UID`` (the event's ``uid``, the same in every publication) and the
``SEQUENCE`` its publications raised, so an app updates an event in place instead of adding it
twice; an event cancelled by a change simply leaves the feed. Times carry the Asia/Ho_Chi_Minh
``TZID`` with its ``VTIMEZONE``, so every app shows them at the hour the schedule says.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

if TYPE_CHECKING:  # what a feed shows of one published event
    from models.schedule.views import EventView as FeedEvent

PRODID = "-//QLVB//Lich cong tac tuan//VI"
TIMEZONE = "Asia/Ho_Chi_Minh"
UID_DOMAIN = "lich-cong-tac.qlvb"
VIETNAM_ZONE = ZoneInfo(TIMEZONE)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=VIETNAM_ZONE)


def _description(event: FeedEvent) -> str:
    lines = []
    if event.leader_names:
        lines.append("Lãnh đạo: " + ", ".join(event.leader_names))
    if event.participants_text:
        lines.append("Thành phần: " + event.participants_text)
    if event.preparing_unit_name:
        lines.append("Chuẩn bị: " + event.preparing_unit_name)
    return "\n".join(lines)


def build_feed(name: str, events: Sequence[FeedEvent], generated_at: datetime) -> bytes:
    """The calendar named ``name`` holding ``events``; ``generated_at`` stamps events never published."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TIMEZONE)
    for item in sorted(events, key=lambda e: (e.day, e.start_time, e.uid)):
        event = Event()
        event.add("uid", f"{item.uid}@{UID_DOMAIN}")
        event.add("dtstamp", item.published_at or generated_at)
        event.add("last-modified", item.updated_at)
        event.add("dtstart", _at(item.day, item.start_time))
        event.add("dtend", _at(item.day, item.end_time))
        event.add("sequence", item.sequence)
        event.add("status", "CONFIRMED")
        event.add("summary", item.content)
        if item.place:
            event.add("location", item.place)
        description = _description(item)
        if description:
            event.add("description", description)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
