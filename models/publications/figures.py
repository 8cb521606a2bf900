"""Figures as plain objects: what a dashboard shows and what a publication freezes, in one shape.

``figures_of`` turns a row of the statistics (``models.statistics.repo.FigureRow``) into a plain
JSON-ready dict; ``total`` adds such dicts up into the province's line; ``sort_rows`` orders them
for a table. The live dashboard and a frozen publication both go through these, so the two show
the same columns with the same meaning. Pure functions, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# The counts of a row, summed into the totals.
COUNTS = ("received", "issued", "issued_late", "finished_on_time", "finished_late", "open", "overdue",
          "unacknowledged", "extension_requests", "assignments_open", "assignments_overdue")
# Counts broken down by a category (source, urgency, document type), summed category by category.
BREAKDOWNS = ("received_by_source", "received_by_urgency", "issued_by_type")
# What a table may be sorted by: the name, each count, the average handling time and the share.
SORTABLE = ("label", *COUNTS, "avg_handling_days", "on_time_share")


def share(on_time: int, late: int) -> float | None:
    """Finished on time among those finished; None when nothing was finished."""
    finished = on_time + late
    return round(on_time / finished, 4) if finished else None


def figures_of(row: Any) -> dict[str, Any]:
    """One row of the statistics as a JSON-ready dict (numbers only besides its key and label)."""
    figures: dict[str, Any] = {"key": row.key, "label": str(row.label)}
    for name in COUNTS:
        figures[name] = int(getattr(row, name, 0) or 0)
    for name in BREAKDOWNS:
        figures[name] = {str(key): int(value) for key, value in (getattr(row, name, None) or {}).items()}
    average = getattr(row, "avg_handling_days", None)
    figures["avg_handling_days"] = round(float(average), 2) if average is not None else None
    figures["on_time_share"] = share(figures["finished_on_time"], figures["finished_late"])
    return figures


def total(rows: Iterable[dict[str, Any]], label: str = "Toàn tỉnh") -> dict[str, Any]:
    """The sum of rows; the average handling time weighted by the documents each row finished."""
    result: dict[str, Any] = {"key": None, "label": label, **{name: 0 for name in COUNTS},
                              **{name: {} for name in BREAKDOWNS}}
    weighted, weight = 0.0, 0
    for row in rows:
        for name in COUNTS:
            result[name] += row.get(name, 0) or 0
        for name in BREAKDOWNS:
            for key, value in (row.get(name) or {}).items():
                result[name][key] = result[name].get(key, 0) + value
        finished = (row.get("finished_on_time") or 0) + (row.get("finished_late") or 0)
        if row.get("avg_handling_days") is not None and finished:
            weighted += row["avg_handling_days"] * finished
            weight += finished
    result["avg_handling_days"] = round(weighted / weight, 2) if weight else None
    result["on_time_share"] = share(result["finished_on_time"], result["finished_late"])
    return result


def sort_rows(rows: Sequence[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """Rows ordered by one column; rows without a value (no share yet) always last. An unknown
    column sorts by name."""
    if key not in SORTABLE:
        key, descending = "label", False
    present = [row for row in rows if row.get(key) is not None]
    missing = [row for row in rows if row.get(key) is None]
    if key == "label":
        ordered = sorted(present, key=lambda row: row["label"].casefold(), reverse=descending)
    else:
        ordered = sorted(present, key=lambda row: (row[key], row["label"].casefold()), reverse=descending)
    return ordered + missing
