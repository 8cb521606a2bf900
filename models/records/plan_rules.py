"""Rules of the Danh mục hồ sơ (the yearly file plan), without I/O.

ND30 Điều 28 and Phụ lục V I–II (DOMAIN §9): headings follow the units or the fields of work,
top headings numbered in Roman numerals and those below in Arabic numerals; within a heading the
general comes before the specific. A hồ sơ's số và ký hiệu is an Arabic serial, from 01, and the
abbreviation of its top heading (``01.TCCB``), numbered through the whole list or afresh within
each top heading. Thời hạn bảo quản is "Vĩnh viễn" or a number of years ("20 năm"). The footer
counts every hồ sơ, the permanent ones and the fixed-term ones.

Numbers are QLVB's work: a draft is numbered in the order of its outline and renumbered whenever
that order changes; an approved entry keeps its number for ever, and a later addition takes the
next number after the highest one of its sequence.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from models.errors import Conflict, DomainError
from models.records.tables import EntryStatus, PlanNumbering, PlanStatus
from models.text import fold

MAX_RETENTION_YEARS = 100
PERMANENT = "Vĩnh viễn"
# The abbreviation of a top heading, printed in every số và ký hiệu under it: capitals (Đ too),
# digits, inner hyphens; short enough that serial, dot and abbreviation fit FileNotation (20).
ABBREVIATION = re.compile(r"^[A-ZĐ][A-ZĐ0-9-]{0,10}[A-ZĐ0-9]$|^[A-ZĐ]$")
_YEARS = re.compile(r"^([0-9]{1,3})(?: ?nam)?$")  # ASCII digits: int() would read others
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


# --- numerals and numbers -------------------------------------------------------------------


def roman(number: int) -> str:
    """The Roman numeral of a top heading (PL V II: "I", "II", … "XIV")."""
    if not 1 <= number <= 3999:
        raise ValueError(f"no Roman numeral for {number}")
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def heading_numeral(position: int, *, top: bool) -> str:
    """Roman for a top heading, Arabic for one below it (its position among its siblings)."""
    return roman(position) if top else str(position)


def notation(serial: int, abbreviation: str) -> str:
    """Số và ký hiệu hồ sơ: the serial zero-padded below 10, a dot, the top heading's abbreviation."""
    return f"{serial:02d}.{abbreviation}"


def serial_of(file_notation: str) -> int:
    """The serial of a số và ký hiệu made by ``notation`` (0 when it has none)."""
    digits = file_notation.split(".", 1)[0]
    return int(digits) if digits.isascii() and digits.isdigit() else 0


def clean_abbreviation(text: str) -> str:
    """A top heading's abbreviation in capitals (``tccb`` → ``TCCB``), or ``plan_bad_abbreviation``."""
    value = unicodedata.normalize("NFC", text or "").strip().upper()
    if not ABBREVIATION.match(value):
        raise DomainError("plan_bad_abbreviation", value=(text or "").strip()[:30])
    return value


@dataclass(frozen=True)
class NumberSlot:
    """One entry as numbering sees it, in outline order."""

    key: int  # the entry
    scope: int  # its top heading
    abbreviation: str  # its top heading's abbreviation
    frozen: str = ""  # an approved entry's number, never changed


def assign_numbers(slots: Sequence[NumberSlot], numbering: str) -> dict[int, str]:
    """The số và ký hiệu of every entry; ``plan_duplicate_notation`` when two would be equal.

    1. A sequence is the whole plan (``lien_tuc``) or one top heading (``theo_de_muc``).
    2. Approved entries keep their numbers; each sequence continues after its highest one.
    3. The other entries take the next serial of their sequence in outline order, so a draft
       is numbered 01, 02, … as it reads, and a later addition goes after every approved one.
    4. Two entries with the same number (two top headings sharing an abbreviation under
       ``theo_de_muc``) are refused rather than stored.
    """
    per_heading = numbering == PlanNumbering.PER_HEADING

    def sequence(slot: NumberSlot) -> int:
        return slot.scope if per_heading else 0

    highest: dict[int, int] = {}
    for slot in slots:
        if slot.frozen:
            highest[sequence(slot)] = max(highest.get(sequence(slot), 0), serial_of(slot.frozen))
    numbers: dict[int, str] = {}
    for slot in slots:
        if slot.frozen:
            numbers[slot.key] = slot.frozen
            continue
        serial = highest.get(sequence(slot), 0) + 1
        highest[sequence(slot)] = serial
        numbers[slot.key] = notation(serial, slot.abbreviation)
    duplicates = sorted(value for value, count in Counter(numbers.values()).items() if count > 1)
    if duplicates:
        raise DomainError("plan_duplicate_notation", notation=duplicates[0])
    return numbers


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """Thời hạn bảo quản: permanent (``years`` None) or a number of years."""

    years: int | None

    @property
    def permanent(self) -> bool:
        return self.years is None

    @property
    def text(self) -> str:
        """As the Danh mục prints it and FileCode metadata stores it: "Vĩnh viễn" or "N năm"."""
        return PERMANENT if self.years is None else f"{self.years} năm"


def parse_retention(text: str) -> Retention:
    """Read "Vĩnh viễn" or "N năm" (N from 1 to 100), typed with or without diacritics.

    "vĩnh viễn", "VINH VIEN", "20 năm", "20 nam" and "20" are accepted; anything else is
    ``plan_bad_retention`` (ND30 PL V II.3: a retention is permanent or a number of years).
    """
    folded = " ".join(fold(text or "").split())
    if folded == "vinh vien":
        return Retention(None)
    match = _YEARS.match(folded)
    if match and 1 <= int(match.group(1)) <= MAX_RETENTION_YEARS:
        return Retention(int(match.group(1)))
    raise DomainError("plan_bad_retention", value=(text or "").strip()[:30], limit=MAX_RETENTION_YEARS)


@dataclass(frozen=True)
class Totals:
    """The footer of the Danh mục: how many hồ sơ, how many kept for ever, how many for a term."""

    total: int
    permanent: int
    fixed_term: int


def totals(maintenances: Iterable[str]) -> Totals:
    """Count the entries by their retention (each stored as ``Retention.text``)."""
    permanent = fixed = 0
    for value in maintenances:
        if parse_retention(value).permanent:
            permanent += 1
        else:
            fixed += 1
    return Totals(permanent + fixed, permanent, fixed)


# --- the outline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of the outline: a heading with its numeral, or an entry."""

    kind: str  # "heading" | "entry"
    item: Any
    numeral: str = ""
    top: bool = False


def outline(headings: Iterable[Any], entries: Iterable[Any]) -> list[Line]:
    """Headings and entries in reading order.

    Top headings by position, each followed by its own entries (the general) and then its
    sub-headings (the specific), each of those followed by its entries. ``headings`` need
    ``id``, ``parent_id`` and ``position``; ``entries`` need ``id``, ``heading_id`` and
    ``position``.
    """
    children: dict[int | None, list[Any]] = {}
    for heading in headings:
        children.setdefault(heading.parent_id, []).append(heading)
    under: dict[int, list[Any]] = {}
    for entry in entries:
        under.setdefault(entry.heading_id, []).append(entry)
    lines: list[Line] = []

    def walk(heading: Any, top: bool) -> None:
        lines.append(Line("heading", heading, heading_numeral(heading.position, top=top), top))
        lines.extend(Line("entry", entry) for entry in sorted(under.get(heading.id, []),
                                                              key=lambda e: (e.position, e.id)))
        if top:
            for child in sorted(children.get(heading.id, []), key=lambda h: (h.position, h.id)):
                walk(child, False)

    for heading in sorted(children.get(None, []), key=lambda h: (h.position, h.id)):
        walk(heading, True)
    return lines


# --- what may change, by status ---------------------------------------------------------------


def status_of_new_entry(plan_status: str) -> EntryStatus:
    """A new entry is part of the draft, or, once the plan is issued, a later addition (đề xuất)."""
    if plan_status == PlanStatus.PENDING:
        raise Conflict("plan_pending")
    return EntryStatus.PROPOSED if plan_status == PlanStatus.ISSUED else EntryStatus.DRAFT


def check_entry_editable(plan_status: str, entry_status: str) -> None:
    """Only a draft's entries and an issued plan's proposed additions change; approved ones never."""
    if plan_status == PlanStatus.PENDING:
        raise Conflict("plan_pending")
    if entry_status == EntryStatus.APPROVED:
        raise Conflict("plan_entry_approved")


def check_draft(plan_status: str) -> None:
    """The outline itself (headings, order, numbering) changes only while the plan is a draft."""
    if plan_status == PlanStatus.PENDING:
        raise Conflict("plan_pending")
    if plan_status == PlanStatus.ISSUED:
        raise Conflict("plan_issued")


def awaiting_approval(plan_status: str, entry_statuses: Iterable[str]) -> int:
    """How many entries a submission sends to the head of the agency: the draft's entries, or
    the proposed additions of an issued plan; ``plan_nothing_to_submit`` when there are none."""
    if plan_status == PlanStatus.PENDING:
        raise Conflict("plan_pending")
    wanted = EntryStatus.DRAFT if plan_status == PlanStatus.DRAFT else EntryStatus.PROPOSED
    count = sum(1 for status in entry_statuses if status == wanted)
    if not count:
        raise DomainError("plan_nothing_to_submit")
    return count
