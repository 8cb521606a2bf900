"""The weekly work schedule (lịch công tác tuần, QĐ44 Điều 21.1.e): one command per write, and the reads.

Shared by the pages and API v1. The văn phòng (the văn thư, or an officer holding ``lap_lich``)
opens a week, adds, changes and removes events, and submits; the head of the agency decides in the
approval workflow (through the task API). Once published, the schedule changes only through a
change round: opening one lets the văn phòng edit the working copy while the published one stays
in force, and its approval publishes the change and tells everyone it concerns. Each write is one
transaction with its audit event on subject ``schedule``; bad input is refused and changes nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client
from temporalio.service import RPCError

from config.settings import Settings
from models.audit import record
from models.db import reading, transaction, utcnow
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.org.tables import Agency, User
from models.registers.numbering import vietnam_date
from models.schedule import repo, rules
from models.schedule.ical import build_feed
from models.schedule.schema import EventInput, parse_event
from models.schedule.tables import ScheduleEvent, ScheduleStatus, WorkSchedule
from models.schedule.views import (
    EventView,
    OverlapView,
    WeekView,
    event_views,
    feed_events,
    feed_name,
    overlap_views,
    week_view,
)
from models.vocab import Role
from workflows.starter import start_schedule_approval
from workflows.work_contracts import ScheduleApprovalInput, schedule_workflow_id

log = logging.getLogger("qlvb.schedule")


@dataclass
class EventSaved:
    """An event as saved, and the leaders it now books twice (a warning, never a refusal)."""

    event: EventView
    warnings: list[OverlapView]


# --- reads ------------------------------------------------------------------------------------


def read_week(engine: Engine, *, user: User, roles: set[Role], week: str = "", leader_id: int | None = None,
              published_only: bool = False) -> WeekView:
    """The reader's agency's schedule of ``week`` (``YYYY-Www``; this week when empty)."""
    monday = rules.parse_week(week) if week else rules.current_week(utcnow())
    with reading(engine) as session:
        return week_view(session, user, roles, user.agency_id, monday, leader_id=leader_id,
                         published_only=published_only)


def read_schedule(engine: Engine, *, user: User, roles: set[Role], schedule_id: int,
                  published_only: bool = False) -> WeekView:
    """A schedule of the reader's agency by id; another agency's answers 404 like a missing one."""
    with reading(engine) as session:
        schedule = session.get(WorkSchedule, schedule_id)
        if schedule is None or schedule.agency_id != user.agency_id:
            raise NotFound("schedule_not_found")
        return week_view(session, user, roles, user.agency_id, schedule.week_start, published_only=published_only)


# --- drafting ---------------------------------------------------------------------------------


def _drafter(session: Session, user_id: int, roles: set[Role]) -> User:
    user = session.get(User, user_id)
    if user is None or not rules.may_draft(roles):
        raise Forbidden("schedule_drafter_only")
    return user


def _own(session: Session, user: User, schedule_id: int) -> WorkSchedule:
    """The schedule, locked, when it belongs to the person's agency (404 otherwise)."""
    schedule = repo.locked_schedule(session, schedule_id)
    if schedule.agency_id != user.agency_id:
        raise NotFound("schedule_not_found")
    return schedule


def _editable(schedule: WorkSchedule) -> None:
    """Only a draft, or a change round being prepared, takes edits."""
    if schedule.status == ScheduleStatus.PUBLISHED:
        raise Conflict("schedule_published_needs_change")
    if schedule.status not in (ScheduleStatus.DRAFT, ScheduleStatus.CHANGING):
        raise Conflict("schedule_pending")


def _audit(session: Session, user: User, code: str, schedule: WorkSchedule, **data) -> None:
    record(session, user.id, code, "schedule", schedule.id, week=rules.week_code(schedule.week_start), **data)


def open_week(engine: Engine, *, user_id: int, roles: set[Role], week: str) -> tuple[WorkSchedule, bool]:
    """The agency's schedule of the week, created as an empty draft the first time (idempotent); and
    whether this call created it."""
    monday = rules.parse_week(week)
    with transaction(engine) as session:
        user = _drafter(session, user_id, roles)
        schedule, created = repo.ensure_schedule(session, user.agency_id, monday, user.id)
        if created:
            _audit(session, user, "schedule.created", schedule)
        session.expunge(schedule)
        return schedule, created


def _check_event(session: Session, user: User, roles: set[Role], schedule: WorkSchedule, data: EventInput) -> None:
    """The week, the times, the agency's own leaders, people and units, documents the drafter may see."""
    rules.check_event_times(schedule.week_start, data.day, data.start_time, data.end_time)
    agency = schedule.agency_id
    foreign = {
        "leader_ids": set(data.leader_ids) - repo.leaders_in_agency(session, agency, data.leader_ids),
        "participant_user_ids": set(data.participant_user_ids) - repo.users_in_agency(session, agency,
                                                                                     data.participant_user_ids),
        "participant_unit_ids": set(data.participant_unit_ids) - repo.units_in_agency(session, agency,
                                                                                     data.participant_unit_ids),
        "preparing_unit_id": ({data.preparing_unit_id} - repo.units_in_agency(session, agency, [data.preparing_unit_id])
                              if data.preparing_unit_id is not None else set()),
    }
    bad = {name: "not_in_agency" for name, ids in foreign.items() if ids}
    if bad:
        raise DomainError("schedule_foreign_people", fields=bad)
    visible = repo.visible_document_titles(session, user, roles, data.document_ids)
    if any(document_id not in visible for document_id in data.document_ids):
        raise DomainError("schedule_document_not_visible", fields={"document_ids": "not_visible"})


def _fill(event: ScheduleEvent, data: EventInput, user: User) -> None:
    event.day, event.start_time, event.end_time = data.day, data.start_time, data.end_time
    event.content, event.place, event.participants_note = data.content, data.place, data.participants_note
    event.leader_ids = list(dict.fromkeys(data.leader_ids))
    event.participant_user_ids = list(dict.fromkeys(data.participant_user_ids))
    event.participant_unit_ids = list(dict.fromkeys(data.participant_unit_ids))
    event.preparing_unit_id, event.document_ids = data.preparing_unit_id, list(dict.fromkeys(data.document_ids))
    event.updated_by, event.updated_at = user.id, utcnow()


def _saved(session: Session, user: User, roles: set[Role], schedule: WorkSchedule, event: ScheduleEvent) -> EventSaved:
    session.flush()
    views = event_views(session, repo.events(session, schedule.id, published=False), user, roles)
    warnings = [o for o in overlap_views(session, views) if event.uid in (o.first.uid, o.second.uid)]
    return EventSaved(next(view for view in views if view.uid == event.uid), warnings)


def _summary(event: ScheduleEvent) -> dict:
    return {"uid": event.uid, "day": event.day.isoformat(), "start": f"{event.start_time:%H:%M}",
            "end": f"{event.end_time:%H:%M}", "content": event.content[:200]}


def add_event(engine: Engine, *, user_id: int, roles: set[Role], schedule_id: int, data: EventInput | dict) -> EventSaved:
    """Add an event to a draft or a change being prepared; warn when it books a leader twice."""
    data = data if isinstance(data, EventInput) else parse_event(data)
    with transaction(engine) as session:
        user = _drafter(session, user_id, roles)
        schedule = _own(session, user, schedule_id)
        _editable(schedule)
        _check_event(session, user, roles, schedule, data)
        event = ScheduleEvent(schedule_id=schedule.id, uid=str(uuid.uuid4()), published=False, day=data.day,
                              start_time=data.start_time, end_time=data.end_time, content=data.content)
        _fill(event, data, user)
        session.add(event)
        saved = _saved(session, user, roles, schedule, event)
        _audit(session, user, "schedule.event_added", schedule, **_summary(event),
               booked_twice=[o.leader_id for o in saved.warnings])
        return saved


def change_event(engine: Engine, *, user_id: int, roles: set[Role], schedule_id: int, event_id: int,
                 data: EventInput | dict) -> EventSaved:
    """Change an event of a draft or of a change being prepared; warn when it books a leader twice."""
    data = data if isinstance(data, EventInput) else parse_event(data)
    with transaction(engine) as session:
        user = _drafter(session, user_id, roles)
        schedule = _own(session, user, schedule_id)
        event = repo.working_event(session, schedule.id, event_id)
        _editable(schedule)
        _check_event(session, user, roles, schedule, data)
        before = _summary(event)
        _fill(event, data, user)
        session.add(event)
        saved = _saved(session, user, roles, schedule, event)
        _audit(session, user, "schedule.event_changed", schedule, before=before, **_summary(event),
               booked_twice=[o.leader_id for o in saved.warnings])
        return saved


def remove_event(engine: Engine, *, user_id: int, roles: set[Role], schedule_id: int, event_id: int) -> None:
    """Remove an event from a draft or from a change being prepared."""
    with transaction(engine) as session:
        user = _drafter(session, user_id, roles)
        schedule = _own(session, user, schedule_id)
        event = repo.working_event(session, schedule.id, event_id)
        _editable(schedule)
        summary = _summary(event)
        repo.remove_event(session, event)
        _audit(session, user, "schedule.event_removed", schedule, **summary)


# --- rounds -----------------------------------------------------------------------------------


def open_change(engine: Engine, *, user_id: int, roles: set[Role], schedule_id: int) -> WorkSchedule:
    """Start preparing a change to a published schedule; the published one stays in force meanwhile."""
    with transaction(engine) as session:
        user = _drafter(session, user_id, roles)
        schedule = _own(session, user, schedule_id)
        if schedule.status != ScheduleStatus.PUBLISHED:
            _editable(schedule)
            raise Conflict("schedule_not_published")  # a draft is edited as it is
        schedule.status = ScheduleStatus.CHANGING
        session.add(schedule)
        _audit(session, user, "schedule.change_opened", schedule, version=schedule.published_version)
        session.flush()
        session.expunge(schedule)
        return schedule


def cancel_change(engine: Engine, *, user_id: int, roles: set[Role], schedule_id: int) -> WorkSchedule:
    """Drop the change being prepared: the working copy becomes the published one again."""
    with transaction(engine) as session:
        user = _drafter(session, user_id, roles)
        schedule = _own(session, user, schedule_id)
        if schedule.status != ScheduleStatus.CHANGING:
            raise Conflict("schedule_not_changing")
        repo.replace_copies(session, schedule.id, repo.events(session, schedule.id, published=True), published=False)
        schedule.status, schedule.returned_reason = ScheduleStatus.PUBLISHED, ""
        session.add(schedule)
        _audit(session, user, "schedule.change_cancelled", schedule, version=schedule.published_version)
        session.flush()
        session.expunge(schedule)
        return schedule


async def submit(engine: Engine, client: Client, settings: Settings, *, user_id: int, roles: set[Role],
                 schedule_id: int) -> int:
    """Send the draft (or the change being prepared) to the head of the agency; return the round.

    1. One transaction: the next round, its workflow id ``lichtuan-<schedule>-<round>-<salt>``, status
       ``cho_duyet`` (or ``cho_duyet_dieu_chinh``), the audit event.
    2. After the commit, the round's ``ScheduleApproval`` run starts (a task for the agency's
       leaders). Submitting a schedule already waiting starts its round again if it never started
       (Temporal was unreachable); the start is idempotent on the workflow id, and the Reconcile
       round does the same by itself.
    """
    start, workflow_id, agency_code = await asyncio.to_thread(_begin_round, engine, user_id, roles, schedule_id)
    try:
        await start_schedule_approval(client, settings.temporal_task_queue, start, workflow_id, agency_code)
    except RPCError:
        log.warning("approval round %s of schedule %s not started yet", start.approval_round, schedule_id,
                    exc_info=True)
    return start.approval_round


def _begin_round(engine: Engine, user_id: int, roles: set[Role], schedule_id: int) -> tuple[ScheduleApprovalInput, str, str]:
    with transaction(engine) as session:
        user = _drafter(session, user_id, roles)
        schedule = _own(session, user, schedule_id)
        if schedule.status not in repo.PENDING:
            if schedule.status == ScheduleStatus.PUBLISHED:
                raise Conflict("schedule_published_needs_change")
            if not repo.events(session, schedule.id, published=False) and schedule.published_version == 0:
                raise DomainError("schedule_nothing_to_submit")
            schedule.approval_round += 1
            schedule.workflow_id = schedule_workflow_id(schedule.id, schedule.approval_round, uuid.uuid4().hex[:8])
            schedule.status = (ScheduleStatus.PENDING if schedule.published_version == 0
                               else ScheduleStatus.CHANGE_PENDING)
            schedule.submitted_by, schedule.submitted_at, schedule.returned_reason = user.id, utcnow(), ""
            session.add(schedule)
            _audit(session, user, "schedule.submitted", schedule, round=schedule.approval_round,
                   workflow_id=schedule.workflow_id, change=schedule.published_version > 0)
        agency_code = session.get(Agency, schedule.agency_id).code
        return (rules.approval_input(schedule.id, schedule.agency_id, schedule.approval_round,
                                     schedule.published_version), schedule.workflow_id, agency_code)


# --- calendar feeds ---------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(engine: Engine, *, user_id: int) -> str:
    """A new secret calendar address for the person (the previous one stops); shown once."""
    token = secrets.token_urlsafe(32)
    with transaction(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("user_not_found")
        repo.set_feed_token(session, user.id, token_hash(token), utcnow())
        record(session, user.id, "schedule.feed_created", "user", user.id)
    return token


def feed_created_at(engine: Engine, user_id: int):
    """When the person's current secret address was made (None: they have none)."""
    with reading(engine) as session:
        feed = repo.feed_of(session, user_id)
        return feed.created_at if feed else None


def feed_ics(engine: Engine, token: str, *, whole_agency: bool) -> bytes:
    """The iCalendar feed a secret address opens: the person's agency's, or the person's own events.

    A token nobody holds (made up, or replaced by a newer one) answers 404 like any missing page.
    """
    if not token or len(token) > 100:
        raise NotFound("schedule_not_found")
    now = utcnow()
    with reading(engine) as session:
        person = repo.user_by_feed_token(session, token_hash(token))
        if person is None:
            raise NotFound("schedule_not_found")
        today = vietnam_date(now)
        events = feed_events(session, person, today, whole_agency=whole_agency)
        name = feed_name(session, person, today, whole_agency=whole_agency)
    return build_feed(name, events, now)
