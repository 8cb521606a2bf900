"""A Danh mục hồ sơ as its page, API v1 and printouts show it (ND30 Phụ lục V, Mẫu Danh mục hồ sơ).

One assembly for every output: the outline (headings with their numerals, entries in order),
who creates each hồ sơ, the footer totals, and the agency's name in force on the plan's date
(its issue date, or today for a plan not yet issued), as the printed form must carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from models.db import utcnow
from models.org.dated_repo import name_on
from models.org.tables import Agency, OrgUnit, User
from models.records import plan_repo, plan_rules
from models.records.plan_rules import Line, Totals
from models.records.tables import EntryStatus, RecordPlan
from models.registers.numbering import vietnam_date


@dataclass
class PlanSheet:
    """Everything one output of a plan needs, read in one short transaction."""

    plan: RecordPlan
    on: date  # the date whose agency name is printed
    agency_name: str
    parent_agency_name: str  # Tên cơ quan, tổ chức chủ quản ("" for a top-level agency)
    lines: list[Line]
    creators: dict[int, str]  # entry id -> "Phòng Tổng hợp, Phạm Quốc Hùng"
    totals: Totals
    approved_only: bool  # an issued plan prints its approved entries, not additions still proposed


def plan_sheet(session: Session, plan: RecordPlan, *, printed: bool = False) -> PlanSheet:
    """The plan's outline and footer; ``printed`` leaves out an issued plan's unapproved additions."""
    on = vietnam_date(plan.issued_at or utcnow())
    agency = session.get(Agency, plan.agency_id)
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    approved_only = printed and plan.issued_at is not None
    entries = [item for item in plan_repo.entries_of(session, plan.id)
               if not approved_only or item.status == EntryStatus.APPROVED]
    lines = plan_rules.outline(plan_repo.headings_of(session, plan.id), entries)
    return PlanSheet(
        plan=plan, on=on, agency_name=name_on(session, agency, on)[0],
        parent_agency_name=name_on(session, parent, on)[0] if parent else "",
        lines=lines, creators={item.id: _creator_text(session, item) for item in entries},
        totals=plan_rules.totals(item.maintenance for item in entries), approved_only=approved_only)


def _creator_text(session: Session, item) -> str:
    unit = session.get(OrgUnit, item.creator_unit_id) if item.creator_unit_id else None
    person = session.get(User, item.creator_user_id) if item.creator_user_id else None
    return ", ".join(name for name in (unit.name if unit else "", person.full_name if person else "") if name)
