"""Every query of the hồ sơ rows themselves (``RecordFile``): finding, locking, listing, who may
see them. Never commits. The documents filed in a hồ sơ are in ``items_repo``; the archive's
collection lists, read requests and disposals in ``archive_repo``.

Locking: every write to a hồ sơ first bumps its ``version`` with a conditional UPDATE
(``lock``/``lock_open``). On PostgreSQL that holds the row lock until commit, so concurrent
filings, a closing and a correction of one hồ sơ take turns; on SQLite the write transaction
(``BEGIN IMMEDIATE``) already does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from models.audit import AuditEvent
from models.db import utcnow
from models.errors import NotFound
from models.org.tables import User, UserRole
from models.records import plan_repo, rules
from models.records.tables import (
    AccessStatus,
    EntryStatus,
    RecordAccess,
    RecordFile,
    RecordPlanEntry,
    RecordStatus,
)
from models.tasks.repo import ACTIVE, reach_of
from models.tasks.tables import Task
from models.vocab import Role, TaskStatus

VIEWED, DOWNLOADED = "record.viewed", "record.downloaded"
LIST_LIMIT = 500  # a page lists at most this many hồ sơ, the latest first

# --- one hồ sơ --------------------------------------------------------------------------------


def get(session: Session, record_id: int) -> RecordFile | None:
    """A hồ sơ by id, whoever asks (callers check who may see it)."""
    return session.get(RecordFile, record_id)


def by_workflow(session: Session, workflow_id: str) -> RecordFile | None:
    """The hồ sơ a workflow (``hoso-<uuid>``) is about."""
    return session.exec(select(RecordFile).where(RecordFile.workflow_id == workflow_id)).first()


def by_notation(session: Session, agency_id: int, year: int, notation: str) -> RecordFile | None:
    """The agency's hồ sơ of ``year`` with that số và ký hiệu (there is at most one)."""
    return session.exec(select(RecordFile).where(
        RecordFile.agency_id == agency_id, RecordFile.file_catalog == year,
        RecordFile.file_notation == notation)).first()


def add(session: Session, record: RecordFile) -> RecordFile:
    """Insert a new hồ sơ (the unique FileCode is checked by the caller first)."""
    session.add(record)
    session.flush()
    return record


def lock(session: Session, record: RecordFile) -> RecordFile:
    """Take the hồ sơ's row for this transaction (see the module docstring); the fresh row."""
    session.execute(update(RecordFile).where(col(RecordFile.id) == record.id)
                    .values(version=RecordFile.version + 1))
    session.refresh(record)
    return record


def lock_open(session: Session, record_id: int) -> RecordFile:
    """Take an open, unfrozen hồ sơ's row; ``record_closed``/``record_frozen`` when it is not."""
    record = session.get(RecordFile, record_id)
    if record is None:
        raise NotFound("record_not_found")
    rules.check_open(record)
    result = session.execute(
        update(RecordFile)
        .where(col(RecordFile.id) == record_id, col(RecordFile.status) == RecordStatus.OPEN,
               col(RecordFile.closed).is_(False), col(RecordFile.frozen).is_(False))
        .values(version=RecordFile.version + 1))
    session.refresh(record)
    if result.rowcount != 1:
        rules.check_open(record)  # changed under us: say how
    return record


def granted(session: Session, record_id: int, user_id: int, today: date) -> bool:
    """Whether the head of the agency granted this person's request to read the hồ sơ, in force today."""
    return session.exec(select(RecordAccess.id).where(
        RecordAccess.record_id == record_id, RecordAccess.user_id == user_id,
        RecordAccess.status == AccessStatus.GRANTED,
        or_(col(RecordAccess.until).is_(None), col(RecordAccess.until) >= today)).limit(1)).first() is not None


def record_for_user(session: Session, user: User, roles: set[Role], record_id: int, today: date) -> RecordFile:
    """The hồ sơ if ``user`` may see it (``rules.sees``); ``record_not_found`` otherwise, alike."""
    record = session.get(RecordFile, record_id)
    if record is None or not rules.sees(record, user, roles, granted(session, record.id, user.id, today)):
        raise NotFound("record_not_found")
    return record


# --- lists ----------------------------------------------------------------------------------


def _latest(query, limit: int = LIST_LIMIT):
    return query.order_by(col(RecordFile.file_catalog).desc(), col(RecordFile.id).desc()).limit(limit)


def mine(session: Session, user: User) -> list[RecordFile]:
    """The hồ sơ a person creates (Hồ sơ của tôi), open ones first."""
    return list(session.exec(_latest(select(RecordFile).where(
        RecordFile.agency_id == user.agency_id, RecordFile.creator_id == user.id))))


def of_unit(session: Session, agency_id: int, unit_id: int) -> list[RecordFile]:
    """A unit's hồ sơ still kept by the unit (not yet in the archive)."""
    return list(session.exec(_latest(select(RecordFile).where(
        RecordFile.agency_id == agency_id, RecordFile.unit_id == unit_id,
        col(RecordFile.status).in_([RecordStatus.OPEN, RecordStatus.CLOSED, RecordStatus.TRANSFERRING])))))


def of_agency(session: Session, agency_id: int, statuses: list[RecordStatus]) -> list[RecordFile]:
    """The agency's hồ sơ in these states (the archive: transferring, archived, disposed)."""
    return list(session.exec(_latest(select(RecordFile).where(
        RecordFile.agency_id == agency_id, col(RecordFile.status).in_(statuses)))))


def listed(session: Session, user: User, scope: str) -> list[RecordFile]:
    """The hồ sơ a list page shows: ``mine`` (created by the person), ``unit`` (their unit's, still
    kept by it), ``archive`` (the agency's in the archive, transferring or disposed)."""
    if scope == "unit":
        return of_unit(session, user.agency_id, user.unit_id) if user.unit_id else []
    if scope == "archive":
        return of_agency(session, user.agency_id, [RecordStatus.TRANSFERRING, RecordStatus.ARCHIVED,
                                                   RecordStatus.DISPOSED])
    return mine(session, user)


def open_managed_by(session: Session, user: User, roles: set[Role]) -> list[RecordFile]:
    """The open hồ sơ a person may file into: theirs, and their unit's when they head it."""
    keeps = col(RecordFile.creator_id) == user.id
    if Role.UNIT_LEADER in roles and user.unit_id is not None:
        keeps = or_(keeps, col(RecordFile.unit_id) == user.unit_id)
    return list(session.exec(_latest(select(RecordFile).where(
        RecordFile.agency_id == user.agency_id, RecordFile.status == RecordStatus.OPEN,
        col(RecordFile.frozen).is_(False), keeps))))


def open_of_entries(session: Session, entry_ids: list[int]) -> dict[int, RecordFile]:
    """The hồ sơ already opened from these Danh mục entries, by entry."""
    if not entry_ids:
        return {}
    found = session.exec(select(RecordFile).where(col(RecordFile.plan_entry_id).in_(entry_ids)))
    return {record.plan_entry_id: record for record in found}


# --- the Danh mục and people ------------------------------------------------------------------


def approved_entry(session: Session, entry_id: int, agency_id: int) -> tuple[RecordPlanEntry, int] | None:
    """An approved entry of the agency's issued Danh mục, with the plan's year; None otherwise."""
    entry = plan_repo.entry(session, entry_id)
    if entry is None or entry.status != EntryStatus.APPROVED:
        return None
    plan = plan_repo.plan_by_id(session, entry.plan_id)
    # Issued once its first round was approved (it stays so while later additions wait).
    if plan is None or plan.agency_id != agency_id or plan.issued_at is None:
        return None
    return entry, plan.year


def heading_unit(session: Session, heading_id: int) -> int | None:
    """The unit a Danh mục heading follows (its parent's when it names none)."""
    heading = plan_repo.heading(session, heading_id)
    while heading is not None and heading.unit_id is None and heading.parent_id is not None:
        heading = plan_repo.heading(session, heading.parent_id)
    return heading.unit_id if heading is not None else None


def colleague(session: Session, user_id: int, agency_id: int) -> User | None:
    """An active person of the agency (a creator, a successor)."""
    user = session.get(User, user_id)
    return user if user is not None and user.agency_id == agency_id and not user.disabled else None


def people_with(session: Session, agency_id: int, role: Role) -> list[int]:
    """Ids of the agency's active people holding ``role``."""
    return list(session.exec(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        User.agency_id == agency_id, UserRole.role == role, col(User.disabled).is_(False))))


def names_of(session: Session, user_ids: list[int | None]) -> dict[int, str]:
    """Full names by id (for lists)."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    return {user.id: user.full_name for user in session.exec(select(User).where(col(User.id).in_(ids)))}


# --- steps and access counts -------------------------------------------------------------------


def open_tasks(session: Session, record_id: int, user: User, roles: set[Role]) -> list[Task]:
    """The steps of the hồ sơ this person may act on (what its page offers them)."""
    return list(session.exec(select(Task).where(
        Task.record_id == record_id, col(Task.status).in_(ACTIVE), reach_of(session, user, roles).may_act)
        .order_by(col(Task.id))))


def waiting_steps(session: Session, record_id: int) -> list[Task]:
    """Every step of the hồ sơ still waiting, whoever acts on it (shown on its page)."""
    return list(session.exec(select(Task).where(Task.record_id == record_id, col(Task.status).in_(ACTIVE))
                             .order_by(col(Task.id))))


def reassign_steps(session: Session, record_id: int, from_user_id: int | None, to_user_id: int) -> int:
    """Give the waiting steps of the hồ sơ held by its former creator to the successor."""
    if from_user_id is None:
        return 0
    result = session.execute(
        update(Task).where(col(Task.record_id) == record_id, col(Task.assignee_id) == from_user_id,
                           col(Task.status).in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))
        .values(assignee_id=to_user_id, state_changed_at=utcnow(), version=Task.version + 1))
    return result.rowcount


def access_counts(session: Session, record_id: int) -> dict[str, int]:
    """How many times the hồ sơ was viewed and its documents downloaded (F-III.6.a, F-III.6.l)."""
    found = dict(session.exec(
        select(AuditEvent.code, func.count()).where(
            AuditEvent.subject_type == "record", AuditEvent.subject_id == str(record_id),
            col(AuditEvent.code).in_([VIEWED, DOWNLOADED]))
        .group_by(AuditEvent.code)).all())
    return {"views": found.get(VIEWED, 0), "downloads": found.get(DOWNLOADED, 0)}


def viewed_since(session: Session, record_id: int, user_id: int, since) -> bool:
    """Whether this person's view of the hồ sơ was recorded at or after ``since``."""
    return session.exec(select(AuditEvent.id).where(
        AuditEvent.subject_type == "record", AuditEvent.subject_id == str(record_id), AuditEvent.code == VIEWED,
        AuditEvent.actor_id == user_id, AuditEvent.at >= since).limit(1)).first() is not None


def extended_until(session: Session, record_id: int) -> date | None:
    """The latest day the council decided to keep the hồ sơ to (``keo_dai_bao_quan``), if any."""
    events = session.exec(select(AuditEvent).where(
        AuditEvent.code == "record.keo_dai_bao_quan", AuditEvent.subject_type == "record",
        AuditEvent.subject_id == str(record_id)))
    return max((date.fromisoformat(e.data["retain_until"]) for e in events if e.data.get("retain_until")),
               default=None)


def history(session: Session, record_id: int) -> list[tuple[AuditEvent, User | None]]:
    """The hồ sơ's audited history (views and downloads left out), oldest first."""
    return list(session.exec(
        select(AuditEvent, User).join(User, col(User.id) == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.subject_type == "record", AuditEvent.subject_id == str(record_id),
               col(AuditEvent.code).not_in([VIEWED, DOWNLOADED]))
        .order_by(col(AuditEvent.id))).all())
