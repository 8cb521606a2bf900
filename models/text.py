"""What text typed by people (or sent by other systems) may contain, checked at every input boundary.

Control characters and NUL have no place in a subject, an opinion or a name: they break exports,
PDF rendering and the search index, and NUL is refused outright by PostgreSQL. Bidirectional
override and isolate characters make a text display differently from what it says (a file name
or a number that reads backwards: the "Trojan Source" trick). Both are refused, with the field
named, and nothing is stored. Line breaks and tabs stay allowed where a text may span lines.
"""

from __future__ import annotations

import unicodedata

from models.errors import DomainError

# U+202A-U+202E (embeddings, overrides) and U+2066-U+2069 (isolates).
BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
LINE_CHARACTERS = frozenset("\n\r\t")


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """The kind of problem of a typed text (``control_character`` or ``bidi_control``), or None."""
    for character in value:
        if character in BIDI_CONTROLS:
            return "bidi_control"
        if unicodedata.category(character) == "Cc" and not (multiline and character in LINE_CHARACTERS):
            return "control_character"
    return None


def normalised(value: str) -> str:
    """NFC and no surrounding blanks: equal-looking strings compare equal everywhere after."""
    return unicodedata.normalize("NFC", value).strip()


def fold(text: str) -> str:
    """Lowercase, strip all combining marks, map đ to d: ``'Đảng ủy' -> 'dang uy'``.

    The one folding rule for comparing Vietnamese text (search, probable duplicates): input is
    normalised to NFC first so decomposed text ("Unicode tổ hợp") folds the same, then case-folded
    in Python, so SQLite (whose ``lower()`` folds ASCII only) and PostgreSQL compare the same keys.
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d")


def refuse_unsafe_text(*, multiline: bool = True, **values: str | None) -> None:
    """Refuse (``invalid_fields``, each field with its problem) any of the named texts with unsafe characters."""
    problems = {name: problem for name, value in values.items()
                if isinstance(value, str) and (problem := text_problem(value, multiline=multiline))}
    if problems:
        raise DomainError("invalid_fields", fields=problems)
