"""Printed registers and slips: one loader and one table per report, two renderers (PDF, XLSX).

The web pages and API v1 call the same functions here, which call the data assembly of
``models.registers.books`` (parameters read by ``models.registers.periods``): every output of a register shows the same lines and the same words.

Data is read in a short transaction of its own, closed before rendering starts: on SQLite every
transaction holds the write lock (``BEGIN IMMEDIATE``), and a long render must not hold up the
registration of incoming documents. Routes calling these are plain ``def`` routes, so FastAPI
runs the slow rendering in its thread pool, off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from fastapi.responses import Response
from sqlalchemy.engine import Engine

from models.bounds import parse_int
from models.db import reading, utcnow
from models.documents.access import document_for_user, register_for_user
from models.errors import DomainError
from models.org.tables import User
from models.registers import books as register_reports
from models.registers.books import FollowupRow, IncomingRow, RegisterReport
from models.registers.numbering import format_number, vietnam_date
from models.registers.periods import ReportKind, parse_period, report_kind_for
from models.registers.slip import Slip, processing_slip
from models.vocab import Role
from web import labels
from web.filters import vn_date
from web.reports import outgoing

# Beyond this many lines a PDF takes too long for a request: layout is linear, about 11 s for
# 1,000 lines (113 pages) on two cores (STACK-NOTES §3). The XLSX export (0.4 s) has no limit.
PDF_MAX_ROWS = 1000

PDF_MEDIA_TYPE = "application/pdf"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_STEMS = {ReportKind.REGISTER: "so-dang-ky-van-ban-den",
              ReportKind.FOLLOWUP: "so-theo-doi-giai-quyet-van-ban-den",
              ReportKind.OUTGOING: outgoing.FILE_STEM}


@dataclass(frozen=True)
class Column:
    """A printed column: its heading, its share of the page width (in mm on A4 landscape), and
    how its cells are typed in a spreadsheet."""

    header: str
    width_mm: float
    kind: str = "text"  # "text" | "date" | "number"


@dataclass
class Table:
    """A register as a grid: cells are ``str``, ``int`` (số đến) or ``date`` (or ``None``)."""

    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    void: list[bool] = field(default_factory=list)


# A4 landscape, 297 mm less 20 mm (binding side) and 12 mm margins: 265 mm of table.
INCOMING_WIDTHS = [(19, "date"), (12, "number"), (40, "text"), (24, "text"), (19, "date"),
                   (62, "text"), (31, "text"), (19, "date"), (16, "text"), (23, "text")]
FOLLOWUP_WIDTHS = [(14, "number"), (85, "text"), (40, "text"), (21, "date"), (40, "text"),
                   (35, "text"), (30, "text")]


# --- loading (one short transaction each) ---------------------------------------------------


def today_vn() -> date:
    """Today in Hà Nội: the register year and the overdue check follow Vietnam time."""
    return vietnam_date(utcnow())


def load_register_report(engine: Engine, user: User, register_id: int, raw_kind: str | None,
                         raw_start: str | None, raw_end: str | None,
                         max_rows: int | None = None, raw_volume: str | None = None) -> RegisterReport:
    """Check access and parameters, then assemble the report.

    Raises ``NotFound`` (register of another agency, or none), then the 422 errors of
    ``models.registers.periods.report_kind_for``/``parse_period``. With ``max_rows`` (printing), a period
    with more entries is printed in volumes (quyển) of ``max_rows`` consecutive numbers:
    ``report_needs_volume`` says how many when none was chosen, ``invalid_volume`` for a volume
    that does not exist. An outgoing series prints its Sổ đăng ký văn bản đi.
    """
    today = today_vn()
    with reading(engine) as session:
        register = register_for_user(session, user, register_id)
        kind = report_kind_for(register, raw_kind)
        period = parse_period(raw_start, raw_end, today)
        volume = None
        if max_rows is not None:
            count = register_reports.count_entries(session, register, period)
            volumes = register_reports.volumes_needed(count, max_rows)
            if raw_volume not in (None, ""):
                number = parse_int(raw_volume, 1, volumes)
                if number is None:
                    raise DomainError("invalid_volume", volumes=volumes)
                volume = register_reports.Volume(number, max_rows) if volumes > 1 else None
            elif volumes > 1:
                raise DomainError("report_needs_volume", count=count, limit=max_rows, volumes=volumes)
        return register_reports.register_report(session, register, kind, period, as_of=today, volume=volume)


def load_slip(engine: Engine, user: User, roles: set[Role], document_id: str) -> Slip:
    """The processing slip of a document ``user`` may see; ``NotFound`` otherwise."""
    with reading(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        return processing_slip(session, document)


# --- the grid both renderers print ----------------------------------------------------------


def register_table(report: RegisterReport) -> Table:
    """Headers and cells of a register, in ND30 PL IV column order."""
    title = labels.REPORT_TITLES.get(report.kind, "")
    if report.kind == ReportKind.FOLLOWUP:
        headers, widths, cells = labels.FOLLOWUP_REGISTER_COLUMNS, FOLLOWUP_WIDTHS, followup_cells
    elif report.kind == ReportKind.OUTGOING:
        headers, widths, cells = outgoing.COLUMNS, outgoing.WIDTHS, outgoing.outgoing_cells
        title = report.cover.register_name  # each outgoing series prints under its own name
    else:
        headers, widths, cells = labels.INCOMING_REGISTER_COLUMNS, INCOMING_WIDTHS, incoming_cells
    table = Table(title=title,
                  columns=[Column(h, w, k) for h, (w, k) in zip(headers, widths, strict=True)])
    for row in report.rows:
        table.rows.append(cells(row))
        table.void.append(row.void)
    return table


def incoming_cells(row: IncomingRow) -> list:
    """(1) Ngày đến … (10) Ghi chú; (9) Ký nhận stays blank for the recipient's signature."""
    return [row.arrival_date, row.arrival_number, row.organ_name, row.so_ky_hieu, row.issued_date,
            _type_and_subject(row.type_name, row.subject), row.recipients, row.transferred_date, "",
            _note(row)]


def followup_cells(row: FollowupRow) -> list:
    """(1) Số đến … (7) Ghi chú of the follow-up register."""
    if row.void:
        return [row.arrival_number, "", "", None, "", "", _note(row)]
    return [row.arrival_number, _document_line(row), row.recipients, row.due_date, _progress(row),
            "; ".join(_reply_line(r) for r in row.replies), _note(row)]


def _type_and_subject(type_name: str, subject: str) -> str:
    return f"{type_name}: {subject}" if type_name and subject else type_name or subject


def _note(row: IncomingRow | FollowupRow) -> str:
    if row.void:
        key = "void_note" if row.void_reason else "void_note_bare"
        return labels.REPORT_TEXT[key].format(reason=row.void_reason)
    return row.note


def _document_line(row: FollowupRow) -> str:
    key = "document_line" if row.issued_date else "document_line_undated"
    return labels.REPORT_TEXT[key].format(type_name=row.type_name, so_ky_hieu=row.so_ky_hieu,
                                          issued_date=vn_date(row.issued_date), organ_name=row.organ_name)


def _progress(row: FollowupRow) -> str:
    status = labels.STATUS_LABELS.get(row.status, row.status)
    if row.closed_date is not None:
        return labels.REPORT_TEXT["progress_closed"].format(status=status, date=vn_date(row.closed_date))
    if row.overdue:
        return labels.REPORT_TEXT["progress_overdue"].format(status=status)
    return status


def _reply_line(reply) -> str:
    if reply.issued_date is None:
        return reply.so_ky_hieu
    return labels.REPORT_TEXT["reply_line"].format(so_ky_hieu=reply.so_ky_hieu,
                                                   issued_date=vn_date(reply.issued_date))


def cell_text(value) -> str:
    """How a cell prints on paper: dates dd/mm/yyyy, số đến zero-padded, blanks empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return vn_date(value)
    if isinstance(value, int):
        return format_number(value)
    return str(value)


def long_date(value: date | None) -> str:
    """The date as ND30 writes it: "ngày 05 tháng 01 năm 2026" (days below 10 and months 1-2
    zero-padded, PL I Phần I II.4); dots to fill by hand when there is none."""
    if value is None:
        return labels.REPORT_TEXT["long_date"].format(day="……", month="……", year="……")
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return labels.REPORT_TEXT["long_date"].format(day=f"{value.day:02d}", month=month, year=value.year)


def number_text(value: int | None) -> str:
    """Số đến on the cover ("Từ số 01 đến số 60"); dots for the clerk to fill when none."""
    return format_number(value) if value else "……"


# --- responses ------------------------------------------------------------------------------


def report_filename(report: RegisterReport, extension: str) -> str:
    """An ASCII file name naming the register and the period."""
    period = report.cover.period
    return f"{FILE_STEMS[report.kind]}_{period.start.isoformat()}_{period.end.isoformat()}.{extension}"


def file_response(data: bytes, media_type: str, filename: str, inline: bool) -> Response:
    """A download; PDFs open in the browser, spreadsheets are saved."""
    disposition = "inline" if inline else "attachment"
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f"{disposition}; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"})


def register_pdf_response(engine: Engine, user: User, register_id: int, kind: str | None,
                          start: str | None, end: str | None, volume: str | None = None) -> Response:
    """``print.pdf`` of the web pages and API v1 (a large period in volumes of PDF_MAX_ROWS)."""
    from web.reports import pdf  # WeasyPrint loads slowly: only when something is printed

    report = load_register_report(engine, user, register_id, kind, start, end, max_rows=PDF_MAX_ROWS,
                                  raw_volume=volume)
    return file_response(pdf.render_register(report), PDF_MEDIA_TYPE, report_filename(report, "pdf"),
                         inline=True)


def register_xlsx_response(engine: Engine, user: User, register_id: int, kind: str | None,
                           start: str | None, end: str | None) -> Response:
    """``export.xlsx`` of the web pages and API v1."""
    from web.reports import xlsx

    report = load_register_report(engine, user, register_id, kind, start, end)
    return file_response(xlsx.render_register(report), XLSX_MEDIA_TYPE, report_filename(report, "xlsx"),
                         inline=False)


def slip_pdf_response(engine: Engine, user: User, roles: set[Role], document_id: str) -> Response:
    """``slip.pdf`` of the web pages and API v1."""
    from web.reports import pdf

    slip = load_slip(engine, user, roles, document_id)
    number = format_number(slip.arrival_number) if slip.arrival_number else slip.document_id[:8]
    return file_response(pdf.render_slip(slip), PDF_MEDIA_TYPE, f"phieu-giai-quyet-van-ban-den-{number}.pdf",
                         inline=True)
