"""Working-day deadlines computed from the calendar data (never inside workflow code)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from temporalio import activity

from models.calendar import repo as calendar_repo
from models.calendar.workdays import add_working_days, end_of_day
from models.db import reading
from workflows.contracts import DueAtInput, DueAtResult


class CalendarActivities:
    """Deadline arithmetic on the national calendar plus the administrator's corrections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="compute_due_at")
    def compute_due_at(self, request: DueAtInput) -> DueAtResult:
        """Return the due instant; pure given the calendar, and recorded in history by Temporal."""
        with reading(self.engine) as session:  # a read: it never waits for SQLite's one writer
            overrides = calendar_repo.overrides(session)
        if request.due_date:
            # The leader set a date: due at the end of that day, Vietnam time.
            return DueAtResult(end_of_day(date.fromisoformat(request.due_date)))
        return DueAtResult(add_working_days(request.start, request.working_days, overrides))
