"""Small factories for the hồ sơ tests: an agency with the people a hồ sơ meets, documents with
stored PDFs, and a stand-in Temporal client that records what the commands start and signal."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from models.db import transaction, utcnow
from models.documents.file_store import FileStore
from models.documents.tables import Assignment, Document, StoredFile
from models.org.tables import Agency, User, UserRole
from models.records.tables import RecordFile, RecordStatus
from models.vocab import AgencyKind, AssignmentRole, Direction, DocumentSource, DocumentStatus, Role
from tests.conftest import minimal_pdf
from tests.factories import Org, make_org

EXTRA_PEOPLE = [("head", {Role.UNIT_LEADER}, "TH"), ("archivist", {Role.ARCHIVIST}, "HCTC"),
                ("colleague", {Role.OFFICER}, "TH"), ("other", {Role.OFFICER}, "HCTC"), ("admin", {Role.ADMIN}, "HCTC")]


def make_records_org(engine: Engine, code: str = "000.00.01.H23") -> Org:
    """The factories' agency plus a unit head of TH, an archivist, a colleague and an officer of HCTC."""
    with transaction(engine) as session:
        org = make_org(session, code)
        for username, roles, unit in EXTRA_PEOPLE:
            user = User(username=f"{username}{org.agency_id}", full_name=username.title(), agency_id=org.agency_id,
                        unit_id=org.units[unit], password_hash="!", must_change_password=False)
            session.add(user)
            session.flush()
            for role in roles:
                session.add(UserRole(user_id=user.id, role=role))
            org.users[username], org.roles[username] = user, set(roles)
        session.flush()
    return org


def make_outside_agency(engine: Engine, org: Org) -> Org:
    """Another agency with one văn thư (``clerk``) of its own, and ``drafter``: the first agency's
    văn thư, who drafted there before moving (still seeing what they drafted)."""
    with transaction(engine) as session:
        agency = Agency(code="000.00.03.H23", name="Sở Tài chính tỉnh Hà Nam", abbreviation="STC",
                        kind=AgencyKind.DEPARTMENT, place_name="Hà Nam")
        session.add(agency)
        session.flush()
        clerk = User(username=f"clerk{agency.id}", full_name="Văn thư Sở", agency_id=agency.id, password_hash="!",
                     must_change_password=False)
        session.add(clerk)
        session.flush()
        session.add(UserRole(user_id=clerk.id, role=Role.CLERK))
    return Org(agency_id=agency.id, users={"clerk": clerk, "drafter": org.users["clerk"]},
               roles={"clerk": {Role.CLERK}, "drafter": org.roles["clerk"]})


def add_document(engine: Engine, store: FileStore, org: Org, *, pages: int = 1, direction: Direction = Direction.INCOMING,
                 status: DocumentStatus = DocumentStatus.DONE, number: str = "", issued: date | None = date(2026, 3, 2),
                 agency_id: int | None = None, created_by: str = "clerk", data: bytes | None = None,
                 handler: str = "") -> str:
    """A document of the agency with a stored PDF of ``pages`` pages (handled by ``handler``, who
    then sees it); returns its id."""
    data = data or minimal_pdf(pages, f"Van ban {uuid.uuid4().hex[:8]}")
    sha256 = store.put(data)
    with transaction(engine) as session:
        stored = StoredFile(sha256=sha256, size=len(data), content_type="application/pdf", filename="vb.pdf")
        session.add(stored)
        session.flush()
        document = Document(
            id=str(uuid.uuid4()), direction=direction, agency_id=agency_id or org.agency_id, status=status,
            source=DocumentSource.UPLOAD if direction == Direction.INCOMING else None,
            code_number=number or str(uuid.uuid4().int % 900 + 100), code_notation="STC-NS",
            organ_name="Sở Tài chính tỉnh Hà Nam", type_name="Công văn", subject="V/v lập dự toán năm 2027",
            issued_date=issued, page_amount=None, file_id=stored.id, created_by=org.users[created_by].id)
        session.add(document)
        session.flush()
        if handler:
            session.add(Assignment(document_id=document.id, role=AssignmentRole.LEAD, user_id=org.users[handler].id,
                                   unit_id=org.users[handler].unit_id, assigned_by=org.users["leader"].id))
        return document.id


# Distinct số và ký hiệu for rows the tests add (a random pick collided now and then).
_NOTATIONS = itertools.count(10)


def add_record(engine: Engine, org: Org, *, creator: str = "officer", status: RecordStatus = RecordStatus.OPEN,
               notation: str = "", maintenance: str = "10 năm", end_date: date | None = None,
               transfer_due: date | None = None, rights: str = "Sử dụng rộng rãi", year: int = 2026) -> int:
    """A hồ sơ row as a command leaves it (no workflow behind it)."""
    with transaction(engine) as session:
        creator_user = org.users[creator]
        record = RecordFile(
            agency_id=org.agency_id, file_catalog=year, file_notation=notation or f"{next(_NOTATIONS):02d}.TH",
            title="Hồ sơ lập dự toán ngân sách năm 2027", maintenance=maintenance, rights=rights,
            creator_id=creator_user.id, unit_id=creator_user.unit_id, start_date=date(2026, 1, 5),
            end_date=end_date, status=status, closed=status != RecordStatus.OPEN, transfer_due=transfer_due,
            workflow_id=f"hoso-{uuid.uuid4()}")
        session.add(record)
        session.flush()
        return record.id


@dataclass
class FakeHandle:
    """A workflow handle that records the signals sent to it."""

    client: FakeClient
    workflow_id: str

    async def signal(self, signal, *args) -> None:
        self.client.signals.append((self.workflow_id, getattr(signal, "__name__", str(signal)), args))


@dataclass
class FakeClient:
    """Records workflow starts and signals (the activity tier has no Temporal server)."""

    started: list[tuple[str, object]] = field(default_factory=list)
    signals: list[tuple[str, str, tuple]] = field(default_factory=list)

    async def start_workflow(self, run, argument, *, id: str, **_options) -> FakeHandle:  # noqa: A002 - SDK name
        self.started.append((id, argument))
        return FakeHandle(self, id)

    def get_workflow_handle(self, workflow_id: str) -> FakeHandle:
        return FakeHandle(self, workflow_id)


def settings_for(tmp_path: Path):
    """Settings on temporary storage (the task queue is never polled here)."""
    from config.settings import Settings

    return Settings(var_dir=tmp_path, temporal_task_queue=f"test-{uuid.uuid4()}")


def at(day: date) -> datetime:
    """Midnight UTC of a day, for comparing timer instants."""
    return datetime(day.year, day.month, day.day, tzinfo=utcnow().tzinfo)
