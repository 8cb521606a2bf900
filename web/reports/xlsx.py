"""Spreadsheet export of a register with openpyxl: the same grid as the printout.

Dates are real dates shown dd/mm/yyyy and số đến a number shown zero-padded ("05"), so the sheet
sorts and filters correctly; the column headings stay frozen on screen and repeat on print.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from models.registers.books import RegisterReport
from web import labels
from web.filters import vn_date
from web.reports import outgoing, register_table
from web.reports.cells import looks_like_formula

FONT_NAME = "Times New Roman"
DATE_FORMAT = "DD/MM/YYYY"
NUMBER_FORMAT = "00"
HEADER_ROW = 6  # rows 1-4: agency, title, period; 5 blank; 6 headings; 7 column numbers
FIRST_DATA_ROW = HEADER_ROW + 2
MM_PER_CHARACTER = 1.9  # an Excel width unit is about one "0" of the default font


def render_register(report: RegisterReport) -> bytes:
    """The register of a period as an .xlsx workbook with one sheet."""
    table = register_table(report)
    cover = report.cover
    workbook = Workbook()
    sheet = workbook.active
    sheet_name = labels.REPORT_SHEET_NAMES.get(report.kind, outgoing.SHEET_NAME)
    sheet.title = f"{sheet_name} {cover.year}"[:31]
    last_column = get_column_letter(len(table.columns))
    title = labels.REPORT_TEXT["title_year"].format(title=table.title, year=cover.year)

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    regular = Font(name=FONT_NAME, size=12)
    bold = Font(name=FONT_NAME, size=12, bold=True)
    italic = Font(name=FONT_NAME, size=12, italic=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top_wrapped = Alignment(vertical="top", wrap_text=True)
    top_centred = Alignment(horizontal="center", vertical="top")

    heading = [
        (cover.parent_agency_name.upper(), regular),
        (cover.agency_name.upper(), bold),
        (title.upper(), Font(name=FONT_NAME, size=14, bold=True)),
        (labels.REPORT_TEXT["sheet_period"].format(start=vn_date(cover.period.start),
                                                   end=vn_date(cover.period.end)), italic),
    ]
    for row_number, (text, font) in enumerate(heading, start=1):
        sheet.merge_cells(f"A{row_number}:{last_column}{row_number}")
        cell = sheet.cell(row=row_number, column=1, value=text)
        cell.font, cell.alignment = font, Alignment(horizontal="center")

    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(column.width_mm / MM_PER_CHARACTER, 1)
        head = sheet.cell(row=HEADER_ROW, column=index, value=column.header)
        number = sheet.cell(row=HEADER_ROW + 1, column=index, value=f"({index})")
        head.font, head.alignment, head.border = bold, centred, border
        number.font = Font(name=FONT_NAME, size=10, italic=True)
        number.alignment, number.border = centred, border
    sheet.row_dimensions[HEADER_ROW].height = 48

    for offset, (values, void) in enumerate(zip(table.rows, table.void, strict=True)):
        row_number = FIRST_DATA_ROW + offset
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=index, value=_cell_value(value))
            if looks_like_formula(value):
                # Stored as text, never as a formula, whatever openpyxl guessed from the "=".
                cell.data_type = "s"
            cell.font = italic if void else regular
            cell.border = border
            if isinstance(value, date):
                cell.number_format, cell.alignment = DATE_FORMAT, top_centred
            elif isinstance(value, int):
                cell.number_format, cell.alignment = NUMBER_FORMAT, top_centred
            else:
                cell.alignment = top_wrapped

    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = labels.REPORT_TEXT["sheet_footer"]

    workbook.properties.title = title
    workbook.properties.creator = cover.agency_name
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell_value(value):
    # A blank cell, not an empty string, so Excel's "go to blanks" and counts behave.
    return None if value == "" else value
