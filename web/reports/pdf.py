"""PDF printouts with WeasyPrint: registers on A4 landscape, the processing slip on A4 portrait.

Facts this relies on (STACK-NOTES §3): "Times New Roman" resolves to Tinos through fontconfig
(``fonts-croscore``), which covers every Vietnamese letter, so no glyph falls back to Nimbus;
``thead { display: table-header-group }`` repeats the column headings on every page; ``@page``
margin boxes print "Trang n/N". Rendering is slow and CPU-bound: callers run it in a worker
thread, and ``RENDER_SLOTS`` keeps a burst of print requests from taking every core.
"""

from __future__ import annotations

import threading
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from models.registers.books import RegisterReport
from models.registers.slip import Slip
from web import filters
from web.reports import cell_text, long_date, number_text, register_table

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RENDER_SLOTS = threading.BoundedSemaphore(2)

_environment: Environment | None = None


def environment() -> Environment:
    """The Jinja2 environment of the printouts: same filters as the pages, strict undefined."""
    global _environment
    if _environment is None:
        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        filters.register(env)
        env.filters.update(cell=cell_text, number_text=number_text, long_date=long_date)
        _environment = env
    return _environment


def html_to_pdf(html: str) -> bytes:
    """Render one self-contained HTML document."""
    with RENDER_SLOTS:
        # Printouts embed nothing: no protocol allowed, so no value can reach the network or disk.
        return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def register_html(report: RegisterReport) -> str:
    """The register as HTML: cover page, then the table (tested apart from WeasyPrint)."""
    return environment().get_template("reports/register.html").render(
        report=report, cover=report.cover, table=register_table(report))


def render_register(report: RegisterReport) -> bytes:
    """The register of a period as a PDF (A4 landscape)."""
    return html_to_pdf(register_html(report))


def slip_html(slip: Slip) -> str:
    """The Phiếu giải quyết văn bản đến as HTML."""
    return environment().get_template("reports/slip.html").render(slip=slip)


def render_slip(slip: Slip) -> bytes:
    """The Phiếu giải quyết văn bản đến of one document as a PDF (A4 portrait)."""
    return html_to_pdf(slip_html(slip))
