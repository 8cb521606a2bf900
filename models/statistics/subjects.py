"""Who a counted item belongs to: its agency, unit and person (shared by the direct count and the rollups).

* An incoming document: its lead (chủ trì) unit and handler, from the routing rows not withdrawn
  (the lowest id when several); an outgoing document: its drafting unit and the person who
  drafted it (``created_by``); an assignment (giao việc): its lead unit and lead person.
* Nobody named yet counts under ``NOBODY`` (0), shown as "Chưa giao".
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, func, literal_column
from sqlmodel import col, select

from models.calendar.workdays import is_working_day
from models.documents.tables import Assignment, Document
from models.registers.numbering import VIETNAM
from models.vocab import AssignmentRole, Direction


def inline(value: str | int):
    """A constant written into the SQL text, so an expression grouped by is the same text in its
    SELECT and its GROUP BY (PostgreSQL compares them as written, and bound values differ)."""
    return literal_column(str(value) if isinstance(value, int) else f"'{value}'")


NOBODY_SQL = inline(0)


def _lead(column):
    return (select(func.min(column))
            .where(Assignment.document_id == Document.id, Assignment.role == inline(AssignmentRole.LEAD.value),
                   col(Assignment.withdrawn_at).is_(None))
            .correlate(Document).scalar_subquery())


def document_unit():
    """The unit a document counts under (0 when none)."""
    return func.coalesce(case((Document.direction == inline(Direction.INCOMING.value), _lead(Assignment.unit_id)),
                              else_=Document.drafting_unit_id), NOBODY_SQL)


def document_person():
    """The person a document counts under (0 when none)."""
    return func.coalesce(case((Document.direction == inline(Direction.INCOMING.value), _lead(Assignment.user_id)),
                              else_=Document.created_by), NOBODY_SQL)


def as_day(value: object) -> date | None:
    """A day from what a driver returns for a date column or a local-day expression."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value  # type: ignore[return-value]
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM).date()
    return date.fromisoformat(str(value)[:10])


class WorkingDays:
    """Working days between two days on the installation's calendar (national holidays and the
    administrator's corrections): how many working days follow ``first`` up to and including
    ``last``, the way a deadline counts them (the day of receipt does not count)."""

    ANCHOR = date(2000, 1, 1)
    # The counts computed so far, per set of corrections: built once per process, not per page.
    _known: dict[frozenset, list[int]] = {}

    def __init__(self, overrides: dict[date, bool]) -> None:
        self._overrides = overrides
        key = frozenset(overrides.items())
        if key not in self._known:
            if len(self._known) > 8:  # corrections changed: forget the older calendars
                self._known.clear()
            self._known[key] = []
        self._ordinals = self._known[key]  # working days from ANCHOR up to and including each day

    def _ordinal(self, day: date) -> int:
        index = (day - self.ANCHOR).days
        if index < 0:
            return 0
        while len(self._ordinals) <= index:
            current = self.ANCHOR.fromordinal(self.ANCHOR.toordinal() + len(self._ordinals))
            previous = self._ordinals[-1] if self._ordinals else 0
            self._ordinals.append(previous + (1 if is_working_day(current, self._overrides) else 0))
        return self._ordinals[index]

    def between(self, first: date, last: date) -> int:
        return max(0, self._ordinal(last) - self._ordinal(first))
