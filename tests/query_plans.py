"""Which tables a read scans whole: the statements a function issues, each explained.

On SQLite a bare ``SCAN <table>`` (no index) is a whole scan; on PostgreSQL, with sequential scans
priced out (``enable_seqscan = off``), a ``Seq Scan`` means no index can serve the statement. Tests
name the tables that grow with the province and refuse a whole scan of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event

from models.db import reading

# The tables that grow with the province's documents and work.
BIG_TABLES = {"document", "document_search", "documentfile", "storedfile", "task", "assignment", "signature_check",
              "hub_outbox", "hub_inbound", "recipient", "recipient_event", "auditevent", "notification",
              "registerentry", "draft_revision", "draft_comment", "recorditem", "workassignment", "usersession",
              "push_message", "mail_message", "idempotent_request"}


@contextmanager
def recording(engine) -> Iterator[list[tuple[str, object]]]:
    """Collect the reads, updates and deletes issued on ``engine`` inside the block (an HTTP request
    served by the app, say), with their parameters; inserts have no plan worth checking."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH", "UPDATE", "DELETE"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_of(engine, read: Callable) -> list[tuple[str, object]]:
    """The statements ``read(session)`` issues, with their parameters."""
    with recording(engine) as seen, reading(engine) as session:
        read(session)
    return seen


def sqlite_plan(engine, statement: str, parameters) -> list[str]:
    """The lines of SQLite's ``EXPLAIN QUERY PLAN`` for ``statement``, in order."""
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [row[-1].strip() for row in cursor.fetchall()]


def whole_scans(engine, statement: str, parameters) -> set[str]:
    """The tables ``statement`` reads whole."""
    if engine.dialect.name == "sqlite":
        return {match.group(1) for line in sqlite_plan(engine, statement, parameters)
                if (match := re.fullmatch(r"SCAN (\w+)", line))}
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {statement}", parameters)
            return {match.group(1) for (line,) in cursor.fetchall()
                    if (match := re.search(r"Seq Scan on (\w+)", line))}
        finally:
            cursor.execute("RESET enable_seqscan")


def big_tables_scanned(engine, read: Callable) -> set[str]:
    """The big tables some statement of ``read`` scans whole (empty when every one has an index)."""
    return {table for statement, parameters in statements_of(engine, read)
            for table in whole_scans(engine, statement, parameters)} & BIG_TABLES


def scanning_statements(engine, statements: list[tuple[str, object]]) -> dict[str, set[str]]:
    """Of ``statements``, those that scan a big table whole, each with the tables it scans."""
    found: dict[str, set[str]] = {}
    for statement, parameters in statements:
        if tables := whole_scans(engine, statement, parameters) & BIG_TABLES:
            found.setdefault(" ".join(statement.split()), set()).update(tables)
    return found


def per_document_lookups(engine, statements: list[tuple[str, object]]) -> list[str]:
    """SQLite only: the lookups that correlated subqueries make once per row of the outer query (a
    visibility check per document, say), as ``EXPLAIN QUERY PLAN`` words them. Each should seek by
    the correlated column; one that seeks by a person instead reads that person's whole history for
    every row, a cost no whole-scan check sees."""
    lookups = []
    for statement, parameters in statements:
        lines = sqlite_plan(engine, statement, parameters)
        lookups += [line for before, line in zip(lines, lines[1:], strict=False)
                    if before.startswith("CORRELATED") and line.startswith("SEARCH")]
    return lookups


# Columns that narrow a big table only to an agency's share of it (or a large part of that).
BROAD_COLUMNS = {"agency_id", "direction", "status", "candidate_role", "kind", "created_at", "arrival_date"}


def broad_searches(engine, statements: list[tuple[str, object]]) -> list[str]:
    """SQLite only: the index searches of a big table constrained by broad columns alone, e.g.
    ``SEARCH document USING INDEX ix_document_list_order (agency_id=? AND direction=?)``. Right for a
    list read in index order up to its LIMIT; on a page about one document it reads the agency's
    documents one by one, which grows with the province as a whole scan does."""
    found = []
    for statement, parameters in statements:
        for line in sqlite_plan(engine, statement, parameters):
            match = re.fullmatch(r"SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \((.*)\)", line)
            if match and match.group(1) in BIG_TABLES:
                columns = {re.split(r"[=<>]", term.strip())[0] for term in match.group(2).split(" AND ")}
                if columns <= BROAD_COLUMNS:
                    found.append(" ".join(statement.split())[:300] + " → " + line)
    return found
