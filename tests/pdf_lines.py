"""Reading back printed characters, form fills included, to compare how they are typeset.

Field fills live in widget appearances, which text extractors skip; pikepdf flattens them into
the page first (as printing does), then pdfminer reports each character's font, size (text and
page matrices applied) and baseline. These are other libraries than the PDFium that the fill
itself reads labels with, so a shared misreading cannot hide a fault.
"""

from __future__ import annotations

import io
import subprocess
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Glyph:
    text: str
    font: str  # without the subset prefix
    size: float
    baseline: float
    x0: float
    x1: float


def printed_glyphs(pdf: bytes, page_index: int = 0) -> list[Glyph]:
    import pikepdf
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar

    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.flatten_annotations(mode="print")
        flat = io.BytesIO()
        document.save(flat)

    def walk(item):
        if isinstance(item, LTChar):
            yield item
        elif hasattr(item, "__iter__"):
            for child in item:
                yield from walk(child)

    page = next(p for i, p in enumerate(extract_pages(io.BytesIO(flat.getvalue()))) if i == page_index)
    return [Glyph(unicodedata.normalize("NFC", c.get_text()), c.fontname.split("+", 1)[-1], c.size, c.matrix[5],
                  c.x0, c.x1) for c in walk(page)]


def run_of(glyphs: list[Glyph], text: str) -> list[Glyph]:
    """The glyphs that print ``text`` (spaces ignored), in reading order on one line."""
    wanted = [c for c in unicodedata.normalize("NFC", text) if not c.isspace()]
    inked = [g for g in glyphs if g.text.strip()]
    for start in range(len(inked) - len(wanted) + 1):
        run = inked[start:start + len(wanted)]
        if [g.text for g in run] == wanted and max(g.baseline for g in run) - min(g.baseline for g in run) < 0.01:
            return run
    raise AssertionError(f"{text!r} is not printed on one line")


def text_layer(pdf: bytes) -> str:
    """What poppler extracts (it reads widget appearances too), NFC."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return unicodedata.normalize("NFC", out.decode())


def assert_typeset_like(fill: list[Glyph], label: list[Glyph]) -> None:
    """Same font (subset prefix aside), same size (±0.1 pt), same baseline (±0.5 pt)."""
    reference = label[-1]
    for glyph in fill:
        assert glyph.font == reference.font, (glyph, reference)
        assert abs(glyph.size - reference.size) <= 0.1, (glyph, reference)
        assert abs(glyph.baseline - reference.baseline) <= 0.5, (glyph, reference)
