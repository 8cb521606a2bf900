"""The outgoing draft (văn bản đi) as a drafter fills it, and the ND30 wording built from it.

Pure data and string helpers: no database, no rendering. ``models.outgoing.render`` lays the
result out on the page; ``models.outgoing.format_checks`` checks it.

Lines follow ND30 PL I Phần I: số zero-padded below 10 (II.3), day below 10 and months 1–2
zero-padded in the date (II.4.b), "Nơi nhận" ending with "- Lưu: VT, <unit>." (II.9.d).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from models.registers.numbering import format_number, so_ky_hieu
from models.vocab import Urgency

CONG_VAN = "Công văn"

# Stamp text of box 10b; "thuong" has no stamp.
URGENCY_STAMPS: dict[str, str] = {
    Urgency.URGENT: "KHẨN",
    Urgency.VERY_URGENT: "THƯỢNG KHẨN",
    Urgency.FLASH: "HỎA TỐC",
}


@dataclass
class DraftContent:
    """What the drafter enters for one outgoing document (boxes of ND30 PL I in comments)."""

    agency_name: str  # box 2, e.g. "SỞ NỘI VỤ"
    type_name: str  # box 5a, e.g. "Quyết định", "Công văn"
    notation: str  # ký hiệu (box 3), e.g. "QĐ-UBND", "UBND-VP"
    place_name: str  # địa danh (box 4) in force on the issue date (``name_on``), e.g. "Ninh Bình"
    subject: str  # trích yếu (box 5a/5b)
    body: str  # box 6: plain text, paragraphs separated by blank lines
    signer_position: str  # box 7b, e.g. "PHÓ CHỦ TỊCH"
    signer_full_name: str  # box 7c
    parent_agency_name: str = ""  # box 2, above the agency, e.g. "UBND TỈNH NINH BÌNH"
    type_abbr: str = ""  # e.g. "QĐ"; empty for Công văn
    signer_competence: str = ""  # box 7a, e.g. "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"
    kinh_gui: list[str] = field(default_factory=list)  # box 9a (công văn)
    noi_nhan: list[str] = field(default_factory=list)  # box 9b, recipients without the "Lưu" line
    storage_unit_abbr: str = ""  # drafting unit in "Lưu: VT, <abbr>."
    storage_copies: int | None = None  # file copies in "Lưu: VT, <abbr>, <n>."
    urgency: str = Urgency.NORMAL  # "thuong" | "khan" | "thuong_khan" | "hoa_toc"
    drafter_initials: str = ""  # box 12
    copies: int | None = None  # box 12: number of copies issued

    @property
    def is_cong_van(self) -> bool:
        """Công văn has no type heading: the subject goes under the number as "V/v …" (box 5b)."""
        return self.type_name.strip().casefold() == CONG_VAN.casefold()

    @property
    def urgency_stamp(self) -> str:
        """The red stamp text of box 10b, or "" for an ordinary document."""
        return URGENCY_STAMPS.get(self.urgency, "")

    @property
    def paragraphs(self) -> list[str]:
        """Body paragraphs: blank lines separate them; single line breaks are kept inside one."""
        blocks = self.body.replace("\r\n", "\n").split("\n\n")
        return [block.strip() for block in blocks if block.strip()]


def number_line(number: int | str | None, notation: str) -> str:
    """The "Số:" line; without a number (not yet issued) it is "Số:" plus the blank to fill."""
    if number is None or number == "":
        return "Số:"
    text = format_number(number) if isinstance(number, int) else str(number)
    return f"Số: {so_ky_hieu(text, notation)}"


def date_text(day: date) -> str:
    """The date part of box 4: "ngày 05 tháng 01 năm 2026" (day < 10 and months 1–2 padded)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date_line(place_name: str, day: date) -> str:
    """The whole box 4: "Ninh Bình, ngày 05 tháng 01 năm 2026"."""
    return f"{place_name.strip()}, {date_text(day)}"


# What drafters type before a công văn's subject themselves: "V/v", "v/v.", "Về việc", "ve viec:".
_ABOUT_PREFIX = re.compile(r"^\s*(?:v\s*/\s*v|về\s+việc|ve\s+viec)\s*[.:\-–]?\s*", re.IGNORECASE)


def subject_line(content: DraftContent) -> str:
    """Box 5b for a công văn ("V/v …", whatever prefix the drafter typed); the bare trích yếu otherwise."""
    subject = unicodedata.normalize("NFC", content.subject).strip()
    if not content.is_cong_van:
        return subject
    return f"V/v {_ABOUT_PREFIX.sub('', subject, count=1)}"


def storage_line(unit_abbr: str, copies: int | None = None) -> str:
    """ "- Lưu: VT, TCCB." or "- Lưu: VT, TCCB, 02." (II.9.d)."""
    parts = ["VT"]
    if unit_abbr.strip():
        parts.append(unit_abbr.strip())
    if copies:
        parts.append(f"{copies:02d}")
    return f"- Lưu: {', '.join(parts)}."


def noi_nhan_lines(content: DraftContent) -> list[str]:
    """Box 9b lines: "- <recipient>;" each, then the "Lưu" line (kept if the drafter typed it)."""
    recipients = [r.strip().lstrip("-").strip().rstrip(";.").strip() for r in content.noi_nhan]
    recipients = [r for r in recipients if r]
    if recipients and recipients[-1].startswith("Lưu:"):
        return [f"- {r};" for r in recipients[:-1]] + [f"- {recipients[-1]}."]
    return [f"- {r};" for r in recipients] + [storage_line(content.storage_unit_abbr, content.storage_copies)]


def kinh_gui_lines(recipients: list[str]) -> list[str]:
    """Box 9a: one recipient on the "Kính gửi:" line itself; several as "- A;" … "- B." lines."""
    names = [r.strip().lstrip("-").strip().rstrip(";.").strip() for r in recipients]
    names = [n for n in names if n]
    if len(names) <= 1:
        return [f"{n}." for n in names]
    return [f"- {n};" for n in names[:-1]] + [f"- {names[-1]}."]


def drafter_mark(content: DraftContent) -> str:
    """Box 12: drafter's initials and copies issued, e.g. "NVA.05"."""
    initials = content.drafter_initials.strip()
    if content.copies:
        return f"{initials}.{content.copies:02d}" if initials else f"{content.copies:02d}"
    return initials
