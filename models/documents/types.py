"""Document types as data (ND30 Điều 7, Phụ lục III Mục I; DOMAIN §4.1).

The 29 administrative types of ND30 are seeded, next to the legal normative types a provincial
government issues (they follow the law on normative acts, not ND30, and each is numbered in a
series of its own, ND30 Điều 15.2) and the three copy forms (one series for all of them).
Administrators may add or deactivate types; nothing in code lists them.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

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

    @property
    def series_key(self) -> str:
        """How ``Register.doc_types`` names this type: its abbreviation, prefixed for legal
        normative types (``"QPPL:QĐ"``), so an administrative QĐ series never claims them."""
        return f"{LEGAL_NORMATIVE_KEY_PREFIX}{self.code}" if self.legal_normative else self.code

    @property
    def base_name(self) -> str:
        """The name without its qualifier: "Quyết định (quy phạm pháp luật)" → "Quyết định"."""
        return self.name.split(" (", 1)[0]
