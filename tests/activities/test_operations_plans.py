"""Every query of the /metrics read has an index plan for the tables that grow with the province.

The statements are captured as ``operation_totals`` issues them and each is explained: on SQLite a
bare ``SCAN <table>`` (no index) of a big table fails; on PostgreSQL, with sequential scans priced
out, a ``Seq Scan`` of a big table means no index can serve it. The small tables (agencies,
assignments, hồ sơ, plans, schedules) may be read whole.
"""

from __future__ import annotations

import re

from sqlalchemy import event

from models.db import reading, transaction
from models.operations.repo import operation_totals
from tests.factories import make_org

BIG_TABLES = {"document", "task", "signature_check", "hub_outbox", "recipient"}


def _statements(engine) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with reading(engine) as session:
            operation_totals(session)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [(statement, parameters) for statement, parameters in seen if statement.lstrip().upper().startswith("SELECT")]


def _full_scans(engine, statement: str, parameters) -> set[str]:
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            details = [row[-1] for row in cursor.fetchall()]
            return {match.group(1) for line in details
                    if (match := re.fullmatch(r"SCAN (\w+)", line.strip()))}
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {statement}", parameters)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("RESET enable_seqscan")
        return {match.group(1) for line in plan if (match := re.search(r"Seq Scan on (\w+)", line))}


def test_the_metrics_read_scans_no_big_table_whole(engine):
    with transaction(engine) as session:
        make_org(session)
    statements = _statements(engine)
    assert len(statements) >= 8  # documents, tasks, the other workflows, verdicts, hub packages
    scanned = {table for statement, parameters in statements
               for table in _full_scans(engine, statement, parameters)}
    assert not scanned & BIG_TABLES, scanned


def test_the_check_sees_a_whole_table_scan(engine):
    """The check above can fail: a count with no index behind it is reported."""
    statement = "SELECT count(*) FROM recipient WHERE organ_name = 'x'"
    assert _full_scans(engine, statement, {} if engine.dialect.name == "sqlite" else None) == {"recipient"}
