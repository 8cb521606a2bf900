"""The load benchmark's corpus (bench/load/corpus.py) is a state the product could have reached: on
both backends, every person logs in with the one password, numbers are gapless per register and
year, every document is in the search index, and nothing looks like a lost start to the reconciler."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from bench.load import corpus, mix
from models.assignments.repo import lost_starts
from models.db import reading, transaction
from models.documents.repo import documents_not_started
from models.documents.search import DocumentSearch, SearchQuery, so_ky_hieu_of
from models.documents.search_repo import search_documents
from models.documents.tables import Document
from models.org.passwords import verify_password
from models.org.tables import User
from models.outgoing.repo import alert_not_received
from models.outgoing.tables import Recipient
from models.registers.tables import Register, RegisterCounter, RegisterEntry
from models.tasks.tables import Task
from models.vocab import DocumentStatus, Role, TaskStatus
from tests.helpers import user_and_roles

PASSWORD = "Tai@2026benchmark"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_the_corpus_is_a_state_the_product_could_have_reached(seeded):
    counts = corpus.seed(seeded, 600, PASSWORD, random.Random(3), agencies=3, now=NOW)
    assert counts["document"] == counts["document_search"] == 600
    people = corpus.corpus_users(seeded)
    assert len(people) == 3 * 17 and {p["role"] for p in people} == {Role.CLERK, Role.AGENCY_LEADER,
                                                                      Role.UNIT_LEADER, Role.OFFICER}
    with reading(seeded) as session:
        users = session.exec(select(User).where(User.username.like(f"{corpus.PREFIX}%"))).all()
        assert len({user.password_hash for user in users}) == 1  # hashed once
        assert verify_password(users[0].password_hash, PASSWORD)
        assert not any(user.must_change_password for user in users)

        documents = session.exec(select(Document).where(Document.agency_id.in_({p["agency_id"] for p in people}))).all()
        assert not [d for d in documents if d.status == DocumentStatus.NEW]
        assert documents_not_started(session, 0) == []
        assert lost_starts(session, NOW + timedelta(days=1)) == []

        # Gapless numbers per register and year, the counter at the last one, one entry per document.
        numbered = defaultdict(list)
        for entry in session.exec(select(RegisterEntry)):
            numbered[(entry.register_id, entry.year)].append(entry.number)
        assert numbered and all(sorted(n) == list(range(1, len(n) + 1)) for n in numbered.values())
        counters = {(c.register_id, c.year): c.last_number for c in session.exec(select(RegisterCounter))}
        assert counters == {key: len(n) for key, n in numbered.items()}
        registered = [d for d in documents if d.arrival_number or d.status == DocumentStatus.ISSUED]
        entries = session.exec(select(func.count()).select_from(RegisterEntry)).one()
        assert entries == len(registered)
        kinds = defaultdict(set)
        for register in session.exec(select(Register)):
            kinds[register.agency_id].add(register.kind)
        assert all(kinds[p["agency_id"]] == {"incoming", "outgoing"} for p in people)

        index = {row.document_id: row for row in session.exec(select(DocumentSearch))}
        sample = next(d for d in documents if d.direction == "incoming" and d.code_number)
        code, agency, sample_id = f"{sample.code_number}/{sample.code_notation}", sample.agency_id, sample.id
        assert index[sample.id].so_ky_hieu == so_ky_hieu_of(sample.code_number, sample.code_notation)

        # Open steps only where the document's state says so.
        for task in session.exec(select(Task).where(Task.status == TaskStatus.OPEN, Task.step == "direct")):
            assert session.get(Document, task.document_id).status == DocumentStatus.REGISTERED

    # The agency's văn thư finds a document by its số/ký hiệu through the product's search.
    clerk = next(p for p in people if p["role"] == Role.CLERK and p["agency_id"] == agency)
    user, roles = user_and_roles(seeded, clerk["username"])
    with reading(seeded) as session:
        found = search_documents(session, user, roles, SearchQuery(text=code))
        assert sample_id in {document.id for document in found.documents}

    dealt = mix.deal(people, 24)
    assert len(dealt) == 24 and len({p["agency_id"] for p in dealt}) == 3
    with transaction(seeded) as session:  # only the last day's recipients are still to be reported
        assert alert_not_received(session, NOW - timedelta(days=1)) == 0
        assert session.exec(select(func.count()).select_from(Recipient)
                            .where(Recipient.not_received_alert_at.is_not(None))).one() > 0
