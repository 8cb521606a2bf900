"""The figures one row of a statistics table holds, and the tally both implementations fill.

``FigureRow`` is what every page, report and API answer shows; ``Tally`` collects the counters of
one key (an agency, a unit, a person, a month) from either the direct count (``direct``) or the
rollups (``rollup_repo``), so the two produce rows the same way and tests compare them field by
field. The meaning of each figure is in ``models.statistics.repo``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models.vocab import DocumentSource, Urgency

SOURCES = tuple(source.value for source in DocumentSource)
URGENCIES = tuple(urgency.value for urgency in Urgency)
# Counted in ``unit_id``/``user_id`` 0: work no unit or no person has been named for yet.
NOBODY = 0


@dataclass(frozen=True)
class FigureRow:
    key: int | str
    label: str
    received: int = 0
    received_by_source: dict[str, int] = field(default_factory=dict)
    received_by_urgency: dict[str, int] = field(default_factory=dict)
    issued: int = 0
    issued_by_type: dict[str, int] = field(default_factory=dict)
    issued_late: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    open: int = 0
    overdue: int = 0
    avg_handling_days: float | None = None
    unacknowledged: int = 0
    extension_requests: int = 0
    assignments_open: int = 0
    assignments_overdue: int = 0

    @property
    def finished(self) -> int:
        return self.finished_on_time + self.finished_late

    @property
    def on_time_share(self) -> float | None:
        """The share of documents finished in the period that finished by their deadline."""
        return self.finished_on_time / self.finished if self.finished else None


@dataclass(frozen=True)
class OverdueItem:
    kind: str  # "document" | "assignment"
    id: str | int
    title: str
    agency_id: int
    agency_name: str
    unit_id: int | None
    unit_name: str
    assignee_name: str
    due_at: datetime
    days_overdue: int  # working days past the deadline
    url: str


# The plain counters of a tally, in the order the rollup tables store them.
COUNTERS = (
    "received", "issued", "issued_late", "finished_on_time", "finished_late", "handling_days",
    "closed", "overdue_began", "overdue_ended", "unacknowledged", "extension_requests",
    "assignments_began", "assignments_ended", "assignments_overdue_began", "assignments_overdue_ended",
)


@dataclass
class Tally:
    """Counters of one key; ``open``/``overdue`` figures are set directly or from began/ended events."""

    received: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    by_urgency: dict[str, int] = field(default_factory=dict)
    issued: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    issued_late: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    handling_days: int = 0
    open: int = 0
    overdue: int = 0
    unacknowledged: int = 0
    extension_requests: int = 0
    assignments_open: int = 0
    assignments_overdue: int = 0

    def is_empty(self) -> bool:
        return not any(any(value.values()) if isinstance(value, dict) else value for value in vars(self).values())

    def row(self, key: int | str, label: str) -> FigureRow:
        finished = self.finished_on_time + self.finished_late
        return FigureRow(
            key=key, label=label, received=self.received,
            received_by_source={source: self.by_source.get(source, 0) for source in SOURCES},
            received_by_urgency={urgency: self.by_urgency.get(urgency, 0) for urgency in URGENCIES},
            issued=self.issued, issued_by_type=dict(sorted(self.by_type.items())), issued_late=self.issued_late,
            finished_on_time=self.finished_on_time, finished_late=self.finished_late,
            open=self.open, overdue=self.overdue,
            avg_handling_days=round(self.handling_days / finished, 2) if finished else None,
            unacknowledged=self.unacknowledged, extension_requests=self.extension_requests,
            assignments_open=self.assignments_open, assignments_overdue=self.assignments_overdue,
        )


def add_to(counts: dict[str, int], key: str, amount: int) -> None:
    counts[key] = counts.get(key, 0) + amount
