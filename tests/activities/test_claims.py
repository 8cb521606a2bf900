"""Claim, release and the completion handshake on task rows (models.tasks.repo, TEMPORAL-PATTERNS §4)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from models.db import transaction
from models.errors import Conflict, Forbidden
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import TaskStatus
from tests.factories import make_document, make_org, make_task


@pytest.fixture
def setup(engine):
    with transaction(engine) as session:
        org = make_org(session)
        document = make_document(session, org)
        task = make_task(session, org, document)
    return engine, org, task.id


def _load(engine, task_id: int) -> Task:
    with transaction(engine) as session:
        return session.get(Task, task_id)


def _claim(engine, org, task_id: int, username: str) -> None:
    with transaction(engine) as session:
        task = session.get(Task, task_id)
        task_repo.claim(session, task, org.users[username], org.roles[username])


def test_it_lets_a_candidate_claim_an_open_task(setup):
    engine, org, task_id = setup
    _claim(engine, org, task_id, "leader")
    task = _load(engine, task_id)
    assert (task.status, task.assignee_id, task.version) == (TaskStatus.CLAIMED, org.users["leader"].id, 2)


@pytest.mark.parametrize("username", ["clerk", "officer"])
def test_it_forbids_a_claim_by_someone_outside_the_candidate_group(setup, username):
    engine, org, task_id = setup
    with pytest.raises(Forbidden):
        _claim(engine, org, task_id, username)
    task = _load(engine, task_id)
    assert (task.status, task.assignee_id, task.version) == (TaskStatus.OPEN, None, 1)


def test_it_gives_the_second_of_two_claims_on_the_same_version_a_conflict(setup):
    engine, org, task_id = setup
    seen_by_leader, seen_by_deputy = _load(engine, task_id), _load(engine, task_id)
    assert seen_by_leader.version == seen_by_deputy.version == 1

    with transaction(engine) as session:
        session.add(seen_by_leader)
        task_repo.claim(session, seen_by_leader, org.users["leader"], org.roles["leader"])
    with pytest.raises(Conflict) as error, transaction(engine) as session:
        session.add(seen_by_deputy)  # the deputy's page still shows version 1
        task_repo.claim(session, seen_by_deputy, org.users["deputy"], org.roles["deputy"])

    assert error.value.code == "task_changed"
    task = _load(engine, task_id)
    assert (task.status, task.assignee_id, task.version) == (TaskStatus.CLAIMED, org.users["leader"].id, 2)


def test_it_lets_exactly_one_of_two_simultaneous_claims_win(setup):
    engine, org, task_id = setup
    stale = {name: _load(engine, task_id) for name in ("leader", "deputy")}
    go = threading.Barrier(2)

    def claim(username: str) -> str:
        go.wait(timeout=5)
        try:
            with transaction(engine) as session:
                session.add(stale[username])
                task_repo.claim(session, stale[username], org.users[username], org.roles[username])
        except Conflict:
            return "conflict"
        return "won"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip(stale, pool.map(claim, stale), strict=True))

    assert sorted(outcomes.values()) == ["conflict", "won"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    task = _load(engine, task_id)
    assert (task.status, task.assignee_id, task.version) == (TaskStatus.CLAIMED, org.users[winner].id, 2)


def test_it_refuses_a_release_by_someone_other_than_the_assignee(setup):
    engine, org, task_id = setup
    _claim(engine, org, task_id, "leader")
    with pytest.raises(Forbidden), transaction(engine) as session:
        task_repo.release(session, session.get(Task, task_id), org.users["deputy"])
    task = _load(engine, task_id)
    assert (task.status, task.assignee_id) == (TaskStatus.CLAIMED, org.users["leader"].id)


def test_it_lets_the_assignee_release_the_task_to_the_group(setup):
    engine, org, task_id = setup
    _claim(engine, org, task_id, "leader")
    with transaction(engine) as session:
        task_repo.release(session, session.get(Task, task_id), org.users["leader"])
    task = _load(engine, task_id)
    assert (task.status, task.assignee_id, task.version) == (TaskStatus.OPEN, None, 3)
    _claim(engine, org, task_id, "deputy")  # and someone else may now take it
    assert _load(engine, task_id).assignee_id == org.users["deputy"].id


def test_it_moves_a_claimed_task_to_completing_and_back(setup):
    engine, org, task_id = setup
    _claim(engine, org, task_id, "leader")
    leader, roles = org.users["leader"], org.roles["leader"]
    with transaction(engine) as session:
        previous = task_repo.begin_completing(session, session.get(Task, task_id), leader, roles)
    assert previous == TaskStatus.CLAIMED
    assert _load(engine, task_id).status == TaskStatus.COMPLETING

    with pytest.raises(Conflict) as error, transaction(engine) as session:
        task_repo.begin_completing(session, session.get(Task, task_id), leader, roles)
    assert error.value.code == "task_in_progress"

    with transaction(engine) as session:
        task_repo.revert_completing(session, task_id, previous, leader.id)
    task = _load(engine, task_id)
    assert (task.status, task.assignee_id) == (TaskStatus.CLAIMED, leader.id)


def test_it_refuses_to_complete_a_task_claimed_by_someone_else(setup):
    engine, org, task_id = setup
    _claim(engine, org, task_id, "leader")
    with pytest.raises(Conflict) as error, transaction(engine) as session:
        task_repo.begin_completing(session, session.get(Task, task_id), org.users["deputy"], org.roles["deputy"])
    assert error.value.code == "task_claimed_by_other"


def test_it_refuses_to_begin_completing_a_done_task(setup):
    engine, org, task_id = setup
    task = _load(engine, task_id)
    with transaction(engine) as session:
        assert task_repo.close_task(session, task.workflow_id, task.task_key, "luu_tham_khao",
                                    org.users["leader"].id)
    with pytest.raises(Conflict) as error, transaction(engine) as session:
        task_repo.begin_completing(session, session.get(Task, task_id), org.users["leader"], org.roles["leader"])
    assert error.value.code == "task_closed"
    assert _load(engine, task_id).status == TaskStatus.DONE


def test_it_does_not_close_a_task_twice(setup):
    engine, org, task_id = setup
    task = _load(engine, task_id)
    with transaction(engine) as session:
        first = task_repo.close_task(session, task.workflow_id, task.task_key, "giao_xu_ly", org.users["leader"].id)
        second = task_repo.close_task(session, task.workflow_id, task.task_key, "luu_tham_khao",
                                      org.users["deputy"].id)
    assert (first, second) == (True, False)
    closed = _load(engine, task_id)
    assert (closed.outcome, closed.completed_by) == ("giao_xu_ly", org.users["leader"].id)

