"""Rules of the organisation tree that need no database: code forms, validity intervals, dates.

Agency codes come in two forms (DOMAIN §10.1): QCVN 102 (``000.00.01.H42``, four dot-separated
levels read right to left, 13 characters) and QĐ 20/2020 (``H42.01``, level 1 first, at most 35
characters). Each is checked in its own field; a code typed in the other form is refused with a
sentence saying which form it is. Validity intervals are closed (``valid_to`` is the last day in
force); ``None`` at either end means open.
"""

from __future__ import annotations

import re
from datetime import date

from models.errors import DomainError
from models.text import refuse_unsafe_text

QCVN102_PATTERN = re.compile(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}")
QD20_PATTERN = re.compile(r"[A-Y][0-9]{2}(\.[0-9]{2,3})*")
QD20_MAX_LENGTH = 35
SCHEMES = ("qcvn102", "qd20")
# What the refusals call each field (they name the field the administrator must correct).
FIELD_NAMES = {"valid_from": "ngày bắt đầu hiệu lực", "valid_to": "ngày hết hiệu lực",
               "effective": "ngày tên mới có hiệu lực", "name": "tên", "abbreviation": "tên viết tắt",
               "place_name": "địa danh", "note": "ghi chú"}


def check_qcvn102(code: str) -> str:
    """The code, stripped, when it has the QCVN 102 form; else ``bad_qcvn102_code``."""
    code = code.strip()
    if QCVN102_PATTERN.fullmatch(code):
        return code
    hint = " Mã này có dạng QĐ 20/2020; hãy nhập vào ô mã theo QĐ 20." if _is_qd20(code) else ""
    raise DomainError("bad_qcvn102_code", agency_code=code[:40], hint=hint)


def check_qd20(code: str) -> str:
    """The code, stripped, when it has the QĐ 20/2020 form; else ``bad_qd20_code``."""
    code = code.strip()
    if _is_qd20(code):
        return code
    hint = " Mã này có dạng QCVN 102; hãy nhập vào ô mã theo QCVN 102." if QCVN102_PATTERN.fullmatch(code) else ""
    raise DomainError("bad_qd20_code", agency_code=code[:40], hint=hint)


def _is_qd20(code: str) -> bool:
    return len(code) <= QD20_MAX_LENGTH and QD20_PATTERN.fullmatch(code) is not None


def check_code(code: str, scheme: str) -> str:
    """Check a code in the form its scheme names (``qcvn102`` or ``qd20``)."""
    if scheme not in SCHEMES:
        raise DomainError("bad_code_scheme")
    return check_qcvn102(code) if scheme == "qcvn102" else check_qd20(code)


def parse_day(text: str | date | None, field: str, *, required: bool = False) -> date | None:
    """An ISO date (``2025-07-01``) or None when empty; ``org_bad_date`` names the field."""
    if isinstance(text, date):
        return text
    text = (text or "").strip()
    if not text:
        if required:
            raise DomainError("org_date_required", field=FIELD_NAMES.get(field, field))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError("org_bad_date", field=FIELD_NAMES.get(field, field), value=text[:20]) from None


def check_period(valid_from: date | None, valid_to: date | None) -> None:
    """Refuse an interval that ends before it starts."""
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise DomainError("org_bad_period", valid_from=f"{valid_from:%d/%m/%Y}", valid_to=f"{valid_to:%d/%m/%Y}")


def overlaps(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    """Whether two closed intervals (None = open end) share a day."""
    return (a_to is None or b_from is None or b_from <= a_to) and (b_to is None or a_from is None or a_from <= b_to)


def in_force(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Whether ``day`` lies in the interval."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def period_text(valid_from: date | None, valid_to: date | None) -> str:
    """``từ 01/07/2025 đến 31/12/2025`` for messages; open ends are left out."""
    parts = ([f"từ {valid_from:%d/%m/%Y}"] if valid_from else []) + ([f"đến {valid_to:%d/%m/%Y}"] if valid_to else [])
    return " ".join(parts) or "không thời hạn"


def clean_name(field: str, value: str, max_length: int, *, required: bool = True) -> str:
    """A one-line name or abbreviation: trimmed, no control characters, within its length."""
    refuse_unsafe_text(multiline=False, **{field: value})
    value = " ".join(value.split())
    if required and not value:
        raise DomainError("org_field_required", field=FIELD_NAMES.get(field, field))
    if len(value) > max_length:
        raise DomainError("org_field_too_long", field=FIELD_NAMES.get(field, field), limit=max_length)
    return value


def describe_open_work(tasks: int, pending_registered: dict[str, int] | None, users: list[str] | None,
                       child_units: list[str] | None, child_agencies: list[str] | None) -> str:
    """What still runs, in Vietnamese, for the refusal to close (``org_open_work``)."""
    parts = []
    if tasks:
        parts.append(f"{tasks} việc đang xử lý chưa xong")
    for name, count in sorted((pending_registered or {}).items()):
        parts.append(f"sổ «{name}» còn {count} văn bản năm nay chưa giải quyết xong")
    if users:
        parts.append(f"{len(users)} tài khoản đang hoạt động ({_first(users)})")
    if child_units:
        parts.append(f"{len(child_units)} đơn vị trực thuộc chưa đóng ({_first(child_units)})")
    if child_agencies:
        parts.append(f"{len(child_agencies)} cơ quan trực thuộc chưa đóng ({_first(child_agencies)})")
    return "; ".join(parts)


def _first(names: list[str], shown: int = 5) -> str:
    more = f" và {len(names) - shown} mục khác" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
