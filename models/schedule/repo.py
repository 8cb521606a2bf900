"""All SQL of the weekly work schedule. Never commits: commands and activities own the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, exists
from sqlmodel import Session, col, select

from models.db import insert_ignoring_conflict
from models.documents.access import visible_documents
from models.documents.tables import Document
from models.errors import NotFound
from models.org.tables import OrgUnit, User, UserRole
from models.schedule.tables import CalendarFeed, ScheduleEvent, ScheduleStatus, WorkSchedule
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import Role

PENDING = (ScheduleStatus.PENDING, ScheduleStatus.CHANGE_PENDING)


def schedule_for(session: Session, agency_id: int, monday: date) -> WorkSchedule | None:
    return session.exec(select(WorkSchedule).where(WorkSchedule.agency_id == agency_id,
                                                   WorkSchedule.week_start == monday)).first()


def ensure_schedule(session: Session, agency_id: int, monday: date, actor_id: int) -> tuple[WorkSchedule, bool]:
    """The agency's schedule of the week, created as a draft when missing; and whether it was.

    Idempotent on (agency, week): two văn phòng officers opening the week at once get one schedule.
    """
    result = insert_ignoring_conflict(session, WorkSchedule, {
        "agency_id": agency_id, "week_start": monday, "status": ScheduleStatus.DRAFT, "approval_round": 0,
        "workflow_id": "", "returned_reason": "", "published_version": 0, "created_by": actor_id,
    }, ["agency_id", "week_start"])
    return schedule_for(session, agency_id, monday), result.rowcount == 1


def locked_schedule(session: Session, schedule_id: int) -> WorkSchedule:
    """The schedule, row-locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
    schedule = session.exec(select(WorkSchedule).where(WorkSchedule.id == schedule_id)
                            .with_for_update()).first()
    if schedule is None:
        raise NotFound("schedule_not_found")
    return schedule


def events(session: Session, schedule_id: int, *, published: bool) -> list[ScheduleEvent]:
    """The working (or published) copies of a schedule's events, in the order of the week."""
    return list(session.exec(
        select(ScheduleEvent).where(ScheduleEvent.schedule_id == schedule_id, ScheduleEvent.published == published)
        .order_by(col(ScheduleEvent.day), col(ScheduleEvent.start_time), col(ScheduleEvent.end_time),
                  col(ScheduleEvent.id))))


def working_event(session: Session, schedule_id: int, event_id: int) -> ScheduleEvent:
    event = session.get(ScheduleEvent, event_id)
    if event is None or event.schedule_id != schedule_id or event.published:
        raise NotFound("schedule_event_not_found")
    return event


def remove_event(session: Session, event: ScheduleEvent) -> None:
    session.delete(event)


def replace_copies(session: Session, schedule_id: int, rows: Iterable[ScheduleEvent], *, published: bool) -> None:
    """Replace one copy of the schedule's events by ``rows`` (new rows copied from them).

    Preconditions: the caller holds the schedule's row lock and writes ``sequence`` on ``rows`` first.
    """
    source = [_copy_values(row) for row in rows]
    session.execute(delete(ScheduleEvent).where(col(ScheduleEvent.schedule_id) == schedule_id,
                                                col(ScheduleEvent.published) == published))
    session.flush()
    for values in source:
        session.add(ScheduleEvent(**values, published=published))
    session.flush()


def _copy_values(row: ScheduleEvent) -> dict:
    values = row.model_dump(exclude={"id", "published"})
    for name in ("leader_ids", "participant_user_ids", "participant_unit_ids", "document_ids"):
        values[name] = list(values[name])
    return values


# --- the agency's people, units and documents ------------------------------------------------


def leaders_of(session: Session, agency_id: int) -> list[User]:
    """The agency's active leaders (the people an event's leaders are chosen among), by name."""
    return list(session.exec(
        select(User).join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(User.agency_id == agency_id, UserRole.role == Role.AGENCY_LEADER, User.disabled == False)  # noqa: E712
        .order_by(User.full_name)))


def users_in_agency(session: Session, agency_id: int, user_ids: Iterable[int]) -> set[int]:
    """Which of ``user_ids`` are active people of the agency."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return set()
    return set(session.exec(select(User.id).where(col(User.id).in_(wanted), User.agency_id == agency_id,
                                                  User.disabled == False)))  # noqa: E712


def leaders_in_agency(session: Session, agency_id: int, user_ids: Iterable[int]) -> set[int]:
    """Which of ``user_ids`` are active leaders of the agency."""
    return {user.id for user in leaders_of(session, agency_id) if user.id in set(user_ids)}


def units_in_agency(session: Session, agency_id: int, unit_ids: Iterable[int]) -> set[int]:
    """Which of ``unit_ids`` are units of the agency in force."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return set()
    return set(session.exec(select(OrgUnit.id).where(col(OrgUnit.id).in_(wanted), OrgUnit.agency_id == agency_id,
                                                     col(OrgUnit.valid_to).is_(None))))


def user_names(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    return {user.id: user.full_name for user in session.exec(select(User).where(col(User.id).in_(wanted)))}


def unit_names(session: Session, unit_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(unit_ids))
    if not wanted:
        return {}
    return {unit.id: unit.name for unit in session.exec(select(OrgUnit).where(col(OrgUnit.id).in_(wanted)))}


def unit_heads(session: Session, unit_ids: Iterable[int]) -> set[int]:
    """The active heads (lãnh đạo đơn vị) of the units: who answers for a unit named in an event."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return set()
    return set(session.exec(
        select(User.id).join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(col(User.unit_id).in_(wanted), UserRole.role == Role.UNIT_LEADER, User.disabled == False)))  # noqa: E712


def visible_document_titles(session: Session, viewer: User, roles: set[Role], ids: Iterable[str]) -> dict[str, str]:
    """Of ``ids``, the documents ``viewer`` may see (``models.documents.access``), with a short title."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    found = session.exec(select(Document).where(col(Document.id).in_(wanted), visible_documents(viewer, roles)))
    return {doc.id: " ".join(part for part in (doc.type_name, doc.code_number and f"số {doc.code_number}",
                                               doc.code_notation, "–", doc.subject) if part)
            for doc in found}


# --- feeds ------------------------------------------------------------------------------------


def published_between(session: Session, agency_id: int, first: date, last: date) -> list[tuple[ScheduleEvent, WorkSchedule]]:
    """The published events of the agency's schedules whose week starts in ``first``..``last``."""
    return list(session.exec(
        select(ScheduleEvent, WorkSchedule).join(WorkSchedule, col(WorkSchedule.id) == col(ScheduleEvent.schedule_id))
        .where(WorkSchedule.agency_id == agency_id, col(WorkSchedule.week_start) >= first,
               col(WorkSchedule.week_start) <= last, ScheduleEvent.published == True)  # noqa: E712
        .order_by(col(ScheduleEvent.day), col(ScheduleEvent.start_time))))


def feed_of(session: Session, user_id: int) -> CalendarFeed | None:
    return session.exec(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).first()


def set_feed_token(session: Session, user_id: int, token_hash: str, now: datetime) -> CalendarFeed:
    """Give the person a new secret address; the old one stops answering at once."""
    feed = feed_of(session, user_id)
    if feed is None:
        feed = CalendarFeed(user_id=user_id, token_hash=token_hash, created_at=now)
    else:
        feed.token_hash, feed.created_at = token_hash, now
    session.add(feed)
    session.flush()
    return feed


def user_by_feed_token(session: Session, token_hash: str) -> User | None:
    """The active person whose secret address this is."""
    return session.exec(select(User).join(CalendarFeed, col(CalendarFeed.user_id) == col(User.id))
                        .where(CalendarFeed.token_hash == token_hash, User.disabled == False)).first()  # noqa: E712


# --- the reconciler ---------------------------------------------------------------------------


def submitted_without_step(session: Session, before: datetime) -> list[WorkSchedule]:
    """Schedules submitted before ``before`` whose approval step was never opened (a lost start)."""
    opened = exists(select(Task.id).where(col(Task.workflow_id) == col(WorkSchedule.workflow_id)))
    return list(session.exec(select(WorkSchedule).where(col(WorkSchedule.status).in_(PENDING),
                                                        col(WorkSchedule.submitted_at) < before, ~opened)))


# --- the page ---------------------------------------------------------------------------------


def open_steps(session: Session, schedule_id: int, user: User, roles: set[Role]) -> list[Task]:
    """The schedule's approval steps ``user`` may act on (``models.tasks.repo.reach_of``)."""
    reach = task_repo.reach_of(session, user, roles)
    return list(session.exec(select(Task).where(Task.schedule_id == schedule_id, reach.may_act).order_by(col(Task.id))))


def recent_documents(session: Session, user: User, roles: set[Role], limit: int = 50) -> list[Document]:
    """The newest documents ``user`` may see: what an event's giấy mời or report is chosen among."""
    return list(session.exec(select(Document).where(visible_documents(user, roles))
                             .order_by(col(Document.created_at).desc()).limit(limit)))


def schedules_of(session: Session, agency_id: int, *, limit: int, offset: int) -> list[WorkSchedule]:
    """The agency's schedules, the latest week first."""
    return list(session.exec(select(WorkSchedule).where(WorkSchedule.agency_id == agency_id)
                             .order_by(col(WorkSchedule.week_start).desc()).limit(limit).offset(offset)))


def schedule_of_task(session: Session, task_id: int) -> int | None:
    task = session.get(Task, task_id)
    return task.schedule_id if task else None
