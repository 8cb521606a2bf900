"""Document types as data (ND30 Điều 7, Phụ lục III Mục I; DOMAIN §4.1).

The 29 administrative types of ND30 are seeded, next to the legal normative types a provincial
government issues (they follow the law on normative acts, not ND30, and each is numbered in a
series of its own, ND30 Điều 15.2) and the three copy forms (one series for all of them).
Administrators may add or deactivate types; nothing in code lists them. The province's
administrator keeps the province-wide list; an agency's administrator turns the province's types
off or on for the agency (``AgencyDocumentType``) and adds types of its own (``agency_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow

# A legal normative type shares its abbreviation with the administrative type of the same name
# ("QĐ"), so registers name its series with this prefix to keep the two apart.
LEGAL_NORMATIVE_KEY_PREFIX = "QPPL:"


class DocumentType(SQLModel, table=True):
    """One kind of document an agency issues, with the abbreviation its ký hiệu starts with."""

    __tablename__ = "document_type"

    id: int | None = Field(default=None, primary_key=True)
    # Phụ lục III abbreviation ("QĐ", "KH"); empty for Công văn (its ký hiệu starts with the
    # agency's abbreviation, DOMAIN §4.3) and Thư công (none listed).
    code: str = Field(default="", max_length=10)
    name: str = Field(max_length=100, unique=True)
    legal_normative: bool = False  # văn bản quy phạm pháp luật: a series per type
    copy_form: bool = False  # bản sao y, trích sao, sao lục: one series for the three
    active: bool = True
    sort_order: int = 0
    # None: the province-wide list. An agency: a type of that agency alone (a specialised
    # document of its sector), offered and numbered there only. Names stay unique across the
    # province, since a document sent between agencies names its type.
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)

    @property
    def series_key(self) -> str:
        """How ``Register.doc_types`` names this type: its abbreviation, prefixed for legal
        normative types (``"QPPL:QĐ"``), so an administrative QĐ series never claims them."""
        return f"{LEGAL_NORMATIVE_KEY_PREFIX}{self.code}" if self.legal_normative else self.code

    @property
    def base_name(self) -> str:
        """The name without its qualifier: "Quyết định (quy phạm pháp luật)" → "Quyết định"."""
        return self.name.split(" (", 1)[0]


class AgencyDocumentType(SQLModel, table=True):
    """An agency's choice about one province-wide type: offered to its drafters or turned off.

    No row means offered. Turning a type off stops new drafts of the agency choosing it; drafts
    already open and documents already numbered keep it.
    """

    __tablename__ = "agency_document_type"

    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    document_type_id: int = Field(foreign_key="document_type.id", primary_key=True)
    offered: bool = True
    changed_by: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
