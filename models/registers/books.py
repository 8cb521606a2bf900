"""The data of the printed registers (ND30 Phụ lục IV); the processing slip is ``models.registers.slip``.

One assembly function per report; the PDF and XLSX renderers and the web and API routes all use
them, so every output shows the same rows. Functions here read only: they return plain
dataclasses (no ORM objects, so rendering can happen after the session is closed) and no text an
official reads, which the web layer composes from ``web/labels.py``.

* Sổ đăng ký văn bản đến, PL IV Mục VI: ``incoming_register_report``.
* Sổ theo dõi giải quyết văn bản đến, PL IV Mục VIII: ``followup_register_report``.
* Sổ đăng ký văn bản đi, PL IV Mục I: ``outgoing_register_report`` (any outgoing series).

Which report and which days (``ReportKind``, ``Period``, their parsing) are ``periods``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.documents.tables import Assignment, Document
from models.org.tables import Agency
from models.registers.numbering import format_number, so_ky_hieu, vietnam_date
from models.registers.periods import Period, ReportKind
from models.registers.tables import Register, RegisterEntry
from models.vocab import Direction, DocumentStatus, EntryStatus

# A handled document's progress no longer runs against its deadline.
CLOSED_STATUSES = {DocumentStatus.DONE, DocumentStatus.FILED_FOR_REFERENCE, DocumentStatus.RETURNED,
                   DocumentStatus.RECALLED}


# --- registers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    """The cover and first page of a printed register (DOMAIN §5)."""

    parent_agency_name: str  # Tên cơ quan, tổ chức chủ quản ("" for a top-level agency)
    agency_name: str
    register_name: str
    year: int
    period: Period
    first_number: int | None  # Từ số … đến số …: None when the period has no entry
    last_number: int | None
    volume: int | None = None  # Quyển số, when the period is printed in several volumes


@dataclass(frozen=True)
class IncomingRow:
    """One line of the Sổ đăng ký văn bản đến; a voided number keeps its line."""

    arrival_date: date  # (1) Ngày đến, Vietnam date
    arrival_number: int  # (2) Số đến
    organ_name: str  # (3) Tác giả
    so_ky_hieu: str  # (4) Số, ký hiệu văn bản
    issued_date: date | None  # (5) Ngày tháng văn bản
    type_name: str  # (6) Tên loại …
    subject: str  # (6) … và trích yếu nội dung
    recipients: str  # (7) Đơn vị hoặc người nhận
    transferred_date: date | None  # (8) Ngày chuyển: the first routing to a unit or person
    note: str  # (10) Ghi chú: the document's own note
    void: bool = False
    void_reason: str = ""
    document_id: str = ""


@dataclass(frozen=True)
class Reply:
    """An outgoing document issued in reply (its ``in_reply_to_id`` points at the incoming one)."""

    so_ky_hieu: str
    issued_date: date | None


@dataclass(frozen=True)
class FollowupRow:
    """One line of the Sổ theo dõi giải quyết văn bản đến."""

    arrival_number: int  # (1) Số đến
    arrival_date: date
    type_name: str  # (2) Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành
    so_ky_hieu: str
    issued_date: date | None
    organ_name: str
    subject: str
    recipients: str  # (3) Đơn vị hoặc người nhận
    due_date: date | None  # (4) Thời hạn giải quyết
    status: str  # (5) Tiến độ giải quyết: a DocumentStatus value, labelled by the web layer
    closed_date: date | None
    overdue: bool  # past its deadline and still open on ``as_of``
    replies: list[Reply] = field(default_factory=list)  # (6) Số, ký hiệu văn bản trả lời
    note: str = ""  # (7) Ghi chú
    void: bool = False
    void_reason: str = ""
    document_id: str = ""


@dataclass(frozen=True)
class OutgoingRow:
    """One line of the Sổ đăng ký văn bản đi; a voided number keeps its line."""

    so_ky_hieu: str  # (1) Số, ký hiệu văn bản: the số of the entry, the ký hiệu of the document
    issued_date: date | None  # (2) Ngày tháng văn bản
    type_name: str  # (3) Tên loại …
    subject: str  # (3) … và trích yếu nội dung
    signer: str  # (4) Người ký
    recipients: str  # (5) Nơi nhận văn bản
    file_copy_holder: str  # (6) Đơn vị, người nhận bản lưu: "VT, <drafting unit>"
    copies: int | None  # (7) Số lượng bản
    transferred_date: date | None  # (8) Ngày chuyển: the day it was issued and sent out
    note: str  # (10) Ghi chú: the document's own note
    number: int = 0
    void: bool = False
    void_reason: str = ""
    document_id: str = ""


@dataclass(frozen=True)
class RegisterReport:
    """A printable register: its cover and its lines in số đến order."""

    kind: ReportKind
    cover: Cover
    rows: list = field(default_factory=list)  # list[IncomingRow], list[FollowupRow] or list[OutgoingRow]


@dataclass(frozen=True)
class Volume:
    """One printed volume (quyển) of a period: ``size`` consecutive entries, the ``number``-th lot."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def volumes_needed(count: int, size: int) -> int:
    """How many volumes of ``size`` entries print ``count`` entries (at least one)."""
    return max(1, -(-count // size))


def register_report(session: Session, register: Register, kind: ReportKind, period: Period,
                    as_of: date, volume: Volume | None = None) -> RegisterReport:
    """Assemble the report of ``kind``; the caller has checked the user may see ``register``.

    With ``volume``, only that volume's entries (in number order) and its number on the cover.
    """
    if kind == ReportKind.FOLLOWUP:
        return followup_register_report(session, register, period, as_of, volume)
    if kind == ReportKind.OUTGOING:
        return outgoing_register_report(session, register, period, volume)
    return incoming_register_report(session, register, period, volume)


def incoming_register_report(session: Session, register: Register, period: Period,
                             volume: Volume | None = None) -> RegisterReport:
    """The Sổ đăng ký văn bản đến of one period (ND30 PL IV Mục VI).

    Lines are the register entries whose ngày đến falls in the period, in số đến order, voided
    numbers included so the printed series has no gaps. Ngày chuyển is the earliest routing row
    (Assignment) of the document, withdrawn or not: the paper left the văn thư that day.
    """
    entries, documents = _entries_in(session, register, period, volume)
    transferred = _first_routing(session, list(documents))
    rows = []
    for entry in entries:
        document = documents.get(entry.document_id)
        void = entry.status == EntryStatus.VOID
        rows.append(IncomingRow(
            arrival_date=vietnam_date(entry.allocated_at),
            arrival_number=entry.number,
            organ_name=document.organ_name if document else "",
            so_ky_hieu=so_ky_hieu(document.code_number, document.code_notation) if document else "",
            issued_date=document.issued_date if document else None,
            type_name=document.type_name if document else "",
            subject=document.subject if document else "",
            recipients=document.to_places if document else "",
            transferred_date=transferred.get(entry.document_id),
            note=document.description if document else "",
            void=void,
            void_reason=entry.void_reason if void else "",
            document_id=entry.document_id,
        ))
    return RegisterReport(ReportKind.REGISTER, _cover(session, register, period, entries, volume), rows)


def followup_register_report(session: Session, register: Register, period: Period,
                             as_of: date, volume: Volume | None = None) -> RegisterReport:
    """The Sổ theo dõi giải quyết văn bản đến of one period (ND30 PL IV Mục VIII).

    Same lines as the register (one per số đến). Progress is the document's status, its closing
    date and whether it is overdue on ``as_of``; replies are the outgoing documents whose
    ``in_reply_to_id`` is the incoming document (DOMAIN §5.3, ``ResponseFor``), in issue order.
    """
    entries, documents = _entries_in(session, register, period, volume)
    replies = _replies(session, list(documents))
    rows = []
    for entry in entries:
        document = documents.get(entry.document_id)
        void = entry.status == EntryStatus.VOID
        status = DocumentStatus(document.status) if document else DocumentStatus.NEW
        due = document.due_date if document else None
        rows.append(FollowupRow(
            arrival_number=entry.number,
            arrival_date=vietnam_date(entry.allocated_at),
            type_name=document.type_name if document else "",
            so_ky_hieu=so_ky_hieu(document.code_number, document.code_notation) if document else "",
            issued_date=document.issued_date if document else None,
            organ_name=document.organ_name if document else "",
            subject=document.subject if document else "",
            recipients=document.to_places if document else "",
            due_date=due,
            status=str(status),
            closed_date=vietnam_date(document.closed_at) if document and document.closed_at else None,
            overdue=bool(not void and due and due < as_of and status not in CLOSED_STATUSES),
            replies=replies.get(entry.document_id, []),
            note=document.description if document else "",
            void=void,
            void_reason=entry.void_reason if void else "",
            document_id=entry.document_id,
        ))
    return RegisterReport(ReportKind.FOLLOWUP, _cover(session, register, period, entries, volume), rows)


def outgoing_register_report(session: Session, register: Register, period: Period,
                             volume: Volume | None = None) -> RegisterReport:
    """The Sổ đăng ký văn bản đi of one outgoing series and period (ND30 PL IV Mục I).

    Lines are the entries numbered in the period (the number and the date are given together
    at issue, ND30 Điều 15.3), in number order, voided numbers included so the printed series
    has no gaps. The số printed is the entry's, zero-padded; the ký hiệu is the document's.
    Ngày tháng văn bản is the document's issue date, else the day its number was taken.
    """
    entries, documents = _entries_in(session, register, period, volume)
    rows = []
    for entry in entries:
        document = documents.get(entry.document_id)
        if document is not None and document.direction != Direction.OUTGOING:
            document = None  # never expected in an outgoing series: print the bare number
        void = entry.status == EntryStatus.VOID
        rows.append(OutgoingRow(
            so_ky_hieu=so_ky_hieu(format_number(entry.number), document.code_notation if document else ""),
            issued_date=(document.issued_date if document else None) or vietnam_date(entry.allocated_at),
            type_name=document.type_name if document else "",
            subject=document.subject if document else "",
            signer=document.signer_full_name if document else "",
            recipients=document.to_places if document else "",
            file_copy_holder=document.file_copy_holder if document else "",
            copies=document.issued_amount if document else None,
            # Delivery follows issuing at once (dispatch_outgoing), so the issue day is the day sent.
            transferred_date=vietnam_date(document.issued_at) if document and document.issued_at else None,
            note=document.description if document else "",
            number=entry.number,
            void=void,
            void_reason=entry.void_reason if void else "",
            document_id=entry.document_id,
        ))
    return RegisterReport(ReportKind.OUTGOING, _cover(session, register, period, entries, volume), rows)


def count_entries(session: Session, register: Register, period: Period) -> int:
    """How many lines a report of this period has (to refuse oversized printouts early)."""
    lower, upper = period.utc_bounds()
    return session.exec(select(func.count()).select_from(RegisterEntry).where(
        RegisterEntry.register_id == register.id, RegisterEntry.year == period.year,
        col(RegisterEntry.allocated_at) >= lower, col(RegisterEntry.allocated_at) < upper)).one()


def _entries_in(session: Session, register: Register, period: Period,
                volume: Volume | None = None) -> tuple[list[RegisterEntry], dict[str, Document]]:
    lower, upper = period.utc_bounds()
    query = (select(RegisterEntry).where(
        RegisterEntry.register_id == register.id, RegisterEntry.year == period.year,
        col(RegisterEntry.allocated_at) >= lower, col(RegisterEntry.allocated_at) < upper)
        .order_by(RegisterEntry.number))
    if volume is not None:
        query = query.offset(volume.offset).limit(volume.size)
    entries = list(session.exec(query))
    documents: dict[str, Document] = {}
    ids = list({entry.document_id for entry in entries})
    for chunk in _chunks(ids):
        for document in session.exec(select(Document).where(col(Document.id).in_(chunk))):
            documents[document.id] = document
    return entries, documents


def _first_routing(session: Session, document_ids: list[str]) -> dict[str, date]:
    first: dict[str, datetime] = {}
    for chunk in _chunks(document_ids):
        for document_id, assigned_at in session.exec(
                select(Assignment.document_id, Assignment.assigned_at)
                .where(col(Assignment.document_id).in_(chunk))):
            if document_id not in first or assigned_at < first[document_id]:
                first[document_id] = assigned_at
    return {document_id: vietnam_date(at) for document_id, at in first.items()}


def _replies(session: Session, document_ids: list[str]) -> dict[str, list[Reply]]:
    found: dict[str, list[tuple]] = {}
    for chunk in _chunks(document_ids):
        for reply in session.exec(select(Document).where(
                col(Document.in_reply_to_id).in_(chunk), Document.direction == Direction.OUTGOING)):
            if not reply.code_number:
                continue  # a draft has no số yet: nothing to print
            found.setdefault(reply.in_reply_to_id, []).append(
                (reply.issued_date or date.max, reply.id,
                 Reply(so_ky_hieu(reply.code_number, reply.code_notation), reply.issued_date)))
    return {key: [item[2] for item in sorted(items, key=lambda i: i[:2])] for key, items in found.items()}


def _cover(session: Session, register: Register, period: Period, entries: list[RegisterEntry],
           volume: Volume | None = None) -> Cover:
    agency = session.get(Agency, register.agency_id)
    parent = session.get(Agency, agency.parent_id) if agency and agency.parent_id else None
    numbers = [entry.number for entry in entries]
    return Cover(
        parent_agency_name=parent.name if parent else "",
        agency_name=agency.name if agency else "",
        register_name=register.name,
        year=period.year,
        period=period,
        first_number=min(numbers) if numbers else None,
        last_number=max(numbers) if numbers else None,
        volume=volume.number if volume else None,
    )


# --- helpers ----------------------------------------------------------------------------------


def _chunks(values: list, size: int = 500):
    # SQLite caps bound parameters per statement; a year's register can exceed it.
    for index in range(0, len(values), size):
        yield values[index:index + size]
