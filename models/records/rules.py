"""Rules of a hồ sơ's life, without I/O (ND30 Điều 29–31; DOMAIN §9, §3.3).

* **Opening** (Điều 29.2): a hồ sơ outside the Danh mục gets its title, số và ký hiệu, retention,
  creator and start date from whoever opens it.
* **Collecting** (Điều 29.3): documents of the agency itself, final ones only: an incoming
  document once registered, an outgoing one once issued; never a draft.
* **Closing** (Điều 29.4): drafts and duplicates are removed first; the listing (biên mục) gives
  DocTotal, PageTotal, the start and end dates.
* **Transfer** (Điều 30–31): due 1 year after the end of the work, 3 months after the final
  settlement of construction (XDCB) records; every hồ sơ kept 5 years or more must be transferred;
  the unit may keep one up to 2 more years with its head's approval. The warning comes 30 days
  before the due date, counted from the day the archive announced its collection list (F-III.5.b).
* **Retention**: counted from the year the work ended; a fixed term ends on 31/12 of the last year,
  so disposal is proposed on 01/01 of the next. "Vĩnh viễn" never ends.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from models.errors import Conflict, DomainError
from models.records.plan_rules import Retention, parse_retention
from models.records.tables import RecordStatus
from models.text import fold
from models.vocab import Direction, DocumentStatus, Role

# Chế độ sử dụng (DOMAIN §3.3 field 4, String 30): open to the agency, or read only with approval.
PUBLIC = "Sử dụng rộng rãi"
RESTRICTED = "Hạn chế sử dụng"
RIGHTS = (PUBLIC, RESTRICTED)
# Số và ký hiệu hồ sơ (FileNotation, String 20): an Arabic serial, a dot, the heading's
# abbreviation ("01.TCCB", "12.VP-HC"), no spaces.
NOTATION = re.compile(r"^\d{1,4}\.[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-]*$")
NOTATION_LENGTH = 20
MUST_TRANSFER_YEARS = 5  # ND30 Điều 30.1: kept 5 years or more → transferred to the archive
TRANSFER_AFTER = 12  # months after the end of the work
CONSTRUCTION_TRANSFER_AFTER = 3  # months after the final settlement of construction records
KEEP_LONGER_YEARS = 2  # the unit keeps a due hồ sơ at most this long (Điều 31.2)
WARN_BEFORE = timedelta(days=30)  # F-III.5.b
# Who sees every hồ sơ of their agency: the văn thư, the leaders, the archive, the administrators.
SEES_WHOLE_AGENCY = {Role.CLERK, Role.AGENCY_LEADER, Role.ARCHIVIST, Role.ADMIN}
# Who may lock a hồ sơ against edit, move and delete (F-IV.1.g).
MAY_FREEZE = {Role.AGENCY_LEADER, Role.ARCHIVIST}
# Incoming documents that are the agency's own record: registered, in any later state of handling.
FILEABLE_INCOMING = {DocumentStatus.REGISTERED, DocumentStatus.DIRECTED, DocumentStatus.IN_PROGRESS,
                     DocumentStatus.DONE, DocumentStatus.FILED_FOR_REFERENCE}


# --- opening --------------------------------------------------------------------------------


def clean_notation(text: str) -> str:
    """A số và ký hiệu hồ sơ as typed, checked: ``record_bad_notation`` when it is not one."""
    value = unicodedata.normalize("NFC", (text or "").strip())
    if not value or len(value) > NOTATION_LENGTH or not NOTATION.match(value):
        raise DomainError("record_bad_notation", value=value[:NOTATION_LENGTH + 5])
    return value


def clean_rights(text: str) -> str:
    """Chế độ sử dụng, typed with or without diacritics; empty means open to the agency."""
    folded = " ".join(fold(text or "").split())
    for rights in RIGHTS:
        if folded == fold(rights):
            return rights
    if not folded:
        return PUBLIC
    raise DomainError("record_bad_rights")


def retention(maintenance: str) -> Retention:
    """The hồ sơ's Thời hạn bảo quản ("Vĩnh viễn" or "N năm"), as the Danh mục reads it."""
    return parse_retention(maintenance)


# --- collecting -----------------------------------------------------------------------------


def check_fileable(document: Any, agency_id: int) -> None:
    """A document may be filed in a hồ sơ of ``agency_id``: the agency's own, and final.

    Refused: another agency's document (``record_foreign_document``), a draft or any outgoing
    document not yet issued (``record_document_draft``), an incoming document not registered, or
    returned, or recalled (``record_document_not_registered``).
    """
    if document.agency_id != agency_id:
        raise DomainError("record_foreign_document")
    if document.direction == Direction.OUTGOING:
        if document.status != DocumentStatus.ISSUED:
            raise DomainError("record_document_draft")
    elif document.status not in FILEABLE_INCOMING:
        raise DomainError("record_document_not_registered")


def check_open(record: Any) -> None:
    """Documents come and go only while the hồ sơ is open and not frozen."""
    if record.frozen:
        raise Conflict("record_frozen")
    if record.closed or record.status != RecordStatus.OPEN:
        raise Conflict("record_closed")


def check_not_frozen(record: Any) -> None:
    """Edit, move and delete are refused while the hồ sơ is frozen (F-IV.1.g)."""
    if record.frozen:
        raise Conflict("record_frozen")


def document_date(document: Any) -> date | None:
    """The date a document counts by in the hồ sơ: its own date, else the day it arrived."""
    if document.issued_date is not None:
        return document.issued_date
    arrived = getattr(document, "arrival_date", None)
    return (arrived + timedelta(hours=7)).date() if arrived is not None else None


# --- closing --------------------------------------------------------------------------------


def not_final(documents: Iterable[Any]) -> list[Any]:
    """The documents that are drafts (or no longer the agency's record): closing refuses them."""
    return [d for d in documents
            if (d.direction == Direction.OUTGOING and d.status != DocumentStatus.ISSUED)
            or (d.direction == Direction.INCOMING and d.status not in FILEABLE_INCOMING)]


def duplicate_groups(documents: Sequence[Any]) -> list[list[Any]]:
    """Documents that are the same one twice: same identifier, or same folded số/ký hiệu, date and
    issuing agency (F-III.1.h's test, applied inside one hồ sơ)."""
    groups: dict[tuple, list[Any]] = {}
    for document in documents:
        keys = []
        if document.external_document_id:
            keys.append(("id", document.external_document_id))
        if document.duplicate_code:
            keys.append(("code", document.duplicate_code, document.issued_date, fold(document.organ_name or "")))
        for key in keys:
            groups.setdefault(key, []).append(document)
    seen: set[frozenset] = set()
    found = []
    for members in groups.values():
        ids = frozenset(d.id for d in members)
        if len(ids) > 1 and ids not in seen:
            seen.add(ids)
            found.append(members)
    return found


@dataclass(frozen=True)
class Listing:
    """What the biên mục writes on the hồ sơ (DOMAIN §3.3 fields 7–10)."""

    doc_total: int
    page_total: int
    start_date: date | None
    end_date: date | None


def listing(dated_pages: Sequence[tuple[date | None, int]], start_date: date | None) -> Listing:
    """DocTotal, PageTotal and the date range from each document's (date, page count).

    The start date stays the one the creator gave when it is earlier than every document.
    """
    dates = [day for day, _ in dated_pages if day is not None]
    first = min(dates, default=None)
    start = min(d for d in (start_date, first) if d is not None) if (start_date or first) else None
    return Listing(len(dated_pages), sum(pages for _, pages in dated_pages), start, max(dates, default=start))


# --- transfer and retention -----------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def must_transfer(maintenance: str) -> bool:
    """Every hồ sơ kept permanently or 5 years or more goes to the archive (ND30 Điều 30.1)."""
    kept = retention(maintenance)
    return kept.permanent or kept.years >= MUST_TRANSFER_YEARS


def transfer_due(end_date: date | None, construction: bool, final_settlement: date | None) -> date | None:
    """When the hồ sơ falls due for transfer (None: not known yet, e.g. no final settlement)."""
    if construction:
        return add_months(final_settlement, CONSTRUCTION_TRANSFER_AFTER) if final_settlement else None
    return add_months(end_date, TRANSFER_AFTER) if end_date else None


def warn_on(due: date, announced_on: date | None) -> date | None:
    """The day to warn the creator and the archive: 30 days before the due date, not before the
    archive announced its collection list (None: no list announced yet, nothing to count from)."""
    if announced_on is None:
        return None
    return max(due - WARN_BEFORE, announced_on)


def check_keep_until(until: date, due: date | None) -> None:
    """The unit keeps a due hồ sơ at most 2 more years (``record_keep_too_long``)."""
    if due is None or until <= due:
        raise DomainError("invalid_fields", fields={"until": "invalid"})
    if until > add_months(due, 12 * KEEP_LONGER_YEARS):
        raise DomainError("record_keep_too_long", limit=KEEP_LONGER_YEARS)


def retention_ends(end_date: date | None, maintenance: str) -> date | None:
    """The first day after a fixed retention: 01/01 after the last year kept (None: permanent)."""
    kept = retention(maintenance)
    if kept.permanent or end_date is None:
        return None
    return date(end_date.year + kept.years + 1, 1, 1)


# --- who --------------------------------------------------------------------------------------


def manages(record: Any, user: Any, roles: set[Role]) -> bool:
    """The creator, and the head of the hồ sơ's unit, keep it (file, close, transfer, hand over)."""
    if record.agency_id != user.agency_id:
        return False
    return record.creator_id == user.id or (
        Role.UNIT_LEADER in roles and record.unit_id is not None and record.unit_id == user.unit_id)


def sees(record: Any, user: Any, roles: set[Role], granted: bool) -> bool:
    """Who may see a hồ sơ and its documents (F-III.3.b, F-III.6.c).

    Its agency's văn thư, leaders, archive and administrators; its creator and unit; in the
    archive, anyone of the agency when its chế độ sử dụng is open, and otherwise only a person
    whose request the head of the agency granted (``granted``).
    """
    if record.agency_id != user.agency_id:
        return False
    if roles & SEES_WHOLE_AGENCY or manages(record, user, roles):
        return True
    if record.unit_id is not None and record.unit_id == user.unit_id:
        return True
    if record.status == RecordStatus.ARCHIVED:
        return record.rights != RESTRICTED or granted
    return False
