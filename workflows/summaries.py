"""What the Temporal UI says about a document's workflow, instead of only its UUID.

A start carries a static summary (kind, agency code, state of its number); the workflow updates
its current details once the document has its number. Supervisors and operators read these, so
they hold only the document's kind, codes and numbers: never a person's name, never the trích
yếu (which may name people or matters not for an operator's eyes).

Pure string functions: used by the client-side starter and inside workflow code alike.
"""

from __future__ import annotations

SEPARATOR = " · "
KIND_WORDS = {
    "incoming": "Văn bản đến",
    "outgoing": "Văn bản đi",
    "recall": "Thu hồi văn bản",
}
NOT_REGISTERED = "chưa vào sổ"
NOT_NUMBERED = "dự thảo, chưa cấp số"
HUB_SEND_SUMMARY = "Gửi gói tin lên trục liên thông"


def numbered(number: str, notation: str) -> str:
    """Số and ký hiệu as printed ("125/QĐ-UBND"); mirrors ``models.registers.numbering.so_ky_hieu``,
    which workflow code may not import."""
    number, notation = number.strip(), notation.strip().replace(" ", "")
    return f"{number}/{notation}" if number and notation else number or notation


def start_summary(kind: str, agency_code: str, state: str = "") -> str:
    """The summary a workflow starts with: "Văn bản đến · H42.01 · chưa vào sổ"."""
    parts = [KIND_WORDS.get(kind, kind), agency_code.strip(), state.strip()]
    return SEPARATOR.join(part for part in parts if part)


def incoming_summary(agency_code: str) -> str:
    """An incoming document's workflow at its start: not registered yet."""
    return start_summary("incoming", agency_code, NOT_REGISTERED)


def outgoing_summary(agency_code: str) -> str:
    """An outgoing document's workflow at its start: a draft, with no số yet."""
    return start_summary("outgoing", agency_code, NOT_NUMBERED)


def registered_details(arrival_number: int, year: int, code_number: str = "", code_notation: str = "") -> str:
    """An incoming document once registered: its số đến and the số/ký hiệu the sender gave it."""
    details = f"Đã vào sổ: số đến {arrival_number}/{year}"
    printed = numbered(code_number, code_notation)
    return f"{details}{SEPARATOR}văn bản số {printed}" if printed else details


def issued_details(code_number: str, code_notation: str) -> str:
    """An outgoing document once issued: its số/ký hiệu."""
    printed = numbered(code_number, code_notation)
    return f"Đã ban hành: số {printed}" if printed else "Đã ban hành"
