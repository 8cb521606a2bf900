"""Rebuilding the statistics rollups (``workflows/statistics.py``; ``models.statistics.rollup_build``).

Every agency, ``BATCH`` at a time, each batch in its own transaction so a province-wide rebuild
never holds the database (SQLite's single writer) for long; a heartbeat after each batch.
Idempotent: a batch deletes and rewrites its agencies' rows.
"""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine
from temporalio import activity

from models.db import reading, transaction
from models.statistics import rollup_build
from workflows.work_contracts import StatisticsRefreshResult

BATCH = 10


class StatisticsActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="refresh_statistics")
    def refresh_statistics(self) -> StatisticsRefreshResult:
        """Rebuild every agency's rollups; returns the agencies, rows and seconds."""
        began = time.monotonic()
        with reading(self.engine) as session:
            agency_ids = rollup_build.agencies(session)
        rows = 0
        for offset in range(0, len(agency_ids), BATCH):
            with transaction(self.engine) as session:
                rows += rollup_build.rebuild(session, agency_ids[offset:offset + BATCH])
            if activity.in_activity():
                activity.heartbeat(offset + BATCH)
        return StatisticsRefreshResult(agencies=len(agency_ids), rows=rows, seconds=round(time.monotonic() - began, 1))
