"""Comparing two revisions of an outgoing draft (văn bản đi): a read, shared by the page and API v1.

The two revisions' PDF text, then their form fields, compared line by line with ``difflib``. The
API returns a unified diff (``compare_revisions``); the page shows the lines side by side with the
changed words marked inside changed lines (``compare_side_by_side``). It needs the file store as
well as the database, so it opens its own read-only ``reading`` session.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from models.db import reading
from models.documents.access import document_for_user
from models.documents.file_store import FileStore
from models.documents.tables import StoredFile
from models.documents.text_extract import pdf_text
from models.org.tables import User
from models.outgoing import repo as outgoing_repo
from models.vocab import Role

# Pages read for comparing revisions: enough for any ordinary document, bounded for huge ones.
COMPARE_MAX_PAGES = 50
# Unchanged lines kept around each change; longer unchanged runs are folded into one row.
CONTEXT_LINES = 3
# Changed lines compared word by word at most: beyond, a changed line is marked whole (bounded work).
MAX_WORD_COMPARED_CHARS = 5_000
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Part:
    """A piece of a line's text, ``changed`` when it differs from the other side."""

    text: str
    changed: bool = False


@dataclass(frozen=True)
class Row:
    """One row of the side-by-side view.

    ``kind``: ``equal``, ``change`` (a line replaced), ``delete`` (only in the old revision),
    ``insert`` (only in the new one) or ``fold`` (``folded`` unchanged lines not shown).
    """

    kind: str
    old_number: int | None = None
    new_number: int | None = None
    old: tuple[Part, ...] = ()
    new: tuple[Part, ...] = ()
    folded: int = 0


@dataclass
class Comparison:
    """The two revisions side by side: their text, then (form drafts) their fields."""

    first: int
    second: int
    text: list[Row] = field(default_factory=list)
    form: list[Row] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return all(row.kind in ("equal", "fold") for row in self.text + self.form)


def compare_revisions(engine: Engine, store: FileStore, *, user: User, roles: set[Role], document_id: str,
                      first: int, second: int) -> list[str]:
    """A unified diff of two revisions' text, then of their form fields (for form revisions)."""
    (old, old_text, old_form), (new, new_text, new_form) = _revisions(engine, store, user, roles, document_id,
                                                                      first, second)
    lines = list(difflib.unified_diff(old_text, new_text, f"Bản {old}", f"Bản {new}", lineterm=""))
    if old_form or new_form:
        lines += list(difflib.unified_diff(old_form, new_form,
                                           f"Thông tin bản {old}", f"Thông tin bản {new}", lineterm=""))
    return lines


def compare_side_by_side(engine: Engine, store: FileStore, *, user: User, roles: set[Role], document_id: str,
                         first: int, second: int, labels: dict[str, str] | None = None) -> Comparison:
    """The two revisions' text and form fields side by side, changed words marked; ``labels`` names
    the form fields for a reader (their keys otherwise)."""
    (old, old_text, old_form), (new, new_text, new_form) = _revisions(engine, store, user, roles, document_id,
                                                                      first, second, labels)
    return Comparison(first=old, second=new, text=side_by_side(old_text, new_text),
                      form=side_by_side(old_form, new_form) if old_form or new_form else [])


def side_by_side(old_lines: list[str], new_lines: list[str], context: int = CONTEXT_LINES) -> list[Row]:
    """Rows pairing the two texts' lines: equal lines once on each side, a replaced block line by
    line (word differences marked), the rest deleted or inserted; long equal runs folded."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row("equal", i1 + k + 1, j1 + k + 1, (Part(old_lines[i1 + k]),), (Part(new_lines[j1 + k]),))
                     for k in range(i2 - i1)]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            old_parts, new_parts = word_diff(old_lines[i1 + k], new_lines[j1 + k])
            rows.append(Row("change", i1 + k + 1, j1 + k + 1, old_parts, new_parts))
        rows += [Row("delete", old_number=i + 1, old=(Part(old_lines[i], True),)) for i in range(i1 + paired, i2)]
        rows += [Row("insert", new_number=j + 1, new=(Part(new_lines[j], True),)) for j in range(j1 + paired, j2)]
    return _fold(rows, context)


def word_diff(old: str, new: str) -> tuple[tuple[Part, ...], tuple[Part, ...]]:
    """The two versions of a line split into parts, the words that differ marked on each side."""
    if len(old) + len(new) > MAX_WORD_COMPARED_CHARS:
        return (Part(old, True),), (Part(new, True),)
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    old_parts: list[Part] = []
    new_parts: list[Part] = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old_parts.append(Part("".join(old_tokens[i1:i2]), tag != "equal"))
        if j2 > j1:
            new_parts.append(Part("".join(new_tokens[j1:j2]), tag != "equal"))
    return _joined(old_parts), _joined(new_parts)


def _joined(parts: list[Part]) -> tuple[Part, ...]:
    """Neighbouring parts of the same kind as one; a space alone between two changes is part of
    the change, so "Nội vụ" → "Tài chính" reads as one changed phrase, not two words."""
    joined: list[Part] = []
    for index, part in enumerate(parts):
        between_changes = (not part.changed and not part.text.strip() and 0 < index < len(parts) - 1
                           and parts[index - 1].changed and parts[index + 1].changed)
        changed = part.changed or between_changes
        if joined and joined[-1].changed == changed:
            joined[-1] = Part(joined[-1].text + part.text, changed)
        else:
            joined.append(Part(part.text, changed))
    return tuple(joined)


def _fold(rows: list[Row], context: int) -> list[Row]:
    """Keep ``context`` equal rows around each change; each longer equal run becomes one fold row."""
    near = set()
    for index, row in enumerate(rows):
        if row.kind != "equal":
            near.update(range(index - context, index + context + 1))
    kept: list[Row] = []
    run = 0
    for index, row in enumerate(rows):
        if row.kind == "equal" and index not in near:
            run += 1
            continue
        if run:
            kept.append(Row("fold", folded=run))
            run = 0
        kept.append(row)
    if run:
        kept.append(Row("fold", folded=run))
    return kept


def _revisions(engine: Engine, store: FileStore, user: User, roles: set[Role], document_id: str,
               first: int, second: int, labels: dict[str, str] | None = None) -> list[tuple[int, list[str], list[str]]]:
    """(number, text lines, form lines) of each revision, read for a person who may see the draft."""
    with reading(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        pair = []  # (number, file sha256, form), read while the session is open
        for number in (first, second):
            revision = outgoing_repo.revision(session, document.id, number)
            pair.append((number, session.get(StoredFile, revision.file_id).sha256, dict(revision.form)))
    return [(number, pdf_text(store.read(sha), max_pages=COMPARE_MAX_PAGES).splitlines(), _form_lines(form, labels))
            for number, sha, form in pair]


def _form_lines(form: dict, labels: dict[str, str] | None = None) -> list[str]:
    lines = []
    for key in sorted(form):
        value = form[key]
        text = "\n".join(value) if isinstance(value, list) else str(value if value is not None else "")
        name = (labels or {}).get(key, key)
        lines += [f"{name}: {line}" for line in text.splitlines() or [""]]
    return lines
