"""Full-text search over documents: the folding rule, the index tables and the query shape.

Design (STACK-NOTES §5), identical on SQLite and PostgreSQL:

1. **Fold in Python, once.** ``fold`` lowercases, strips every combining mark and maps đ to d,
   so "Quyết định", "QUYET DINH" and "quyết định" typed as decomposed Unicode all become
   "quyet dinh". SQLite's ``remove_diacritics`` and PostgreSQL's ``unaccent`` each disagree
   on something (đ, decomposed input); folding ourselves makes both backends see the same text.
2. **One index row per document** (``document_search``): the folded words of the metadata
   (trích yếu, cơ quan ban hành, tên loại, người ký, ghi chú, số/ký hiệu) and of
   ``text_content``, the document's text: the text layer of its current PDF and of its
   attachments (ND30 Phụ lục VI III.6.d), or the OCR output of a paper scan, at most
   ``MAX_TEXT_CHARS``. Punctuation becomes spaces before storing, so both backends split into
   the same words (PostgreSQL would otherwise read ``125/qd-ubnd`` as one path token).
   ``text_file_id`` names the current file the text was read from; when a document's current
   file changes (intake, OCR, issuing, a new revision), ``index_document`` marks the row
   ``text_pending`` and the ``Reconcile`` round (``activities/search_index.py``) reads the new
   text layer outside any transaction (``models/documents/text_index.py``).
3. **Full text:** on SQLite an external-content FTS5 table over ``folded``
   (``unicode61 remove_diacritics 2``) kept in step by triggers; on PostgreSQL a generated
   column ``to_tsvector('simple', folded)`` with a GIN index (no stemmer exists for Vietnamese,
   and the text is already folded, so neither ``unaccent`` nor an IMMUTABLE wrapper is
   needed). A query is the AND of
   its folded words, whole except the last, which may still be being typed and is a prefix
   (``"quyet" "dinh"*`` / ``quyet & dinh:*``), ranked by bm25 / ts_rank. Every word a prefix
   made FTS5 merge the lists of every word starting with each: 22 ms instead of 0.5 ms for the
   newest thousand matches of "quyet dinh" at 1,000,000 documents.
4. **Số/ký hiệu** also lives in its own column, NFC, upper case, without spaces
   (``125/QĐ-UBND``), matched by equality, number prefix (``125`` → ``125/…``), code prefix
   (``125/QĐ`` → ``125/QĐ…``) or substring (``QĐ-UBND``); on PostgreSQL its index is a trigram
   GIN index, which serves all four.
   A code match ranks above any full-text match.
5. **Bounded work** (issue 3: 1,000,000 documents, 50 users). A search looks at no more than
   ``MAX_RESULTS`` visible matches (more only when the requested page lies further): the
   newest by index row, which FTS5 reads backwards by rowid and stops early. Up to that many
   matches the result and the total are exact; beyond, those newest are ranked and the total
   is reported as capped. Without text the order (newest arrival) walks an index and is
   exact at any size; only the count stops at the bound. The total comes from the same query
   (``count(*) OVER ()``), and the 50 documents of the page are loaded last, by id.
6. **Snippets** (``models/documents/snippets.py``): the page's documents (50 at most, already
   visible to the user) get a passage of their stored text around the words searched, the
   words marked. It is cut in Python with the same ``fold``, not by FTS5 ``snippet()`` or
   ``ts_headline``: both only see the folded column (the passage would read "quyet dinh"), and
   neither folds đ like ``fold`` on the original text, so the two backends would disagree.

Objects SQLModel cannot declare (the FTS5 table, its shadow tables and triggers, the
tsvector column and its index) are all named ``document_search_fts*``. They are created with the table
(``create_all`` fires the DDL below) and by migration 0002; ``include_name`` hides them from
Alembic's schema comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import DDL, JSON, Index, Text, UniqueConstraint, event
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.documents.tables import Document
from models.errors import DomainError
from models.tasks.tables import Task
from models.text import fold
from models.vocab import DocumentStatus, Urgency

FTS_PREFIX = "document_search_fts"
FTS_VECTOR = f"{FTS_PREFIX}_vector"  # PostgreSQL only: generated tsvector column of document_search
MAX_QUERY_LENGTH = 200
MAX_TOKENS = 12
PER_PAGE = 50
# The text of one document kept in the index (text layer or OCR, attachments included): about
# 60 pages of dense text. A longer document is found by the words of its first pages.
MAX_TEXT_CHARS = 200_000
# A search deals with at most this many results (or the rows the requested page needs, if more):
# with more matches, the most recently indexed MAX_RESULTS are ranked and ``SearchPage.capped``
# says the total is "more than" (STACK-NOTES §5, issue 3 benchmark: a word found in 200,000
# of 1,000,000 documents must not cost a ranking of all 200,000).
MAX_RESULTS = 1_000

_WORD = re.compile(r"[^\W_]+")
# What a text layer may carry that has no place in the index: C0/C1 controls but tab, line and
# page breaks (NUL is refused by PostgreSQL), lone surrogates (not UTF-8), bidirectional controls.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0d-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


# --- pure rules -----------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The folded words of ``text``: letters and digits only, everything else separates."""
    return _WORD.findall(fold(text))


def normalise_code(text: str) -> str:
    """Số/ký hiệu as stored and compared: NFC, upper case, no whitespace (``125/QĐ-UBND``)."""
    return "".join(unicodedata.normalize("NFC", text).upper().split())


def so_ky_hieu_of(code_number: str, code_notation: str) -> str:
    """The normalised số/ký hiệu of a document, as ND30 prints it (``125/QĐ-UBND``)."""
    number, notation = normalise_code(code_number), normalise_code(code_notation)
    return f"{number}/{notation}" if number and notation else number or notation


def index_values(document: Any, text_content: str) -> dict[str, str]:
    """The ``document_search`` columns for a document (an ORM row or any object with its fields)."""
    code = so_ky_hieu_of(document.code_number or "", document.code_notation or "")
    parts = [document.subject, document.organ_name, document.type_name, document.signer_full_name,
             document.signer_position, document.description, code, text_content]
    return {
        "folded": " ".join(words(" ".join(part or "" for part in parts))),
        "so_ky_hieu": code,
        "text_content": unicodedata.normalize("NFC", text_content),
    }


def indexable_text(text: str) -> str:
    """Extracted text as the index keeps it: NFC, unsafe characters as spaces, ``MAX_TEXT_CHARS`` at most."""
    return _UNSAFE.sub(" ", unicodedata.normalize("NFC", text))[:MAX_TEXT_CHARS]


def fts5_match(tokens: list[str]) -> str:
    """An FTS5 MATCH expression: every token must occur, the last as a prefix (``"quyet" "dinh"*``)."""
    return " ".join(f'"{token}"' for token in tokens[:-1]) + (" " if len(tokens) > 1 else "") + f'"{tokens[-1]}"*'


def tsquery(tokens: list[str]) -> str:
    """The PostgreSQL ``to_tsquery`` text for the same meaning (``quyet & dinh:*``)."""
    return " & ".join([*tokens[:-1], f"{tokens[-1]}:*"])


@dataclass(frozen=True)
class TextQuery:
    """What the search box asks for: folded words, and a số/ký hiệu when it looks like one."""

    tokens: list[str]
    code: str
    code_is_number: bool

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.code

    @property
    def code_is_numbered(self) -> bool:
        """A số/ký hiệu that starts with its number ("125/QĐ", "125/QĐ-UBND"): the codes it can
        match start with it, so an index seeks them; a bare ký hiệu ("QĐ-UBND") may sit anywhere."""
        number, slash, _ = self.code.partition("/")
        return bool(slash) and number.isdigit()


def parse_text(text: str) -> TextQuery:
    """Split the search box into words for full text and, if it is one word, a code to match.

    "125", "QĐ-UBND" and "125/QĐ-UBND" are single words with a digit, a slash or a hyphen, so
    they are also looked up in the số/ký hiệu column; "quyết định" is two words and is not.
    """
    text = text.strip()[:MAX_QUERY_LENGTH]
    tokens = list(dict.fromkeys(words(text)))[:MAX_TOKENS]
    looks_like_code = (len(text.split()) == 1 and any(ch.isdigit() or ch in "/-" for ch in text)
                       and any(ch.isalnum() for ch in text))
    code = normalise_code(text) if looks_like_code else ""
    return TextQuery(tokens=tokens, code=code, code_is_number=code.isdigit())


# --- the query ------------------------------------------------------------------------------


class InvalidSearch(DomainError):
    """Some search parameters could not be read; ``params['fields']`` maps name to error type."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid_search", fields=fields)


# URL parameter name -> SearchQuery field; saved searches store the same names.
PARAM_NAMES = {
    "q": "text", "type_name": "type_name", "urgency": "urgency", "status": "status",
    "unit_id": "unit_id", "arrival_from": "arrival_from", "arrival_to": "arrival_to",
    "issued_from": "issued_from", "issued_to": "issued_to", "page": "page",
}


@dataclass(frozen=True)
class SearchQuery:
    """A search: the text box and the filters. Dates are Vietnam-time calendar days, inclusive."""

    text: str = ""
    type_name: str = ""
    urgency: Urgency | None = None
    status: DocumentStatus | None = None
    unit_id: int | None = None  # documents routed to this unit (assignment rows)
    arrival_from: date | None = None
    arrival_to: date | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    page: int = 1

    def to_params(self, *, with_page: bool = False) -> dict[str, str]:
        """The non-empty parameters as strings (for URLs, saved searches and the form)."""
        result = {}
        for name, attribute in PARAM_NAMES.items():
            value = getattr(self, attribute)
            if attribute == "page" and not with_page:
                continue
            if value is None or value == "" or (attribute == "page" and value == 1):
                continue
            result[name] = value.isoformat() if isinstance(value, date) else str(value)
        return result

    def with_page(self, page: int) -> SearchQuery:
        """The same search on another page."""
        return replace(self, page=max(1, page))

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SearchQuery:
        """Read URL or form parameters; empty values mean "any". Raises ``InvalidSearch``."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, attribute in PARAM_NAMES.items():
            raw = params.get(name)
            raw = unicodedata.normalize("NFC", str(raw)).strip() if raw is not None else ""
            if raw == "":
                continue
            parse, error_type = _PARSERS[attribute]
            try:
                values[attribute] = parse(raw)
            except ValueError:
                errors[name] = error_type
        if errors:
            raise InvalidSearch(errors)
        return cls(**values)


def _text(raw: str) -> str:
    if len(raw) > MAX_QUERY_LENGTH:
        raise ValueError(raw)
    return raw


def _positive_int(raw: str) -> int:
    number = int(raw)
    if not 1 <= number < 2**31:
        raise ValueError(raw)
    return number


# SearchQuery field -> (parser of a non-empty string, error type for web/messages.py)
_PARSERS = {
    "text": (_text, "too_long"),
    "type_name": (lambda raw: raw[:100], "invalid"),
    "urgency": (Urgency, "enum"),
    "status": (DocumentStatus, "enum"),
    "unit_id": (_positive_int, "int_parsing"),
    "arrival_from": (date.fromisoformat, "date_parsing"),
    "arrival_to": (date.fromisoformat, "date_parsing"),
    "issued_from": (date.fromisoformat, "date_parsing"),
    "issued_to": (date.fromisoformat, "date_parsing"),
    "page": (_positive_int, "int_parsing"),
}


@dataclass
class SearchPage:
    """One page of results, best first, with the total number of matches.

    When ``capped``, more documents match than the search dealt with: ``total`` is that bound
    (``MAX_RESULTS``, or more for a large page) and should read "hơn {total}".
    """

    query: SearchQuery
    total: int
    per_page: int
    documents: list  # list[Document]
    capped: bool = False
    # document id -> passage of its text around the words searched: (text, is a match) parts
    snippets: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# --- tables ---------------------------------------------------------------------------------


class DocumentSearch(SQLModel, table=True):
    """The search index row of one document, written in the transaction that changes it.

    ``id`` is an integer key because the FTS5 table addresses rows by a stable integer rowid
    (a table without an INTEGER PRIMARY KEY may renumber its rowids on VACUUM).
    """

    __tablename__ = "document_search"
    __table_args__ = (
        # A trigram GIN index on PostgreSQL serves equality, prefix and substring; a B-tree
        # (equality) on SQLite, where the ``LIKE`` scans of this narrow column stay fast.
        Index("ix_document_search_so_ky_hieu", "so_ky_hieu", postgresql_using="gin",
              postgresql_ops={"so_ky_hieu": "gin_trgm_ops"}),
        # The rows whose text layer is still to be read, and nothing else (migration 0016).
        Index("ix_document_search_text_pending", "id", sqlite_where=sql_text("text_pending"),
              postgresql_where=sql_text("text_pending")),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", unique=True, max_length=36)
    folded: str = Field(default="", sa_type=Text)
    so_ky_hieu: str = Field(default="", max_length=45)
    text_content: str = Field(default="", sa_type=Text)  # extracted text, ``indexable_text``
    # The document's current file when ``text_content`` was read from it (and its attachments).
    text_file_id: int | None = Field(default=None)
    # The current file is not ``text_file_id``: its text layer is still to be read.
    text_pending: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SavedSearch(SQLModel, table=True):
    """A search a person saved under a name; ``query`` holds its URL parameters."""

    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    query: dict = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- objects outside SQLModel's reach -------------------------------------------------------

# Only a change of ``folded`` touches the FTS5 entry (not marking the row's text pending).
FTS_UPDATE_TRIGGER = (
    f"CREATE TRIGGER IF NOT EXISTS {FTS_PREFIX}_au AFTER UPDATE OF folded ON document_search BEGIN "
    f"INSERT INTO {FTS_PREFIX}({FTS_PREFIX}, rowid, folded) VALUES ('delete', old.id, old.folded); "
    f"INSERT INTO {FTS_PREFIX}(rowid, folded) VALUES (new.id, new.folded); END")
_SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_PREFIX} USING fts5(folded, content='document_search', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    # External content: FTS5 keeps only the index, the triggers keep it equal to the table.
    f"CREATE TRIGGER IF NOT EXISTS {FTS_PREFIX}_ai AFTER INSERT ON document_search BEGIN "
    f"INSERT INTO {FTS_PREFIX}(rowid, folded) VALUES (new.id, new.folded); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_PREFIX}_ad AFTER DELETE ON document_search BEGIN "
    f"INSERT INTO {FTS_PREFIX}({FTS_PREFIX}, rowid, folded) VALUES ('delete', old.id, old.folded); END",
    FTS_UPDATE_TRIGGER,
]
_POSTGRES_DDL = [
    # Stored, so ranking reads the vector instead of re-parsing ``folded`` for every match
    # (a 7,500-match ranking drops from ~100 ms to ~6 ms).
    f"ALTER TABLE document_search ADD COLUMN IF NOT EXISTS {FTS_VECTOR} tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, folded)) STORED",
    f"CREATE INDEX IF NOT EXISTS {FTS_PREFIX}_gin ON document_search USING gin ({FTS_VECTOR})",
]
POSTGRES_EXTENSIONS = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]


def search_ddl(dialect: str) -> list[str]:
    """Idempotent statements creating the full-text objects after ``document_search`` exists."""
    return {"sqlite": _SQLITE_DDL, "postgresql": _POSTGRES_DDL}.get(dialect, [])


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Alembic ``include_name`` filter: leave the ``document_search_fts*`` objects out of comparisons."""
    return not (type_ in ("table", "index", "column") and (name or "").startswith(FTS_PREFIX))


# --- indexes of other tables that the search page and the inbox need (migration 0010) ------
# Declared here, next to the queries they serve: newest-arrival order without text walks the
# first, so a page of 50 reads ~50 rows instead of sorting every visible document; "mine" in
# the inbox reads a person's claimed tasks without visiting each of their closed ones.
SPEED_INDEXES = [
    Index("ix_document_arrival", Document.__table__.c.arrival_date, Document.__table__.c.created_at),
    Index("ix_task_assignee_status", Task.__table__.c.assignee_id, Task.__table__.c.status),
]

_table = DocumentSearch.__table__
for _statement in POSTGRES_EXTENSIONS:  # the trigram operator class must exist before the index
    event.listen(_table, "before_create", DDL(_statement).execute_if(dialect="postgresql"))
for _dialect in ("sqlite", "postgresql"):
    for _statement in search_ddl(_dialect):
        event.listen(_table, "after_create", DDL(_statement).execute_if(dialect=_dialect))
# Triggers go with the table; the FTS5 table would otherwise outlive it with stale entries.
event.listen(_table, "before_drop", DDL(f"DROP TABLE IF EXISTS {FTS_PREFIX}").execute_if(dialect="sqlite"))
