"""What numbers and JSON from outside may be, checked at every input boundary.

An id, a page number or a count typed into a URL or a form reaches the database as a bound
parameter. Python integers have no size, database integers do: SQLite refuses anything beyond
64 bits with an ``OverflowError``, and PostgreSQL ``integer`` columns (every id and counter
here) end at 2**31 - 1. Unbounded, ``?page=99999999999999999999`` or an id of 2**70 would be
an internal error instead of a refusal. So every integer taken from outside has one of the
types below (query, path, form and JSON fields alike), and text that should hold an id goes
through ``parse_id``: out of range is refused, with the field named, before any query runs.

JSON is parsed recursively: a body nested thousands of levels deep costs stack and time long
before any schema sees it. ``json_too_deep`` finds the depth with a flat scan of the bytes, so a
refusal is made without parsing, and ``loads`` parses only what passed it.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from annotated_types import Ge, Le

from models.errors import DomainError

# PostgreSQL ``integer``: the ids and counters of every table.
DB_INT_MAX = 2**31 - 1
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")

# A row id (path, query, form or JSON).
Id = Annotated[int, Ge(1), Le(DB_INT_MAX)]
# A page of a listing.
PageNumber = Annotated[int, Ge(1), Le(DB_INT_MAX)]
# A number of items or a position counted from 1 (a revision, a volume).
Ordinal = Annotated[int, Ge(1), Le(DB_INT_MAX)]
# A calendar year the registers and the holiday calendar can hold.
Year = Annotated[int, Ge(1900), Le(2199)]


def parse_int(text: object, low: int, high: int) -> int | None:
    """The whole number written in ``text`` when it lies in ``low``..``high`` (``low`` ≥ 0), else None.

    Only ASCII digits count: ``str.isdigit`` also accepts "²" or "١٢", which ``int`` then refuses
    (or reads), and a string of thousands of digits makes ``int`` raise; both would be internal
    errors instead of refusals.
    """
    value = str(text).strip()
    if not value or len(value) > len(str(high)) or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


def parse_id(text: object) -> int | None:
    """The id written in ``text`` (ASCII digits, 1 to ``DB_INT_MAX``), or None when it holds none."""
    return parse_int(text, 1, DB_INT_MAX)


def require_ids(field: str, values: list[object]) -> list[int]:
    """Every non-blank value as an id; refuse (``invalid_fields``, naming ``field``) any that is not one."""
    ids = []
    for value in values:
        if str(value).strip() == "":
            continue
        number = parse_id(value)
        if number is None:
            raise DomainError("invalid_fields", fields={field: "invalid"})
        ids.append(number)
    return ids


def json_too_deep(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in a JSON text nest deeper than ``limit``; a flat scan, no parsing.

    Brackets inside strings do not count (strings are removed first, escapes included); malformed
    text is left to the parser to refuse.
    """
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def loads(text: str | bytes, *, code: str = "invalid_request", limit: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON that came from outside; too deep is refused (``json_too_deep``) before parsing,
    malformed raises ``DomainError(code)``."""
    if json_too_deep(text, limit):
        raise DomainError("json_too_deep", limit=limit)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise DomainError(code) from error
