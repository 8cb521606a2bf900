"""The reads that run on every scrape or dashboard view have an index plan for the big tables.

``tests/query_plans.py`` explains every statement a read issues on both backends: the /metrics
totals, and the oldest overdue work of the statistics and supervision pages, province-wide and of
one agency.
"""

from __future__ import annotations

from datetime import date

from models.db import transaction
from models.operations.repo import operation_totals
from models.statistics import repo as statistics_repo
from tests.factories import make_org
from tests.query_plans import big_tables_scanned, statements_of, whole_scans


def test_the_metrics_read_scans_no_big_table_whole(engine):
    with transaction(engine) as session:
        make_org(session)
    assert len(statements_of(engine, operation_totals)) >= 8  # documents, tasks, workflows, verdicts, hub
    assert big_tables_scanned(engine, operation_totals) == set()


def test_the_oldest_overdue_work_is_read_by_deadline_from_an_index(engine):
    with transaction(engine) as session:
        org = make_org(session)
    today = date(2026, 11, 20)
    assert big_tables_scanned(engine, lambda s: statistics_repo.oldest_overdue(s, limit=20, today=today)) == set()
    assert big_tables_scanned(engine, lambda s: statistics_repo.oldest_overdue(
        s, agency_id=org.agency_id, limit=20, today=today)) == set()


def test_the_check_sees_a_whole_table_scan(engine):
    """The checks above can fail: a count with no index behind it is reported."""
    statement = "SELECT count(*) FROM recipient WHERE organ_name = 'x'"
    assert whole_scans(engine, statement, {} if engine.dialect.name == "sqlite" else None) == {"recipient"}


def test_the_reconciler_finds_lost_starts_without_reading_every_document(engine):
    """Every round looks for documents still NEW: through the partial index of those alone."""
    from models.documents.repo import documents_not_started

    with transaction(engine) as session:
        make_org(session)
    assert big_tables_scanned(engine, lambda s: documents_not_started(s, 30)) == set()
