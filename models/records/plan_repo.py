"""Every query of the Danh mục hồ sơ (``RecordPlan``, its headings and entries). Never commits.

Reads for the hồ sơ lifecycle (the "file" side opens a hồ sơ from an approved entry and proposes
the heading of the handler's unit):

* ``approved_entries(session, agency_id, year)``: the approved entries of the agency's issued
  Danh mục for that year, in the order the Danh mục prints them; empty when there is no issued
  plan. Entries proposed later and not yet approved are not among them.
* ``entry(session, entry_id)``: one entry by id, whatever its status (None when missing); the
  caller checks ``entry.status == EntryStatus.APPROVED`` and the plan's agency before opening a
  hồ sơ from it (``plan_by_id(session, entry.plan_id)``).
* ``heading_for_unit(session, agency_id, year, unit_id)``: the heading of the issued plan that
  follows that unit (a sub-heading before a top heading), or None.

A plan is issued once its first approval round ends (``issued_at`` set); it stays issued while a
later round of additions waits for the head of the agency (status ``cho_duyet`` then).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from models.audit import AuditEvent
from models.org.tables import User
from models.records import plan_rules
from models.records.tables import EntryStatus, RecordPlan, RecordPlanEntry, RecordPlanHeading
from models.tasks.repo import ACTIVE
from models.tasks.tables import Task

# --- the plan ---------------------------------------------------------------------------------


def plan_by_id(session: Session, plan_id: int, *, for_update: bool = False) -> RecordPlan | None:
    """A plan by id; ``for_update`` locks its row (every write to a plan holds this lock, so the
    numbering of two concurrent changes is computed one after the other)."""
    query = select(RecordPlan).where(RecordPlan.id == plan_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def plan_for_year(session: Session, agency_id: int, year: int) -> RecordPlan | None:
    """The agency's Danh mục hồ sơ of ``year`` (there is at most one)."""
    return session.exec(select(RecordPlan).where(RecordPlan.agency_id == agency_id,
                                                 RecordPlan.year == year)).first()


def plans_of(session: Session, agency_id: int) -> list[RecordPlan]:
    """The agency's plans, the latest year first."""
    return list(session.exec(select(RecordPlan).where(RecordPlan.agency_id == agency_id)
                             .order_by(col(RecordPlan.year).desc())))


def issued_plan(session: Session, agency_id: int, year: int) -> RecordPlan | None:
    """The agency's plan of ``year`` when it has been issued."""
    plan = plan_for_year(session, agency_id, year)
    return plan if plan is not None and plan.issued_at is not None else None


# --- headings and entries ---------------------------------------------------------------------


def headings_of(session: Session, plan_id: int) -> list[RecordPlanHeading]:
    """Every heading of a plan (in no particular order: ``plan_rules.outline`` orders them)."""
    return list(session.exec(select(RecordPlanHeading).where(RecordPlanHeading.plan_id == plan_id)
                             .order_by(RecordPlanHeading.id)))


def entries_of(session: Session, plan_id: int) -> list[RecordPlanEntry]:
    """Every entry of a plan, whatever its status."""
    return list(session.exec(select(RecordPlanEntry).where(RecordPlanEntry.plan_id == plan_id)
                             .order_by(RecordPlanEntry.id)))


def heading(session: Session, heading_id: int) -> RecordPlanHeading | None:
    """One heading by id."""
    return session.get(RecordPlanHeading, heading_id)


def entry(session: Session, entry_id: int) -> RecordPlanEntry | None:
    """One entry by id, whatever its status (see the module docstring)."""
    return session.get(RecordPlanEntry, entry_id)


def next_heading_position(session: Session, plan_id: int, parent_id: int | None) -> int:
    """The position after the last sibling of a new heading."""
    siblings = session.exec(select(RecordPlanHeading.position).where(
        RecordPlanHeading.plan_id == plan_id, RecordPlanHeading.parent_id == parent_id)).all()
    return max(siblings, default=0) + 1


def next_entry_position(session: Session, heading_id: int) -> int:
    """The position after the last entry of a heading."""
    positions = session.exec(select(RecordPlanEntry.position).where(RecordPlanEntry.heading_id == heading_id)).all()
    return max(positions, default=0) + 1


def sub_headings(session: Session, heading_id: int) -> list[RecordPlanHeading]:
    """The headings directly below one."""
    return list(session.exec(select(RecordPlanHeading).where(RecordPlanHeading.parent_id == heading_id)))


def entries_under(session: Session, heading_id: int) -> list[RecordPlanEntry]:
    """The entries directly under one heading."""
    return list(session.exec(select(RecordPlanEntry).where(RecordPlanEntry.heading_id == heading_id)))


def neighbour_heading(session: Session, item: RecordPlanHeading, step: int) -> RecordPlanHeading | None:
    """The sibling just before (``step`` -1) or after (+1) a heading."""
    siblings = sorted(session.exec(select(RecordPlanHeading).where(
        RecordPlanHeading.plan_id == item.plan_id, RecordPlanHeading.parent_id == item.parent_id)),
        key=lambda h: (h.position, h.id))
    return _neighbour(siblings, item, step)


def neighbour_entry(session: Session, item: RecordPlanEntry, step: int) -> RecordPlanEntry | None:
    """The entry of the same heading just before (``step`` -1) or after (+1) one."""
    siblings = sorted(entries_under(session, item.heading_id), key=lambda e: (e.position, e.id))
    return _neighbour(siblings, item, step)


def _neighbour(siblings: list, item, step: int):
    index = next(i for i, sibling in enumerate(siblings) if sibling.id == item.id) + step
    return siblings[index] if 0 <= index < len(siblings) else None


def renumber(session: Session, plan: RecordPlan) -> None:
    """Give every entry its số và ký hiệu from the outline (``plan_rules.assign_numbers``).

    Approved entries keep theirs. Rows are first moved to a provisional number of their own id,
    then to the final one, so a permutation never meets the (plan, số và ký hiệu) unique key
    half-way. Raises ``plan_duplicate_notation`` before writing anything. Caller holds the plan's
    row lock.
    """
    headings = headings_of(session, plan.id)
    entries = entries_of(session, plan.id)
    top_of = {h.id: h.parent_id or h.id for h in headings}
    abbreviation = {h.id: h.abbreviation for h in headings if h.parent_id is None}
    slots = []
    for line in plan_rules.outline(headings, entries):
        if line.kind == "entry":
            item = line.item
            scope = top_of[item.heading_id]
            slots.append(plan_rules.NumberSlot(item.id, scope, abbreviation[scope],
                                               item.file_notation if item.status == EntryStatus.APPROVED else ""))
    numbers = plan_rules.assign_numbers(slots, plan.numbering)
    changing = [item for item in entries if item.file_notation != numbers[item.id]]
    for item in changing:
        item.file_notation = f"~{item.id}"
        session.add(item)
    session.flush()
    for item in changing:
        item.file_notation = numbers[item.id]
        session.add(item)
    session.flush()


def copy_outline(session: Session, source_id: int, target_id: int) -> int:
    """Copy the headings and entries of one plan into another (entries as drafts, not yet
    numbered: the caller renumbers); return how many entries were copied."""
    new_ids: dict[int, int] = {}
    for old in sorted(headings_of(session, source_id), key=lambda h: (h.parent_id is not None, h.id)):
        copy = RecordPlanHeading(plan_id=target_id, parent_id=new_ids.get(old.parent_id) if old.parent_id else None,
                                 position=old.position, title=old.title, abbreviation=old.abbreviation,
                                 unit_id=old.unit_id)
        session.add(copy)
        session.flush()
        new_ids[old.id] = copy.id
    copied = 0
    for old in entries_of(session, source_id):
        session.add(RecordPlanEntry(
            plan_id=target_id, heading_id=new_ids[old.heading_id], position=old.position,
            file_notation=f"~c{old.id}", title=old.title, maintenance=old.maintenance,
            creator_unit_id=old.creator_unit_id, creator_user_id=old.creator_user_id,
            description=old.description, status=EntryStatus.DRAFT, added_in_round=0))
        copied += 1
    session.flush()
    return copied


def open_tasks_of(session: Session, plan_id: int, reach: ColumnElement[bool] | None = None) -> list[Task]:
    """The steps of a plan's approval still waiting; with ``reach`` (``models.tasks.repo.reach_of(…)
    .may_act``) only those that person may act on."""
    query = select(Task).where(Task.record_plan_id == plan_id, col(Task.status).in_(ACTIVE))
    if reach is not None:
        query = query.where(reach)
    return list(session.exec(query.order_by(Task.id)))


def history(session: Session, plan_id: int) -> list[tuple[AuditEvent, User | None]]:
    """The plan's audit events with who did each, oldest first (its page shows the rounds)."""
    return list(session.exec(
        select(AuditEvent, User).join(User, col(User.id) == col(AuditEvent.actor_id), isouter=True)
        .where(AuditEvent.subject_type == "record_plan", AuditEvent.subject_id == str(plan_id))
        .order_by(AuditEvent.id)).all())


# --- reads for the hồ sơ lifecycle ------------------------------------------------------------


def approved_entries(session: Session, agency_id: int, year: int) -> list[RecordPlanEntry]:
    """The approved entries of the agency's issued Danh mục of ``year``, in printed order."""
    plan = issued_plan(session, agency_id, year)
    if plan is None:
        return []
    lines = plan_rules.outline(headings_of(session, plan.id), entries_of(session, plan.id))
    return [line.item for line in lines if line.kind == "entry" and line.item.status == EntryStatus.APPROVED]


def heading_for_unit(session: Session, agency_id: int, year: int, unit_id: int) -> RecordPlanHeading | None:
    """The heading of the issued plan of ``year`` that follows ``unit_id``: the most specific
    one (a sub-heading before a top heading), the first in printed order among equals."""
    plan = issued_plan(session, agency_id, year)
    if plan is None:
        return None
    lines = plan_rules.outline(headings_of(session, plan.id), [])
    matching = [line for line in lines if line.item.unit_id == unit_id]
    matching.sort(key=lambda line: line.top)  # stable: sub-headings first, printed order kept
    return matching[0].item if matching else None
