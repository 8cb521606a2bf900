"""Fuzz target: a package from the exchange hub, read as the receiving activity reads it: parse and
validate (``validate.check``, which never raises for bad input), then the envelope signature."""

from __future__ import annotations

from datetime import date

from models.exchange.edxml.envelope_signature import verify
from models.exchange.edxml.validate import check as check_package

TODAY = date(2026, 12, 4)


def check(data: bytes) -> None:
    """Crash: any exception (a refusal is an error in the report, not an exception)."""
    report = check_package(data, today=TODAY)
    if report.package is not None:
        verify(data)
