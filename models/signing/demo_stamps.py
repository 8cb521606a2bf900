"""Demo images for visible signatures: a handwritten-looking signature and an agency's round seal.

ND30 PL I Phần I II.7-8 asks for the signer's handwritten signature in **blue** and the agency's
seal in **red**, both PNG with a transparent background, the seal at actual size. Real agencies
scan theirs; these generated stand-ins let the demo and the tests show the same layout. They are
deterministic (same name, same picture) so a regenerated demo PKI does not change its look.

Both are drawn as a coverage mask at a multiple of the final size and scaled down, which gives
smooth antialiased edges that Pillow's line drawing alone does not; the mask then becomes the
alpha channel of a single ink colour, so every visible pixel is exactly that colour.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

SIGNATURE_INK = (20, 50, 160)
SEAL_RED = (215, 25, 32)
DPI = 300
SEAL_DIAMETER_MM = 36
SIGNATURE_SIZE_MM = (50, 20)
SEAL_FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf")  # fonts-noto-core: Vietnamese glyphs
SUPERSAMPLE = 4


def mm_to_px(mm: float) -> int:
    """Pixels at the images' 300 dpi."""
    return round(mm / 25.4 * DPI)


# --- the signature ------------------------------------------------------------------------


def signature_image_png(full_name: str) -> bytes:
    """A blue, handwritten-looking signature for ``full_name`` (RGBA PNG, transparent).

    The strokes come from a seed derived from the name: a flourish for the initial, a wavy
    line for the rest of the name, and an underline swash, each a Catmull-Rom curve through
    random control points, drawn with a pen whose width varies a little along the stroke.
    """
    width, height = mm_to_px(SIGNATURE_SIZE_MM[0]), mm_to_px(SIGNATURE_SIZE_MM[1])
    big = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    rng = random.Random(_seed(full_name))
    w, h = big.size
    pen = max(3, round(h * 0.022))
    for stroke in _signature_strokes(rng, w, h, _syllables(full_name)):
        _draw_smooth(draw, _catmull_rom(stroke, steps=24), pen, rng)
    return _png(_inked(big, (width, height), SIGNATURE_INK), dpi=DPI)


def _seed(text: str) -> int:
    normalised = unicodedata.normalize("NFC", text).strip().casefold()
    return int.from_bytes(hashlib.sha256(normalised.encode("utf-8")).digest()[:8], "big")


def _syllables(full_name: str) -> int:
    return max(1, min(5, len(full_name.split())))


def _signature_strokes(rng: random.Random, w: int, h: int, syllables: int) -> list[list[tuple[float, float]]]:
    left, right = w * 0.08, w * 0.92
    base = h * 0.55
    strokes = []
    # The initial: a tall loop rising above the line and falling back.
    x0 = left + rng.uniform(0, w * 0.05)
    strokes.append([(x0, base), (x0 + w * 0.03, h * 0.12), (x0 + w * 0.08, h * rng.uniform(0.15, 0.3)),
                    (x0 + w * 0.05, base + h * 0.1), (x0 + w * 0.12, base - h * 0.05)])
    # The rest of the name: one wave per syllable, heights jittered.
    points = [(x0 + w * 0.12, base - h * 0.05)]
    x = points[0][0]
    span = (right - x - w * 0.1) / (syllables * 2)
    for _ in range(syllables * 2):
        x += span * rng.uniform(0.8, 1.2)
        points.append((x, base - h * rng.uniform(0.05, 0.35)))
        points.append((x + span * 0.3, base + h * rng.uniform(0.0, 0.08)))
    strokes.append(points)
    # The swash under it, from right to left, slightly rising.
    y = base + h * rng.uniform(0.14, 0.22)
    strokes.append([(right, y - h * 0.12), (right - w * 0.1, y), (w * 0.5, y + h * 0.04),
                    (left + w * 0.1, y - h * rng.uniform(0.0, 0.06))])
    return strokes


def _catmull_rom(points: list[tuple[float, float]], steps: int) -> list[tuple[float, float]]:
    """A smooth curve through every point (centripetal-free, uniform Catmull-Rom)."""
    padded = [points[0], *points, points[-1]]
    curve: list[tuple[float, float]] = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(steps):
            t = step / steps
            t2, t3 = t * t, t * t * t
            curve.append(tuple(
                0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                       + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3)
                for k in (0, 1)))
    curve.append(points[-1])
    return curve


def _draw_smooth(draw: ImageDraw.ImageDraw, curve: list[tuple[float, float]], pen: int,
                 rng: random.Random) -> None:
    # Pressure: thin at both ends, fuller in the middle, as a pen stroke is.
    count = len(curve)
    for i in range(count - 1):
        pressure = 0.55 + 0.45 * math.sin(math.pi * i / max(1, count - 1))
        width = max(2, round(pen * pressure * rng.uniform(0.95, 1.05)))
        draw.line([curve[i], curve[i + 1]], fill=255, width=width)
        radius = width / 2  # round joints: no notches where segments meet
        x, y = curve[i + 1]
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)


# --- the seal -----------------------------------------------------------------------------


def seal_image_png(agency_name: str) -> bytes:
    """The agency's round red seal (RGBA PNG, transparent, about 36 mm across at 300 dpi).

    Two concentric rings, the agency name in capitals around the band between them, a
    five-pointed star in the centre. The transparency lets the leader's signature show
    through where the seal overlaps it, as ink on paper would.
    """
    size = mm_to_px(SEAL_DIAMETER_MM)
    big = Image.new("L", (size * SUPERSAMPLE, size * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    side = big.size[0]
    centre = side / 2
    outer = side / 2 - side * 0.01
    outer_width = round(side * 0.022)
    inner = outer * 0.68
    ink = 255  # full coverage in the mask
    _ring(draw, centre, outer, outer_width, ink)
    _ring(draw, centre, inner, round(side * 0.008), ink)
    _text_on_ring(big, unicodedata.normalize("NFC", agency_name).upper(), centre,
                  band_outer=outer - outer_width, band_inner=inner, ink=ink)
    _star(draw, centre, inner * 0.42, ink)
    return _png(_inked(big, (size, size), SEAL_RED), dpi=DPI)


def _ring(draw: ImageDraw.ImageDraw, centre: float, radius: float, width: int, ink) -> None:
    draw.ellipse([centre - radius, centre - radius, centre + radius, centre + radius], outline=ink, width=width)


def _text_on_ring(image: Image.Image, text: str, centre: float, *, band_outer: float, band_inner: float,
                  ink) -> None:
    """Letters upright along the band, centred on the top, reading clockwise."""
    band = band_outer - band_inner
    size = round(band * 0.62)
    font = _font(size)
    radius = band_inner + band * 0.5
    # Shrink the letters until the text takes at most 300 degrees of the ring.
    while _text_width(font, text) > radius * math.radians(300) and size > 8:
        size -= 2
        font = _font(size)
    spacing = size * 0.06
    widths = [_text_width(font, ch) + spacing for ch in text]
    total = sum(widths)
    angle = -total / radius / 2  # radians from the top, negative = left of it
    for ch, advance in zip(text, widths, strict=True):
        middle = angle + advance / radius / 2
        angle += advance / radius
        if ch.isspace():
            continue
        _paste_rotated_letter(image, ch, font, centre, radius, middle, ink)


def _paste_rotated_letter(image: Image.Image, ch: str, font, centre: float, radius: float,
                          angle: float, ink) -> None:
    left, top, right, bottom = font.getbbox(ch, anchor="mm")
    pad = 4
    tile = Image.new("L", (int(right - left) + 2 * pad, int(bottom - top) + 2 * pad), 0)
    ImageDraw.Draw(tile).text((tile.width / 2, tile.height / 2), ch, font=font, fill=ink, anchor="mm")
    tile = tile.rotate(-math.degrees(angle), resample=Image.Resampling.BICUBIC, expand=True)
    x = centre + radius * math.sin(angle) - tile.width / 2
    y = centre - radius * math.cos(angle) - tile.height / 2
    box = (round(x), round(y), round(x) + tile.width, round(y) + tile.height)
    image.paste(ImageChops.lighter(image.crop(box), tile), box)


def _star(draw: ImageDraw.ImageDraw, centre: float, radius: float, ink) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382  # the regular pentagram's inner ratio
        a = math.pi * i / 5
        points.append((centre + r * math.sin(a), centre - r * math.cos(a)))
    draw.polygon(points, fill=ink)


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(SEAL_FONT), size)


def _text_width(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text)


def _inked(mask: Image.Image, size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    """One colour everywhere; the downscaled mask says how much of it shows."""
    image = Image.new("RGBA", size, (*colour, 0))
    image.putalpha(mask.resize(size, Image.Resampling.LANCZOS))
    return image


def _png(image: Image.Image, *, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()
