"""Rollups of the statistics: counters per day and agency, and per day, agency, unit and person.

Each row holds the events of one Vietnam calendar day (``models.statistics.repo`` says what each
figure means). Flows (received, issued, finished…) add up over a period's days. Stocks (open and
overdue work) are differences of events added up over every day up to the count day: a document
adds one to ``received`` on its arrival day and one to ``closed`` on its closing day, so the open
ones at day A are Σ received − Σ closed over days ≤ A; ``overdue_began`` falls on the day after
the deadline (or the arrival day, if later), ``overdue_ended`` on the closing day of a document
closed after its deadline. Assignments likewise.

The rows are rebuilt, never incremented (``rollup_build``): recomputing an agency deletes its
rows and writes them again in one transaction, so a retry or a crash never counts twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from models.assignments.tables import WorkAssignment
from models.db import UTCDateTime
from models.documents.tables import Document


class DayCounters(SQLModel):
    """The counters of one day (not a table: the rollup tables below share them)."""

    received: int = 0
    received_hub: int = 0
    received_internal: int = 0
    received_upload: int = 0
    received_paper: int = 0
    received_thuong: int = 0
    received_khan: int = 0
    received_thuong_khan: int = 0
    received_hoa_toc: int = 0
    closed: int = 0  # received documents closed this day (for the open ones)
    issued: int = 0
    issued_late: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    handling_days: int = 0  # working days of the documents finished this day, added up
    overdue_began: int = 0
    overdue_ended: int = 0
    unacknowledged: int = 0
    extension_requests: int = 0
    assignments_began: int = 0
    assignments_ended: int = 0
    assignments_overdue_began: int = 0
    assignments_overdue_ended: int = 0


class StatPersonDay(DayCounters, table=True):
    """One day of one person's work in one unit (0: none named yet); units add up from these."""

    __tablename__ = "stat_person_day"
    __table_args__ = (Index("ix_stat_person_day_agency_day", "agency_id", "day"),)

    day: date = Field(primary_key=True)
    agency_id: int = Field(primary_key=True)
    unit_id: int = Field(primary_key=True)
    user_id: int = Field(primary_key=True)


class StatAgencyDay(DayCounters, table=True):
    """One day of one agency: the province dashboard's rows (the persons' rows added up)."""

    __tablename__ = "stat_agency_day"
    # Stored in day order (SQLite: clustered on the key): a month of every agency is one range.
    __table_args__ = ({"sqlite_with_rowid": False},)

    day: date = Field(primary_key=True)
    agency_id: int = Field(primary_key=True)


class StatAgencyMonth(DayCounters, table=True):
    """One calendar month of one agency (its days added up): a province-year reads 12 rows per
    agency instead of 365; the days of a period's partial months come from ``stat_agency_day``."""

    __tablename__ = "stat_agency_month"
    # SQLite: clustered on the key, so summing every agency's months reads each row once.
    __table_args__ = ({"sqlite_with_rowid": False},)

    agency_id: int = Field(primary_key=True)
    month: date = Field(primary_key=True)  # its first day


class StatIssuedType(SQLModel, table=True):
    """Documents issued one day by one person in one unit, per document type."""

    __tablename__ = "stat_issued_type"
    __table_args__ = (Index("ix_stat_issued_type_agency_day", "agency_id", "day"),)

    day: date = Field(primary_key=True)
    agency_id: int = Field(primary_key=True)
    unit_id: int = Field(primary_key=True)
    user_id: int = Field(primary_key=True)
    type_name: str = Field(primary_key=True, max_length=100)
    issued: int = 0


class StatAgencyIssuedType(SQLModel, table=True):
    """Documents issued one day by one agency, per document type."""

    __tablename__ = "stat_agency_issued_type"
    __table_args__ = (Index("ix_stat_agency_issued_type_day", "day", "agency_id"),)

    agency_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    type_name: str = Field(primary_key=True, max_length=100)
    issued: int = 0


class StatAgencyMonthType(SQLModel, table=True):
    """Documents issued one calendar month by one agency, per document type."""

    __tablename__ = "stat_agency_month_type"
    __table_args__ = ({"sqlite_with_rowid": False},)  # read by month and type, in that order

    month: date = Field(primary_key=True)
    type_name: str = Field(primary_key=True, max_length=100)
    agency_id: int = Field(primary_key=True)
    issued: int = 0


class StatRefresh(SQLModel, table=True):
    """When each agency's rollups were last rebuilt; the oldest is the page's staleness."""

    __tablename__ = "stat_refresh"

    agency_id: int = Field(primary_key=True)
    refreshed_at: datetime = Field(sa_type=UTCDateTime)
    took_ms: int = 0


# The oldest overdue documents, province-wide or of one agency: the open ones only (a partial
# index, far fewer rows than the table), in deadline order so the first twenty are the first twenty
# read, the agency checked from the index itself (migration 0038; 0032's (closed_at, due_date) left
# PostgreSQL sorting every open document).
OPEN_BY_DEADLINE = Index("ix_document_open_due", Document.direction, Document.due_date, Document.id,
                         Document.agency_id, sqlite_where=text("closed_at IS NULL"),
                         postgresql_where=text("closed_at IS NULL"))
OPEN_ASSIGNMENTS_BY_DEADLINE = Index("ix_workassignment_status_due", WorkAssignment.status, WorkAssignment.due_at)
