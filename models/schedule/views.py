"""The weekly work schedule as people read it: the week page, the print, the calendar feeds.

Reads only (through ``models.schedule.repo``). Who sees which copy: the văn phòng's drafters and
the agency's leaders see the working copy (what is being prepared or waits for approval, and what
it changes); everyone else of the agency sees the published copy, and nothing before the first
publication. A document linked to an event is shown only to those who may see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from models.org import dated_repo
from models.org.tables import Agency, User
from models.schedule import repo
from models.schedule.changes import describe, diff
from models.schedule.rules import (
    FEED_WEEKS_AFTER,
    FEED_WEEKS_BEFORE,
    Overlap,
    may_draft,
    overlaps,
    sees_drafts,
    week_code,
    week_days,
    week_number,
)
from models.schedule.tables import ScheduleEvent, ScheduleStatus, WorkSchedule
from models.vocab import Role

EDITABLE = (ScheduleStatus.DRAFT, ScheduleStatus.CHANGING)


@dataclass
class EventView:
    """One event with the names it refers to, for the page, the print, the API and the feeds."""

    id: int
    uid: str
    day: date
    start_time: time
    end_time: time
    content: str
    place: str
    leader_ids: list[int]
    leader_names: list[str]
    participant_user_ids: list[int]
    participant_unit_ids: list[int]
    participants_note: str
    participants_text: str
    preparing_unit_id: int | None
    preparing_unit_name: str
    document_ids: list[str]
    documents: list[tuple[str, str]]  # (id, title) of those the reader may see
    sequence: int
    updated_at: datetime
    published_at: datetime | None
    booked_twice: bool = False


@dataclass
class OverlapView:
    """A leader booked twice, in words the page and the API show."""

    leader_id: int
    leader_name: str
    day: date
    first: EventView
    second: EventView


@dataclass
class WeekView:
    """A week of an agency's schedule as one reader sees it."""

    monday: date
    agency_id: int
    agency_name: str
    parent_agency_name: str
    schedule: WorkSchedule | None
    copy: str  # "working" | "published" | "none" (not published yet, and the reader sees only that)
    events: list[EventView] = field(default_factory=list)
    overlaps: list[OverlapView] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # the change in preparation, against the published copy
    can_draft: bool = False

    @property
    def code(self) -> str:
        return week_code(self.monday)

    @property
    def number(self) -> int:
        return week_number(self.monday)

    @property
    def days(self) -> list[date]:
        return week_days(self.monday)

    @property
    def status(self) -> str:
        return str(self.schedule.status) if self.schedule else ""

    @property
    def editable(self) -> bool:
        return self.can_draft and self.schedule is not None and self.schedule.status in EDITABLE

    def events_on(self, day: date) -> list[EventView]:
        return [event for event in self.events if event.day == day]


def event_views(session: Session, rows: Sequence[ScheduleEvent], reader: User, roles: set[Role],
                published_at: datetime | None = None) -> list[EventView]:
    """The rows with their names resolved and their documents filtered for ``reader``."""
    users = repo.user_names(session, {i for r in rows for i in (*r.leader_ids, *r.participant_user_ids)})
    units = repo.unit_names(session, {i for r in rows for i in r.participant_unit_ids}
                            | {r.preparing_unit_id for r in rows if r.preparing_unit_id is not None})
    titles = repo.visible_document_titles(session, reader, roles, {d for r in rows for d in r.document_ids})
    views = []
    for row in rows:
        named = ([units.get(i, "") for i in row.participant_unit_ids]
                 + [users.get(i, "") for i in row.participant_user_ids] + [row.participants_note])
        views.append(EventView(
            row.id, row.uid, row.day, row.start_time, row.end_time, row.content, row.place,
            list(row.leader_ids), [users.get(i, "") for i in row.leader_ids], list(row.participant_user_ids),
            list(row.participant_unit_ids), row.participants_note, "; ".join(n for n in named if n),
            row.preparing_unit_id, units.get(row.preparing_unit_id, "") if row.preparing_unit_id else "",
            list(row.document_ids), [(d, titles[d]) for d in row.document_ids if d in titles],
            row.sequence, row.updated_at, published_at))
    return views


def overlap_views(session: Session, views: list[EventView]) -> list[OverlapView]:
    """The leaders booked twice among ``views``, each event of a pair flagged."""
    found: list[Overlap] = overlaps(views)
    by_uid = {view.uid: view for view in views}
    names = repo.user_names(session, {o.leader_id for o in found})
    result = []
    for overlap in found:
        first, second = by_uid[overlap.first_uid], by_uid[overlap.second_uid]
        first.booked_twice = second.booked_twice = True
        result.append(OverlapView(overlap.leader_id, names.get(overlap.leader_id, ""), overlap.day, first, second))
    return result


def _agency_names(session: Session, agency_id: int, on: date) -> tuple[str, str]:
    """The agency's name in force on ``on``, and its parent's (the letterhead of the print)."""
    agency = session.get(Agency, agency_id)
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    return dated_repo.name_on(session, agency, on)[0], dated_repo.name_on(session, parent, on)[0] if parent else ""


def week_view(session: Session, reader: User, roles: set[Role], agency_id: int, monday: date, *,
              leader_id: int | None = None, published_only: bool = False) -> WeekView:
    """The week of the agency's schedule for ``reader`` (of that agency); ``leader_id`` keeps that
    leader's events; ``published_only`` shows the published copy whoever reads (the print)."""
    schedule = repo.schedule_for(session, agency_id, monday)
    if schedule is not None:
        session.expunge(schedule)  # read after the session closes (its transaction rolls back)
    agency_name, parent_name = _agency_names(session, agency_id, monday)
    working = sees_drafts(roles) and not published_only
    view = WeekView(monday, agency_id, agency_name, parent_name, schedule, "none", can_draft=may_draft(roles))
    if schedule is None or (not working and schedule.published_version == 0):
        return view
    view.copy = "working" if working else "published"
    rows = repo.events(session, schedule.id, published=not working)
    view.events = event_views(session, rows, reader, roles, schedule.published_at)
    view.overlaps = overlap_views(session, view.events)
    if working and schedule.published_version > 0:
        published = repo.events(session, schedule.id, published=True)
        changes = diff(published, rows)
        users = repo.user_names(session, {i for c in changes for i in c.people()})
        units = repo.unit_names(session, {i for c in changes for i in c.units()})
        view.changes = [describe(change, users, units) for change in changes]
    if leader_id is not None:
        view.events = [event for event in view.events if leader_id in event.leader_ids]
        view.overlaps = [o for o in view.overlaps if o.leader_id == leader_id]
    return view


def feed_events(session: Session, person: User, today: date, *, whole_agency: bool) -> list[EventView]:
    """The published events of the feed's window: the agency's, or those naming the person (or
    a unit of theirs as participant)."""
    monday = today - timedelta(days=today.weekday())
    rows = repo.published_between(session, person.agency_id, monday - timedelta(weeks=FEED_WEEKS_BEFORE),
                                  monday + timedelta(weeks=FEED_WEEKS_AFTER))
    published_at = {event.id: schedule.published_at for event, schedule in rows}
    events = [event for event, _ in rows]
    if not whole_agency:
        events = [e for e in events if person.id in e.leader_ids or person.id in e.participant_user_ids
                  or (person.unit_id is not None and person.unit_id in e.participant_unit_ids)]
    views = event_views(session, events, person, set(), None)
    for view in views:
        view.published_at = published_at[view.id]
    return views


def feed_name(session: Session, person: User, today: date, *, whole_agency: bool) -> str:
    """The calendar's name as apps list it."""
    agency_name, _ = _agency_names(session, person.agency_id, today)
    return f"Lịch công tác – {agency_name}" if whole_agency else f"Lịch công tác – {person.full_name}"
