"""Fuzz target: paper scans (JPEG, PNG, TIFF or PDF) joined into one PDF (``prepare_scan``).

The limits are smaller than the product's so that each input stays quick; the code paths are the
same. The first byte picks whether the input is one file or two halves (files joined in order).
"""

from __future__ import annotations

from models.documents.scans import ScanLimits, prepare_scan
from models.errors import DomainError

LIMITS = ScanLimits(max_pages=8, max_pixels_per_page=2_000_000, min_dpi=200)


def check(data: bytes) -> None:
    """Crash: anything but a ``DomainError`` refusal."""
    if data[:1] == b"\x02" and len(data) > 2:
        middle = len(data) // 2
        files = [("a.png", data[1:middle]), ("b.tif", data[middle:])]
    else:
        files = [("scan", data)]
    try:
        prepare_scan.inline(files, LIMITS)
    except DomainError:
        return
