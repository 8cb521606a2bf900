"""The lists of văn bản đến and văn bản đi: filters read at the boundary, pages found by seeking.

A list shows one agency's documents of one direction, newest first (``created_at``, then ``id``),
through ``models.documents.access.visible_documents`` like every listing. Pages are *keyset*
pages: the next page is the rows after the last one shown (its ``created_at`` and ``id``, the
cursor in the URL), read from ``ix_document_list_order`` (migration 0035). An OFFSET would read and
throw away every earlier row, so page 2,000 of a large agency would cost 2,000 pages; a seek costs
the same at any depth, and a document received meanwhile never shifts a row onto the next page
twice or off it. A page before is read the same way in the other direction, then turned round.

Filters are the query string's (bookmarkable): status, year, a range of days (the Vietnam days the
document reached QLVB: received for văn bản đến, drafted for văn bản đi, which is also the
index's order, so a year or a range is one range of it), type, urgency, the text of the issuing
agency (đến) or of the recipients (đi), and a unit (đến: routed to it; đi: its drafting unit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import Field, field_validator
from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from models.bounds import Id, Year
from models.documents.tables import Assignment, Document
from models.errors import DomainError
from models.forms import BoundaryForm
from models.org.tables import OrgUnit, User
from models.registers.numbering import VIETNAM
from models.vocab import Direction, DocumentStatus, Urgency

PER_PAGE = 50
FIRST_YEAR, LAST_YEAR = 1900, 2199  # as ``models.bounds.Year``

INCOMING_STATUSES = (DocumentStatus.NEW, DocumentStatus.REGISTERED, DocumentStatus.DIRECTED,
                     DocumentStatus.IN_PROGRESS, DocumentStatus.DONE, DocumentStatus.FILED_FOR_REFERENCE,
                     DocumentStatus.RETURNED, DocumentStatus.RECALLED)
OUTGOING_STATUSES = (DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW, DocumentStatus.SIGNED,
                     DocumentStatus.ISSUED, DocumentStatus.RECALLED)
STATUSES = {Direction.INCOMING: INCOMING_STATUSES, Direction.OUTGOING: OUTGOING_STATUSES}

# "<microseconds since the epoch>_<document id>": the row a page starts after (or before).
_CURSOR = re.compile(r"^(\d{1,19})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """A place in a list: the (created_at, id) of the row a page starts after or before."""

    created_at: datetime
    document_id: str

    @classmethod
    def of(cls, document: Document) -> Cursor:
        return cls(document.created_at, document.id)

    def text(self) -> str:
        delta = self.created_at - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}_{self.document_id}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """The cursor written in ``text``; None when it is not one (refused by the form)."""
        found = _CURSOR.match(text)
        if found is None:
            return None
        micros = int(found.group(1))
        if micros > 10**17:  # past year 5000: no row has it, and timedelta would overflow
            return None
        return cls(_EPOCH + timedelta(microseconds=micros), found.group(2))


def _cursor_text(value: str) -> str:
    if value and Cursor.parse(value) is None:
        raise ValueError("cursor")
    return value


class ListFilters(BoundaryForm):
    """A list's filters and place as read from the query string; empty means "any"."""

    status: DocumentStatus | None = None
    year: Year | None = None
    date_from: date | None = None
    date_to: date | None = None
    type_name: str = Field(default="", max_length=100)
    urgency: Urgency | None = None
    organ: str = Field(default="", max_length=200)
    unit_id: Id | None = None
    after: str = Field(default="", max_length=60)
    before: str = Field(default="", max_length=60)

    @field_validator("after", "before")
    @classmethod
    def _cursor(cls, value: str) -> str:
        return _cursor_text(value)

    @field_validator("date_from", "date_to")
    @classmethod
    def _day(cls, value: date | None) -> date | None:
        # The years a register holds: a day of year 1 or 9999 would overflow the time zone shift.
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError("date")
        return value

    @classmethod
    def from_query(cls, params, direction: Direction) -> ListFilters:
        """Read the known parameters of a query string (others, such as htmx's, are ignored).

        Refuses with ``invalid_fields`` naming each field that cannot be read, a status the
        direction does not have, or a range that ends before it starts; nothing is listed then.
        """
        raw = {name: str(params.get(name, "")) for name in cls.model_fields if params.get(name) is not None}
        filters = cls.parse(raw)
        problems = {}
        if filters.status is not None and filters.status not in STATUSES[direction]:
            problems["status"] = "invalid"
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            problems["date_to"] = "date_order"
        if problems:
            raise DomainError("invalid_fields", fields=problems)
        return filters

    def params(self, **place: str) -> dict[str, str]:
        """The non-empty filters as query parameters, with ``place`` (after/before) added."""
        values = {name: getattr(self, name) for name in type(self).model_fields if name not in ("after", "before")}
        out = {name: (value.isoformat() if isinstance(value, date) else str(value))
               for name, value in values.items() if value not in (None, "")}
        return {**out, **{name: value for name, value in place.items() if value}}

    @property
    def filtered(self) -> bool:
        return bool(self.params())


@dataclass
class ListPage:
    """One page of a list: its rows, and the cursors of the pages after and before (None: none)."""

    documents: list[Document]
    next_cursor: str | None
    previous_cursor: str | None
    first: bool


def _vietnam_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VIETNAM)


def _conditions(session: Session, user: User, direction: Direction, filters: ListFilters) -> list:
    conditions = []
    if filters.status is not None:
        conditions.append(col(Document.status) == filters.status)
    if filters.year is not None:
        conditions.append(col(Document.created_at) >= _vietnam_midnight(date(filters.year, 1, 1)))
        conditions.append(col(Document.created_at) < _vietnam_midnight(date(filters.year + 1, 1, 1)))
    if filters.date_from is not None:
        conditions.append(col(Document.created_at) >= _vietnam_midnight(filters.date_from))
    if filters.date_to is not None:
        conditions.append(col(Document.created_at) < _vietnam_midnight(filters.date_to + timedelta(days=1)))
    if filters.type_name:
        conditions.append(col(Document.type_name) == filters.type_name)
    if filters.urgency is not None:
        conditions.append(col(Document.urgency) == filters.urgency)
    if filters.organ:
        # The issuing agency of a văn bản đến; the recipients of a văn bản đi. Lower-cased on both
        # sides (PostgreSQL folds every letter; SQLite only ASCII ones, so the text as typed too).
        column = col(Document.organ_name) if direction == Direction.INCOMING else col(Document.to_places)
        conditions.append(or_(func.lower(column).contains(filters.organ.lower(), autoescape=True),
                              column.contains(filters.organ, autoescape=True)))
    if filters.unit_id is not None:
        unit = session.get(OrgUnit, filters.unit_id)
        if unit is None or unit.agency_id != user.agency_id:
            raise DomainError("invalid_fields", fields={"unit_id": "invalid"})
        if direction == Direction.INCOMING:
            conditions.append(exists(select(Assignment.id).where(
                col(Assignment.document_id) == Document.id, col(Assignment.unit_id) == filters.unit_id,
                col(Assignment.withdrawn_at).is_(None))))
        else:
            conditions.append(col(Document.drafting_unit_id) == filters.unit_id)
    return conditions


def _after(cursor: Cursor):
    """Rows older than the cursor's, in the list's order; the first conjunct is the index range."""
    return and_(col(Document.created_at) <= cursor.created_at,
                or_(col(Document.created_at) < cursor.created_at, col(Document.id) < cursor.document_id))


def _before(cursor: Cursor):
    return and_(col(Document.created_at) >= cursor.created_at,
                or_(col(Document.created_at) > cursor.created_at, col(Document.id) > cursor.document_id))


def list_page(session: Session, user: User, direction: Direction, filters: ListFilters, visible,
              per_page: int = PER_PAGE) -> ListPage:
    """One page of the user's agency's documents of ``direction`` that ``visible`` lets them see.

    ``visible`` is ``access.visible_documents(user, roles)``. Only the user's own agency's
    documents are listed: another agency's draft they were consulted on is reached from their
    inbox, not from these lists. One row more than a page is read to know whether a next page
    exists; a page read backwards (``before``) knows the same of the page before it.
    """
    base = select(Document).where(visible, col(Document.agency_id) == user.agency_id,
                                  col(Document.direction) == direction,
                                  *_conditions(session, user, direction, filters))
    after = Cursor.parse(filters.after) if filters.after else None
    before = Cursor.parse(filters.before) if filters.before else None
    if before is not None:
        rows = list(session.exec(base.where(_before(before))
                                 .order_by(col(Document.created_at).asc(), col(Document.id).asc())
                                 .limit(per_page + 1)))
        more_before = len(rows) > per_page
        documents = list(reversed(rows[:per_page]))
        if not more_before:
            # Fewer than a page before it: the first page, read whole (a row received meanwhile
            # would otherwise make a short first page).
            return list_page(session, user, direction, filters.model_copy(update={"before": ""}), visible,
                             per_page)
        return ListPage(documents, Cursor.of(documents[-1]).text() if documents else None,
                        Cursor.of(documents[0]).text(), first=False)
    query = base.where(_after(after)) if after is not None else base
    rows = list(session.exec(query.order_by(col(Document.created_at).desc(), col(Document.id).desc())
                             .limit(per_page + 1)))
    documents = rows[:per_page]
    next_cursor = Cursor.of(documents[-1]).text() if len(rows) > per_page else None
    previous_cursor = Cursor.of(documents[0]).text() if after is not None and documents else None
    return ListPage(documents, next_cursor, previous_cursor, first=after is None)


def units_of_agency(session: Session, agency_id: int) -> list[OrgUnit]:
    """The agency's units a list may be filtered by, by name."""
    return list(session.exec(select(OrgUnit).where(col(OrgUnit.agency_id) == agency_id)
                             .order_by(col(OrgUnit.name))))
