"""Closed vocabularies of the domain, as string enums stored by value.

Vietnamese labels for these live in ``web/labels.py``; officials never see the values. ``Role`` and
``Action`` live in ``workflows/vocabulary.py`` so workflow code can use them too.
"""

from __future__ import annotations

from enum import StrEnum

# Defined where workflow code can import them; the same objects, re-exported for the domain.
from workflows.vocabulary import Action, Role  # noqa: F401


class AgencyKind(StrEnum):
    """Position of an agency in the state apparatus; drives letterheads and the tree view."""

    PROVINCE = "ubnd_tinh"
    PROVINCE_OFFICE = "van_phong"
    DEPARTMENT = "so_nganh"
    DISTRICT = "ubnd_huyen"
    COMMUNE = "ubnd_xa"
    CENTRAL = "trung_uong"


class Direction(StrEnum):
    """Whether a document came in (văn bản đến) or goes out (văn bản đi)."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


class DocumentSource(StrEnum):
    """How an incoming document reached the agency (issue 3, Intake)."""

    UPLOAD = "upload"
    INTERNAL = "internal"
    HUB = "hub"
    PAPER = "paper"


class DocumentStatus(StrEnum):
    """Lifecycle status of a document; transitions are in ``models/lifecycle.py``."""

    NEW = "new"
    REGISTERED = "registered"
    DIRECTED = "directed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FILED_FOR_REFERENCE = "for_reference"
    RETURNED = "returned"
    RECALLED = "recalled"
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    SIGNED = "signed"
    ISSUED = "issued"


class Urgency(StrEnum):
    """Mức độ khẩn (ND30 PL I Phần I III.2.b), ordered by ``URGENCY_RANK``."""

    NORMAL = "thuong"
    URGENT = "khan"
    VERY_URGENT = "thuong_khan"
    FLASH = "hoa_toc"


URGENCY_RANK: dict[Urgency, int] = {
    Urgency.NORMAL: 0,
    Urgency.URGENT: 1,
    Urgency.VERY_URGENT: 2,
    Urgency.FLASH: 3,
}


class Secrecy(StrEnum):
    """Độ mật. Anything but NONE is refused: state secrets never enter the system (QĐ44 Điều 1.2)."""

    NONE = "khong"
    CONFIDENTIAL = "mat"
    SECRET = "toi_mat"
    TOP_SECRET = "tuyet_mat"


class RegisterKind(StrEnum):
    """What a register (sổ) numbers."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    COPY = "copy"


class EntryStatus(StrEnum):
    """A number once allocated is never re-used; one that cannot be used is voided with a reason."""

    ALLOCATED = "allocated"
    VOID = "void"


class TaskStatus(StrEnum):
    """Task row states (TEMPORAL-PATTERNS §4)."""

    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETING = "completing"
    DONE = "done"
    CANCELLED = "cancelled"


class AssignmentRole(StrEnum):
    """Role of a participant in handling an incoming document (Phiếu giải quyết, PL IV Mục VII)."""

    LEAD = "chu_tri"
    COOPERATE = "phoi_hop"
    INFORM = "de_biet"


class DefinitionStatus(StrEnum):
    """A published process definition is immutable; redeploying publishes version n+1."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class SessionKind(StrEnum):
    """A browser session (cookie) or an API bearer token; both revocable by their owner."""

    WEB = "web"
    API = "api"
