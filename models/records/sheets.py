"""What the hồ sơ's printouts say (ND30 Phụ lục V; DOMAIN §9), assembled from the rows.

* Mục lục văn bản trong hồ sơ (F-V.5): STT (DocOrdinal), số và ký hiệu, ngày tháng, tên loại và
  trích yếu, tác giả, tờ số (the sheet the document starts on), ghi chú.
* Mục lục hồ sơ, tài liệu nộp lưu: STT, số và ký hiệu hồ sơ, tiêu đề, thời gian bắt đầu – kết thúc,
  thời hạn bảo quản, số tờ, ghi chú; totals in figures and in words.
* Biên bản giao nhận tài liệu: the unit that hands over and the archive that receives, the set,
  its dates, quantity (hồ sơ and files, for electronic records), condition, and the list above.

Reads only; the caller's transaction is a read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from models.audit import AuditEvent
from models.org.tables import Agency, OrgUnit, User
from models.records import items_repo, repo, rules
from models.records.tables import RecordFile
from models.registers.numbering import so_ky_hieu, vietnam_date

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


@dataclass(frozen=True)
class ListingRow:
    """One document of the Mục lục văn bản trong hồ sơ."""

    ordinal: int
    so_ky_hieu: str
    day: date | None
    what: str
    author: str
    sheet: int
    note: str = ""


@dataclass
class RecordSheet:
    """A hồ sơ with the names and rows its printouts need."""

    record: RecordFile
    agency_name: str
    parent_agency_name: str
    unit_name: str
    creator_name: str
    rows: list[ListingRow] = field(default_factory=list)
    pages: int = 0
    accepted_by: str = ""
    accepted_at: datetime | None = None
    condition: str = ""
    printed_on: date | None = None

    @property
    def accepted_on(self) -> date | None:
        """The day the archive accepted the hồ sơ, in Vietnam (the Biên bản's date)."""
        return vietnam_day(self.accepted_at)

    @property
    def files(self) -> int:
        """Electronic records count their files (one stored PDF per document)."""
        return len(self.rows)


def record_sheet(session: Session, record: RecordFile, pages_of: Callable[[str], int | None], today: date) -> RecordSheet:
    """Everything the three printouts of one hồ sơ show, read now."""
    agency = session.get(Agency, record.agency_id)
    parent = session.get(Agency, agency.parent_id) if agency and agency.parent_id else None
    unit = session.get(OrgUnit, record.unit_id) if record.unit_id else None
    creator = session.get(User, record.creator_id) if record.creator_id else None
    sheet = RecordSheet(record, agency.name if agency else "", parent.name if parent else "", unit.name if unit else "",
                        creator.full_name if creator else "", printed_on=today)
    next_sheet = 1
    for item, document, sha256 in items_repo.main_files(session, record.id):
        counted = pages_of(sha256) if sha256 else None
        pages = counted if counted is not None else (document.page_amount or 1)
        what = f"{document.type_name}: {document.subject}" if document.type_name else document.subject
        sheet.rows.append(ListingRow(item.doc_ordinal, so_ky_hieu(document.code_number, document.code_notation),
                                     rules.document_date(document), what, document.organ_name, next_sheet))
        next_sheet += pages
    sheet.pages = next_sheet - 1
    accepted = _acceptance(session, record)
    if accepted is not None:
        event, who = accepted
        sheet.accepted_by, sheet.accepted_at = (who.full_name if who else ""), event.at
        sheet.condition = event.data.get("condition", "")
    return sheet


def _acceptance(session: Session, record: RecordFile) -> tuple[AuditEvent, User | None] | None:
    found = [(event, who) for event, who in repo.history(session, record.id) if event.code == "record.tiep_nhan_luu_tru"]
    return found[-1] if found else None


def in_words(number: int) -> str:
    """A count in Vietnamese words, as transfer lists write totals ("mười hai", "một trăm linh năm")."""
    if number == 0:
        return DIGITS[0]
    if number >= 1000:
        thousands, rest = divmod(number, 1000)
        head = f"{in_words(thousands)} nghìn"
        return head if rest == 0 else f"{head} {_hundreds(rest, full=True)}"
    return _hundreds(number, full=False)


def _hundreds(number: int, *, full: bool) -> str:
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words = []
    if hundreds or full:
        words.append(f"{DIGITS[hundreds]} trăm")
    if tens == 0:
        if units:
            words.append(("linh " if words else "") + DIGITS[units])
        return " ".join(words)
    words.append("mười" if tens == 1 else f"{DIGITS[tens]} mươi")
    if units:
        words.append({1: "mốt" if tens > 1 else "một", 4: "tư" if tens > 1 else "bốn",
                      5: "lăm"}.get(units, DIGITS[units]))
    return " ".join(words)


def vietnam_day(instant: datetime | None) -> date | None:
    """The day of an instant in Vietnam (None stays None)."""
    return vietnam_date(instant) if instant else None
