"""The passage of a document's text shown under a search result, with the words searched marked.

A search matches folded words (``models.documents.search.fold``: no diacritics, đ as d) by
prefix; the passage shows the stored text as written ("Quyết <định>"). Rather than folding the
whole text again, each folded letter of a searched word becomes the class of every character
that folds to it (``d`` → ``[dDđĐ]``, ``u`` → ``[uUùúủũụưừứửữựÙ…]``), so one regular expression
finds the words in the original text, at C speed, on either backend the same way.

The result is a list of ``(text, is_match)`` parts; the template escapes every part and wraps
the matches in ``<mark>``, so a text layer holding markup can never become markup.
"""

from __future__ import annotations

import re
from functools import cache

from models.documents.search import fold

SNIPPET_CHARS = 220  # the passage: about two lines of the results table
MAX_WINDOWS = 200  # matches tried as the start of a passage, in a long text full of them
# The characters whose folded form the classes cover: Latin (with Vietnamese), Greek, Cyrillic.
_FOLDED_RANGES = ((0x30, 0x7B), (0xC0, 0x250), (0x370, 0x530), (0x1E00, 0x1F00))
_SPACES = re.compile(r"\s+")
_WORD_CHAR = r"[^\W_]"


@cache
def _sources() -> dict[str, str]:
    """folded character -> every character (itself included) that folds to it alone."""
    sources: dict[str, set[str]] = {}
    for start, end in _FOLDED_RANGES:
        for code in range(start, end):
            character = chr(code)
            folded = fold(character)
            if len(folded) == 1:
                sources.setdefault(folded, {folded}).add(character)
    return {folded: "".join(sorted(characters)) for folded, characters in sources.items()}


def _spelling(token: str) -> str:
    """A pattern matching every spelling of the folded ``token`` in unfolded text."""
    sources = _sources()
    return "".join(f"[{re.escape(sources[ch])}]" if ch in sources else re.escape(ch) for ch in token)


@cache
def word_pattern(token: str) -> re.Pattern[str]:
    """Whole words of unfolded text starting with the folded ``token``.

    The pattern begins with the token's first character class and looks behind only then, so
    the regular expression engine skips ahead to the candidates (ten times faster on a long
    text than a look-behind first).
    """
    spelling = _spelling(token)
    first = re.match(r"\[(?:\\.|[^\]])*\]|\\.|.", spelling, re.DOTALL).group()
    return re.compile(f"{first}(?<!{_WORD_CHAR}.){spelling[len(first):]}{_WORD_CHAR}*", re.DOTALL)


def _matches(text: str, tokens: list[str], start: int = 0, end: int | None = None,
             limit: int = MAX_WINDOWS) -> list[tuple[int, int, int]]:
    """(start, end, token index) of the words starting with a token, in text order, one per word."""
    end = len(text) if end is None else end
    found: dict[int, tuple[int, int, int]] = {}
    for index, token in enumerate(tokens):
        for count, match in enumerate(word_pattern(token).finditer(text, start, end)):
            if count >= limit:
                break
            found.setdefault(match.start(), (match.start(), match.end(), index))
    return sorted(found.values())[:limit]


def snippet(text: str, tokens: list[str], width: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """A passage of ``text`` of about ``width`` characters around the words searched.

    The passage holding the most different searched words wins, the earliest among equals. Every
    word in it that starts with a token is a match part. Blanks shrink to one space and a cut
    passage gets an ellipsis. No token in the text (the metadata matched): no passage, ``[]``.
    """
    tokens = [token for token in dict.fromkeys(tokens) if token]
    if not tokens or not text:
        return []
    matches = _matches(text, tokens)
    if not matches:
        return []
    start, end, best_count = 0, 0, 0
    for first, _, _ in matches:  # each match as the first of a passage, a little after its start
        begin_at = _word_start(text, max(0, first - width // 4))
        end_at = _word_end(text, begin_at, min(len(text), begin_at + width))
        covered = {index for begin, finish, index in matches if begin_at <= begin and finish <= end_at}
        if len(covered) > best_count:
            start, end, best_count = begin_at, end_at, len(covered)
        if best_count == len(tokens):
            break
    while start < end and text[start].isspace():
        start += 1
    parts: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    position = start
    for begin, finish, _ in _matches(text, tokens, start, end, limit=width):
        if begin < position:
            continue
        if begin > position:
            parts.append((text[position:begin], False))
        parts.append((text[begin:finish], True))
        position = finish
    if position < end:
        parts.append((text[position:end], False))
    if end < len(text):
        parts.append(("…", False))
    return _tidy(parts)


def _word_start(text: str, position: int) -> int:
    """``position``, moved forward past a word it falls inside (a passage starts on a word)."""
    if position == 0 or not text[position - 1].isalnum():
        return position
    blank = _SPACES.search(text, position)
    return blank.end() if blank else position


def _word_end(text: str, start: int, position: int) -> int:
    """``position``, moved back before a word it would cut (unless the word began the passage)."""
    if position >= len(text) or not text[position].isalnum():
        return position
    cut = max(text.rfind(blank, start, position) for blank in " \n\t\f")
    return cut if cut > start else position


def _tidy(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Blanks (line and page breaks too) as single spaces, none at the ends, empty parts dropped."""
    tidy = [(_SPACES.sub(" ", part), is_match) for part, is_match in parts]
    if tidy:
        tidy[0] = (tidy[0][0].lstrip(), tidy[0][1])
        tidy[-1] = (tidy[-1][0].rstrip(), tidy[-1][1])
    return [(part, is_match) for part, is_match in tidy if part]


def plain(parts: list[tuple[str, bool]]) -> str:
    """The passage as plain text (API v1, logs)."""
    return "".join(part for part, _ in parts)
