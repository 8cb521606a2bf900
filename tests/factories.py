"""Fast row factories for the activity tier: a tiny agency with its people, and documents.

No argon2 hashing and no demo seed, so a fresh database costs milliseconds; every call inserts
rows in the caller's transaction (the caller commits).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, select

from models.db import utcnow
from models.documents.tables import Document
from models.org.tables import Agency, OrgUnit, User, UserRole
from models.records.tables import RecordPlan
from models.tasks.tables import Task
from models.vocab import AgencyKind, Direction, DocumentSource, Role
from workflows.contracts import incoming_workflow_id

# (username, roles, unit abbreviation)
PEOPLE: list[tuple[str, set[Role], str | None]] = [
    ("clerk", {Role.CLERK}, "HCTC"),
    ("leader", {Role.AGENCY_LEADER}, None),
    ("deputy", {Role.AGENCY_LEADER}, None),
    ("officer", {Role.OFFICER}, "TH"),
]


@dataclass
class Org:
    """One hosted agency with two units and a person per role (ids only: safe across sessions)."""

    agency_id: int
    units: dict[str, int] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    roles: dict[str, set[Role]] = field(default_factory=dict)


def make_org(session: Session, code: str = "000.00.01.H23") -> Org:
    """Insert an agency (Văn phòng UBND tỉnh), units HCTC and TH, and the people in ``PEOPLE``."""
    agency = Agency(code=code, name="Văn phòng Ủy ban nhân dân tỉnh Hà Nam", abbreviation="VP",
                    kind=AgencyKind.PROVINCE_OFFICE, place_name="Hà Nam")
    session.add(agency)
    session.flush()
    org = Org(agency_id=agency.id)
    for abbreviation, name in [("HCTC", "Phòng Hành chính - Tổ chức"), ("TH", "Phòng Tổng hợp")]:
        unit = OrgUnit(agency_id=agency.id, abbreviation=abbreviation, name=name)
        session.add(unit)
        session.flush()
        org.units[abbreviation] = unit.id
    for username, roles, unit in PEOPLE:
        user = User(username=username, full_name=username.title(), agency_id=agency.id,
                    unit_id=org.units[unit] if unit else None, password_hash="!",
                    must_change_password=False)
        session.add(user)
        session.flush()
        for role in roles:
            session.add(UserRole(user_id=user.id, role=role))
        org.users[username] = user
        org.roles[username] = set(roles)
    session.flush()
    return org


def make_document(session: Session, org: Org, *, created_at: datetime | None = None,
                  subject: str = "V/v báo cáo tình hình thực hiện nhiệm vụ") -> Document:
    """Insert a NEW incoming document with its workflow id, as intake leaves it."""
    document_id = str(uuid.uuid4())
    document = Document(
        id=document_id, direction=Direction.INCOMING, agency_id=org.agency_id,
        source=DocumentSource.UPLOAD, code_number="125", code_notation="STC-NS",
        organ_name="Sở Tài chính tỉnh Hà Nam", type_name="Công văn", subject=subject,
        workflow_id=incoming_workflow_id(document_id), process_key="incoming-standard",
        process_version=1, created_by=org.users["clerk"].id, created_at=created_at or utcnow(),
    )
    session.add(document)
    session.flush()
    return document


def make_task(session: Session, org: Org, document: Document, *, task_key: str = "direct:1",
              role: Role = Role.AGENCY_LEADER, actions: tuple[str, ...] = ("giao_xu_ly", "luu_tham_khao"),
              unit: str | None = None) -> Task:
    """Insert an OPEN task for a document, offered to ``role`` (and ``unit`` when given)."""
    task = Task(workflow_id=document.workflow_id, task_key=task_key, document_id=document.id,
                step=task_key.split(":")[0], agency_id=org.agency_id,
                unit_id=org.units[unit] if unit else None, candidate_role=role, actions=list(actions))
    session.add(task)
    session.flush()
    return task


def skip_plan_ids(session: Session) -> None:
    """Number this database's next Danh mục hồ sơ from a random point instead of 1.

    Approval runs are named ``danhmuc-<plan id>-<round>`` on the one dev server the whole session
    shares, and each test database numbers its plans from 1: another test's finished run of plan 1
    would otherwise stand in for this one's (a start of a closed id is refused).
    """
    start = random.randrange(10**6, 2**31 - 10**6)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('recordplan', 'id'), :start)"), {"start": start})
        return
    # SQLite gives a new row the highest id plus one: a placeholder plan of year 1900 sets it.
    session.add(RecordPlan(id=start, agency_id=session.exec(select(Agency.id)).first(), year=1900))
    session.flush()
