"""Pure numbering rules: số, ký hiệu, the register year and the document identifier.

Sources: ND30 Điều 15 and 22.2, PL I Phần I II.3 (number zero-padded below 10; no spaces in
"số/ký hiệu"), DOMAIN §5.6 (DocumentId).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_date(instant: datetime) -> date:
    """The calendar day of an instant in Vietnam (dates on documents and in registers)."""
    return instant.astimezone(VIETNAM).date()


def register_year(instant: datetime) -> int:
    """Return the register year of an instant: its calendar year in Vietnam time.

    A document received at 23:30 UTC on 31 December belongs to the next year's register,
    because it is already 1 January in Hà Nội.
    """
    if instant.tzinfo is None:
        raise ValueError("aware datetime required")
    return instant.astimezone(VIETNAM).year


def format_number(number: int) -> str:
    """Print a số as ND30 does: two digits at least ("05", "12", "125")."""
    if number < 1:
        raise ValueError("numbers start at 1")
    return f"{number:02d}"


def so_ky_hieu(number: str, notation: str) -> str:
    """Join số and ký hiệu as printed ("125/QĐ-UBND"); a bare number when there is no notation."""
    number, notation = number.strip(), notation.strip().replace(" ", "")
    return f"{number}/{notation}" if notation else number


def notation_for_successor(notation: str, old_abbreviation: str, new_abbreviation: str,
                           units: dict[str, str | None]) -> str:
    """The ký hiệu a predecessor's draft is issued under once its successor took it over (DOMAIN §10.3.4).

    ND30 PL I Phần I II.3: the ký hiệu names the issuing agency by its abbreviation ("QĐ-SNV"), a công
    văn also the drafting unit after it ("SNV-TCBM"). The predecessor's abbreviation becomes the
    successor's, and a unit right after it the successor unit ``units`` maps it to (left out when it maps
    to none). A ký hiệu that does not name the predecessor is kept as written. Issued documents keep
    theirs for ever: only drafts are passed here.
    """
    groups = notation.split("-")
    if old_abbreviation not in groups:
        return notation
    at = groups.index(old_abbreviation)
    groups[at] = new_abbreviation
    if at + 1 < len(groups) and groups[at + 1] in units:
        mapped = units[groups[at + 1]]
        groups[at + 1:at + 2] = [mapped] if mapped else []
    return "-".join(groups)


def document_identifier(organ_id: str, issued: date, number: str, notation: str) -> str:
    """Build the mã định danh văn bản ``<organ>,<yyyy/MM/dd>,<số>/<ký hiệu>``."""
    return f"{organ_id},{issued:%Y/%m/%d},{so_ky_hieu(number, notation)}"


def qd20_from_qcvn102(code: str) -> str:
    """Derive the QĐ 20/2020 form of a QCVN 102 code, for demo data only.

    QCVN 102 reads right to left (``V.Z.Y.M``, unused levels zero-filled); QĐ 20 reads left to
    right from level 1 (DOMAIN §10.1), so ``000.01.20.H23`` becomes ``H23.20.01``. Dropping the
    zero-filled levels is our reading [INFERRED]; the hub's agency directory gives the real pair.
    """
    level4, level3, level2, level1 = code.split(".")
    groups = [level1]
    for group in (level2, level3, level4):
        if int(group) == 0:
            break
        groups.append(group)
    return ".".join(groups)
