"""The audit log as an .xlsx workbook: one row per event, formula-like text kept as text."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from models.audit import canonical_json
from models.audit_trail.repo import AuditRow
from models.registers.numbering import VIETNAM
from web import labels
from web.reports.cells import looks_like_formula

SHEET_NAME = "Nhật ký hệ thống"
WIDTHS = (10, 20, 24, 16, 36, 28, 12, 38, 60)


def render_audit(rows: list[AuditRow], title: str) -> bytes:
    """The events as a sheet: the chain position, Vietnam time (a real date-time), who, what, on what."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    for index, (header, width) in enumerate(zip(labels.AUDIT_XLSX_COLUMNS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=3, column=index, value=header)
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[cell.column_letter].width = width
    for offset, row in enumerate(rows):
        event, actor = row.event, row.actor
        values = (event.seq, event.at.astimezone(VIETNAM).replace(tzinfo=None),
                  actor.full_name if actor else "", actor.username if actor else "",
                  labels.AUDIT_LABELS.get(event.code, event.code), event.code, event.subject_type,
                  event.subject_id, canonical_json(event.data) if event.data else "")
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=4 + offset, column=index, value=value)
            if looks_like_formula(value):
                cell.data_type = "s"  # text, never a formula
            if index == 2:
                cell.number_format = "DD/MM/YYYY HH:MM:SS"
            cell.alignment = Alignment(vertical="top", wrap_text=index == 9)
    sheet.freeze_panes = "A4"
    workbook.properties.title = title
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
