"""The mã định danh văn bản ``<OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>`` (DOMAIN §5.6, EDXML §3).

Received identifiers are opaque strings compared exactly after trimming (real packages carry
impossible dates and UUIDs); ``parse_document_id`` is for identifiers QLVB issues itself and for
the validator's strict mode. Agency code shapes come from EDXML §8 and DOMAIN §10.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from models.registers.numbering import document_identifier

# QCVN 102 form, 13 characters, read right to left: V1V2V3.Z1Z2.Y1Y2.MX1X2 (DOMAIN §10.1).
QCVN102_ORGAN_ID = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
# What real packages carry (three-group forms, QĐ20 codes, hub test codes): any dot-separated
# [0-9A-Z] groups, at most 35 characters (EDXML §8).
ANY_ORGAN_ID = re.compile(r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")
ORGAN_ID_MAX = 35


def is_qcvn102_organ_id(value: str) -> bool:
    """True for the strict 13-character form QLVB uses for its own agencies."""
    return bool(QCVN102_ORGAN_ID.match(value))


def is_plausible_organ_id(value: str) -> bool:
    """True for any agency code shape seen on the hub."""
    return len(value) <= ORGAN_ID_MAX and bool(ANY_ORGAN_ID.match(value))


@dataclass(frozen=True)
class DocumentIdParts:
    organ_id: str
    issued: date
    number: str
    notation: str

    def __str__(self) -> str:
        return make_document_id(self.organ_id, self.issued, self.number, self.notation)


class BadDocumentId(ValueError):
    """The identifier is not ``<organ>,<yyyy/MM/dd>,<số>/<ký hiệu>``; ``reason`` says which part."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def make_document_id(organ_id: str, issued: date, number: str, notation: str) -> str:
    """Build the identifier once, at numbering (the rule lives in ``models.registers.numbering``)."""
    return document_identifier(organ_id, issued, number, notation)


def normalise_document_id(value: str) -> str:
    """The comparison form of a received identifier: trimmed, otherwise untouched (EDXML §3)."""
    return value.strip()


def parse_document_id(value: str, *, strict_organ: bool = False) -> DocumentIdParts:
    """Split an identifier into its parts or raise ``BadDocumentId``.

    ``reason`` is one of ``shape`` (not three comma-separated parts), ``organ_id``, ``date``,
    ``number``. The ký hiệu may be empty (a bare number, as ``so_ky_hieu`` prints it).
    """
    parts = value.strip().split(",", 2)
    if len(parts) != 3:
        raise BadDocumentId("shape")
    organ_id, issued_text, code = (part.strip() for part in parts)
    organ_ok = is_qcvn102_organ_id(organ_id) if strict_organ else is_plausible_organ_id(organ_id)
    if not organ_ok:
        raise BadDocumentId("organ_id")
    try:
        if not re.fullmatch(r"\d{4}/\d{2}/\d{2}", issued_text):
            raise ValueError(issued_text)
        issued = datetime.strptime(issued_text, "%Y/%m/%d").date()
    except ValueError:
        raise BadDocumentId("date") from None
    number, _, notation = code.partition("/")
    if not number or " " in code:
        raise BadDocumentId("number")
    return DocumentIdParts(organ_id, issued, number, notation)
