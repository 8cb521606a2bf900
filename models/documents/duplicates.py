"""Probable duplicates of an incoming document (ND30 Phụ lục VI Mục III.1.h): the comparison rule.

Pure rules, no I/O. Every part of the comparison key (issuing agency, số/ký hiệu, date, trích
yếu) goes through ``comparison_key``, which folds with ``models.text.fold`` (NFC, case-folded
in Python, no tones or vowel marks, đ→d) and collapses spaces and punctuation. So "ỦY BAN NHÂN
DÂN" and "Ủy ban nhân dân" typed as decomposed Unicode, or "Số 12/UBND-VP" and "12/ubnd-vp",
give the same key on SQLite and on PostgreSQL alike: no database ``lower()`` or ``unaccent`` is
involved. The folded số/ký hiệu is stored (``document.duplicate_code``, indexed) so the
candidates are found by equality; the rest of the rule runs in Python on those few candidates.

Two incoming documents of one agency are probable duplicates when they have the same
DocumentId (mã định danh văn bản), or the same folded số/ký hiệu and issuing agency and either
the same date or, in the same year, the same trích yếu (a date mistyped by one of them).
Numbers restart every year, so the same số from the same agency in another year and with
another subject is another document. A warning, never a refusal: the văn thư may receive a
corrected re-issue, and decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from models.text import fold

DUPLICATE_CODE_LENGTH = 80  # the column's length; a longer key is cut the same way on both sides

_WORD = re.compile(r"[^\W_]+")
# Words printed before the number itself ("Số: 12", "Số 12", "No. 12").
_NUMBER_LABELS = {"so", "no"}
# A công văn's subject begins with "V/v" or "Về việc"; whether the typist kept it is no difference.
_ABOUT = (["v", "v"], ["ve", "viec"])
# Agency names written out or abbreviated, as in the ND30 header ("UBND TỈNH …").
_ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "tp": "thanh pho"}


@dataclass(frozen=True)
class DuplicateKey:
    """The folded parts an incoming document is compared by."""

    code: str  # "12/ubnd-vp"
    issuer: str  # "uy ban nhan dan tinh ninh binh"
    issued_date: date | None
    subject: str  # "trien khai ke hoach chuyen doi so"
    document_identifier: str = ""  # mã định danh văn bản, as stored


def folded_words(text: str) -> list[str]:
    """The folded words of ``text``: letters and digits only, every other character separates."""
    return _WORD.findall(fold(text or ""))


def code_key(code_number: str, code_notation: str) -> str:
    """The folded số/ký hiệu: ``"Số 012 / UBND – VP"`` and ``"12/ubnd-vp"`` both give ``"12/ubnd-vp"``.

    A "Số" label typed into the number is dropped, leading zeros of the number too; spaces and
    punctuation inside the ký hiệu collapse to one hyphen, the number is separated by a slash.
    """
    number = folded_words(code_number)
    notation = folded_words(code_notation)
    if len(number) > 1 and number[0] in _NUMBER_LABELS:
        number = number[1:]
    elif not number and len(notation) > 1 and notation[0] in _NUMBER_LABELS:
        notation = notation[1:]
    if not number and notation and notation[0].isdigit():  # "12/UBND-VP" typed whole in the ký hiệu
        number, notation = notation[:1], notation[1:]
    elif len(number) > 1 and number[0].isdigit():  # "12/UBND-VP" typed whole in the number
        number, notation = number[:1], number[1:] + notation
    number = [(word.lstrip("0") or "0") if word.isdigit() else word for word in number]
    key = "/".join(part for part in ("-".join(number), "-".join(notation)) if part)
    return key[:DUPLICATE_CODE_LENGTH]


def issuer_key(organ_name: str) -> str:
    """The folded issuing agency, abbreviations written out (``UBND tỉnh`` = ``Ủy ban nhân dân tỉnh``)."""
    return " ".join(_ABBREVIATIONS.get(word, word) for word in folded_words(organ_name))


def subject_key(subject: str) -> str:
    """The folded trích yếu without a leading "V/v" or "Về việc"."""
    words = folded_words(subject)
    for prefix in _ABOUT:
        if words[:len(prefix)] == prefix:
            words = words[len(prefix):]
            break
    return " ".join(words)


def comparison_key(*, code_number: str, code_notation: str, organ_name: str, issued_date: date | None,
                   subject: str, document_identifier: str | None = None) -> DuplicateKey:
    """The key of one document (a stored row or metadata being typed), every part folded alike."""
    return DuplicateKey(code=code_key(code_number, code_notation), issuer=issuer_key(organ_name),
                        issued_date=issued_date, subject=subject_key(subject),
                        document_identifier=(document_identifier or "").strip())


def key_of(document) -> DuplicateKey:
    """The key of a ``Document`` row (or anything with its metadata fields)."""
    return comparison_key(code_number=document.code_number or "", code_notation=document.code_notation or "",
                          organ_name=document.organ_name or "", issued_date=document.issued_date,
                          subject=document.subject or "", document_identifier=document.external_document_id)


def is_probable_duplicate(new: DuplicateKey, earlier: DuplicateKey) -> bool:
    """Whether two keys most likely describe the same document (the rule of the module docstring)."""
    if new.document_identifier and new.document_identifier == earlier.document_identifier:
        return True
    if not new.code or new.code != earlier.code or new.issuer != earlier.issuer:
        return False
    if new.issued_date is None or earlier.issued_date is None:
        return new.subject == earlier.subject
    if new.issued_date == earlier.issued_date:
        return True
    return new.issued_date.year == earlier.issued_date.year and bool(new.subject) and new.subject == earlier.subject
