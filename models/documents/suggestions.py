"""Registration suggestions read from the OCR text of a digitised paper document (DOMAIN §6.4).

Pure helpers, no I/O; the step after OCR of digitising (``scans`` joins the scans, and
``models.documents.digitise`` holds the progress row where the suggestions are kept):

* ``suggest_metadata``: registration suggestions (số, ký hiệu, date, issuing agency, type,
  trích yếu, signer, page count) read from the OCR text of an ND30 layout. The văn thư reviews
  them: OCR text is reviewable data, never the record.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# ND30 Điều 7 types that carry a type line (a công văn has none; it has "V/v").
DOCUMENT_TYPES = [
    "Nghị quyết", "Quyết định", "Chỉ thị", "Quy chế", "Quy định", "Thông cáo", "Thông báo",
    "Hướng dẫn", "Chương trình", "Kế hoạch", "Phương án", "Đề án", "Dự án", "Báo cáo", "Biên bản",
    "Tờ trình", "Hợp đồng", "Công điện", "Bản ghi nhớ", "Bản thỏa thuận", "Giấy ủy quyền", "Giấy mời",
    "Giấy giới thiệu", "Giấy nghỉ phép", "Phiếu gửi", "Phiếu chuyển", "Phiếu báo", "Thư công", "Công văn",
]
LOCALITY_WORDS = ("tinh", "thanh pho", "huyen", "quan", "thi xa", "thi tran", "xa", "phuong")
_MOTTO = [("cong hoa xa hoi chu nghia viet nam", True), ("doc lap - tu do - hanh phuc", True),
          ("doc lap-tu do-hanh phuc", True)]
_AUTHORITY_PREFIX = re.compile(r"^(kt|tm|tl|tuq|q|ktl)\s*\.", re.IGNORECASE)
_POSITION_WORDS = ("chu tich", "giam doc", "chanh van phong", "truong", "pho ", "bi thu", "thu truong",
                   "bo truong", "tong cuc truong", "cuc truong", "chanh thanh tra", "hieu truong")


def fold_aligned(text: str) -> str:
    """Fold character by character (lower case, no marks, đ→d), keeping every index aligned."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0].lower()
        out.append("d" if base == "đ" else base if len(base) == 1 else ch)
    return "".join(out)


def suggest_metadata(text: str) -> dict:
    """Suggest intake fields from the OCR text (pages separated by form feeds).

    Keys (only those found): ``code_number``, ``code_notation``, ``issued_date`` (ISO),
    ``organ_name``, ``type_name``, ``subject``, ``signer_position``, ``signer_full_name``,
    ``page_amount``. Field names are those of ``IncomingMetadata``.
    """
    text = unicodedata.normalize("NFC", text or "").translate(_DASHES)
    pages = [p for p in text.split("\f")]
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    result: dict = {}
    if text.strip():
        result["page_amount"] = len(pages)
    first = _clean_lines(pages[0])
    so_index = _find_code(first, result)
    _find_date(first, so_index, result)
    _find_organ(first, so_index, result)
    _find_type_and_subject(first, so_index, result)
    _find_signer(_clean_lines(pages[-1]) if len(pages) > 1 else first, result)
    return result


def _clean_lines(page: str) -> list[str]:
    """Lines with the national motto, underlines and repeated spaces removed (kept, maybe empty)."""
    lines = []
    for raw in page.splitlines():
        line = raw.replace("\u00a0", " ").strip()
        folded = fold_aligned(line)
        for motto, _ in _MOTTO:
            at = folded.find(motto)
            if at >= 0:
                line = (line[:at] + line[at + len(motto):]).strip()
                folded = fold_aligned(line)
        line = re.sub(r"[_—–-]{3,}", " ", line)
        line = re.sub(r"\s+", " ", line).strip()
        lines.append(line)
    return lines


# Hyphens as text layers give them: PDFium's U+FFFE for a hyphen it takes for a line-end one, the
# soft hyphen, the Unicode dashes and minus.
_DASHES = str.maketrans({"\ufffe": "-", "\u00ad": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-",
                         "\u2013": "-", "\u2014": "-", "\u2212": "-"})
# "Số:" as printed and as OCR reads it ("S6:", "Sô", "So", "S0"), then the number, maybe with stray
# spaces ("2 175"), then the slash.
_CODE = re.compile(r"(?:^|(?<=\s))s[o06]\s*[:;.]?\s*(\d+(?: \d+)*)\s*/\s*")
# A bare label: the number is on the next line (only the other column's text may follow it here).
_CODE_ALONE = re.compile(r"(?:^|(?<=\s))s[o06]\s*[:;.]?(?:\s+(?!\d)|$)")
_NUMBER_FIRST = re.compile(r"^(\d+(?: \d+)*)\s*/\s*")
_TOKEN = re.compile(r"\s*([-/])?\s*([0-9A-Za-zĐđ]+)")


def _find_code(lines: list[str], result: dict) -> int | None:
    """The "Số: 12/UBND-VP" line of the header (never a number quoted in the body).

    The label may be OCR-damaged; it starts its line or follows the header's capitals (a row of
    a two-column header table), not a word of running text ("Nghị định số 30/2020/NĐ-CP"). What a
    line break split is joined: a ký hiệu continued on the next line (after its hyphen or slash,
    the other column's text in between), or the whole number under a bare "Số:".
    """
    for index, line in enumerate(lines):
        folded = fold_aligned(line)
        following = lines[index + 1:]
        match = _CODE.search(folded)
        if match is not None and _header_prefix(line[:match.start()]):
            notation = _notation(line[match.end():], following)
            if not notation and following:
                notation = _notation(following[0].strip(), following[1:])
            number_line = line
        else:
            label = _CODE_ALONE.search(folded)
            if label is None or not _header_prefix(line[:label.start()]) or not following:
                continue
            match = _NUMBER_FIRST.match(fold_aligned(following[0].strip()))
            if match is None:
                continue
            number_line = following[0].strip()
            notation = _notation(number_line[match.end():], following[1:])
        if not notation:
            continue
        result["code_number"] = number_line[match.start(1):match.end(1)].replace(" ", "")
        result["code_notation"] = notation
        return index
    return None


def _header_prefix(text: str) -> bool:
    """Whether text before "Số" is header text (nothing, capitals, or the other column's place and
    date when a header row was read right to left), not running text."""
    if not any(character.islower() for character in text):
        return True
    return bool(_PLACE_DATE.search(fold_aligned(text)) and re.search(r"\d{4}\s*$", text))


def _code_like(token: str) -> bool:
    """A ký hiệu part: digits, or more capitals than small letters ("UBND", "QĐ", "TTr", "TTg")."""
    upper = sum(character.isupper() for character in token)
    return token.isdigit() or upper > sum(character.islower() for character in token)


def _notation(text: str, following: list[str]) -> str:
    """The ký hiệu at the start of ``text``: code-like parts joined by "-" or "/", continued on the
    next line when it ends on a hyphen or slash ("QĐ-" / "UBND")."""
    parts: list[str] = []
    position = 0
    dangling = ""
    while True:
        match = _TOKEN.match(text, position)
        if match is None or not _code_like(match.group(2)) or (parts and not match.group(1)):
            rest = text[position:].strip()
            dangling = rest[:1] if rest[:1] in "-/" else ""
            break
        parts.append((match.group(1) or "") + match.group(2))
        position = match.end()
    notation = "".join(parts).lstrip("-/")
    if dangling and following and notation:
        continued = _notation(following[0].strip(), [])
        if continued:
            notation = f"{notation}{dangling}{continued}"
    return notation.upper()


# "ngày 03 tháng 12 năm 2026" and "ngày 03/12/2026"; OCR may read 0 as O, 1 as l or I, m as rn.
_DIGIT = r"[\doli]"
_DATE = re.compile(rf"ngay\s*({_DIGIT}{{1,2}})\s*thang\s*({_DIGIT}{{1,2}})\s*na(?:m|rn)\s*({_DIGIT}{{4}})")
_DATE_NUMERIC = re.compile(rf"ngay\s*({_DIGIT}{{1,2}})\s*[/.-]\s*({_DIGIT}{{1,2}})\s*[/.-]\s*({_DIGIT}{{4}})")
_OCR_DIGITS = str.maketrans({"o": "0", "l": "1", "i": "1"})
_BODY_START = ("can cu", "kinh gui", "thuc hien", "xet de nghi", "theo de nghi")


def _find_date(lines: list[str], so_index: int | None, result: dict) -> None:
    """The date of the place/date line, not one quoted in the body ("Căn cứ … ngày 05 tháng 3 năm 2020").

    Candidates rank by: written after "<Địa danh>," (+2); in the header, before the body's first
    "Căn cứ" / "Kính gửi" or close to the "Số" line (+1); in a line citing another document (-2).
    The earliest of the best wins; a date found only in the body is no suggestion at all.
    """
    body = next((i for i, line in enumerate(lines) if fold_aligned(line).startswith(_BODY_START)), len(lines))
    best: tuple[int, int, str] | None = None
    for index, line in enumerate(lines):
        folded = fold_aligned(line)
        for pattern in (_DATE, _DATE_NUMERIC):
            for match in pattern.finditer(folded):
                day, month, year = (int(group.translate(_OCR_DIGITS)) for group in match.groups())
                try:
                    found = date(year, month, day).isoformat()
                except ValueError:
                    continue
                before = folded[:match.start()]
                rank = 2 if re.search(r"\w\s*,\s*$", before) else 0
                rank += 1 if index < body or (so_index is not None and abs(index - so_index) <= 3) else 0
                rank -= 2 if re.search(r"\bso\s*\d+\s*/", before) or folded.startswith(_BODY_START) else 0
                if best is None or (rank, -index) > (best[0], -best[1]):
                    best = (rank, index, found)
    if best is not None and best[0] >= 1:
        result["issued_date"] = best[2]


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _strip_date_phrase(line: str) -> str:
    folded = fold_aligned(line)
    match = re.search(r"[^,]*,\s*ngay\s*\d", folded)
    return line[:match.start()].strip() if match else line


def _find_organ(lines: list[str], so_index: int | None, result: dict) -> None:
    if so_index is None:
        return
    head = []
    so_line = lines[so_index]
    label = _CODE.search(fold_aligned(so_line)) or _CODE_ALONE.search(fold_aligned(so_line))
    before_so = so_line[:label.start()].strip() if label else ""
    if before_so and _is_upper(before_so):
        head.append(before_so)
    for line in reversed(lines[max(0, so_index - 6):so_index]):
        line = _strip_date_phrase(line)
        if not line:
            continue
        if not _is_upper(line):
            break
        head.insert(0, line)
    if not head:
        return
    # A name wrapped over two lines is one name: a locality line ("TỈNH HÀ NAM"), or a line after
    # one ending on a locality word ("HỘI ĐỒNG NHÂN DÂN TỈNH" / "HÀ NAM") or a connector
    # ("SỞ NÔNG NGHIỆP VÀ" / "MÔI TRƯỜNG").
    joined: list[str] = []
    for line in head:
        previous = fold_aligned(joined[-1]).split() if joined else []
        if joined and (fold_aligned(line).startswith(LOCALITY_WORDS) or previous[-1:] and (
                previous[-1] in _CONNECTORS or previous[-1] in _LOCALITY_ENDS
                or " ".join(previous[-2:]) in _LOCALITY_ENDS)):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    issuer = joined[-1]
    parent = joined[-2] if len(joined) > 1 else ""
    name = _name_case(issuer)
    if parent and fold_aligned(issuer).startswith(_PART_OF_PARENT):
        # "VĂN PHÒNG" under "UBND TỈNH HÀ NAM" is the Văn phòng of that committee.
        whole = _name_case(parent)
        name = f"{name} {whole}"
    elif parent and not _locality(issuer) and _locality(parent):
        locality = _name_case(_locality(parent))
        name = f"{name} {locality[:1].lower()}{locality[1:]}"
    result["organ_name"] = name


_CONNECTORS = ("va", "-", ",", "&")
_LOCALITY_ENDS = ("tinh", "thanh pho", "huyen", "quan", "thi xa", "xa", "phuong", "thi tran")
# Units named by what they are inside their parent, whose whole name the issuer carries.
_PART_OF_PARENT = ("van phong", "thanh tra", "trung tam")


def _locality(line: str) -> str:
    folded = fold_aligned(line)
    best = None
    for word in LOCALITY_WORDS:
        match = re.search(rf"(?:^|\s){word}\s", folded)
        if match and (best is None or match.start() < best):
            best = match.start()
    return line[best:].strip() if best is not None else ""


_ABBREVIATIONS = {"ubnd": "Ủy ban nhân dân", "hdnd": "Hội đồng nhân dân"}


def _name_case(line: str) -> str:
    """``SỞ TÀI CHÍNH`` → ``Sở Tài chính``; ``ỦY BAN NHÂN DÂN TỈNH HÀ NAM`` → ``Ủy ban nhân dân tỉnh Hà Nam``."""
    words = line.split()
    out: list[str] = []
    capital_rest = False
    for index, word in enumerate(words):
        folded = fold_aligned(word)
        if folded in _ABBREVIATIONS:
            out.append(_ABBREVIATIONS[folded] if index else _ABBREVIATIONS[folded])
            continue
        lower = word.lower()
        previous = fold_aligned(" ".join(words[:index])).split()
        after_head = bool(previous) and previous[-1] in ("so", "bo", "cuc", "phong", "ban", "chi") and index == 1
        if capital_rest or index == 0 or after_head:
            out.append(lower[:1].upper() + lower[1:])
        else:
            out.append(lower)
        tail = fold_aligned(" ".join(words[: index + 1]))
        if any(tail.endswith(f" {w}") or tail == w for w in LOCALITY_WORDS) and index + 1 < len(words):
            capital_rest = True
    return " ".join(out)


def _type_of(line: str) -> str | None:
    folded = re.sub(r"[^a-z ]", "", fold_aligned(line)).strip()
    for name in DOCUMENT_TYPES:
        if folded == fold_aligned(name):
            return name
    return None


_PLACE_DATE = re.compile(r"^[^,]*,\s*ngay\s*[\doli]")  # "Hà Nam, ngày 05 …": the header's other column
_SUBJECT_STOP = ("can cu", "kinh gui", "thuc hien", "xet de nghi", "theo de nghi")


def _find_type_and_subject(lines: list[str], so_index: int | None, result: dict) -> None:
    start = (so_index or 0)
    for index in range(start, min(len(lines), start + 12)):
        line = lines[index]
        folded = fold_aligned(line)
        vv = re.search(r"(?:^|\s)v\s*/\s*v\b", folded)
        if vv:
            result.setdefault("type_name", "Công văn")
            subject = [line[vv.start():].strip()]
            subject[0] = "V/v " + re.sub(r"^[Vv]\s*/\s*[Vv]\s*[:.]?\s*", "", subject[0])
            result["subject"] = _collect(subject, lines[index + 1:])
            return
        if _is_upper(line) and (name := _type_of(line)):
            result["type_name"] = name
            body = lines[index + 1:]
            while body and not body[0]:
                body = body[1:]
            if body and not _is_upper(body[0]):
                result["subject"] = _collect([body[0]], body[1:])
            return


def _collect(first: list[str], rest: list[str]) -> str:
    parts = list(first)
    for line in rest[:4]:
        folded = fold_aligned(line)
        if not line or _is_upper(line) or folded.startswith(_SUBJECT_STOP) or _PLACE_DATE.search(folded):
            break
        parts.append(line)
    return re.sub(r"\s+", " ", " ".join(parts)).strip()[:500]


def _is_person_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 5:
        return False
    return all(w[0].isupper() and w[1:].islower() and w.isalpha() for w in words if w)


def _find_signer(lines: list[str], result: dict) -> None:
    authority_at = None
    for index, line in enumerate(lines):
        tail = _upper_tail(line)
        if tail and (_AUTHORITY_PREFIX.match(fold_aligned(tail)) or
                     any(w in fold_aligned(tail) for w in _POSITION_WORDS)):
            authority_at = index
    if authority_at is None:
        return
    positions = []
    for line in lines[max(0, authority_at - 2):authority_at + 1]:
        tail = _upper_tail(line)
        if tail:
            positions.append(tail)
    position = positions[-1] if positions else ""
    position = re.sub(r"^(KT|TM|TL|TUQ|Q)\s*\.\s*", "", position)
    if position:
        result["signer_position"] = _position_case(position)
    for line in lines[authority_at + 1:authority_at + 10]:
        candidate = _name_tail(line)
        if candidate:
            result["signer_full_name"] = candidate
            return


def _upper_tail(line: str) -> str:
    """The trailing run of upper-case words of a line (the right column of the signature block)."""
    words = line.split()
    tail: list[str] = []
    for word in reversed(words):
        letters = [c for c in word if c.isalpha()]
        if letters and all(c.isupper() for c in letters) and re.fullmatch(r"[\w.]+", word):
            tail.insert(0, word)
        else:
            break
    text = " ".join(tail)
    return text if len([c for c in text if c.isalpha()]) >= 4 else ""


def _name_tail(line: str) -> str:
    words = line.split()
    for size in (5, 4, 3, 2):
        if len(words) >= size and _is_person_name(" ".join(words[-size:])):
            return " ".join(words[-size:])
    return ""


def _position_case(text: str) -> str:
    """``PHÓ CHỦ TỊCH`` → ``Phó Chủ tịch``; ``GIÁM ĐỐC`` → ``Giám đốc``."""
    lower = text.lower()
    lower = lower[:1].upper() + lower[1:]
    return re.sub(r"(?<=Phó )chủ tịch", "Chủ tịch", lower)
