"""Hồ sơ (records), the yearly Danh mục hồ sơ, and the documents filed in hồ sơ.

ND30 Điều 28–31, Phụ lục V, Phụ lục VI III.4–III.6; DOMAIN §2.5–2.8, §3.3, §9.

The Danh mục hồ sơ of an agency for a year (``RecordPlan``) has headings (``RecordPlanHeading``:
Roman numerals at the top, Arabic below) and entries (``RecordPlanEntry``), each a hồ sơ the
agency plans to open. A plan is drafted, approved by the head of the agency through a durable
workflow, then issued; a later addition is an entry in ``proposed`` state until the same approval.

A hồ sơ (``RecordFile``) is a durable workflow ``hoso-<uuid>`` from opening to archive. Documents
are filed into it without copying (``RecordItem``, many-to-many with ``document``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class PlanStatus(StrEnum):
    """Where a Danh mục hồ sơ stands (drafted, waiting for the head of the agency, issued)."""

    DRAFT = "du_thao"
    PENDING = "cho_duyet"
    ISSUED = "ban_hanh"


class EntryStatus(StrEnum):
    """An entry of the Danh mục: in the draft, proposed as a later addition, or approved."""

    DRAFT = "du_thao"
    PROPOSED = "de_xuat"
    APPROVED = "da_duyet"


class PlanNumbering(StrEnum):
    """How hồ sơ numbers run: through the whole list, or from 01 within each top heading."""

    THROUGH = "lien_tuc"
    PER_HEADING = "theo_de_muc"


class RecordStatus(StrEnum):
    """The life of a hồ sơ (ND30 Điều 29–31)."""

    OPEN = "dang_lap"          # collecting documents
    CLOSED = "da_dong"         # closed by its creator, kept by the unit
    TRANSFERRING = "dang_nop"  # handed to the archive, waiting for the archivist's check
    ARCHIVED = "luu_tru"       # under the archive's management
    DISPOSED = "da_huy"        # files destroyed after the council's decision; metadata kept


class RecordPlan(SQLModel, table=True):
    """The Danh mục hồ sơ of one agency for one year (ND30 Điều 28, Phụ lục V I–II)."""

    __table_args__ = (UniqueConstraint("agency_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    year: int
    status: PlanStatus = Field(default=PlanStatus.DRAFT, sa_type=String(12))
    numbering: PlanNumbering = Field(default=PlanNumbering.THROUGH, sa_type=String(12))
    # The approval round in progress or last finished: each submission (the first list and every
    # later addition) is one run of the approval workflow ``danhmuc-<plan id>-<round>``.
    approval_round: int = 0
    workflow_id: str = Field(default="", max_length=80)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class RecordPlanHeading(SQLModel, table=True):
    """A heading of the Danh mục: top level (Roman numeral, with the abbreviation used in hồ sơ
    numbers, e.g. TCCB) or below it (Arabic numeral), following units or fields of work."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="recordplan.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="recordplanheading.id")
    position: int  # order among its siblings, from 1; the numeral is derived from it
    title: str = Field(max_length=300)
    abbreviation: str = Field(default="", max_length=20)  # top level only
    unit_id: int | None = Field(default=None, foreign_key="orgunit.id")


class RecordPlanEntry(SQLModel, table=True):
    """A hồ sơ planned in the Danh mục: số và ký hiệu, title, retention, who creates it, notes."""

    __table_args__ = (UniqueConstraint("plan_id", "file_notation"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="recordplan.id", index=True)
    heading_id: int = Field(foreign_key="recordplanheading.id", index=True)
    position: int  # order within its heading
    file_notation: str = Field(max_length=20)  # Số và ký hiệu hồ sơ, e.g. 01.TCCB
    title: str = Field(max_length=500)
    maintenance: str = Field(max_length=30)  # "Vĩnh viễn" or "N năm"
    creator_unit_id: int | None = Field(default=None, foreign_key="orgunit.id")
    creator_user_id: int | None = Field(default=None, foreign_key="user.id")
    description: str = Field(default="", max_length=500)  # Ghi chú
    status: EntryStatus = Field(default=EntryStatus.DRAFT, sa_type=String(12))
    # The approval round that added it (0: the first list).
    added_in_round: int = 0


class RecordFile(SQLModel, table=True):
    """A hồ sơ of an agency for a year, identified by FileCode (OrganId, FileCatalog, FileNotation).

    ``closed`` stays true from closing on (no more filing); ``status`` says where it is now.
    """

    __table_args__ = (UniqueConstraint("agency_id", "file_catalog", "file_notation"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    file_catalog: int  # Năm hình thành hồ sơ
    file_notation: str = Field(max_length=20)  # Số và ký hiệu hồ sơ, e.g. 01.TCCB
    title: str = Field(max_length=500)
    maintenance: str = Field(default="", max_length=30)  # "Vĩnh viễn" or "N năm"
    rights: str = Field(default="", max_length=30)  # Chế độ sử dụng
    creator_id: int | None = Field(default=None, foreign_key="user.id")
    language: str = Field(default="Tiếng Việt", max_length=50)
    start_date: date | None = None
    end_date: date | None = None
    description: str = Field(default="", max_length=500)
    closed: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The lifecycle (migration 0022).
    workflow_id: str = Field(default="", max_length=80, index=True)  # hoso-<uuid>
    status: RecordStatus = Field(default=RecordStatus.OPEN, sa_type=String(12), index=True)
    plan_entry_id: int | None = Field(default=None, foreign_key="recordplanentry.id")
    unit_id: int | None = Field(default=None, foreign_key="orgunit.id")
    doc_total: int = 0  # DocTotal, set by the listing at closing
    page_total: int = 0  # PageTotal
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Construction (XDCB) records are due 3 months after final settlement, others 1 year after
    # the end of the work (ND30 Điều 30).
    construction: bool = False
    final_settlement: date | None = None
    transfer_due: date | None = None
    kept_until: date | None = None  # the unit keeps it longer, with the head's approval (≤ 2 years)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disposed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Locked against edit, move and delete by an authorised person (F-IV.1.g).
    frozen: bool = False
    # The agency that formed it, when a reorganisation handed it to its successor.
    formed_by_agency_id: int | None = Field(default=None, foreign_key="agency.id")
    version: int = 1


class RecordItem(SQLModel, table=True):
    """A document filed in a hồ sơ at position ``doc_ordinal`` (DocOrdinal)."""

    __table_args__ = (
        UniqueConstraint("record_id", "doc_ordinal"),
        UniqueConstraint("record_id", "document_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="recordfile.id", index=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    doc_ordinal: int
    filed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    filed_by: int | None = Field(default=None, foreign_key="user.id")


class AccessStatus(StrEnum):
    """A request to read a restricted hồ sơ of the archive (F-III.6.c)."""

    PENDING = "cho_duyet"
    GRANTED = "dong_y"
    REFUSED = "tu_choi"


class RecordCollection(SQLModel, table=True):
    """The archive's announcement of the list of hồ sơ it collects in a year (F-III.5.b).

    The 30-day warning before a hồ sơ falls due for transfer counts from this announcement: a hồ sơ
    due in ``year`` is warned about 30 days before its due date, not before ``announced_on``.
    """

    __tablename__ = "record_collection"
    __table_args__ = (UniqueConstraint("agency_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    year: int
    announced_on: date
    announced_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecordAccess(SQLModel, table=True):
    """A person's request to read a restricted hồ sơ, decided by the head of the agency."""

    __tablename__ = "record_access"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="recordfile.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    reason: str = Field(max_length=500)
    status: AccessStatus = Field(default=AccessStatus.PENDING, sa_type=String(12))
    until: date | None = None  # the grant's last day (none: without end)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RecordDisposal(SQLModel, table=True):
    """The council's decision to destroy a hồ sơ whose retention ended, kept for ever with the
    metadata; ``blobs`` are the stored files it removed (nothing else needed them)."""

    __tablename__ = "record_disposal"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="recordfile.id", unique=True)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decision: str = Field(max_length=500)  # the decision's number and grounds
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    blobs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
