"""Which tasks a person may act on, on SQLite and PostgreSQL (``models.tasks.repo.reach_of``).

The inbox lists, their counts and every act (open a task, claim, decide) answer from the same
read, so they agree for each task: their own, their groups', and a leader's steps under a
delegation in force today within its scope. A delegation that is not in force yet, has expired
or was revoked covers nothing, checked by date at each read; a disabled leader passes nothing on.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from models.db import transaction
from models.delegation import repo as delegation_repo
from models.delegation.tables import Delegation
from models.documents.tables import Document
from models.documents.types import DocumentType
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.org.tables import User
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import Direction, Role, TaskStatus
from tests.factories import make_document, make_org, make_task

SCOPES = ("mine", "unit", "delegated", "overdue")


@pytest.fixture
def office(engine):
    """The factories' office with: a direction step open to the leaders, two signing steps the
    leader holds (a Công văn drafted in TH, a Quyết định), a handling step offered to TH's
    officers, and the leader's direction delegated to the officer, signing of Công văn too."""
    with transaction(engine) as session:
        org = make_org(session)
        letter, decision = DocumentType(name="Công văn"), DocumentType(name="Quyết định", code="QĐ")
        session.add_all([letter, decision])
        session.flush()
        leader = org.users["leader"]
        tasks = {"direct": make_task(session, org, _document(session, org, letter.id)).id}
        for name, doc_type in (("sign", letter), ("sign_decision", decision)):
            draft = _document(session, org, doc_type.id, direction=Direction.OUTGOING, drafting_unit="TH")
            task = make_task(session, org, draft, task_key="sign:1", actions=("ky_so",))
            task.status, task.assignee_id = TaskStatus.CLAIMED, leader.id
            tasks[name] = task.id
        tasks["handle"] = make_task(session, org, _document(session, org, letter.id), task_key="handle:1",
                                    role=Role.OFFICER, unit="TH", actions=("hoan_thanh",)).id
        officer = org.users["officer"]
        today = delegation_repo.today()
        delegations = {
            kind: delegation_repo.create(session, delegator=leader, deputy=officer, kind=kind, form="KT.",
                                         starts_on=today, ends_on=today + timedelta(days=6),
                                         doc_type_ids=types, unit_ids=[], note="", actor_id=leader.id).id
            for kind, types in (("chi_dao", []), ("ky", [letter.id]))}
    return engine, org, tasks, delegations


def _document(session: Session, org, doc_type_id: int, *, direction: Direction = Direction.INCOMING,
              drafting_unit: str | None = None) -> Document:
    document = make_document(session, org)
    document.doc_type_id, document.direction = doc_type_id, direction
    document.drafting_unit_id = org.units[drafting_unit] if drafting_unit else None
    session.add(document)
    session.flush()
    return document


def _lists(engine, user: User, roles: set[Role]) -> tuple[dict[str, set[int]], dict[str, int]]:
    with transaction(engine) as session:
        listed = {scope: {t.id for t in task_repo.inbox(session, user, roles, scope)} for scope in SCOPES}
        return listed, task_repo.counts(session, user, roles)


def _may_act(engine, task_id: int, user: User, roles: set[Role]) -> bool:
    """Whether the completion handshake's first step lets ``user`` act (tried, then rolled back)."""
    with Session(engine) as session:
        try:
            task = task_repo.task_for_user(session, task_id, user, roles)
            task_repo.begin_completing(session, task, user, roles, "probe")
        except (NotFound, Forbidden, Conflict):
            return False
        finally:
            session.rollback()
        return True


def _agree(engine, tasks: dict[str, int], user: User, roles: set[Role]) -> set[str]:
    """The names of the tasks ``user`` reaches, after checking lists, counts and acts all say the same."""
    listed, counts = _lists(engine, user, roles)
    assert counts == {scope: len(ids) for scope, ids in listed.items()}
    reached = listed["mine"] | listed["unit"] | listed["delegated"]
    assert len(reached) == counts["mine"] + counts["unit"] + counts["delegated"]  # disjoint scopes
    for name, task_id in tasks.items():
        assert _may_act(engine, task_id, user, roles) == (task_id in reached), name
    return {name for name, task_id in tasks.items() if task_id in reached}


def test_a_deputy_reaches_the_leaders_steps_in_scope_and_every_read_agrees(office):
    engine, org, tasks, delegations = office
    officer, roles = org.users["officer"], org.roles["officer"]
    assert _agree(engine, tasks, officer, roles) == {"direct", "sign", "handle"}
    listed, counts = _lists(engine, officer, roles)
    assert listed["delegated"] == {tasks["direct"], tasks["sign"]} and listed["unit"] == {tasks["handle"]}
    with transaction(engine) as session:
        covered = task_repo.covering(session, officer, list(tasks.values()))
        assert {task_id: arm.delegation.id for task_id, arm in covered.items()} == {
            tasks["direct"]: delegations["chi_dao"], tasks["sign"]: delegations["ky"]}
        assert covered[tasks["sign"]].leader.id == org.users["leader"].id
    # The leader and the other leader keep their own view; the deputy's reach takes nothing from it.
    assert _agree(engine, tasks, org.users["leader"], org.roles["leader"]) == {"direct", "sign", "sign_decision"}
    assert _agree(engine, tasks, org.users["deputy"], org.roles["deputy"]) == {"direct"}

    with transaction(engine) as session:
        session.get(Task, tasks["sign"]).overdue = True
    listed, counts = _lists(engine, officer, roles)
    assert listed["overdue"] == {tasks["sign"]} and counts["overdue"] == 1


def test_a_deputy_acts_on_a_leaders_step_without_claiming_it(office):
    engine, org, tasks, delegations = office
    officer, roles = org.users["officer"], org.roles["officer"]
    with pytest.raises(Forbidden) as refused, transaction(engine) as session:
        task_repo.claim(session, session.get(Task, tasks["direct"]), officer, roles)
    assert refused.value.code == "delegated_task_not_claimed"
    with transaction(engine) as session:
        task = session.get(Task, tasks["direct"])
        assert (task.status, task.assignee_id) == (TaskStatus.OPEN, None)
        assert task_repo.begin_completing(session, task, officer, roles, "n1") == TaskStatus.OPEN
    # Their decision in flight is theirs ("mine") and still under the delegation, so a retry names the leader.
    listed, _ = _lists(engine, officer, roles)
    assert listed["mine"] == {tasks["direct"]} and tasks["direct"] not in listed["delegated"]
    with transaction(engine) as session:
        assert task_repo.acting_for(session, session.get(Task, tasks["direct"]), officer).id == delegations["chi_dao"]


def test_a_delegation_not_in_force_covers_nothing(office):
    engine, org, tasks, delegations = office
    officer, roles = org.users["officer"], org.roles["officer"]
    today = delegation_repo.today()
    periods = {"future": (today + timedelta(days=1), today + timedelta(days=3)),
               "expired": (today - timedelta(days=9), today - timedelta(days=1))}
    for state, (starts, ends) in periods.items():
        with transaction(engine) as session:
            for delegation_id in delegations.values():
                row = session.get(Delegation, delegation_id)
                row.starts_on, row.ends_on = starts, ends
        assert _agree(engine, tasks, officer, roles) == {"handle"}, state
        with pytest.raises(NotFound), transaction(engine) as session:
            task_repo.task_for_user(session, tasks["direct"], officer, roles)
    # Back in force, then revoked: revoked is the end of it, whatever the dates say.
    with transaction(engine) as session:
        for delegation_id in delegations.values():
            row = session.get(Delegation, delegation_id)
            row.starts_on, row.ends_on = today, today + timedelta(days=6)
    assert _agree(engine, tasks, officer, roles) == {"direct", "sign", "handle"}
    with transaction(engine) as session:
        delegation_repo.revoke(session, session.get(Delegation, delegations["chi_dao"]), org.users["leader"].id)
    assert _agree(engine, tasks, officer, roles) == {"sign", "handle"}


def test_a_disabled_leader_passes_nothing_on_and_a_unit_scope_is_kept(office):
    engine, org, tasks, delegations = office
    officer, roles = org.users["officer"], org.roles["officer"]
    with transaction(engine) as session:
        session.get(Delegation, delegations["ky"]).unit_ids = [org.units["HCTC"]]  # drafted in TH: out
        session.get(Delegation, delegations["chi_dao"]).unit_ids = [org.units["TH"]]  # offered agency-wide: out
    assert _agree(engine, tasks, officer, roles) == {"handle"}
    with transaction(engine) as session:
        session.get(Delegation, delegations["ky"]).unit_ids = [org.units["TH"]]
    assert _agree(engine, tasks, officer, roles) == {"sign", "handle"}
    with transaction(engine) as session:
        session.get(User, org.users["leader"].id).disabled = True
    assert _agree(engine, tasks, officer, roles) == {"handle"}


def test_a_deputy_who_is_a_candidate_too_sees_the_step_once_and_acts_under_the_delegation(office):
    engine, org, tasks, delegations = office
    deputy, roles = org.users["deputy"], org.roles["deputy"]
    leader = org.users["leader"]
    with transaction(engine) as session:
        for delegation_id in delegations.values():  # the officer's end: one deputy per scope
            delegation_repo.revoke(session, session.get(Delegation, delegation_id), leader.id)
        given = {kind: delegation_repo.create(
            session, delegator=leader, deputy=session.get(User, deputy.id), kind=kind, form="KT.",
            starts_on=delegation_repo.today(), ends_on=delegation_repo.today() + timedelta(days=2),
            doc_type_ids=[], unit_ids=[], note="", actor_id=leader.id).id for kind in ("ky", "chi_dao")}
    # The direction step is theirs in their own right (unit), listed once; both signing steps come
    # by delegation.
    assert _agree(engine, tasks, deputy, roles) == {"direct", "sign", "sign_decision"}
    listed, _ = _lists(engine, deputy, roles)
    assert listed["unit"] == {tasks["direct"]} and listed["delegated"] == {tasks["sign"], tasks["sign_decision"]}
    # A delegation covers the direction step too, so their act on it names the leader as well.
    with transaction(engine) as session:
        assert task_repo.acting_for(session, session.get(Task, tasks["sign"]), deputy).id == given["ky"]
        assert task_repo.acting_for(session, session.get(Task, tasks["direct"]), deputy).id == given["chi_dao"]


def test_a_delegation_refuses_bad_input_before_it_reaches_anything(office):
    engine, org, tasks, _ = office
    with pytest.raises(DomainError), transaction(engine) as session:
        delegation_repo.create(session, delegator=org.users["officer"], deputy=org.users["clerk"], kind="chi_dao",
                               form="KT.", starts_on=delegation_repo.today(), ends_on=delegation_repo.today(),
                               doc_type_ids=[], unit_ids=[], note="", actor_id=org.users["officer"].id)
    assert _agree(engine, tasks, org.users["clerk"], org.roles["clerk"]) == set()
