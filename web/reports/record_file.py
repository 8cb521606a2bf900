"""A hồ sơ's printouts (ND30 Phụ lục V): the Mục lục văn bản trong hồ sơ (F-V.5) as PDF and XLSX,
and, once the archive accepted it, the Mục lục hồ sơ, tài liệu nộp lưu and the Biên bản giao nhận
tài liệu as PDF. Pages and API v1 call the same functions; the data is read in one short read
(``models.records.sheets``) and rendered after it.
"""

from __future__ import annotations

from io import BytesIO

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.engine import Engine

from models.db import reading, utcnow
from models.documents.file_store import FileStore
from models.errors import DomainError
from models.org.tables import User
from models.records import repo
from models.records.lifecycle import pdf_pages
from models.records.sheets import RecordSheet, in_words, record_sheet
from models.records.tables import RecordStatus
from models.registers.numbering import vietnam_date
from models.vocab import Role
from web.reports import PDF_MEDIA_TYPE, XLSX_MEDIA_TYPE, file_response
from web.reports.cells import looks_like_formula

LISTING_COLUMNS = ["Số thứ tự", "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung",
                   "Tác giả văn bản", "Tờ số", "Ghi chú"]
LISTING_WIDTHS = [12, 26, 20, 62, 30, 12, 18]  # mm, A4 portrait less margins
TRANSFER_COLUMNS = ["Số thứ tự", "Số, ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian tài liệu", "Thời hạn bảo quản",
                    "Số tờ", "Ghi chú"]
FONT_NAME = "Times New Roman"
HEADER_ROW = 6
MM_PER_CHARACTER = 1.9


def load(engine: Engine, store: FileStore, user: User, roles: set[Role], record_id: int) -> RecordSheet:
    """The sheet of a hồ sơ the person may see (``record_not_found`` otherwise)."""
    def pages_of(sha256: str) -> int | None:
        try:
            return pdf_pages(store.read(sha256))
        except FileNotFoundError:  # a destroyed hồ sơ's files: its documents count by their metadata
            return None

    today = vietnam_date(utcnow())
    with reading(engine) as session:
        record = repo.record_for_user(session, user, roles, record_id, today)
        sheet = record_sheet(session, record, pages_of, today)
        session.expunge_all()  # rendered after this read's rollback, which would expire the rows
        return sheet


def _name(sheet: RecordSheet, stem: str, extension: str) -> str:
    record = sheet.record
    return f"{stem}-{record.file_notation}-{record.file_catalog}.{extension}".replace("/", "-")


def _html(template: str, sheet: RecordSheet) -> str:
    from web.reports import pdf  # WeasyPrint loads slowly: only when something is printed

    return pdf.environment().get_template(template).render(
        sheet=sheet, record=sheet.record, listing_columns=LISTING_COLUMNS, transfer_columns=TRANSFER_COLUMNS,
        pages_in_words=in_words(sheet.pages), files_in_words=in_words(sheet.files))


def listing_html(sheet: RecordSheet) -> str:
    """The Mục lục văn bản trong hồ sơ as HTML (tested apart from WeasyPrint)."""
    return _html("records/file_listing_print.html", sheet)


def transfer_html(sheet: RecordSheet) -> str:
    """The Mục lục hồ sơ, tài liệu nộp lưu and the Biên bản giao nhận as HTML (two parts, one file)."""
    return _html("records/file_transfer_print.html", sheet)


def listing_pdf_response(engine: Engine, store: FileStore, user: User, roles: set[Role], record_id: int) -> Response:
    from web.reports import pdf

    sheet = load(engine, store, user, roles, record_id)
    return file_response(pdf.html_to_pdf(listing_html(sheet)), PDF_MEDIA_TYPE,
                         _name(sheet, "muc-luc-van-ban", "pdf"), inline=True)


def transfer_pdf_response(engine: Engine, store: FileStore, user: User, roles: set[Role], record_id: int) -> Response:
    """The transfer list and the handover record: only once the archive accepted the hồ sơ."""
    from web.reports import pdf

    sheet = load(engine, store, user, roles, record_id)
    if sheet.record.status not in (RecordStatus.ARCHIVED, RecordStatus.DISPOSED) or sheet.accepted_at is None:
        raise DomainError("record_not_archived")
    return file_response(pdf.html_to_pdf(transfer_html(sheet)), PDF_MEDIA_TYPE,
                         _name(sheet, "bien-ban-giao-nhan", "pdf"), inline=True)


def listing_xlsx_response(engine: Engine, store: FileStore, user: User, roles: set[Role], record_id: int) -> Response:
    sheet = load(engine, store, user, roles, record_id)
    return file_response(render_listing_xlsx(sheet), XLSX_MEDIA_TYPE, _name(sheet, "muc-luc-van-ban", "xlsx"),
                         inline=False)


def listing_cells(sheet: RecordSheet) -> list[list]:
    """The grid both renderers print: one row per document, in DocOrdinal order."""
    return [[row.ordinal, row.so_ky_hieu, row.day, row.what, row.author, row.sheet, row.note] for row in sheet.rows]


def render_listing_xlsx(sheet: RecordSheet) -> bytes:
    """The Mục lục văn bản trong hồ sơ as an .xlsx sheet: dates as dates, numbers as numbers."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = f"Mục lục {sheet.record.file_notation}"[:31]
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    regular, bold = Font(name=FONT_NAME, size=12), Font(name=FONT_NAME, size=12, bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = get_column_letter(len(LISTING_COLUMNS))
    record = sheet.record
    for number, text, font in [(1, sheet.agency_name.upper(), bold), (3, "MỤC LỤC VĂN BẢN TRONG HỒ SƠ", bold),
                               (4, f"Hồ sơ số {record.file_notation} năm {record.file_catalog}: {record.title}", regular)]:
        ws.merge_cells(f"A{number}:{last}{number}")
        cell = ws.cell(row=number, column=1, value=text)
        cell.font, cell.alignment = font, Alignment(horizontal="center", wrap_text=True)
    for index, (header, width) in enumerate(zip(LISTING_COLUMNS, LISTING_WIDTHS, strict=True), start=1):
        ws.column_dimensions[get_column_letter(index)].width = round(width / MM_PER_CHARACTER, 1)
        head = ws.cell(row=HEADER_ROW, column=index, value=header)
        head.font, head.alignment, head.border = bold, centred, border
    for offset, values in enumerate(listing_cells(sheet), start=HEADER_ROW + 1):
        for index, value in enumerate(values, start=1):
            cell = ws.cell(row=offset, column=index, value=value if value != "" else None)
            if looks_like_formula(value):
                cell.data_type = "s"  # typed text, never a formula
            cell.font, cell.border = regular, border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if index == 3 and value is not None:
                cell.number_format = "DD/MM/YYYY"
    closing = HEADER_ROW + len(sheet.rows) + 2
    ws.merge_cells(f"A{closing}:{last}{closing}")
    ws.cell(row=closing, column=1, value=(f"Mục lục này gồm {len(sheet.rows)} văn bản, {sheet.pages} tờ "
                                          f"(bằng chữ: {in_words(sheet.pages)} tờ).")).font = regular
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    workbook.properties.title = f"Mục lục văn bản trong hồ sơ {record.file_notation}"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
