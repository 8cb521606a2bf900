"""Bounded search (models/documents/search.py §5): exact up to the bound, the newest matches ranked beyond it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.db import transaction
from models.documents import search_repo
from models.documents.search import SearchQuery
from models.documents.search_repo import index_document, search_documents
from models.documents.tables import Document
from models.tasks import repo as task_repo
from models.vocab import Direction, Role
from tests.factories import make_document, make_org, make_task

ARRIVED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def five(engine):
    """Five documents of the clerk's agency, indexed in this order; all match "ke hoach".

    The words repeat more in the older ones, so relevance and recency disagree; arrivals are
    one day apart, the newest indexed arriving last.
    """
    with transaction(engine) as session:
        org = make_org(session)
        ids = []
        for number in range(5):
            document = Document(
                id=str(uuid.uuid4()), direction=Direction.INCOMING, agency_id=org.agency_id,
                code_number=str(700 + number), code_notation="KH-UBND", type_name="Kế hoạch",
                subject="Kế hoạch " * (5 - number) + f"số {number}", arrival_date=ARRIVED + timedelta(days=number),
                created_by=org.users["clerk"].id)
            session.add(document)
            session.flush()
            index_document(session, document)
            ids.append(document.id)
    return engine, org, ids


def _page(engine, org, query: SearchQuery, per_page: int = 50):
    with transaction(engine) as session:
        page = search_documents(session, org.users["clerk"], org.roles["clerk"], query, per_page=per_page)
        return page.total, page.capped, [document.id for document in page.documents]


def test_up_to_the_bound_the_result_is_exact(five):
    engine, org, ids = five
    total, capped, found = _page(engine, org, SearchQuery(text="ke hoach"))
    # Relevance first: the oldest repeats the words most.
    assert (total, capped, found) == (5, False, ids)
    assert _page(engine, org, SearchQuery()) == (5, False, ids[::-1])


def test_beyond_the_bound_the_newest_matches_are_ranked_and_the_total_is_capped(five, monkeypatch):
    engine, org, ids = five
    monkeypatch.setattr(search_repo, "MAX_RESULTS", 3)
    # The three most recently indexed (2, 3, 4), in relevance order; "more than 3".
    assert _page(engine, org, SearchQuery(text="ke hoach"), per_page=2) == (3, True, [ids[2], ids[3]])
    # Page 2 needs four rows: the four newest (1-4) are ranked.
    assert _page(engine, org, SearchQuery(text="ke hoach", page=2), per_page=2) == (4, True, [ids[3], ids[4]])
    # Without text the order is exact at any size; only the count stops.
    assert _page(engine, org, SearchQuery(), per_page=2) == (3, True, [ids[4], ids[3]])
    # The bound never cuts a page short: a page of 50 deals with 50 rows, here all five, exact.
    assert _page(engine, org, SearchQuery(text="ke hoach")) == (5, False, ids)
    # A page that needs more rows than the bound widens it: here to all five, exact again.
    assert _page(engine, org, SearchQuery(text="ke hoach", page=3), per_page=2) == (5, False, [ids[4]])
    assert _page(engine, org, SearchQuery(page=3), per_page=2) == (5, False, [ids[0]])


def test_pages_past_the_end_are_empty_with_the_right_total(five):
    engine, org, _ = five
    assert _page(engine, org, SearchQuery(text="ke hoach", page=4), per_page=2) == (5, False, [])
    assert _page(engine, org, SearchQuery(page=4), per_page=2) == (5, False, [])
    assert _page(engine, org, SearchQuery(text="khong co", page=2)) == (0, False, [])


def test_number_prefix_and_code_substring_match_as_before(five):
    engine, org, ids = five
    assert _page(engine, org, SearchQuery(text="702"))[2] == [ids[2]]
    assert _page(engine, org, SearchQuery(text="KH-UBND"))[0] == 5


def test_inbox_counts_are_the_lengths_of_the_inbox_lists(engine):
    with transaction(engine) as session:
        org = make_org(session)
        for number in range(3):
            document = make_document(session, org)
            task = make_task(session, org, document, task_key=f"direct:{number}")
            if number == 0:
                task_repo.claim(session, task, org.users["leader"], {Role.AGENCY_LEADER})
            if number == 1:
                task.overdue = True
                session.add(task)
        session.flush()
        leader, roles = org.users["leader"], org.roles["leader"]
        expected = {scope: len(task_repo.inbox(session, leader, roles, scope))
                    for scope in ("mine", "unit", "delegated", "overdue")}
        assert task_repo.counts(session, leader, roles) == expected == {"mine": 1, "unit": 2, "delegated": 0,
                                                                         "overdue": 1}
