"""The Mục lục văn bản trong hồ sơ (F-V.5; ND30 Phụ lục V) as the cover of an exported hồ sơ.

Columns as the form prints them: STT, số và ký hiệu, date, tên loại and trích yếu, tác giả (the
issuing agency), tờ số/trang số (where the document starts among the hồ sơ's pages, the cover not
counted) and ghi chú. WeasyPrint lays a long table out in memory all at once (about 200 MB for
1,000 rows), so the rows are rendered ``CHUNK_ROWS`` at a time into separate PDFs that the export
joins: the memory stays that of one chunk whatever the size of the hồ sơ.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from models.records.export import ExportPlan

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHUNK_ROWS = 100

_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def rows(plan: ExportPlan, first_pages: dict[str, int], notes: dict[str, str]) -> list[dict[str, str]]:
    """The table's rows in chronological order (``first_pages``: where each document starts)."""
    return [{"position": str(d.position), "so_ky_hieu": d.so_ky_hieu,
             "date": date.fromisoformat(d.date).strftime("%d/%m/%Y"), "type_name": d.type_name,
             "subject": d.subject, "organ_name": d.organ_name,
             "page": str(first_pages.get(d.document_id, "")), "note": notes.get(d.document_id, "")}
            for d in plan.documents]


def contents_html(plan: ExportPlan, chunk: list[dict[str, str]], *, first: bool, last: bool, pages: int) -> str:
    """One chunk of the Mục lục as HTML (the heading on the first, the totals on the last)."""
    return _environment.get_template("contents.html").render(
        record=plan.record, agency_name=plan.agency_name, parent_agency_name=plan.parent_agency_name,
        rows=chunk, first=first, last=last, documents=len(plan.documents), pages=pages)


def render_contents(plan: ExportPlan, table: list[dict[str, str]], pages: int, folder: Path) -> list[Path]:
    """Render the Mục lục into ``folder``, one PDF per chunk of rows; return them in order."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = FontConfiguration()  # found once: each new configuration loads the fonts again

    chunks = [table[i:i + CHUNK_ROWS] for i in range(0, len(table), CHUNK_ROWS)] or [[]]
    written = []
    for number, chunk in enumerate(chunks):
        html = contents_html(plan, chunk, first=number == 0, last=number == len(chunks) - 1, pages=pages)
        target = folder / f"muc-luc-{number:04d}.pdf"
        # Nothing to fetch: no protocol allowed, so no value can reach the network or the disk.
        HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf(target, font_config=fonts)
        written.append(target)
    return written
