"""Báo cáo tình hình giải quyết văn bản đến (F-V.2) and văn bản đi (F-V.4), as PDF and XLSX.

ND30 gives these reports no template (DOMAIN §5.5): on time, late and open, by unit and period.
Each is one table of the agency's units (then work no unit was named for, then the agency's
total), with the figures of ``models.statistics.repo`` for the period. The same ``table`` feeds
the PDF (WeasyPrint, A4 landscape) and the spreadsheet (openpyxl), so both show the same cells.
Routes calling these are plain ``def`` routes: rendering runs in FastAPI's thread pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.engine import Engine

from models.db import reading
from models.org.tables import Agency
from models.statistics import repo
from models.statistics.figures import FigureRow
from models.statistics.schema import Period
from web.reports.cells import looks_like_formula

FORMS = {
    "incoming": ("Báo cáo tình hình giải quyết văn bản đến", "bao-cao-giai-quyet-van-ban-den"),
    "outgoing": ("Báo cáo tình hình giải quyết văn bản đi", "bao-cao-giai-quyet-van-ban-di"),
}
# (heading, width in mm of A4 landscape's 265 mm, figure)
INCOMING_COLUMNS = [
    ("STT", 11), ("Đơn vị", 62), ("Văn bản đến trong kỳ", 22), ("Giải quyết đúng hạn", 22),
    ("Giải quyết quá hạn", 22), ("Tỷ lệ đúng hạn (%)", 20), ("Thời gian giải quyết bình quân (ngày làm việc)", 28),
    ("Đang giải quyết", 22), ("Trong đó quá hạn", 20), ("Đề nghị gia hạn", 18), ("Giao việc quá hạn", 18),
]
OUTGOING_COLUMNS = [
    ("STT", 11), ("Đơn vị", 62), ("Văn bản đã phát hành", 24), ("Phát hành muộn", 22),
    ("Nơi nhận chưa xác nhận đã đến", 28), ("Theo loại văn bản", 118),
]


@dataclass(frozen=True)
class HandlingReport:
    form: str  # "incoming" | "outgoing"
    agency_name: str
    parent_agency_name: str
    period: Period
    units: list[FigureRow]
    total: FigureRow
    refreshed_at: datetime | None
    as_of: date  # open and overdue work is counted at the end of this day

    @property
    def title(self) -> str:
        return FORMS[self.form][0]

    def file_name(self, extension: str) -> str:
        return f"{FORMS[self.form][1]}-{self.period.start:%Y%m%d}-{self.period.end:%Y%m%d}.{extension}"


def load(engine: Engine, form: str, agency_id: int, period: Period, today: date) -> HandlingReport:
    """The report's figures, read in one short read-only transaction before rendering."""
    with reading(engine) as session:
        agency = session.get(Agency, agency_id)
        parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
        units = repo.unit_rows(session, period, agency_id, today=today)
        total = repo.agency_rows(session, period, [agency_id], today=today)[0]
        return HandlingReport(form, agency.name, parent.name if parent else "", period, units,
                              FigureRow(**{**total.__dict__, "key": "total", "label": "Tổng cộng"}),
                              repo.refreshed_at(session), period.as_of(today))


def _percent(row: FigureRow) -> str:
    share = row.on_time_share
    return "" if share is None else f"{share * 100:.1f}".replace(".", ",")


def _days(row: FigureRow) -> str:
    return "" if row.avg_handling_days is None else f"{row.avg_handling_days:.1f}".replace(".", ",")


def _cells(form: str, number: str, row: FigureRow) -> list:
    if form == "incoming":
        return [number, row.label, row.received, row.finished_on_time, row.finished_late, _percent(row), _days(row),
                row.open, row.overdue, row.extension_requests, row.assignments_overdue]
    types = "; ".join(f"{name or 'Khác'}: {count}" for name, count in row.issued_by_type.items() if count)
    return [number, row.label, row.issued, row.issued_late, row.unacknowledged, types]


def table(report: HandlingReport) -> tuple[list[tuple[str, int]], list[list]]:
    """The columns and the rows (the units numbered, then the total) of the report."""
    columns = INCOMING_COLUMNS if report.form == "incoming" else OUTGOING_COLUMNS
    rows = [_cells(report.form, str(index), row) for index, row in enumerate(report.units, start=1)]
    rows.append(_cells(report.form, "", report.total))
    return columns, rows


def report_html(report: HandlingReport, printed_at: datetime, printed_by: str) -> str:
    from web.reports.pdf import environment  # WeasyPrint loads slowly: only when something is printed

    columns, rows = table(report)
    return environment().get_template("reports/handling.html").render(
        report=report, columns=columns, rows=rows, total_mm=sum(width for _, width in columns),
        printed_at=printed_at, printed_by=printed_by)


def render_pdf(report: HandlingReport, printed_at: datetime, printed_by: str) -> bytes:
    from web.reports.pdf import html_to_pdf

    return html_to_pdf(report_html(report, printed_at, printed_by))


def render_xlsx(report: HandlingReport) -> bytes:
    """The same table as a workbook: numbers as numbers, headings frozen and repeated on print."""
    columns, rows = table(report)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ("Văn bản đến" if report.form == "incoming" else "Văn bản đi")
    regular, bold = Font(name="Times New Roman", size=12), Font(name="Times New Roman", size=12, bold=True)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(len(columns))
    heading = [(report.parent_agency_name.upper(), regular), (report.agency_name.upper(), bold),
               (report.title.upper(), Font(name="Times New Roman", size=14, bold=True)),
               (f"Kỳ báo cáo: {report.period.label} (từ {report.period.start:%d/%m/%Y} đến "
                f"{report.period.end:%d/%m/%Y})", Font(name="Times New Roman", size=12, italic=True))]
    for number, (text, font) in enumerate(heading, start=1):
        sheet.merge_cells(f"A{number}:{last}{number}")
        cell = sheet.cell(row=number, column=1, value=text)
        cell.font, cell.alignment = font, Alignment(horizontal="center")
    header_row = 6
    for index, (title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(width / 1.9, 1)
        cell = sheet.cell(row=header_row, column=index, value=title)
        cell.font, cell.border = bold, border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=header_row + offset, column=index, value=None if value == "" else value)
            if looks_like_formula(value):
                cell.data_type = "s"
            cell.font = bold if offset == len(rows) else regular
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    workbook.properties.title = report.title
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
