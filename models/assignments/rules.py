"""Pure rules of giao việc: who may assign in which role, deadlines, ratings, on time.

No I/O: the repository gathers the facts (roles, units above a unit, today's date) and these
functions decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from models.bounds import parse_int
from models.text import fold
from models.vocab import Role

MAX_WORKING_DAYS = 365
RATING_RANGE = range(1, 6)
# The rating scale: 1 to 5, or the words of the yearly evaluation of officials (Nghị định
# 90/2020/NĐ-CP Điều 2: hoàn thành xuất sắc, tốt, hoàn thành, không hoàn thành nhiệm vụ), with the
# one step between "hoàn thành" and "không hoàn thành" the same decree names for staff who finished
# with shortcomings.
RATING_WORDS = {
    5: "Hoàn thành xuất sắc",
    4: "Hoàn thành tốt",
    3: "Hoàn thành",
    2: "Hoàn thành nhưng còn hạn chế",
    1: "Không hoàn thành",
}
_FOLDED_WORDS = {fold(words): rating for rating, words in RATING_WORDS.items()}
_TASK_SUFFIX = " nhiem vu"


def assigning_role(roles: Iterable[Role], unit_id: int | None) -> Role | None:
    """The role someone assigns work in: an agency leader's (the whole agency), else a unit head's
    (their unit), else none. A unit head without a unit has nothing to assign within."""
    roles = set(roles)
    if Role.AGENCY_LEADER in roles:
        return Role.AGENCY_LEADER
    if Role.UNIT_LEADER in roles and unit_id is not None:
        return Role.UNIT_LEADER
    return None


def unit_within(role: Role, own_unit_id: int | None, unit_and_ancestors: Iterable[int]) -> bool:
    """Whether a unit lies within an assigner's powers: any unit of the agency for its leader; the
    head's own unit or one below it for a unit head (``unit_and_ancestors``: the unit's id first)."""
    if role == Role.AGENCY_LEADER:
        return True
    return own_unit_id is not None and own_unit_id in set(unit_and_ancestors)


def deadline_problem(working_days: int | None, due_date: date | None, today: date) -> str | None:
    """Why a deadline cannot be used (an error code), or None. A date wins over working days."""
    if due_date is not None:
        return "assignment_deadline_past" if due_date < today else None
    if working_days is None:
        return "assignment_deadline_required"
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        return "assignment_deadline_range"
    return None


def parse_rating(value: object) -> int | None:
    """The rating 1..5 written as a digit or as the words of ``RATING_WORDS`` (with or without
    diacritics, case, or a trailing "nhiệm vụ"); None when it is neither."""
    text = str(value).strip()
    number = parse_int(text, RATING_RANGE.start, RATING_RANGE.stop - 1)
    if number is not None:
        return number
    folded = " ".join(fold(text).split())
    folded = folded.removesuffix(_TASK_SUFFIX)
    return _FOLDED_WORDS.get(folded)


def on_time(submitted_at: datetime, due_at: datetime) -> bool:
    """Whether the accepted result was reported by the deadline as it stood (after extensions)."""
    return submitted_at <= due_at
