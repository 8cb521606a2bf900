"""Pure rules of a delegation: its forms, its period, its scope, and the signature block it prints.

ND30 Điều 13 and PL I Phần I II.7.b (DOMAIN §4.4): the prefix and the head's title are printed in
capitals above the signer's own title, e.g. "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / the deputy's name.
A "Q." (quyền) signer is the acting head: the title line itself reads "Q. CHỦ TỊCH".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from models.errors import DomainError

SIGN = "ky"
DIRECT = "chi_dao"
KINDS = {SIGN: "Ký văn bản", DIRECT: "Chỉ đạo, giao xử lý văn bản đến"}

FORMS = {
    "KT.": "Ký thay (KT.)",
    "TL.": "Thừa lệnh (TL.)",
    "TUQ.": "Thừa ủy quyền (TUQ.)",
    "Q.": "Quyền (Q.)",
}

# How long one delegation may run: a TUQ. is written and time-limited; none is open-ended.
MAX_DAYS = 366

STATE_LABELS = {"future": "Chưa hiệu lực", "in_force": "Đang hiệu lực", "expired": "Đã hết hạn",
                "revoked": "Đã thu hồi"}


def check_terms(kind: str, form: str, starts_on: date | None, ends_on: date | None) -> None:
    """A known kind and ND30 form, and a period with start ≤ end of at most ``MAX_DAYS``."""
    if kind not in KINDS:
        raise DomainError("delegation_bad_kind")
    if form not in FORMS:
        raise DomainError("delegation_bad_form")
    if starts_on is None or ends_on is None:
        raise DomainError("delegation_bad_period")
    if ends_on < starts_on:
        raise DomainError("delegation_bad_period")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise DomainError("delegation_too_long", days=MAX_DAYS)


def periods_overlap(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Closed intervals [a_start, a_end] and [b_start, b_end] share at least one day."""
    return a_start <= b_end and b_start <= a_end


def scopes_overlap(a: Iterable[int], b: Iterable[int]) -> bool:
    """Two scope lists share something; an empty list means "all", which meets everything."""
    a_set, b_set = set(a), set(b)
    return not a_set or not b_set or bool(a_set & b_set)


def covers(doc_type_ids: Iterable[int], unit_ids: Iterable[int], doc_type_id: int | None,
           unit_id: int | None) -> bool:
    """Whether a scope covers a document of this type from (or routed to) this unit."""
    types, units = set(doc_type_ids), set(unit_ids)
    return (not types or doc_type_id in types) and (not units or unit_id in units)


def state(starts_on: date, ends_on: date, revoked: bool, today: date) -> str:
    """future | in_force | expired | revoked: read from the dates at each use."""
    if revoked:
        return "revoked"
    if today < starts_on:
        return "future"
    if today > ends_on:
        return "expired"
    return "in_force"


@dataclass(frozen=True)
class SignatureBlock:
    """Boxes 7a, 7b and 7c of ND30 PL I: authority line, title line, full name."""

    competence: str
    position: str
    full_name: str


def signature_block(form: str, head_title: str, deputy_title: str, deputy_name: str) -> SignatureBlock:
    """The signature block a deputy prints when signing under ``form`` for the head titled ``head_title``."""
    head = head_title.strip().upper()
    if form == "Q.":
        return SignatureBlock("", f"Q. {head}", deputy_name)
    return SignatureBlock(f"{form} {head}", deputy_title.strip().upper(), deputy_name)
