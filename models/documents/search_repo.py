"""Search SQL: keeping the index in step with documents, querying it, and saved searches.

The rules (folding, query parsing) and the tables are in ``models/documents/search.py``; its docstring
explains the index design. Results always pass through ``models.documents.access.visible_documents``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    and_,
    case,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    table,
    union,
    union_all,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from models.db import utcnow
from models.documents import types_repo
from models.documents.access import visibility_arms, visible_documents
from models.documents.search import (
    FTS_PREFIX,
    FTS_VECTOR,
    MAX_RESULTS,
    PER_PAGE,
    POSTGRES_EXTENSIONS,
    DocumentSearch,
    SavedSearch,
    SearchPage,
    SearchQuery,
    TextQuery,
    fold,
    fts5_match,
    index_values,
    indexable_text,
    parse_text,
    search_ddl,
    tsquery,
)
from models.documents.snippets import snippet
from models.documents.tables import Assignment, Document, DocumentFile, StoredFile
from models.errors import DomainError, NotFound
from models.org.tables import User
from models.registers.numbering import VIETNAM
from models.vocab import Role

# Scores sort ascending (bm25 is negative, better is lower); a số/ký hiệu match beats any text.
CODE_EXACT = -2_000_000.0
CODE_MATCH = -1_000_000.0
MAX_SAVED_SEARCHES = 50


# --- the index ------------------------------------------------------------------------------


def index_document(session: Session, document: Document, text_content: str | None = None) -> DocumentSearch:
    """Write the index row of ``document`` in the caller's transaction.

    Call it wherever a document is created or its metadata changes, and with ``text_content``
    the text of the document's current file (text layer or OCR, with its attachments), which is
    then noted as read (``text_file_id``). ``text_content=None`` keeps the text already indexed,
    so a metadata change never erases it; if the current file is no longer the one the text was
    read from, the row is marked ``text_pending`` for the next text round. Writes nothing when
    nothing changed, so calling it twice is harmless.
    """
    session.flush()  # a pending document must be inserted before the row that references it
    row = session.exec(select(DocumentSearch).where(DocumentSearch.document_id == document.id)).first()
    if text_content is None:
        text_content = row.text_content if row is not None else ""
        text_file_id = row.text_file_id if row is not None else None
    else:
        text_content, text_file_id = indexable_text(text_content), document.file_id
    values: dict[str, Any] = {**index_values(document, text_content), "text_file_id": text_file_id,
                              "text_pending": document.file_id is not None and document.file_id != text_file_id}
    if row is None:
        row = DocumentSearch(document_id=document.id, **values)
    elif all(getattr(row, name) == value for name, value in values.items()):
        return row
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def index_text(session: Session, document_id: str, text_content: str) -> DocumentSearch:
    """Index the text of a document's current file (OCR, text layer), keeping its metadata entries."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("document_not_found")
    return index_document(session, document, text_content)


@dataclass(frozen=True)
class TextSource:
    """A document whose text is to be read: its current file, and the PDFs to read, main first."""

    document_id: str
    file_id: int
    sha256s: tuple[str, ...]


# The very condition of the partial index ix_document_search_text_pending, so that SQLite uses it
# (``text_pending = 1``, what the column expression renders, is not recognised as the same).
TEXT_PENDING = sql_text("document_search.text_pending")

# Files whose text is a document's besides its current file: the attachments as issued (sealed
# copies of the draft's) when there are any, else the attachments as received or drafted.
ATTACHMENT_ROLES = ("attachment_issued", "attachment")


def text_sources(session: Session, limit: int) -> list[TextSource]:
    """The documents marked ``text_pending``, oldest index row first, at most ``limit``."""
    pending = session.exec(
        select(col(Document.id), col(Document.file_id), col(StoredFile.sha256))
        .select_from(DocumentSearch)
        .join(Document, col(Document.id) == col(DocumentSearch.document_id))
        .join(StoredFile, col(StoredFile.id) == col(Document.file_id))
        .where(TEXT_PENDING).order_by(col(DocumentSearch.id)).limit(limit)).all()
    attachments: dict[str, dict[str, list[str]]] = {}
    if pending:
        rows = session.exec(
            select(col(DocumentFile.document_id), col(DocumentFile.role), col(StoredFile.sha256))
            .join(StoredFile, col(StoredFile.id) == col(DocumentFile.file_id))
            .where(col(DocumentFile.document_id).in_([row[0] for row in pending]),
                   col(DocumentFile.role).in_(ATTACHMENT_ROLES))
            .order_by(col(DocumentFile.id))).all()
        for document_id, role, sha256 in rows:
            attachments.setdefault(document_id, {}).setdefault(role, []).append(sha256)
    sources = []
    for document_id, file_id, sha256 in pending:
        by_role = attachments.get(document_id, {})
        extra = next((by_role[role] for role in ATTACHMENT_ROLES if role in by_role), [])
        sources.append(TextSource(document_id, file_id, (sha256, *extra)))
    return sources


def store_text(session: Session, source: TextSource, text_content: str) -> bool:
    """Index the text read for ``source``, unless the document's current file changed meanwhile.

    Returns whether it was stored; a document whose file changed stays pending for the next
    round. Storing the same text again writes nothing (an activity retry changes nothing).
    """
    document = session.get(Document, source.document_id)
    if document is None or document.file_id != source.file_id:
        return False
    index_document(session, document, text_content)
    return True


def mark_all_text_pending(session: Session) -> int:
    """Have every document with a file read again by the text rounds; return how many."""
    with_file = select(col(Document.id)).where(col(Document.file_id).is_not(None))
    result = session.execute(update(DocumentSearch).where(col(DocumentSearch.document_id).in_(with_file))
                             .values(text_pending=True))
    return result.rowcount


def pending_text_count(session: Session) -> int:
    """How many documents still wait for their text to be read."""
    return session.exec(select(func.count()).select_from(DocumentSearch)
                        .where(TEXT_PENDING)).one()


def index_missing(session: Session) -> int:
    """Index every document that has no index row yet (documents from before the index); return how many."""
    missing = session.exec(select(Document).where(
        ~exists(select(DocumentSearch.id).where(DocumentSearch.document_id == Document.id)))).all()
    for document in missing:
        index_document(session, document)
    return len(missing)


def ensure_search_objects(bind: Engine | Connection) -> None:
    """Create the full-text objects if missing, and fill a new FTS5 index from the table.

    Idempotent. ``create_all`` and migration 0002 already create them; this repairs a database
    made another way (a restored dump without the virtual table, a hand-made schema).
    """
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            ensure_search_objects(connection)
        return
    dialect = bind.dialect.name
    if dialect == "postgresql":
        for statement in POSTGRES_EXTENSIONS:
            bind.exec_driver_sql(statement)
    existed = dialect == "sqlite" and bind.exec_driver_sql(
        f"SELECT 1 FROM sqlite_master WHERE name = '{FTS_PREFIX}'").first() is not None
    for statement in search_ddl(dialect):
        bind.exec_driver_sql(statement)
    if dialect == "sqlite" and not existed:
        bind.exec_driver_sql(f"INSERT INTO {FTS_PREFIX}({FTS_PREFIX}) VALUES ('rebuild')")


# --- searching ------------------------------------------------------------------------------


def _vietnam_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VIETNAM)


def _filters(query: SearchQuery) -> list:
    conditions = []
    if query.type_name:
        conditions.append(col(Document.type_name) == query.type_name)
    if query.urgency:
        conditions.append(col(Document.urgency) == query.urgency)
    if query.status:
        conditions.append(col(Document.status) == query.status)
    if query.unit_id:
        conditions.append(exists(select(Assignment.id).where(
            col(Assignment.document_id) == Document.id, col(Assignment.unit_id) == query.unit_id,
            col(Assignment.withdrawn_at).is_(None))))
    if query.arrival_from:
        conditions.append(col(Document.arrival_date) >= _vietnam_midnight(query.arrival_from))
    if query.arrival_to:
        conditions.append(col(Document.arrival_date) < _vietnam_midnight(query.arrival_to + timedelta(days=1)))
    if query.issued_from:
        conditions.append(col(Document.issued_date) >= query.issued_from)
    if query.issued_to:
        conditions.append(col(Document.issued_date) <= query.issued_to)
    return conditions


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _hits(dialect: str, text: TextQuery):
    """A subquery of the index rows the text matches, one row each: (sid, document_id, score).

    ``sid`` is the index row id: on SQLite the FTS5 rowid itself, so ``ORDER BY sid DESC``
    is read backwards from the full-text index and stops at the LIMIT.
    """
    arms = []
    if text.tokens:
        if dialect == "sqlite":
            # ``rank`` is bm25(); unlike calling bm25() it survives SQLite's subquery flattening,
            # and it is computed only for the rows the outer query reads.
            fts = table(FTS_PREFIX, column("rowid"), column("rank"))
            arms.append(
                select(fts.c.rowid.label("sid"), col(DocumentSearch.document_id).label("document_id"),
                       fts.c.rank.label("score"))
                .select_from(fts).join(DocumentSearch, col(DocumentSearch.id) == fts.c.rowid)
                .where(literal_column(FTS_PREFIX).op("MATCH")(fts5_match(text.tokens))))
        else:
            vector = literal_column(f"document_search.{FTS_VECTOR}")
            wanted = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(text.tokens))
            arms.append(
                select(col(DocumentSearch.id).label("sid"), col(DocumentSearch.document_id).label("document_id"),
                       (-func.ts_rank(vector, wanted)).label("score"))
                .where(vector.op("@@")(wanted)))
    if text.code:
        arms.append(_code_arm(dialect, text))
    if len(arms) == 1:  # an index row is one document: no grouping needed
        return arms[0].subquery("hits")
    both = union_all(*arms).subquery("text_hits")
    return (select(both.c.sid, both.c.document_id, func.min(both.c.score).label("score"))
            .group_by(both.c.sid, both.c.document_id).subquery("hits"))


def _code_arm(dialect: str, text: TextQuery):
    """Index rows whose số/ký hiệu matches: equal, ``number/…``, starting with a numbered code, or
    containing a bare ký hiệu."""
    code = col(DocumentSearch.so_ky_hieu)
    pattern = _escape_like(text.code)
    if text.code_is_number:
        if dialect == "sqlite":
            # Stored codes are upper case, so ``LIKE '125/%'`` is exactly the range ['125/', '1250')
            # ('0' follows '/'), which the B-tree index answers; LIKE would scan the table.
            after = text.code + "/"
            starts = and_(code >= after, code < text.code + "0")
        else:  # the trigram index serves LIKE
            starts = code.like(pattern + "/%", escape="\\")
        matches = or_(code == text.code, starts)
    elif text.code_is_numbered:
        # "125/QĐ" finds "125/QĐ" and "125/QĐ-UBND": the codes that start with it, a range of the
        # index on SQLite (0.1 ms at 1,000,000 documents, where the substring scan took 126 ms).
        matches = (and_(code >= text.code, code < text.code + "\U0010ffff") if dialect == "sqlite"
                   else code.like(pattern + "%", escape="\\"))
    elif dialect == "sqlite":
        # A substring needs a scan: scan the narrow index (code, id), not the rows with their text.
        matches = col(DocumentSearch.id).in_(
            select(col(DocumentSearch.id)).where(code.like(f"%{pattern}%", escape="\\")))
    else:
        matches = code.like(f"%{pattern}%", escape="\\")
    score = case((code == text.code, literal(CODE_EXACT, Float)), else_=literal(CODE_MATCH, Float))
    return select(col(DocumentSearch.id).label("sid"), col(DocumentSearch.document_id).label("document_id"),
                  score.label("score")).where(matches)


def _newest(arrival, created, document_id) -> list:
    return [arrival.desc().nulls_last(), created.desc(), document_id]


def search_documents(session: Session, user: User, roles: set[Role], query: SearchQuery,
                     per_page: int = PER_PAGE, *, with_snippets: bool = False) -> SearchPage:
    """One page of the documents ``user`` may see that match ``query``.

    Order: relevance (a số/ký hiệu match first, then bm25 / ts_rank), then newest arrival,
    then newest record. Without text, newest arrival first. The web page, the CSV export and
    API v1 all call this function. Work is bounded (``models/documents/search.py`` §5): with more than
    ``MAX_RESULTS`` visible matches (or the rows up to the requested page, if more), the most
    recently indexed ones are ranked, and the page says ``capped``. ``with_snippets`` adds, for
    the documents of the page only, a passage of their text around the words searched.
    """
    filters = _filters(query)
    conditions = [visible_documents(user, roles), *filters]
    offset = (query.page - 1) * per_page
    bound = max(MAX_RESULTS, offset + per_page)
    if not query.text.strip():
        documents = list(session.exec(
            select(Document).where(*conditions)
            .order_by(*_newest(col(Document.arrival_date), col(Document.created_at), col(Document.id)))
            .offset(offset).limit(per_page)))
        if documents and len(documents) < per_page or not documents and offset == 0:
            return SearchPage(query, offset + len(documents), per_page, documents)
        found = session.exec(select(func.count()).select_from(
            select(col(Document.id)).where(*conditions).limit(bound + 1).subquery())).one()
        return SearchPage(query, min(found, bound), per_page, documents, capped=found > bound)
    text = parse_text(query.text)
    if text.empty:
        return SearchPage(query, 0, per_page, [])
    dialect = session.get_bind().dialect.name
    hits = _hits(dialect, text)
    # The newest ``bound + 1`` visible matches (one more tells whether there were more) ...
    if dialect == "sqlite":
        # ... read from the full-text index backwards, each checked for visibility, up to the bound.
        candidates = (select(hits.c.sid, hits.c.document_id, hits.c.score, col(Document.arrival_date),
                             col(Document.created_at))
                      .join(Document, col(Document.id) == hits.c.document_id).where(*conditions)
                      .order_by(hits.c.sid.desc()).limit(bound + 1).subquery("candidates"))
    else:
        # ... gathered per way of seeing a document (``visibility_arms``), each planned from its own
        # index: one OR of them made PostgreSQL walk every match newest first and check each one,
        # 200,000 matches for 687 visible ones (5 s) for a leader of one agency in three hundred.
        arms = [select(hits.c.sid, hits.c.document_id, hits.c.score, col(Document.arrival_date),
                       col(Document.created_at))
                .join(Document, col(Document.id) == hits.c.document_id).where(arm, *filters)
                for arm in visibility_arms(user, roles)]
        matched = union(*arms).subquery("matched")
        candidates = (select(*matched.c).order_by(matched.c.sid.desc()).limit(bound + 1)
                      .subquery("candidates"))
    numbered = select(*candidates.c, func.row_number().over(order_by=candidates.c.sid.desc()).label("newest"),
                      func.count().over().label("found")).subquery("numbered")
    # ... of which the newest ``bound`` are ranked; the page's ids come with the number found.
    rows = session.exec(
        select(numbered.c.document_id, numbered.c.found).where(numbered.c.newest <= bound)
        .order_by(numbered.c.score, *_newest(numbered.c.arrival_date, numbered.c.created_at,
                                             numbered.c.document_id))
        .offset(offset).limit(per_page)).all()
    if rows:
        found = rows[0].found
    elif offset == 0:
        found = 0
    else:  # past the last page: count on its own
        found = session.exec(select(func.count()).select_from(candidates)).one()
    ids = [row.document_id for row in rows]
    loaded = {document.id: document for document in session.exec(select(Document).where(col(Document.id).in_(ids)))}
    snippets = _snippets(session, ids, text.tokens) if with_snippets else {}
    return SearchPage(query, min(found, bound), per_page, [loaded[i] for i in ids], capped=found > bound,
                      snippets=snippets)


def _snippets(session: Session, ids: list[str], tokens: list[str]) -> dict[str, list[tuple[str, bool]]]:
    """A passage around ``tokens`` of the stored text of each of ``ids`` (already visible, one page)."""
    if not ids or not tokens:
        return {}
    texts = session.exec(select(col(DocumentSearch.document_id), col(DocumentSearch.text_content))
                         .where(col(DocumentSearch.document_id).in_(ids), col(DocumentSearch.text_content) != ""))
    return {document_id: parts for document_id, text in texts if (parts := snippet(text, tokens))}


def type_names(session: Session, agency_id: int) -> list[str]:
    """The tên loại văn bản the search filter offers: the agency's catalogue (ND30 Điều 7 order, then
    its own). Read from the catalogue, not from the documents: a DISTINCT over every visible document
    grows with the province, and the catalogue is what documents are registered with."""
    return [document_type.name for document_type in types_repo.active_types(session, agency_id)]


# --- saved searches -------------------------------------------------------------------------


def saved_searches(session: Session, user: User) -> list[SavedSearch]:
    """The user's saved searches, by name (folded order)."""
    found = session.exec(select(SavedSearch).where(SavedSearch.user_id == user.id)).all()
    return sorted(found, key=lambda saved: (fold(saved.name), saved.id))


def save_search(session: Session, user: User, name: str, query: SearchQuery) -> SavedSearch:
    """Save ``query`` under ``name``; saving an existing name replaces its query.

    Raises ``DomainError`` ``saved_search_name_invalid`` (empty or over 100 characters) and
    ``too_many_saved_searches``.
    """
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not name or len(name) > 100:
        raise DomainError("saved_search_name_invalid")
    params = query.to_params()
    saved = session.exec(select(SavedSearch).where(SavedSearch.user_id == user.id,
                                                   SavedSearch.name == name)).first()
    if saved is None:
        owned = session.exec(select(func.count()).select_from(SavedSearch)
                             .where(SavedSearch.user_id == user.id)).one()
        if owned >= MAX_SAVED_SEARCHES:
            raise DomainError("too_many_saved_searches", limit=MAX_SAVED_SEARCHES)
        saved = SavedSearch(user_id=user.id, name=name, query=params)
    else:
        saved.query = params
    session.add(saved)
    session.flush()
    return saved


def delete_saved_search(session: Session, user: User, saved_id: int) -> None:
    """Delete one of the user's saved searches; someone else's looks missing (``NotFound``)."""
    saved = session.get(SavedSearch, saved_id)
    if saved is None or saved.user_id != user.id:
        raise NotFound("saved_search_not_found")
    session.delete(saved)
    session.flush()
