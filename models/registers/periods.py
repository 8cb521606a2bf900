"""Which printed register to make and for which days: report kinds and periods (ND30 Phụ lục IV).

The parameters of a register report, read and checked before any data is assembled (the data is
``books``): ``parse_kind`` / ``report_kind_for`` (the kind a request names, and the one a register
prints), ``parse_period`` (a period inside one register year) and ``require_incoming``. Pure
rules, no SQL; refusals are ``DomainError``s with ``report_*`` codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from models.errors import DomainError
from models.registers.numbering import VIETNAM
from models.registers.tables import Register
from models.vocab import RegisterKind


class ReportKind(StrEnum):
    """Which register to print."""

    REGISTER = "register"  # Sổ đăng ký văn bản đến (PL IV Mục VI)
    FOLLOWUP = "followup"  # Sổ theo dõi giải quyết văn bản đến (PL IV Mục VIII)
    OUTGOING = "outgoing"  # Sổ đăng ký văn bản đi (PL IV Mục I), of an outgoing series


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end`` inclusive, in Vietnam time, inside one register year."""

    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The period as a half-open interval of UTC instants [start 00:00, day after end 00:00)."""
        lower = datetime.combine(self.start, time(), VIETNAM).astimezone(UTC)
        upper = datetime.combine(self.end + timedelta(days=1), time(), VIETNAM).astimezone(UTC)
        return lower, upper


# Kinds a request may name; the outgoing register follows from the register itself.
REQUESTED_KINDS = (ReportKind.REGISTER, ReportKind.FOLLOWUP)


def parse_kind(raw: str | None) -> ReportKind:
    """The report kind of a request; ``report_kind_unknown`` for anything else."""
    raw = raw or ReportKind.REGISTER
    if raw not in REQUESTED_KINDS:
        raise DomainError("report_kind_unknown")
    return ReportKind(raw)


def report_kind_for(register: Register, raw: str | None) -> ReportKind:
    """The report a register prints: an outgoing series its Sổ đăng ký văn bản đi (the default
    ``register`` kind), an incoming register the kind asked for.

    Refused: an unknown kind (``report_kind_unknown``), the follow-up register of an outgoing
    series (``report_kind_mismatch``), a copy register (``report_register_not_incoming``).
    """
    kind = parse_kind(raw)
    if register.kind == RegisterKind.OUTGOING:
        if kind == ReportKind.FOLLOWUP:
            raise DomainError("report_kind_mismatch")
        return ReportKind.OUTGOING
    require_incoming(register)
    return kind


def parse_period(raw_start: str | None, raw_end: str | None, today: date) -> Period:
    """Read a period from ``YYYY-MM-DD`` strings; empty values default inside one year.

    1. Missing both: the current register year, 1 January to today.
    2. Missing one end: the other end's year bounds it (1 January, or 31 December; today when
       that is earlier and in the same year).
    3. Refused: a malformed date (``report_date_invalid``), an end before the start
       (``report_period_reversed``), two different years (``report_period_crosses_year``),
       because số đến restarts every 1 January (ND30 Điều 22.2) and each year is its own book.
    """
    start = _parse_day(raw_start)
    end = _parse_day(raw_end)
    if start is None and end is None:
        start, end = date(today.year, 1, 1), today
    elif start is None:
        start = date(end.year, 1, 1)
    elif end is None:
        end = date(start.year, 12, 31)
        if start <= today < end:
            end = today
    if end < start:
        raise DomainError("report_period_reversed")
    if end.year != start.year:
        raise DomainError("report_period_crosses_year")
    return Period(start, end)


def _parse_day(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError("report_date_invalid") from None


def require_incoming(register: Register) -> None:
    """Only incoming registers print as these reports (the outgoing register is PL IV Mục I)."""
    if register.kind != RegisterKind.INCOMING:
        raise DomainError("report_register_not_incoming")
