"""The printed weekly work schedule (lịch công tác tuần) in its usual table form, with WeasyPrint.

Columns Thứ/ngày, Thời gian, Nội dung, Thành phần, Địa điểm, Chuẩn bị; one block of rows per day
with the day's cell spanning them; the letterhead names the agency (and its parent) by the names in
force on the week's Monday. Only the published copy is printed. Routes calling this are plain
``def`` routes, so the slow rendering runs in FastAPI's thread pool (``web/reports/pdf.py``).
"""

from __future__ import annotations

from datetime import datetime

from models.schedule.rules import weekday_name
from models.schedule.views import WeekView
from web.reports.pdf import environment, html_to_pdf

COLUMNS = ["Thứ/ngày", "Thời gian", "Nội dung", "Thành phần", "Địa điểm", "Chuẩn bị"]
# Shares of A4 landscape's 265 mm of table.
WIDTHS_MM = [24, 22, 92, 60, 37, 30]


def file_name(view: WeekView) -> str:
    return f"lich-cong-tac-{view.code}.pdf"


def schedule_html(view: WeekView, printed_at: datetime, printed_by: str) -> str:
    """The published week as HTML (tested apart from WeasyPrint)."""
    days = [(day, view.events_on(day)) for day in view.days]
    return environment().get_template("reports/schedule.html").render(
        view=view, days=[(day, events) for day, events in days if events], columns=list(zip(COLUMNS, WIDTHS_MM, strict=True)),
        total_mm=sum(WIDTHS_MM), printed_at=printed_at, printed_by=printed_by,
        weekday_name=weekday_name)


def render_schedule(view: WeekView, printed_at: datetime, printed_by: str) -> bytes:
    """The published week as a PDF (A4 landscape)."""
    return html_to_pdf(schedule_html(view, printed_at, printed_by))
