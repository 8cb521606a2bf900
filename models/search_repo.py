"""Search SQL: keeping the index in step with documents, querying it, and saved searches.

The rules (folding, query parsing) and the tables are in ``models/search.py``; its docstring
explains the index design. Results always pass through ``models.access.visible_documents``.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    Float,
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
)
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from models.access import visible_documents
from models.db import utcnow
from models.documents import Assignment, Document
from models.errors import DomainError, NotFound
from models.numbering import VIETNAM
from models.org import User
from models.search import (
    FTS_PREFIX,
    FTS_VECTOR,
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
    parse_text,
    search_ddl,
    tsquery,
)
from models.vocab import Role

# Scores sort ascending (bm25 is negative, better is lower); a số/ký hiệu match beats any text.
CODE_EXACT = -2_000_000.0
CODE_MATCH = -1_000_000.0
MAX_SAVED_SEARCHES = 50


# --- the index ------------------------------------------------------------------------------


def index_document(session: Session, document: Document, text_content: str | None = None) -> DocumentSearch:
    """Write the index row of ``document`` in the caller's transaction.

    Call it wherever a document is created or its metadata changes, and from text extraction
    with the extracted text. ``text_content=None`` keeps the text already indexed, so a
    metadata change never erases OCR output. Writes nothing when nothing changed, so calling
    it twice is harmless.
    """
    session.flush()  # a pending document must be inserted before the row that references it
    row = session.exec(select(DocumentSearch).where(DocumentSearch.document_id == document.id)).first()
    if text_content is None:
        text_content = row.text_content if row is not None else ""
    values = index_values(document, text_content)
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
    """Index a document's extracted text (OCR, text layer), keeping its metadata entries."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("document_not_found")
    return index_document(session, document, text_content)


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


def _hits(dialect: str, text: TextQuery, *, ranked: bool):
    """A subquery of the documents the text matches, one row each: (document_id, score) when
    ``ranked``, else (document_id) alone, which spares the count query the ranking."""
    arms = []
    if text.tokens:
        if dialect == "sqlite":
            # ``rank`` is bm25(); unlike calling bm25() it survives SQLite's subquery flattening.
            fts = table(FTS_PREFIX, column("rowid"), column("rank"))
            arms.append(
                select(col(DocumentSearch.document_id).label("document_id"), fts.c.rank.label("score"))
                .select_from(fts).join(DocumentSearch, col(DocumentSearch.id) == fts.c.rowid)
                .where(literal_column(FTS_PREFIX).op("MATCH")(fts5_match(text.tokens))))
        else:
            vector = literal_column(f"document_search.{FTS_VECTOR}")
            wanted = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(text.tokens))
            arms.append(
                select(col(DocumentSearch.document_id).label("document_id"),
                       (-func.ts_rank(vector, wanted)).label("score"))
                .where(vector.op("@@")(wanted)))
    if text.code:
        code = col(DocumentSearch.so_ky_hieu)
        pattern = _escape_like(text.code)
        matches = (or_(code == text.code, code.like(pattern + "/%", escape="\\")) if text.code_is_number
                   else code.like(f"%{pattern}%", escape="\\"))
        score = case((code == text.code, literal(CODE_EXACT, Float)), else_=literal(CODE_MATCH, Float))
        arms.append(select(col(DocumentSearch.document_id).label("document_id"), score.label("score"))
                    .where(matches))
    if not ranked:
        arms = [arm.with_only_columns(arm.selected_columns.document_id) for arm in arms]
        return (union(*arms) if len(arms) > 1 else arms[0].distinct()).subquery("hits")
    hits = (union_all(*arms) if len(arms) > 1 else arms[0]).subquery("text_hits")
    return (select(hits.c.document_id, func.min(hits.c.score).label("score"))
            .group_by(hits.c.document_id).subquery("hits"))


def search_documents(session: Session, user: User, roles: set[Role], query: SearchQuery,
                     per_page: int = PER_PAGE) -> SearchPage:
    """One page of the documents ``user`` may see that match ``query``.

    Order: relevance (a số/ký hiệu match first, then bm25 / ts_rank), then newest arrival,
    then newest record. Without text, newest arrival first. The web page, the CSV export and
    API v1 all call this function.
    """
    conditions = [visible_documents(user, roles), *_filters(query)]
    newest = [col(Document.arrival_date).desc().nulls_last(), col(Document.created_at).desc(),
              col(Document.id)]
    count = select(func.count()).select_from(Document)
    rows = select(Document)
    order = newest
    if query.text.strip():
        text = parse_text(query.text)
        if text.empty:
            return SearchPage(query, 0, per_page, [])
        dialect = session.get_bind().dialect.name
        matched = _hits(dialect, text, ranked=False)
        hits = _hits(dialect, text, ranked=True)
        count = count.join(matched, matched.c.document_id == Document.id)
        rows = rows.join(hits, hits.c.document_id == Document.id)
        order = [hits.c.score, *newest]
    total = session.exec(count.where(*conditions)).one()
    documents = list(session.exec(
        rows.where(*conditions).order_by(*order).offset((query.page - 1) * per_page).limit(per_page)))
    return SearchPage(query, total, per_page, documents)


def type_names(session: Session, user: User, roles: set[Role]) -> list[str]:
    """The tên loại văn bản of the documents ``user`` may see, in folded alphabetical order."""
    names = session.exec(select(Document.type_name).where(
        visible_documents(user, roles), col(Document.type_name) != "").distinct()).all()
    return sorted(names, key=lambda name: (fold(name), name))


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
