"""Publishing a round of a weekly work schedule, or sending it back (inside the caller's transaction).

Called by the activity that applies the head of the agency's decision. Approving replaces the
published copies of the events by the working ones (``models.schedule.tables``), raises the
``SEQUENCE`` of each event the round changed, and tells the people concerned: at the first
publication everyone named in the schedule; after a change, each person named in a changed event
(either version) and the heads of the units named, with what changed for them. Sending back returns
the schedule to the văn phòng with the reason. Every write is audited on subject ``schedule``.
"""

from __future__ import annotations

from sqlmodel import Session

from models.audit import record
from models.db import utcnow
from models.notifications.notify import notify
from models.schedule import repo
from models.schedule.changes import DETAIL_LIMIT, Change, describe, diff
from models.schedule.rules import week_code, week_label
from models.schedule.tables import ScheduleStatus, WorkSchedule

AUDITED_CHANGES = 50  # descriptions kept in the audit event (the rest are counted)


def _link(schedule: WorkSchedule) -> str:
    return f"/schedule?week={week_code(schedule.week_start)}"


def _tell(session: Session, people: set[int], schedule: WorkSchedule, code: str, detail: str) -> int:
    return notify(session, people, None, code, schedule_id=schedule.id, week=week_code(schedule.week_start),
                  link=_link(schedule), detail=detail)


def publish(session: Session, schedule: WorkSchedule, actor_id: int, comment: str = "") -> list[Change]:
    """Publish the working copies; return what changed since the last publication.

    Precondition: the caller holds the schedule's row lock and checked it waits for this round.
    """
    published = repo.events(session, schedule.id, published=True)
    working = repo.events(session, schedule.id, published=False)
    changes = diff(published, working)
    # Everything read from the published copies is read before they are replaced below.
    user_names = repo.user_names(session, {i for c in changes for i in c.people()})
    unit_names = repo.unit_names(session, {i for c in changes for i in c.units()})
    lines = [describe(change, user_names, unit_names) for change in changes]
    by_person: dict[int, list[int]] = {}  # person -> the indexes of the changes that concern them
    for index, change in enumerate(changes):
        for person in change.people() | repo.unit_heads(session, change.units()):
            by_person.setdefault(person, []).append(index)
    sequences = {event.uid: event.sequence + 1 for event in published}
    for event in working:
        if event.uid in sequences and any(c.event.uid == event.uid for c in changes):
            event.sequence = sequences[event.uid]
            session.add(event)
    repo.replace_copies(session, schedule.id, working, published=True)
    first = schedule.published_version == 0
    schedule.status = ScheduleStatus.PUBLISHED
    schedule.published_version += 1
    schedule.published_at, schedule.approved_by, schedule.returned_reason = utcnow(), actor_id, ""
    session.add(schedule)
    record(session, actor_id, "schedule.published", "schedule", schedule.id, week=week_code(schedule.week_start),
           round=schedule.approval_round, version=schedule.published_version, change=not first,
           workflow_id=schedule.workflow_id, changes=lines[:AUDITED_CHANGES], change_count=len(lines),
           comment=comment)
    label = week_label(schedule.week_start)
    submitter = {schedule.submitted_by} - {None}
    if first:
        _tell(session, set(by_person) | submitter, schedule, "schedule_published",
              f"Lịch công tác {label} đã được ban hành.")
        return changes
    for person, indexes in sorted(by_person.items()):
        _tell(session, {person}, schedule, "schedule_changed",
              f"Lịch công tác {label} có thay đổi:\n{_bounded([lines[i] for i in indexes])}")
    if submitter - set(by_person):
        _tell(session, submitter, schedule, "schedule_changed",
              f"Điều chỉnh lịch công tác {label} đã được duyệt:\n{_bounded(lines) or 'không có sự kiện nào thay đổi.'}")
    return changes


def _bounded(lines: list[str]) -> str:
    text = "\n".join(lines)
    return text if len(text) <= DETAIL_LIMIT else text[:DETAIL_LIMIT - 1] + "…"


def send_back(session: Session, schedule: WorkSchedule, actor_id: int, reason: str) -> None:
    """Return the round to the văn phòng: a draft again, or (once published) a change still open.

    Precondition: the caller holds the schedule's row lock and checked it waits for this round.
    """
    schedule.status = ScheduleStatus.DRAFT if schedule.published_version == 0 else ScheduleStatus.CHANGING
    schedule.returned_reason = reason[:1000]
    session.add(schedule)
    record(session, actor_id, "schedule.returned", "schedule", schedule.id, week=week_code(schedule.week_start),
           round=schedule.approval_round, workflow_id=schedule.workflow_id, reason=reason)
    if schedule.submitted_by is not None:
        _tell(session, {schedule.submitted_by}, schedule, "schedule_returned",
              f"Lịch công tác {week_label(schedule.week_start)} bị trả lại: {reason}")
