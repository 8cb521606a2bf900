"""The inbox in pages: urgent and nearest deadlines on page 1, every task exactly once across pages."""

from __future__ import annotations

import uuid
from datetime import timedelta

from models.db import transaction, utcnow
from models.documents.tables import Document
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import Direction, Role
from tests.helpers import user_and_roles


def test_pages_keep_the_order_and_cover_every_task_once(seeded_sqlite):
    clerk, roles = user_and_roles(seeded_sqlite, "vanthu")
    now = utcnow()
    with transaction(seeded_sqlite) as session:
        for i in range(250):
            document = Document(id=str(uuid.uuid4()), direction=Direction.INCOMING, agency_id=clerk.agency_id,
                                created_by=clerk.id)
            session.add(document)
            session.flush()
            session.add(Task(workflow_id=f"incoming-{document.id}", task_key="accept:1", document_id=document.id,
                             step="accept", agency_id=clerk.agency_id, candidate_role=Role.CLERK,
                             urgency_rank=1 if i % 50 == 0 else 0, due_at=now + timedelta(hours=250 - i)))
    with transaction(seeded_sqlite) as session:
        whole = task_repo.inbox(session, clerk, roles, "unit")
        pages = [task_repo.inbox(session, clerk, roles, "unit", limit=100, offset=offset) for offset in (0, 100, 200)]
        count = task_repo.counts(session, clerk, roles)["unit"]
    assert count == len(whole) == 250
    assert [t.id for page in pages for t in page] == [t.id for t in whole]
    assert [len(page) for page in pages] == [100, 100, 50]
    assert all(t.urgency_rank == 1 for t in pages[0][:5])  # the five urgent ones lead page 1
    assert pages[0][5].due_at < pages[0][6].due_at  # then the nearest deadline
