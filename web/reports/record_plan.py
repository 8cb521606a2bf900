"""The printed Danh mục hồ sơ (ND30 Phụ lục V, Mẫu Danh mục hồ sơ): PDF with WeasyPrint, XLSX with openpyxl.

Both print the same grid: columns (1) Số và ký hiệu hồ sơ, (2) Tên đề mục và tiêu đề hồ sơ,
(3) Thời hạn bảo quản, (4) Đơn vị, người lập hồ sơ, (5) Ghi chú; heading rows carry their numeral
and title in column (2); the footer counts the hồ sơ. An issued plan prints its approved entries
(additions still proposed wait for their round); a plan not yet issued prints as a draft.
The agency's name is the one in force on the plan's issue date (``models.records.plan_sheet``).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.engine import Engine

from commands.record_plans import plan_for_user
from models.db import reading
from models.org.tables import User
from models.records.plan_sheet import PlanSheet, plan_sheet
from web.reports import PDF_MEDIA_TYPE, XLSX_MEDIA_TYPE, file_response
from web.reports.cells import looks_like_formula

COLUMNS = ["Số và ký hiệu hồ sơ", "Tên đề mục và tiêu đề hồ sơ", "Thời hạn bảo quản", "Đơn vị, người lập hồ sơ",
           "Ghi chú"]
WIDTHS_MM = [28, 78, 24, 36, 24]  # A4 portrait: 210 mm less 30 mm binding side and 10 mm margin
TITLE = "DANH MỤC HỒ SƠ CỦA {agency} NĂM {year}"
FOOTER = ("Bản Danh mục hồ sơ này có {total} hồ sơ, bao gồm {permanent} hồ sơ bảo quản vĩnh viễn, "
          "{fixed_term} hồ sơ bảo quản có thời hạn.")
DRAFT_MARK = "DỰ THẢO"
FONT_NAME = "Times New Roman"
HEADER_ROW = 6  # rows 1-2: agencies; 4: title; 5: draft mark; 6 headings; 7 column numbers
MM_PER_CHARACTER = 1.9


@dataclass(frozen=True)
class Row:
    """One printed row: a heading (``level`` 1 top, 2 below) or an entry (``level`` 0)."""

    cells: list[str]
    level: int = 0


def title(sheet: PlanSheet) -> str:
    return TITLE.format(agency=sheet.agency_name.upper(), year=sheet.plan.year)


def footer(sheet: PlanSheet) -> str:
    totals = sheet.totals
    return FOOTER.format(total=totals.total, permanent=totals.permanent, fixed_term=totals.fixed_term)


def rows(sheet: PlanSheet) -> list[Row]:
    """The grid both renderers print, in the plan's reading order."""
    out = []
    for line in sheet.lines:
        item = line.item
        if line.kind == "heading":
            out.append(Row(["", f"{line.numeral}. {item.title}", "", "", ""], 1 if line.top else 2))
        else:
            out.append(Row([item.file_notation, item.title, item.maintenance, sheet.creators.get(item.id, ""),
                            item.description]))
    return out


def load(engine: Engine, user: User, plan_id: int) -> PlanSheet:
    """The printed sheet of a plan of the person's agency (``plan_not_found`` otherwise)."""
    with reading(engine) as session:
        sheet = plan_sheet(session, plan_for_user(session, user, plan_id), printed=True)
        session.expunge_all()  # rendered after this read's rollback, which would expire the rows
        return sheet


def filename(sheet: PlanSheet, extension: str) -> str:
    return f"danh-muc-ho-so-{sheet.plan.year}.{extension}"


# --- PDF ------------------------------------------------------------------------------------


def plan_html(sheet: PlanSheet) -> str:
    """The Danh mục as HTML (tested apart from WeasyPrint)."""
    from web.reports import pdf

    return pdf.environment().get_template("records/plan_print.html").render(
        sheet=sheet, title=title(sheet), footer=footer(sheet), rows=rows(sheet), columns=COLUMNS,
        widths=WIDTHS_MM, draft_mark=DRAFT_MARK)


def pdf_response(engine: Engine, user: User, plan_id: int) -> Response:
    """``print.pdf`` of the page and API v1."""
    from web.reports import pdf  # WeasyPrint loads slowly: only when something is printed

    sheet = load(engine, user, plan_id)
    return file_response(pdf.html_to_pdf(plan_html(sheet)), PDF_MEDIA_TYPE, filename(sheet, "pdf"), inline=True)


# --- XLSX -----------------------------------------------------------------------------------


def render_xlsx(sheet: PlanSheet) -> bytes:
    """The Danh mục as an .xlsx workbook of one sheet, the column headings frozen and repeated."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = f"Danh mục hồ sơ {sheet.plan.year}"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    regular, bold = Font(name=FONT_NAME, size=12), Font(name=FONT_NAME, size=12, bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrapped = Alignment(vertical="top", wrap_text=True)
    last = get_column_letter(len(COLUMNS))
    for row_number, text, font in [(1, sheet.parent_agency_name.upper(), regular),
                                   (2, sheet.agency_name.upper(), bold),
                                   (4, title(sheet), Font(name=FONT_NAME, size=14, bold=True)),
                                   (5, "" if sheet.plan.issued_at else DRAFT_MARK, bold)]:
        ws.merge_cells(f"A{row_number}:{last}{row_number}")
        cell = ws.cell(row=row_number, column=1, value=text or None)
        cell.font, cell.alignment = font, Alignment(horizontal="center")
    for index, (header, width) in enumerate(zip(COLUMNS, WIDTHS_MM, strict=True), start=1):
        ws.column_dimensions[get_column_letter(index)].width = round(width / MM_PER_CHARACTER, 1)
        head = ws.cell(row=HEADER_ROW, column=index, value=header)
        number = ws.cell(row=HEADER_ROW + 1, column=index, value=f"({index})")
        head.font, head.alignment, head.border = bold, centred, border
        number.font, number.alignment, number.border = Font(name=FONT_NAME, size=10, italic=True), centred, border
    row_number = HEADER_ROW + 2
    for row in rows(sheet):
        font = Font(name=FONT_NAME, size=12, bold=row.level > 0, italic=row.level == 2)
        for index, value in enumerate(row.cells, start=1):
            cell = ws.cell(row=row_number, column=index, value=value or None)
            if looks_like_formula(value):
                cell.data_type = "s"  # typed text, never a formula
            cell.font, cell.border = font, border
            cell.alignment = centred if index in (1, 3) and row.level == 0 else wrapped
        row_number += 1
    ws.merge_cells(f"A{row_number + 1}:{last}{row_number + 1}")
    closing = ws.cell(row=row_number + 1, column=1, value=footer(sheet))
    closing.font, closing.alignment = regular, Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[row_number + 1].height = 32
    ws.freeze_panes = f"A{HEADER_ROW + 2}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.properties.title = title(sheet)
    workbook.properties.creator = sheet.agency_name
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(engine: Engine, user: User, plan_id: int) -> Response:
    """``export.xlsx`` of the page and API v1."""
    sheet = load(engine, user, plan_id)
    return file_response(render_xlsx(sheet), XLSX_MEDIA_TYPE, filename(sheet, "xlsx"), inline=False)
