"""Rows for the supervision and publication tests: a late incoming document of an agency, written
straight through the repositories (no workflow), and the statistics rollups rebuilt at once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from models import audit
from models.assignments.tables import AssignmentStatus, WorkAssignment
from models.db import transaction, utcnow
from models.documents.tables import Assignment, Document
from models.org.repo import agency_by_code, get_by_username
from models.org.tables import Agency, OrgUnit
from models.registers.numbering import vietnam_date
from models.statistics import rollup_build
from models.tasks.tables import Task
from models.vocab import AssignmentRole, Direction, DocumentSource, DocumentStatus, Role, TaskStatus
from workflows.contracts import incoming_workflow_id

OFFICE = "000.00.01.H23"


def late_document(engine: Engine, *, agency_code: str = OFFICE, unit: str = "TH", handler: str = "chuyenvien",
                  subject: str = "V/v báo cáo tiến độ giải ngân vốn đầu tư công", days_late: int = 10,
                  number: int = 901) -> str:
    """A registered incoming document handled by ``handler`` in ``unit``, ``days_late`` days past its
    deadline, with its handling step open and flagged overdue; returns its id."""
    document_id = str(uuid.uuid4())
    today = vietnam_date(utcnow())
    with transaction(engine) as session:
        agency = agency_by_code(session, agency_code)
        unit_row = session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency.id, OrgUnit.abbreviation == unit)).one()
        person = get_by_username(session, handler)
        session.add(Document(
            id=document_id, direction=Direction.INCOMING, agency_id=agency.id, status=DocumentStatus.IN_PROGRESS,
            source=DocumentSource.HUB, code_number=str(number), code_notation="UBND-KT", organ_name="Ủy ban nhân dân xã Bình Lục",
            type_name="Công văn", subject=subject, arrival_number=number, arrival_date=utcnow() - timedelta(days=days_late + 5),
            due_date=today - timedelta(days=days_late), workflow_id=incoming_workflow_id(document_id),
            process_key="incoming-standard", process_version=1, created_by=person.id))
        session.flush()
        session.add(Assignment(document_id=document_id, role=AssignmentRole.LEAD, unit_id=unit_row.id, user_id=person.id,
                               assigned_by=person.id, due_date=today - timedelta(days=days_late)))
        session.add(Task(workflow_id=incoming_workflow_id(document_id), task_key="handle:1", document_id=document_id,
                         step="handle", agency_id=agency.id, unit_id=unit_row.id, candidate_role=Role.OFFICER,
                         assignee_id=person.id, status=TaskStatus.CLAIMED, actions=["hoan_thanh"],
                         due_at=utcnow() - timedelta(days=days_late), overdue=True))
        audit.record(session, person.id, "document.received", "document", document_id, source="hub")
    return document_id


def refresh_statistics(engine: Engine) -> None:
    """Rebuild the rollups of every agency of the installation now (the schedule's job)."""
    with transaction(engine) as session:
        ids = list(session.exec(select(Agency.id).where(Agency.hosted == True)))  # noqa: E712
        rollup_build.rebuild(session, ids)


def late_assignment(engine: Engine, *, agency_code: str = OFFICE, unit: str = "TH", lead: str = "chuyenvien",
                    assigner: str = "lanhdao", title: str = "Tổng hợp báo cáo cải cách hành chính quý",
                    days_late: int = 6) -> int:
    """An assignment (giao việc) in progress, ``days_late`` days past its deadline; returns its id."""
    with transaction(engine) as session:
        agency = agency_by_code(session, agency_code)
        unit_row = session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency.id, OrgUnit.abbreviation == unit)).one()
        assignment = WorkAssignment(
            workflow_id=f"giaoviec-{uuid.uuid4()}", agency_id=agency.id, assigner_id=get_by_username(session, assigner).id,
            assigner_role=Role.AGENCY_LEADER, title=title, content="Tổng hợp số liệu của các phòng.",
            lead_user_id=get_by_username(session, lead).id, lead_unit_id=unit_row.id,
            status=AssignmentStatus.IN_PROGRESS, due_at=utcnow() - timedelta(days=days_late),
            created_at=utcnow() - timedelta(days=days_late + 10))
        session.add(assignment)
        session.flush()
        return assignment.id
