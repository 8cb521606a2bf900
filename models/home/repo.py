"""The home page's reads, per role: counts in SQL and the first few rows of each list.

Every list of tasks starts from ``models.tasks.repo.reach_of`` (the one answer to "which tasks may
this person act on", delegations included), so the home page, the inbox and the acts agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from models.documents.tables import Document
from models.org.tables import User
from models.outgoing.tables import Recipient, RecipientKind
from models.tasks.repo import ACTIVE, Reach
from models.tasks.tables import Task
from models.vocab import DocumentStatus

# How many rows each section shows; its count says how many there are, its link leads to them all.
SHOWN = 10
# The văn thư's steps: a received document to register or return (or a scan to retry), and
# a signed draft to number, seal and release.
REGISTRATION_STEPS = ("accept", "quarantine")
ISSUE_STEPS = ("issue",)
# A leader's steps: direction (an agency leader's on an incoming document, a unit head's naming of
# the handler or of an assignment's lead), approval and signature (of a draft, a schedule, a Danh
# mục); anything else they may act on (extensions, consultations, assessments…) is listed apart.
DIRECTION_STEPS = ("direct", "assign", "name_lead")
SIGNATURE_STEPS = ("review", "approve", "sign", "approve_schedule", "approve_plan")

@dataclass
class Listing:
    """A count and the first rows of one section."""

    count: int = 0
    rows: list = field(default_factory=list)


def _by_deadline(query):
    """Overdue first, then the nearest deadline (none last), then the oldest."""
    return query.order_by(col(Task.overdue).desc(), col(Task.due_at).is_(None), col(Task.due_at), col(Task.id))


def _tasks(session: Session, condition, limit: int = SHOWN) -> Listing:
    count = session.exec(select(func.count()).select_from(Task).where(condition)).one()
    rows = list(session.exec(_by_deadline(select(Task).where(condition)).limit(limit))) if count else []
    return Listing(count, rows)


def my_steps(session: Session, reach: Reach, steps: tuple[str, ...], limit: int = SHOWN) -> Listing:
    """The steps of these kinds the person may act on (their own, their groups', delegated ones)."""
    return _tasks(session, (reach.may_act) & col(Task.step).in_(steps), limit)


def my_other_steps(session: Session, reach: Reach, excluded: tuple[str, ...], limit: int = SHOWN) -> Listing:
    """The steps the person may act on other than those of the kinds ``excluded``."""
    return _tasks(session, (reach.may_act) & col(Task.step).not_in(excluded), limit)


def my_tasks(session: Session, reach: Reach, limit: int = SHOWN) -> Listing:
    """Everything the person may act on, overdue first, then by deadline."""
    return _tasks(session, reach.may_act, limit)


def overdue_in_agency(session: Session, agency_id: int, limit: int = SHOWN) -> Listing:
    """The agency's open steps past their deadline (through ``ix_task_queue``: agency, status)."""
    return _tasks(session, (col(Task.agency_id) == agency_id) & col(Task.status).in_(ACTIVE)
                  & col(Task.overdue).is_(True), limit)


def overdue_in_unit(session: Session, agency_id: int, unit_id: int, limit: int = SHOWN) -> Listing:
    """A unit's open steps past their deadline: offered to the unit, or held by one of its people."""
    members = select(User.id).where(User.unit_id == unit_id)
    in_unit = or_(col(Task.unit_id) == unit_id, col(Task.assignee_id).in_(members))
    return _tasks(session, (col(Task.agency_id) == agency_id) & col(Task.status).in_(ACTIVE)
                  & col(Task.overdue).is_(True) & in_unit, limit)


def unacknowledged_recipients(session: Session, agency_id: int, limit: int = SHOWN) -> Listing:
    """Recipients of the agency's issued documents that have reported nothing yet (no 01 nor any
    later status), the oldest issue first. Units of the agency itself report nothing, so they are left out."""
    condition = ((col(Document.agency_id) == agency_id) & (col(Document.status) == DocumentStatus.ISSUED)
                 & (col(Recipient.business_status) == "") & (col(Recipient.kind) != RecipientKind.UNIT))
    joined = select(func.count()).select_from(Recipient).join(Document, col(Document.id) == Recipient.document_id)
    count = session.exec(joined.where(condition)).one()
    rows = list(session.exec(
        select(Recipient, Document).join(Document, col(Document.id) == Recipient.document_id).where(condition)
        .order_by(case((col(Document.issued_at).is_(None), 1), else_=0), col(Document.issued_at), col(Recipient.id))
        .limit(limit))) if count else []
    return Listing(count, rows)
