"""Documents (incoming and outgoing share one table), their files and routing rows.

Field names follow the snake_case of the Nghị định 30 Phụ lục VI tags, with the decree's lengths,
so exports and edXML packages never truncate (DOMAIN §3).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.documents.duplicates import DUPLICATE_CODE_LENGTH, code_key
from models.vocab import (
    AssignmentRole,
    Direction,
    DocumentSource,
    DocumentStatus,
    Secrecy,
    Urgency,
)


class StoredFile(SQLModel, table=True):
    """A file in the content-addressed store; rows are never deleted (nothing stored is lost)."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    size: int
    content_type: str = Field(max_length=100)
    filename: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="user.id")


_REPLYING = text("in_reply_to_id IS NOT NULL")
# A document whose workflow has not started yet (intake, or a start lost in a crash).
NOT_STARTED = text("document.status = 'new'")


class Document(SQLModel, table=True):
    """One văn bản đến or văn bản đi, owned by the agency that registers or issues it."""

    __table_args__ = (
        Index("ix_document_agency_direction_status", "agency_id", "direction", "status"),
        # The probable duplicates of a document, newest first (migration 0040 added the last two).
        Index("ix_document_duplicate_code", "agency_id", "duplicate_code", "direction", "created_at"),
        # The lists' order: newest first, paged by seeking past (created_at, id) (migration 0035).
        Index("ix_document_list_order", "agency_id", "direction", "created_at", "id"),
        # The replies shown on an incoming document's page; most documents answer none (0039).
        Index("ix_document_in_reply_to", "in_reply_to_id", "created_at", sqlite_where=_REPLYING,
              postgresql_where=_REPLYING),
        # What a person drafted (they see it whatever its agency): one arm of a search (migration 0040).
        Index("ix_document_drafter", "created_by", "direction"),
        # The reconciler's lost starts, oldest first (migration 0040).
        Index("ix_document_not_started", "created_at", sqlite_where=text("status = 'new'"),
              postgresql_where=text("status = 'new'")),
    )

    id: str = Field(primary_key=True, max_length=36)  # UUID, also the workflow id suffix
    direction: Direction = Field(sa_type=String(10))
    agency_id: int = Field(foreign_key="agency.id", index=True)
    status: DocumentStatus = Field(default=DocumentStatus.NEW, sa_type=String(20))
    source: DocumentSource | None = Field(default=None, sa_type=String(10))

    # ND30 Phụ lục VI Mục I/II
    code_number: str = Field(default="", max_length=11)  # Số của văn bản
    code_notation: str = Field(default="", max_length=30)  # Ký hiệu
    issued_date: date | None = None  # Ngày, tháng, năm văn bản
    organ_name: str = Field(default="", max_length=200)  # Tên cơ quan ban hành
    organ_id: str = Field(default="", max_length=35)  # Mã định danh of the issuer
    type_name: str = Field(default="", max_length=100)  # Tên loại văn bản
    subject: str = Field(default="", max_length=500)  # Trích yếu nội dung
    language: str = Field(default="Tiếng Việt", max_length=30)
    page_amount: int | None = None
    description: str = Field(default="", max_length=500)  # Ghi chú
    signer_full_name: str = Field(default="", max_length=50)
    signer_position: str = Field(default="", max_length=100)
    urgency: Urgency = Field(default=Urgency.NORMAL, sa_type=String(15))
    secrecy: Secrecy = Field(default=Secrecy.NONE, sa_type=String(15))
    issued_amount: int | None = None
    due_date: date | None = None  # Thời hạn giải quyết / Hạn trả lời
    to_places: str = Field(default="", max_length=1000)  # internal recipients (incoming #16)
    arrival_number: int | None = None  # Số đến
    arrival_date: datetime | None = Field(default=None, sa_type=UTCDateTime)  # Ngày đến
    # The folded số/ký hiệu ("12/ubnd-vp") probable duplicates are looked up by; kept by the
    # listener below whatever writes the row (models.documents.duplicates).
    duplicate_code: str = Field(default="", max_length=DUPLICATE_CODE_LENGTH)
    # Mã định danh văn bản: <organ id>,<yyyy/MM/dd>,<số>/<ký hiệu> (DOMAIN §5.6).
    external_document_id: str | None = Field(default=None, max_length=120, index=True)
    # Unsigned electronic documents only have "để biết, tham khảo" value (QĐ44 Điều 4.2).
    for_reference_only: bool = False
    paper_copy: bool = False
    in_reply_to_id: str | None = Field(default=None, foreign_key="document.id")

    # Outgoing only (issue 4). Signing authority printed above the title: TM., KT., TL., TUQ., Q.
    signer_competence: str = Field(default="", max_length=50)
    signer_id: int | None = Field(default=None, foreign_key="user.id")  # the designated signer
    drafting_unit_id: int | None = Field(default=None, foreign_key="orgunit.id")
    doc_type_id: int | None = Field(default=None, foreign_key="document_type.id")
    # "Đơn vị, người nhận bản lưu" of the outgoing register (ND30 PL IV Mục I column 6).
    file_copy_holder: str = Field(default="", max_length=200)
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Issued later than the morning after signing (QĐ44 Điều 6.2).
    issued_late: bool = False
    recall_reason: str = Field(default="", max_length=500)

    file_id: int | None = Field(default=None, foreign_key="storedfile.id")
    workflow_id: str | None = Field(default=None, max_length=80, unique=True)
    process_key: str = Field(default="", max_length=50)
    process_version: int | None = None
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@event.listens_for(Document, "before_insert")
@event.listens_for(Document, "before_update")
def _fold_duplicate_code(_mapper, _connection, document: Document) -> None:
    document.duplicate_code = code_key(document.code_number or "", document.code_notation or "")


class DocumentFile(SQLModel, table=True):
    """Files of a document: the main file, attachments, revisions, digitised copies."""

    __table_args__ = (UniqueConstraint("document_id", "file_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    file_id: int = Field(foreign_key="storedfile.id")
    role: str = Field(max_length=20)  # main | attachment | revision | digitised
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assignment(SQLModel, table=True):
    """One participant in handling an incoming document, with a deadline each (PL IV Mục VII)."""

    # "Was this person (or unit) routed this document?" is asked per document inside searches and
    # lists (``models.documents.access``): by document first, then person or unit (migration 0040).
    # With only the single-column indexes SQLite, which has no statistics, may answer it by reading
    # every routing of the person for each document, a cost that grows with the person's history.
    __table_args__ = (
        Index("ix_assignment_document_user", "document_id", "user_id"),
        Index("ix_assignment_document_unit", "document_id", "unit_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    role: AssignmentRole = Field(sa_type=String(10))
    # Indexed (migration 0035): who sees a document through its routing is looked up by person and
    # by unit, and PostgreSQL reads that set once for a list instead of scanning every routing row.
    unit_id: int | None = Field(default=None, foreign_key="orgunit.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    due_date: date | None = None
    opinion: str = Field(default="", max_length=2000)
    assigned_by: int = Field(foreign_key="user.id")
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
