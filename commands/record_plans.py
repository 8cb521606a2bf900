"""The Danh mục hồ sơ (ND30 Điều 28; DOMAIN §9): drafting, submitting for approval, starting a year.

Shared by the pages and API v1. The văn thư or the archivist (``luu_tru``) of an agency drafts its
plan for a year; the head of the agency approves it through the ``RecordPlanApproval`` workflow
(one run per round, started after the submission's commit). Every write locks the plan's row,
checks, changes, renumbers the entries and writes its audit event in one transaction; a refusal
changes nothing. Another agency's plan is "not found".
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from temporalio.client import Client
from temporalio.service import RPCError

from config.settings import Settings
from models.audit import record
from models.db import transaction
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.org.tables import Agency, OrgUnit, User
from models.records import plan_repo, plan_rules
from models.records.plan_schema import EntryChange, EntryInput, HeadingInput, PlanInput
from models.records.tables import (
    EntryStatus,
    PlanNumbering,
    PlanStatus,
    RecordPlan,
    RecordPlanEntry,
    RecordPlanHeading,
)
from models.text import refuse_unsafe_text
from models.vocab import Role
from workflows.record_contracts import RecordPlanApprovalInput, record_plan_workflow_id
from workflows.starter import start_record_plan_approval

log = logging.getLogger("qlvb.record_plans")

DRAFTERS = frozenset({Role.CLERK, Role.ARCHIVIST})


def may_draft(roles: set[Role]) -> bool:
    """Whether these roles draft the Danh mục (the văn thư and the archivist, ND30 Điều 28.1)."""
    return bool(roles & DRAFTERS)


def plan_for_user(session: Session, user: User, plan_id: int, *, for_update: bool = False) -> RecordPlan:
    """A plan of the person's own agency; ``plan_not_found`` for a missing or foreign one."""
    plan = plan_repo.plan_by_id(session, plan_id, for_update=for_update)
    if plan is None or plan.agency_id != user.agency_id:
        raise NotFound("plan_not_found")
    return plan


def _to_change(session: Session, user: User, roles: set[Role], plan_id: int) -> RecordPlan:
    plan = plan_for_user(session, user, plan_id, for_update=True)
    if not may_draft(roles):
        raise Forbidden("plan_drafters_only")
    return plan


def _changed(session: Session, plan: RecordPlan, user: User, code: str, renumber: bool = True, **data: Any) -> None:
    """Renumber (refusing a duplicate số và ký hiệu before anything is written), audit, bump the version."""
    if renumber:
        plan_repo.renumber(session, plan)
    plan.version += 1
    session.add(plan)
    record(session, user.id, code, "record_plan", plan.id, **data)


def _text(value: str, field: str) -> str:
    refuse_unsafe_text(multiline=False, **{field: value})
    return unicodedata.normalize("NFC", value).strip()


def _unit_of_agency(session: Session, agency_id: int, unit_id: int | None, field: str) -> int | None:
    if unit_id is None:
        return None
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.agency_id != agency_id:
        raise DomainError("invalid_fields", fields={field: "invalid"})
    return unit_id


def _person_of_agency(session: Session, agency_id: int, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    person = session.get(User, user_id)
    if person is None or person.agency_id != agency_id or person.disabled:
        raise DomainError("invalid_fields", fields={"creator_user_id": "invalid"})
    return user_id


# --- the plan -------------------------------------------------------------------------------


def create_plan(engine: Engine, *, user: User, roles: set[Role], data: PlanInput) -> int:
    """A new plan of the person's agency for ``data.year``; its id.

    With ``from_previous`` the headings and entries of the previous year's plan are copied as a
    draft (numbers given afresh in the same order). Refused: a second plan for the same year
    (``plan_exists``), no plan the year before (``plan_no_previous``).
    """
    if not may_draft(roles):
        raise Forbidden("plan_drafters_only")
    with transaction(engine) as session:
        if plan_repo.plan_for_year(session, user.agency_id, data.year) is not None:
            raise Conflict("plan_exists", year=data.year)
        previous = plan_repo.plan_for_year(session, user.agency_id, data.year - 1) if data.from_previous else None
        if data.from_previous and previous is None:
            raise DomainError("plan_no_previous", year=data.year - 1)
        plan = RecordPlan(agency_id=user.agency_id, year=data.year, created_by=user.id,
                          numbering=previous.numbering if previous else data.numbering)
        session.add(plan)
        try:
            session.flush()  # the (agency, year) key settles a race between two drafters
        except IntegrityError:
            raise Conflict("plan_exists", year=data.year) from None
        copied = plan_repo.copy_outline(session, previous.id, plan.id) if previous else 0
        _changed(session, plan, user, "record_plan.created", year=plan.year, numbering=str(plan.numbering),
                 from_plan=previous.id if previous else None, copied_entries=copied)
        return plan.id


def set_numbering(engine: Engine, *, user: User, roles: set[Role], plan_id: int, numbering: str) -> None:
    """Number through the list or within each top heading (a draft only)."""
    try:
        choice = PlanNumbering(numbering)
    except ValueError:
        raise DomainError("invalid_fields", fields={"numbering": "invalid"}) from None
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        plan_rules.check_draft(plan.status)
        plan.numbering = choice
        _changed(session, plan, user, "record_plan.numbering_changed", numbering=str(choice))


# --- headings -------------------------------------------------------------------------------


def _heading_of(session: Session, plan: RecordPlan, heading_id: int | None, field: str) -> RecordPlanHeading:
    found = plan_repo.heading(session, heading_id) if heading_id is not None else None
    if found is None or found.plan_id != plan.id:
        raise DomainError("invalid_fields", fields={field: "invalid"})
    return found


def add_heading(engine: Engine, *, user: User, roles: set[Role], plan_id: int, data: HeadingInput) -> int:
    """A heading at the end of its level: a top heading needs its abbreviation; one below names a
    top heading (two levels, PL V II.1). An issued plan takes new headings for later additions."""
    title = _text(data.title, "title")
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        if plan.status == PlanStatus.PENDING:
            raise Conflict("plan_pending")
        abbreviation = ""
        if data.parent_id is not None:
            parent = _heading_of(session, plan, data.parent_id, "parent_id")
            if parent.parent_id is not None:
                raise DomainError("plan_heading_too_deep")
        else:
            abbreviation = plan_rules.clean_abbreviation(data.abbreviation)
        item = RecordPlanHeading(plan_id=plan.id, parent_id=data.parent_id, title=title, abbreviation=abbreviation,
                                 unit_id=_unit_of_agency(session, plan.agency_id, data.unit_id, "unit_id"),
                                 position=plan_repo.next_heading_position(session, plan.id, data.parent_id))
        session.add(item)
        session.flush()
        _changed(session, plan, user, "record_plan.heading_added", renumber=False, heading_id=item.id,
                 title=title, abbreviation=abbreviation, parent_id=data.parent_id)
        return item.id


def change_heading(engine: Engine, *, user: User, roles: set[Role], plan_id: int, heading_id: int,
                   data: HeadingInput) -> None:
    """New title, abbreviation (top headings) and unit of a draft's heading; entries renumbered."""
    title = _text(data.title, "title")
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        plan_rules.check_draft(plan.status)
        item = _heading_of(session, plan, heading_id, "heading_id")
        item.title = title
        if item.parent_id is None:
            item.abbreviation = plan_rules.clean_abbreviation(data.abbreviation)
        item.unit_id = _unit_of_agency(session, plan.agency_id, data.unit_id, "unit_id")
        session.add(item)
        session.flush()
        _changed(session, plan, user, "record_plan.heading_changed", heading_id=item.id, title=title,
                 abbreviation=item.abbreviation)


def remove_heading(engine: Engine, *, user: User, roles: set[Role], plan_id: int, heading_id: int) -> None:
    """Remove an empty heading (no entries, no headings below); the siblings after it move up."""
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        if plan.status == PlanStatus.PENDING:
            raise Conflict("plan_pending")
        item = _heading_of(session, plan, heading_id, "heading_id")
        if plan_repo.sub_headings(session, item.id) or plan_repo.entries_under(session, item.id):
            raise Conflict("plan_heading_not_empty")
        for sibling in plan_repo.headings_of(session, plan.id):
            if sibling.parent_id == item.parent_id and sibling.position > item.position:
                sibling.position -= 1
                session.add(sibling)
        session.delete(item)
        session.flush()
        _changed(session, plan, user, "record_plan.heading_removed", renumber=False, heading_id=heading_id,
                 title=item.title)


def move_heading(engine: Engine, *, user: User, roles: set[Role], plan_id: int, heading_id: int, step: int) -> None:
    """Swap a draft's heading with the one before (``step`` -1) or after (+1); entries renumbered."""
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        plan_rules.check_draft(plan.status)
        item = _heading_of(session, plan, heading_id, "heading_id")
        other = plan_repo.neighbour_heading(session, item, 1 if step > 0 else -1)
        if other is None:
            return  # already first or last: nothing to do, nothing audited
        item.position, other.position = other.position, item.position
        session.add_all([item, other])
        session.flush()
        _changed(session, plan, user, "record_plan.heading_moved", heading_id=item.id, step=step)


# --- entries --------------------------------------------------------------------------------


def _creator(session: Session, plan: RecordPlan, heading: RecordPlanHeading, unit_id: int | None,
             user_id: int | None) -> tuple[int | None, int | None]:
    """Who creates the hồ sơ: the unit or person given, else the unit the heading follows."""
    unit_id = _unit_of_agency(session, plan.agency_id, unit_id, "creator_unit_id")
    user_id = _person_of_agency(session, plan.agency_id, user_id)
    if unit_id is None and user_id is None:
        parent = plan_repo.heading(session, heading.parent_id) if heading.parent_id else None
        unit_id = heading.unit_id or (parent.unit_id if parent else None)
    if unit_id is None and user_id is None:
        raise DomainError("invalid_fields", fields={"creator_unit_id": "required"})
    return unit_id, user_id


def add_entry(engine: Engine, *, user: User, roles: set[Role], plan_id: int, data: EntryInput) -> int:
    """A hồ sơ at the end of its heading, numbered by QLVB; a draft's entry, or a proposed
    addition (``de_xuat``) of an issued plan, which waits for the next approval round."""
    title = _text(data.title, "title")
    description = _text(data.description, "description")
    retention = plan_rules.parse_retention(data.maintenance)
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        status = plan_rules.status_of_new_entry(plan.status)
        heading = _heading_of(session, plan, data.heading_id, "heading_id")
        unit_id, person_id = _creator(session, plan, heading, data.creator_unit_id, data.creator_user_id)
        item = RecordPlanEntry(plan_id=plan.id, heading_id=heading.id, file_notation="~new", title=title,
                               maintenance=retention.text, creator_unit_id=unit_id, creator_user_id=person_id,
                               description=description, status=status,
                               position=plan_repo.next_entry_position(session, heading.id))
        session.add(item)
        session.flush()
        _changed(session, plan, user, "record_plan.entry_added", entry_id=item.id, title=title,
                 maintenance=retention.text, status=str(status))
        return item.id


def _entry_of(session: Session, plan: RecordPlan, entry_id: int) -> RecordPlanEntry:
    found = plan_repo.entry(session, entry_id)
    if found is None or found.plan_id != plan.id:
        raise NotFound("plan_entry_not_found")
    plan_rules.check_entry_editable(plan.status, found.status)
    return found


def change_entry(engine: Engine, *, user: User, roles: set[Role], plan_id: int, entry_id: int,
                 data: EntryChange) -> None:
    """New title, retention, creator or notes of an entry still open to change (never an approved one)."""
    given = data.model_fields_set
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        item = _entry_of(session, plan, entry_id)
        if data.title is not None:
            item.title = _text(data.title, "title")
        if data.maintenance is not None:
            item.maintenance = plan_rules.parse_retention(data.maintenance).text
        if data.description is not None:
            item.description = _text(data.description, "description")
        if given & {"creator_unit_id", "creator_user_id"}:
            heading = plan_repo.heading(session, item.heading_id)
            item.creator_unit_id, item.creator_user_id = _creator(session, plan, heading, data.creator_unit_id,
                                                                  data.creator_user_id)
        session.add(item)
        session.flush()
        _changed(session, plan, user, "record_plan.entry_changed", renumber=False, entry_id=item.id,
                 file_notation=item.file_notation, fields=sorted(given))


def remove_entry(engine: Engine, *, user: User, roles: set[Role], plan_id: int, entry_id: int) -> None:
    """Remove an entry still open to change; the entries after it are renumbered."""
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        item = _entry_of(session, plan, entry_id)
        notation, title = item.file_notation, item.title
        session.delete(item)
        session.flush()
        _changed(session, plan, user, "record_plan.entry_removed", entry_id=entry_id, file_notation=notation,
                 title=title)


def move_entry(engine: Engine, *, user: User, roles: set[Role], plan_id: int, entry_id: int, step: int) -> None:
    """Swap an entry with the one before or after it under the same heading; both must be open
    to change (an approved entry's place and number stay). The numbers follow the new order."""
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        item = _entry_of(session, plan, entry_id)
        other = plan_repo.neighbour_entry(session, item, 1 if step > 0 else -1)
        if other is None:
            return
        plan_rules.check_entry_editable(plan.status, other.status)
        item.position, other.position = other.position, item.position
        session.add_all([item, other])
        session.flush()
        _changed(session, plan, user, "record_plan.entry_moved", entry_id=item.id, step=step)


# --- submission -----------------------------------------------------------------------------


async def submit_plan(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                      plan_id: int) -> int:
    """Send the draft, or an issued plan's proposed additions, to the head of the agency; the round.

    1. One transaction: the next round, its workflow id ``danhmuc-<plan>-<round>``, status
       ``cho_duyet``, each proposed addition marked with the round, the audit event.
    2. After the commit, the round's ``RecordPlanApproval`` run starts (a task for the agency's
       leaders). Submitting a plan already waiting starts its round again if it never started
       (Temporal was unreachable): the start is idempotent on the workflow id.
    """
    start, agency_code = await asyncio.to_thread(_begin_round, engine, user, roles, plan_id)
    try:
        await start_record_plan_approval(client, settings.temporal_task_queue, start, agency_code)
    except RPCError:
        log.warning("approval round %s of plan %s not started yet", start.approval_round, plan_id, exc_info=True)
    return start.approval_round


def _begin_round(engine: Engine, user: User, roles: set[Role], plan_id: int) -> tuple[RecordPlanApprovalInput, str]:
    with transaction(engine) as session:
        plan = _to_change(session, user, roles, plan_id)
        agency = session.get(Agency, plan.agency_id)
        if plan.status != PlanStatus.PENDING:
            entries = plan_repo.entries_of(session, plan.id)
            count = plan_rules.awaiting_approval(plan.status, [item.status for item in entries])
            plan.approval_round += 1
            plan.workflow_id = record_plan_workflow_id(plan.id, plan.approval_round)
            plan.status = PlanStatus.PENDING
            for item in entries:
                if item.status == EntryStatus.PROPOSED:
                    item.added_in_round = plan.approval_round
                    session.add(item)
            _changed(session, plan, user, "record_plan.submitted", renumber=False, round=plan.approval_round,
                     workflow_id=plan.workflow_id, entries=count)
        return RecordPlanApprovalInput(plan.id, plan.agency_id, plan.approval_round), agency.code
