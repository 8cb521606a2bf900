"""Charts drawn on the server as SVG: readable without JavaScript, printable, nothing to vendor.

Each function takes plain numbers (the pages adapt their figures to ``TrendPoint`` and ``ShareBar``)
and returns SVG markup that Jinja inserts as is (``Markup``: every text in it is escaped here).
Each chart carries a ``<title>`` and a ``<desc>`` that say in Vietnamese what it shows, and every
bar is labelled with its number, so a screen reader or a black-and-white print loses nothing.
Colours are presentation attributes, not ``style``, which the Content-Security-Policy forbids. The
``viewBox`` scales a chart to the width of its column, a phone's included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from markupsafe import Markup, escape

# Series colours with enough contrast on white, told apart by their legend too (never by colour alone).
SERIES_COLOURS = ("#1f5fa8", "#2e7d32", "#b35c00", "#6a3d9a")
ON_TIME_COLOUR, LATE_COLOUR, TRACK_COLOUR = "#2e7d32", "#c62828", "#e6e6e6"
_ids = count(1)


@dataclass(frozen=True)
class TrendPoint:
    """One period of a trend (a month): its label and a value per series."""

    label: str
    values: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ShareBar:
    """One row of an on-time chart: on time among those finished, and where its figures are."""

    label: str
    on_time: int
    finished: int
    href: str | None = None

    @property
    def share(self) -> float | None:
        return self.on_time / self.finished if self.finished else None


def percent(share: float | None) -> str:
    """0.875 → "87,5%" (Vietnamese decimal comma); None → "—" (nothing finished)."""
    if share is None:
        return "—"
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # 12.345: the Vietnamese thousands separator


TITLE_HEIGHT = 24  # the visible title line at the top of every chart


def _open(title: str, description: str, width: int, height: int) -> tuple[str, list[str]]:
    """The chart's opening: its accessible name and description, and its title shown on top."""
    chart_id = f"chart-{next(_ids)}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" '
            f'viewBox="0 0 {width} {height + TITLE_HEIGHT}" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
            f'<text x="0" y="15" font-size="13" font-weight="bold" aria-hidden="true">{escape(title)}</text>'
            f'<g transform="translate(0 {TITLE_HEIGHT})">')
    return chart_id, [head]


def trend_chart(points: Sequence[TrendPoint], series: dict[str, str], *, title: str) -> Markup:
    """Grouped vertical bars, one group per point (month), one bar per series.

    ``series`` maps each value's key to its Vietnamese name, in the order drawn and in the legend.
    """
    keys = list(series)
    top = max([p.values.get(k, 0) for p in points for k in keys] + [1])
    description = "; ".join(
        f"{p.label}: " + ", ".join(f"{series[k]} {_number(p.values.get(k, 0))}" for k in keys) for p in points)
    group, bar, gap, plot_height, base, left = max(14 * len(keys) + 10, 30), 12, 10, 160, 190, 8
    width = left + len(points) * (group + gap) + 8
    _, parts = _open(title, description or "Chưa có số liệu.", max(width, 240), base + 50)
    for index, point in enumerate(points):
        x0 = left + index * (group + gap)
        for position, key in enumerate(keys):
            value = point.values.get(key, 0)
            height = round(plot_height * value / top)
            x, y = x0 + 5 + position * 14, base - height
            parts.append(f'<rect x="{x}" y="{y}" width="{bar}" height="{height}" '
                         f'fill="{SERIES_COLOURS[position % len(SERIES_COLOURS)]}">'
                         f'<title>{escape(point.label)} · {escape(series[key])}: {_number(value)}</title></rect>')
            if value:  # zeros are in the description; written on every empty month they only clutter
                parts.append(f'<text x="{x + bar / 2}" y="{y - 3}" font-size="9" text-anchor="middle">'
                             f'{_number(value)}</text>')
        parts.append(f'<text x="{x0 + group / 2}" y="{base + 15}" font-size="11" text-anchor="middle">'
                     f'{escape(point.label)}</text>')
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="#555" stroke-width="1"/>')
    x = left
    for position, key in enumerate(keys):  # the legend, under the axis
        colour = SERIES_COLOURS[position % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="{base + 26}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{base + 35}" font-size="11">{escape(series[key])}</text>')
        x += 22 + 7 * len(series[key])
    parts.append("</g></svg>")
    return Markup("".join(parts))


def share_chart(bars: Sequence[ShareBar], *, title: str) -> Markup:
    """Horizontal bars of the on-time share, one per agency or unit, the label above its bar.

    The label sits on its own line so long agency names fit a phone; a row with a ``href`` links
    to its figures. Rows with nothing finished show "chưa có văn bản hoàn thành" instead of a bar.
    """
    row, width, track = 34, 360, 250
    lines = [f"{bar.label}: {percent(bar.share)} đúng hạn ({_number(bar.on_time)}/{_number(bar.finished)})"
             for bar in bars]
    _, parts = _open(title, "; ".join(lines) or "Chưa có số liệu.", width, max(row * len(bars), row) + 4)
    for index, bar in enumerate(bars):
        y = index * row
        label = f'<text x="0" y="{y + 11}" font-size="11">{escape(bar.label)}</text>'
        parts.append(f'<a href="{escape(bar.href)}">{label}</a>' if bar.href else label)
        if bar.share is None:
            parts.append(f'<text x="0" y="{y + 27}" font-size="10" fill="#555">chưa có văn bản hoàn thành</text>')
            continue
        filled = round(track * bar.share)
        parts.append(f'<rect x="0" y="{y + 16}" width="{track}" height="12" fill="{TRACK_COLOUR}"/>')
        parts.append(f'<rect x="0" y="{y + 16}" width="{filled}" height="12" fill="{ON_TIME_COLOUR}">'
                     f'<title>{escape(lines[index])}</title></rect>')
        parts.append(f'<rect x="{filled}" y="{y + 16}" width="{track - filled}" height="12" fill="{LATE_COLOUR}" '
                     f'fill-opacity="0.35"/>')
        parts.append(f'<text x="{track + 6}" y="{y + 26}" font-size="10">{percent(bar.share)} '
                     f'({_number(bar.on_time)}/{_number(bar.finished)})</text>')
    parts.append("</g></svg>")
    return Markup("".join(parts))

