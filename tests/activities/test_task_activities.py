"""Task projection and decision activities run twice leave one effect (TEMPORAL-PATTERNS §4, §12)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.documents import DocumentActivities
from activities.tasks import TaskActivities
from models.audit import AuditEvent
from models.db import transaction
from models.documents.tables import Assignment, Document
from models.tasks.tables import Task
from models.vocab import AssignmentRole, DocumentStatus, TaskStatus
from tests.factories import make_document, make_org
from workflows.contracts import ApplyDecisionInput, OpenTaskInput, TaskRef

DUE = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def setup(engine):
    with transaction(engine) as session:
        org = make_org(session)
        document = make_document(session, org)
    return engine, org, document


def _open_input(org, document, task_key="direct:1") -> OpenTaskInput:
    return OpenTaskInput(
        workflow_id=document.workflow_id, task_key=task_key, document_id=document.id, step="direct",
        agency_id=org.agency_id, candidate_role="lanh_dao_co_quan",
        actions=["giao_xu_ly", "luu_tham_khao"], urgency_rank=1, due_at=DUE,
    )


def _run(activity_method, request):
    return ActivityEnvironment().run(activity_method, request)


def _read(engine, model, *conditions) -> list:
    with transaction(engine) as session:
        return list(session.exec(select(model).where(*conditions)))


def _codes(engine, document_id: str) -> list[str]:
    events = _read(engine, AuditEvent, AuditEvent.subject_id == document_id)
    return [e.code for e in sorted(events, key=lambda e: e.id)]


def _opened(engine, org, document) -> int:
    return _run(TaskActivities(engine).open_task, _open_input(org, document))


def test_it_opens_one_task_row_and_one_audit_event_when_run_twice(setup):
    engine, org, document = setup
    tasks = TaskActivities(engine)

    first = _run(tasks.open_task, _open_input(org, document))
    second = _run(tasks.open_task, _open_input(org, document))

    assert first == second
    (task,) = _read(engine, Task)
    assert task.id == first
    assert (task.workflow_id, task.task_key, task.status) == (document.workflow_id, "direct:1", TaskStatus.OPEN)
    assert (task.candidate_role, task.urgency_rank, task.due_at) == ("lanh_dao_co_quan", 1, DUE)
    assert task.actions == ["giao_xu_ly", "luu_tham_khao"]
    assert _codes(engine, document.id) == ["task.opened"]


def test_it_opens_a_new_row_for_a_new_round(setup):
    engine, org, document = setup
    tasks = TaskActivities(engine)
    first = _run(tasks.open_task, _open_input(org, document, "direct:1"))
    second = _run(tasks.open_task, _open_input(org, document, "direct:2"))
    assert first != second
    assert _codes(engine, document.id) == ["task.opened", "task.opened"]


def test_it_marks_a_task_overdue_once_when_run_twice(setup):
    engine, org, document = setup
    _opened(engine, org, document)
    tasks = TaskActivities(engine)
    ref = TaskRef(document.workflow_id, "direct:1", document.id)

    assert _run(tasks.mark_task_overdue, ref) is True
    assert _run(tasks.mark_task_overdue, ref) is False

    (task,) = _read(engine, Task)
    assert task.overdue is True and task.status == TaskStatus.OPEN
    assert _codes(engine, document.id) == ["task.opened", "task.overdue"]


def test_it_does_not_mark_a_closed_task_overdue(setup):
    engine, org, document = setup
    _opened(engine, org, document)
    leader = org.users["leader"]
    _run(DocumentActivities(engine).apply_decision, ApplyDecisionInput(
        document.id, document.workflow_id, "direct:1", "direct", "luu_tham_khao", leader.id, {}))

    assert _run(TaskActivities(engine).mark_task_overdue,
                TaskRef(document.workflow_id, "direct:1", document.id)) is False
    (task,) = _read(engine, Task)
    assert task.overdue is False


def test_it_applies_a_direction_once_when_run_twice(setup):
    engine, org, document = setup
    _opened(engine, org, document)
    leader = org.users["leader"]
    lead, cooperating = org.units["TH"], org.units["HCTC"]
    due = (date.today() + timedelta(days=10)).isoformat()
    request = ApplyDecisionInput(
        document_id=document.id, workflow_id=document.workflow_id, task_key="direct:1", step="direct",
        action="giao_xu_ly", actor_id=leader.id,
        fields={"opinion": "Giao Phòng Tổng hợp chủ trì", "lead_unit_id": str(lead),
                "cooperating_unit_ids": f"{cooperating},{lead}", "due_date": due},
    )
    documents = DocumentActivities(engine)

    first = _run(documents.apply_decision, request)
    second = _run(documents.apply_decision, request)

    assert first.document_status == second.document_status == DocumentStatus.DIRECTED
    assignments = _read(engine, Assignment, Assignment.document_id == document.id)
    assert sorted((a.role, a.unit_id) for a in assignments) == sorted(
        [(AssignmentRole.LEAD, lead), (AssignmentRole.COOPERATE, cooperating)]
    )
    assert {a.due_date for a in assignments} == {date.fromisoformat(due)}
    (stored,) = _read(engine, Document, Document.id == document.id)
    assert stored.status == DocumentStatus.DIRECTED
    assert stored.due_date == date.fromisoformat(due)
    assert "Phòng Tổng hợp" in stored.to_places and stored.closed_at is None
    (task,) = _read(engine, Task)
    assert (task.status, task.outcome, task.completed_by) == (TaskStatus.DONE, "giao_xu_ly", leader.id)
    assert _codes(engine, document.id) == ["task.opened", "document.giao_xu_ly"]


def test_it_sets_exactly_one_assignment_for_a_lead_unit_alone(setup):
    engine, org, document = setup
    _opened(engine, org, document)
    request = ApplyDecisionInput(
        document.id, document.workflow_id, "direct:1", "direct", "giao_xu_ly", org.users["leader"].id,
        {"opinion": "Giao xử lý", "lead_unit_id": str(org.units["TH"])},
    )
    for _ in range(2):
        assert _run(DocumentActivities(engine).apply_decision, request).document_status == "directed"
    assignments = _read(engine, Assignment)
    assert [(a.role, a.unit_id) for a in assignments] == [(AssignmentRole.LEAD, org.units["TH"])]


def test_it_files_for_reference_and_closes_the_document_once(setup):
    engine, org, document = setup
    _opened(engine, org, document)
    request = ApplyDecisionInput(document.id, document.workflow_id, "direct:1", "direct", "luu_tham_khao",
                                 org.users["leader"].id, {"opinion": "Lưu tham khảo"})
    for _ in range(2):
        result = _run(DocumentActivities(engine).apply_decision, request)
        assert result.document_status == DocumentStatus.FILED_FOR_REFERENCE
    (stored,) = _read(engine, Document, Document.id == document.id)
    assert stored.closed_at is not None
    assert _read(engine, Assignment) == []
    assert _codes(engine, document.id) == ["task.opened", "document.luu_tham_khao"]


def test_it_refuses_an_unknown_action_for_good(setup):
    engine, org, document = setup
    _opened(engine, org, document)
    with pytest.raises(ApplicationError) as error:
        _run(DocumentActivities(engine).apply_decision, ApplyDecisionInput(
            document.id, document.workflow_id, "direct:1", "direct", "xoa", org.users["leader"].id, {}))
    assert error.value.type == "unknown_action" and error.value.non_retryable
    (task,) = _read(engine, Task)
    assert task.status == TaskStatus.OPEN
