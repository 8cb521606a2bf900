"""What a publication changed in a week's schedule, and who it concerns (pure).

Approving a change round compares the published copies with the working ones, event by event
(``uid``): an event added, removed or changed. Everyone named in either version of a changed
event is concerned: its leaders and participants, and, for the units named (participating or
preparing), their heads, who the caller finds. The description is Vietnamese because the worker
writes it into notifications and their e-mails (models never import ``web``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.schedule.rules import weekday_name

if TYPE_CHECKING:  # the rows compared (any object with the same fields will do)
    from models.schedule.tables import ScheduleEvent as EventLike

# The fields a person reading the schedule cares about, in the order a change is described.
COMPARED = ("day", "start_time", "end_time", "content", "place", "leader_ids", "participant_user_ids",
            "participant_unit_ids", "participants_note", "preparing_unit_id", "document_ids")
LIST_FIELDS = {"leader_ids", "participant_user_ids", "participant_unit_ids", "document_ids"}
FIELD_WORDS = {"place": "địa điểm", "content": "nội dung", "leader_ids": "lãnh đạo dự",
               "participant_user_ids": "thành phần", "participant_unit_ids": "thành phần",
               "participants_note": "thành phần", "preparing_unit_id": "đơn vị chuẩn bị",
               "document_ids": "tài liệu kèm theo"}
KIND_WORDS = {"added": "Bổ sung", "removed": "Hủy", "changed": "Điều chỉnh"}
DETAIL_LIMIT = 1800


def _value(event: EventLike, name: str):
    value = getattr(event, name)
    return sorted(value) if name in LIST_FIELDS else value


@dataclass(frozen=True)
class Change:
    """One event added, removed or changed by a publication."""

    kind: str  # "added" | "removed" | "changed"
    before: EventLike | None
    after: EventLike | None
    fields: tuple[str, ...] = ()

    @property
    def event(self) -> EventLike:
        return self.after if self.after is not None else self.before

    def people(self) -> set[int]:
        """The people named in either version (leaders and participants)."""
        found: set[int] = set()
        for version in (self.before, self.after):
            if version is not None:
                found |= set(version.leader_ids) | set(version.participant_user_ids)
        return found

    def units(self) -> set[int]:
        """The units named in either version (participating or preparing)."""
        found: set[int] = set()
        for version in (self.before, self.after):
            if version is not None:
                found |= set(version.participant_unit_ids)
                if version.preparing_unit_id is not None:
                    found.add(version.preparing_unit_id)
        return found


def diff(published: Sequence[EventLike], working: Sequence[EventLike]) -> list[Change]:
    """The changes from the published copies to the working ones, in the order of the week."""
    before = {event.uid: event for event in published}
    after = {event.uid: event for event in working}
    changes = [Change("removed", event, None) for uid, event in before.items() if uid not in after]
    for uid, event in after.items():
        old = before.get(uid)
        if old is None:
            changes.append(Change("added", None, event))
            continue
        fields = tuple(name for name in COMPARED if _value(old, name) != _value(event, name))
        if fields:
            changes.append(Change("changed", old, event, fields))
    return sorted(changes, key=lambda c: (c.event.day, c.event.start_time, c.event.uid))


def when(event: EventLike) -> str:
    """«Thứ Ba 01/12/2026, 08:00–10:00»."""
    return f"{weekday_name(event.day)} {event.day:%d/%m/%Y}, {event.start_time:%H:%M}–{event.end_time:%H:%M}"


def describe(change: Change, user_names: Mapping[int, str], unit_names: Mapping[int, str]) -> str:
    """One change in a sentence, as a person concerned reads it in a notification."""
    event = change.event
    head = f"{KIND_WORDS[change.kind]} «{event.content}»"
    if change.kind != "changed":
        place = f", tại {event.place}" if event.place else ""
        return f"{head} ({when(event)}{place})"
    parts = []
    if {"day", "start_time", "end_time"} & set(change.fields):
        parts.append(f"thời gian {when(change.before)} → {when(change.after)}")
    if "place" in change.fields:
        parts.append(f"địa điểm → {change.after.place or '(chưa xác định)'}")
    if "leader_ids" in change.fields:
        names = ", ".join(user_names.get(i, "?") for i in change.after.leader_ids) or "(không có)"
        parts.append(f"lãnh đạo dự → {names}")
    if "preparing_unit_id" in change.fields:
        unit = change.after.preparing_unit_id
        parts.append(f"đơn vị chuẩn bị → {unit_names.get(unit, '?') if unit is not None else '(không có)'}")
    for name in ("content", "participant_user_ids", "document_ids"):
        word = FIELD_WORDS[name]
        touched = name in change.fields or (name == "participant_user_ids" and {
            "participant_unit_ids", "participants_note"} & set(change.fields))
        if touched and word not in " ".join(parts):
            parts.append(f"{word} thay đổi")
    return f"{head} ({when(change.before)}): " + "; ".join(parts)
