"""Filling a text field so that the fill reads as part of the printed line it sits on.

The số and the date go into form fields after the official has signed (``issuing``); a fill in
another font, or floating in the middle of its box, makes the page look like a form. So the fill
copies its line: the printed label just before the field ("Số:", "<địa danh>,") is read from the
PDF's own text (PDFium's character origins, font names and sizes), and the fill uses the same
font (the same PostScript name, from the system's fonts, embedded as a subset), the same size, and
the same baseline.

pyHanko writes glyph widths in raw font units (STACK-NOTES §1.3), which is right only for fonts
with 1000 units per em; the Times-metric fonts (Tinos, Liberation Serif) have 2048, so a font is
rescaled to 1000 units with fontTools (cut down to the filled text first) before pyHanko shapes
and embeds it.

A field with no printed text before it on its line (an uploaded PDF may leave it bare) gets the
Times-metric font ND30 asks for at 13 pt, centred vertically in its box.
"""

from __future__ import annotations

import ctypes
import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from math import inf
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# ND30 asks for Times New Roman; Tinos (fonts-croscore) has its metrics and every Vietnamese letter.
TIMES_METRIC = {(False, False): "Tinos", (True, False): "Tinos-Bold", (False, True): "Tinos-Italic",
                (True, True): "Tinos-BoldItalic"}
FALLBACK_FONT = Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
DEFAULT_SIZE = 13  # ND30: số, ký hiệu and date in size 13-14
EDGE_TOLERANCE = 1.0  # points a label's last letter may reach into the field (rounding, italics)
UNITS_PER_EM = 1000  # what pyHanko's CID widths assume


@dataclass(frozen=True)
class LineStyle:
    """How the printed text of a line looks: what a fill on that line must copy."""

    font_name: str  # PostScript name, without the subset prefix
    size: float  # points, as printed (the text matrix and the page's scaling applied)
    baseline: float  # y of the baseline in page space
    scale: float = 1.0  # the text and page matrices' vertical scale (size = operand x scale)


@dataclass(frozen=True)
class FieldPlace:
    """A text field's widget: its page and its rectangle in page space."""

    page_index: int
    rect: tuple[float, float, float, float]


def label_style(pdf: bytes, place: FieldPlace) -> LineStyle | None:
    """The style of the printed character just left of the field on its line, or None.

    A character belongs to the line when its baseline lies within the field's height; of those
    that end before the field starts, the rightmost visible one is the label's last letter.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    x1, y1, _x2, y2 = place.rect
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[place.page_index]
        textpage = page.get_textpage()
        try:
            best: tuple[float, int] | None = None
            x, y = ctypes.c_double(), ctypes.c_double()
            left, right, bottom, top = (ctypes.c_double() for _ in range(4))
            for index in range(textpage.count_chars()):
                char = chr(raw.FPDFText_GetUnicode(textpage, index))
                if not char.strip() or unicodedata.category(char).startswith("C"):
                    continue
                if not raw.FPDFText_GetCharOrigin(textpage, index, x, y):
                    continue
                if not (y1 <= y.value <= y2 and x1 > x.value > (best[0] if best else -inf)):
                    continue
                raw.FPDFText_GetCharBox(textpage, index, left, right, bottom, top)
                if right.value <= x1 + EDGE_TOLERANCE:  # text running into the field is no label
                    best = (x.value, index)
            if best is None:
                return None
            return _char_style(textpage, best[1])
        finally:
            textpage.close()
            page.close()
    finally:
        document.close()


def _char_style(textpage, index: int) -> LineStyle | None:
    import pypdfium2.raw as raw

    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    if not raw.FPDFText_GetFontInfo(textpage, index, name, len(name), flags):
        return None
    matrix = raw.FS_MATRIX()
    raw.FPDFText_GetMatrix(textpage, index, matrix)
    # The font size operand times the vertical scale of the text and page matrices.
    scale = (matrix.c ** 2 + matrix.d ** 2) ** 0.5 or 1.0
    x, y = ctypes.c_double(), ctypes.c_double()
    raw.FPDFText_GetCharOrigin(textpage, index, x, y)
    font_name = name.value.decode("latin-1").split("+", 1)[-1]
    return LineStyle(font_name=font_name, size=raw.FPDFText_GetFontSize(textpage, index) * scale,
                     baseline=y.value, scale=scale)


# --- fonts -------------------------------------------------------------------------------------


def font_file(postscript_name: str) -> tuple[Path, bool]:
    """The system font with this PostScript name, else the Times-metric face of the same style.

    Also says whether the file is the named font itself. Names are compared without case, spaces
    and hyphens: WeasyPrint names Tinos Bold Italic "Tinos-Bold-Italic", the font "Tinos-BoldItalic".
    """
    found = _font_by_name(_key(postscript_name))
    if found is not None:
        return found, True
    lowered = postscript_name.lower()
    style = ("bold" in lowered, "italic" in lowered or "oblique" in lowered)
    return _font_by_name(_key(TIMES_METRIC[style])) or FALLBACK_FONT, False


def _key(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


@lru_cache(maxsize=64)
def _font_by_name(key: str) -> Path | None:
    # Most files are named after their font (Tinos-Italic.ttf): try those before reading every file.
    for path in _font_paths():
        if _key(path.stem) in (key, f"{key}regular") and _key(_postscript_name(path) or "") == key:
            return path
    return _font_index().get(key)


@lru_cache(maxsize=1)
def _font_paths() -> list[Path]:
    return [path for directory in FONT_DIRS for path in sorted(directory.glob("**/*.[ot]tf"))]


@lru_cache(maxsize=1)
def _font_index() -> dict[str, Path]:
    """Every system font file by its PostScript name (compared as ``_key``); read once a process."""
    index: dict[str, Path] = {}
    for path in _font_paths():
        name = _postscript_name(path)
        if name:
            index.setdefault(_key(name), path)
    return index


def _postscript_name(path: Path) -> str | None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True) as font:
            return font["name"].getDebugName(6)
    except (TTLibError, OSError, KeyError):
        return None


@lru_cache(maxsize=16)
def _font_file_bytes(path: Path) -> bytes:
    return path.read_bytes()


def fill_font(path: Path, text: str) -> bytes:
    """The font cut down to what ``text`` needs, at 1000 units per em, without hinting.

    Cutting first keeps this fast (a fraction of a second, where rescaling a whole 3,000-glyph
    font takes seconds); pyHanko cuts it again to the glyphs it sets.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(io.BytesIO(_font_file_bytes(path)))
    options = subset.Options()
    options.hinting = False  # hinting programs are written for the original grid
    options.name_IDs = ["*"]  # keeps the PostScript name pyHanko embeds the font under
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    if font["head"].unitsPerEm != UNITS_PER_EM:
        scale_upem(font, UNITS_PER_EM)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# --- the fill ------------------------------------------------------------------------------------


def fill_like_line(writer, pdf: bytes, field_name: str, value: str) -> None:
    """Write ``value`` into the empty text field as read-only, typeset like its line.

    ``writer`` is an incremental writer over ``pdf``, whose page text is read for the label. The
    appearance stream sets the text at the field's left edge on the label's baseline, in the
    label's font and size; a value too wide for the box is set smaller on the same baseline rather
    than cut off. Raises pyHanko's ``FormFillingError`` when no empty field has this name.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.form_tools import find_existing_empty_field, get_single_field_annot

    field_ref = find_existing_empty_field(writer, field_name, field_type="/Tx")
    field = field_ref.get_object()
    widget = get_single_field_annot(field)
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    left, bottom, width, height = min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)
    value = unicodedata.normalize("NFC", value)
    page_index = _page_index(writer, widget, field_ref if widget is field else None)
    style = None if page_index is None else label_style(pdf, FieldPlace(page_index, (left, bottom, left + width,
                                                                                      bottom + height)))

    path, same_font = font_file(style.font_name) if style else font_file(TIMES_METRIC[(False, False)])
    data = fill_font(path, value)
    if style is None:
        ascent, descent = _vertical_metrics(data)
        style = LineStyle(font_name="", size=DEFAULT_SIZE,
                          baseline=bottom + (height - (ascent - descent) * DEFAULT_SIZE) / 2 - descent * DEFAULT_SIZE)
    # The label's own size operand and scaling are copied, so any reader sees the same numbers.
    scale = style.scale
    operand = style.size / scale
    advance = _advance_em(data, value) * style.size
    if advance > width > 0:
        operand *= width / advance
    font = _line_font_class()(writer, io.BytesIO(data), font_size=operand,
                     name=style.font_name if style.font_name and same_font else None)
    shaped = font.shape(value)
    content = b"/Tx BMC q %s 0 0 %s 0 0 cm BT /F1 %s Tf 0 g 1 0 0 1 0 %s Tm %s ET Q EMC" % (
        _number(scale), _number(scale), _number(operand), _number((style.baseline - bottom) / scale),
        shaped.graphics_ops)
    appearance = generic.StreamObject({
        generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
        generic.pdf_name("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, height)),
        generic.pdf_name("/Resources"): generic.DictionaryObject({
            generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font.as_resource()})}),
    }, stream_data=content)
    appearance.compress()
    widget[generic.pdf_name("/AP")] = generic.DictionaryObject(
        {generic.pdf_name("/N"): writer.add_object(appearance)})
    writer.update_container(widget)
    field[generic.pdf_name("/V")] = generic.TextStringObject(value)
    flags = int(field.get("/Ff", 0))
    field[generic.pdf_name("/Ff")] = generic.NumberObject(flags | 1)  # read-only
    field.pop("/DA", None)  # the appearance is authoritative; nothing is to regenerate it
    writer.mark_update(field_ref)


def _line_font_class():
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

    class LineFont(GlyphAccumulator):
        """pyHanko's embedded subset, named as the label's font is named.

        A TrueType-based Type0 font carries its CIDFont's name (ISO 32000-1 9.7.6.1), not
        pyHanko's "<name>-Identity-H"; and the label's spelling of the name is kept.
        """

        def __init__(self, *args, name: str | None = None, **kwargs):
            super().__init__(*args, **kwargs)
            self.line_font_name = name

        def prepare_write(self):
            super().prepare_write()
            base = self.cidfont_obj["/BaseFont"]
            if self.line_font_name:
                base = generic.pdf_name(f"/{self.subset_prefix}+{self.line_font_name}")
                self.cidfont_obj[generic.pdf_name("/BaseFont")] = base
                self.cidfont_obj["/FontDescriptor"][generic.pdf_name("/FontName")] = base
            self.as_resource().get_object()[generic.pdf_name("/BaseFont")] = base

    return LineFont


def _page_index(writer, widget, widget_ref) -> int | None:
    """The index of the page that shows the widget: its /P, else the page listing it in /Annots."""
    from pyhanko.pdf_utils import generic

    page = widget.raw_get("/P") if "/P" in widget else None
    wanted = page.reference if isinstance(page, generic.IndirectObject) else None
    own = widget_ref.reference if isinstance(widget_ref, generic.IndirectObject) else widget_ref
    for index in range(int(writer.root["/Pages"]["/Count"])):
        page_ref = writer.find_page_for_modification(index)[0]
        if wanted is not None:
            if page_ref.reference == wanted:
                return index
            continue
        annots = page_ref.get_object().get("/Annots") or []
        if own is not None and any(getattr(a, "reference", None) == own for a in annots):
            return index
    return None


def _advance_em(data: bytes, value: str) -> float:
    """The shaped width of ``value`` in em, as pyHanko will set it."""
    import uharfbuzz as hb

    face = hb.Face(data)
    font = hb.Font(face)
    buffer = hb.Buffer()
    buffer.add_str(value)
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    return sum(position.x_advance for position in buffer.glyph_positions) / face.upem


def _vertical_metrics(data: bytes) -> tuple[float, float]:
    """Ascent and descent (negative) in em."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(data), lazy=True) as font:
        hhea = font["hhea"]
        units = font["head"].unitsPerEm
        return hhea.ascent / units, hhea.descent / units


def _number(value: float) -> bytes:
    return f"{value:.3f}".rstrip("0").rstrip(".").encode("ascii")
