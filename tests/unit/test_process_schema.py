"""Process definition bodies: the closed schema, and publishing version n+1 only on change."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlmodel import select

from models.audit import AuditEvent
from models.db import transaction
from models.errors import DomainError
from models.processes import repo as definition_repo
from models.processes.schema import DEFAULT_INCOMING, ProcessBody
from models.processes.tables import ProcessDefinition


def _body(**changes) -> dict:
    body = DEFAULT_INCOMING.model_dump(mode="json")
    body.update(changes)
    return body


def _direct(**changes) -> dict:
    step = {"kind": "direct", "candidate_role": "lanh_dao_co_quan", "working_days": 1,
            "actions": ["giao_xu_ly", "luu_tham_khao"]}
    step.update(changes)
    return step


def test_it_validates_the_default_incoming_process():
    parsed = ProcessBody.model_validate(DEFAULT_INCOMING.model_dump(mode="json"))
    assert parsed == DEFAULT_INCOMING
    assert [step.kind for step in parsed.steps] == ["verify_signature", "register", "direct", "handle"]
    assert parsed.checksum() == DEFAULT_INCOMING.checksum()


def test_it_refuses_an_unknown_step_kind():
    with pytest.raises(ValidationError, match="kind"):
        ProcessBody.model_validate(_body(steps=[{"kind": "register"}, _direct(kind="sign")]))


def test_it_refuses_a_human_step_without_candidate_role():
    step = _direct()
    del step["candidate_role"]
    with pytest.raises(ValidationError, match="candidate_role"):
        ProcessBody.model_validate(_body(steps=[{"kind": "register"}, step]))


def test_it_refuses_an_unknown_action():
    with pytest.raises(ValidationError, match="actions"):
        ProcessBody.model_validate(_body(steps=[{"kind": "register"}, _direct(actions=["giao_xu_ly", "xoa"])]))


def test_it_refuses_a_human_step_without_actions():
    with pytest.raises(ValidationError, match="actions"):
        ProcessBody.model_validate(_body(steps=[{"kind": "register"}, _direct(actions=[])]))


def test_it_refuses_an_incoming_process_not_starting_with_register():
    with pytest.raises(ValidationError, match="register"):
        ProcessBody.model_validate(_body(steps=[_direct(), {"kind": "register"}]))


def test_it_refuses_unknown_fields_and_bad_keys():
    with pytest.raises(ValidationError):
        ProcessBody.model_validate(_body(script="import os"))
    with pytest.raises(ValidationError):
        ProcessBody.model_validate(_body(key="Incoming Standard"))


def test_it_turns_schema_errors_into_one_domain_error():
    with pytest.raises(DomainError) as error:
        definition_repo.parse_body(_body(steps=[_direct()]))
    assert error.value.code == "invalid_process"


def test_it_publishes_version_two_only_when_the_body_changes(sqlite_engine):
    with transaction(sqlite_engine) as session:
        first, created = definition_repo.publish(session, DEFAULT_INCOMING, actor_id=None)
    assert (first.version, created) == (1, True)

    with transaction(sqlite_engine) as session:
        same, created = definition_repo.publish(
            session, ProcessBody.model_validate(DEFAULT_INCOMING.model_dump(mode="json")), actor_id=None
        )
    assert (same.version, created) == (1, False)

    changed = ProcessBody.model_validate(
        _body(steps=[{"kind": "register"}, _direct(working_days=3)])
    )
    with transaction(sqlite_engine) as session:
        second, created = definition_repo.publish(session, changed, actor_id=None)
        again, created_again = definition_repo.publish(session, changed, actor_id=None)
    assert (second.version, created) == (2, True)
    assert (again.version, created_again) == (2, False)

    with transaction(sqlite_engine) as session:
        rows = list(session.exec(select(ProcessDefinition).order_by(ProcessDefinition.version)))
        events = list(session.exec(select(AuditEvent).where(AuditEvent.code == "process.published")))
        current = definition_repo.current(session, "incoming-standard")
        pinned = definition_repo.get_version(session, "incoming-standard", 1)
    assert [row.version for row in rows] == [1, 2]
    assert rows[0].body == DEFAULT_INCOMING.model_dump(mode="json")  # version 1 untouched
    assert rows[1].body["steps"][1]["working_days"] == 3
    assert [e.subject_id for e in events] == ["incoming-standard:1", "incoming-standard:2"]
    assert current.version == 2 and pinned.version == 1


def test_it_refuses_a_handle_step_before_direction_or_with_its_own_group():
    handle_first = [{"kind": "register"}, {"kind": "handle"}, _direct()]
    with pytest.raises(ValidationError, match="sau bước 'direct'"):
        ProcessBody.model_validate(_body(steps=handle_first))
    with pytest.raises(ValidationError, match="không khai báo"):
        ProcessBody.model_validate(_body(steps=[{"kind": "register"}, _direct(),
                                                {"kind": "handle", "candidate_role": "chuyen_vien"}]))
