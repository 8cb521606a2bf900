"""Outgoing documents (văn bản đi): draft revisions, comments, recipients and their statuses.

The document row itself is ``models.documents.tables.Document`` with ``direction == "outgoing"``. What
only an outgoing document has lives here:

* ``DraftRevision``: every version of the draft file, never overwritten (issue 4: "every revision
  is kept and can be compared"), then the signed and the issued file as later revisions.
* ``DraftComment``: comments, consultation opinions and send-back reasons, attached to the
  revision they were written on.
* ``Recipient`` and ``RecipientEvent``: one row per "Nơi nhận" and the status history of its
  delivery and handling (01 arrived … 06 finished, 02 returned, 15/16 recall answers), which the
  sender's document page shows (QĐ44 Điều 6.6, 13.5).
* ``RemoteSigning``: a signature prepared on the server whose hash is being signed elsewhere (a
  USB token plug-in or a remote signing service); the wait can span restarts, so it is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class RevisionStage:
    """What a revision is: still a draft, signed by the official, or the issued file."""

    DRAFT = "draft"
    SIGNED = "signed"
    ISSUED = "issued"


class DraftRevision(SQLModel, table=True):
    """One version of an outgoing document's main file."""

    __tablename__ = "draft_revision"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    number: int  # 1, 2, 3… per document
    file_id: int = Field(foreign_key="storedfile.id")
    stage: str = Field(default=RevisionStage.DRAFT, max_length=10)
    source: str = Field(default="form", max_length=10)  # form | pdf | docx | signing | issuing
    # The form values a rendered revision was made from (models.outgoing.drafting.DraftContent), so the
    # next revision starts from them and two revisions can be compared field by field.
    form: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=500)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DraftComment(SQLModel, table=True):
    """A remark on a draft: a comment, a consulted unit's opinion, or a send-back reason."""

    __tablename__ = "draft_comment"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    revision_number: int | None = None
    kind: str = Field(default="comment", max_length=10)  # comment | opinion | return
    body: str = Field(max_length=2000)
    author_id: int = Field(foreign_key="user.id")
    unit_id: int | None = Field(default=None, foreign_key="orgunit.id")
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    task_key: str = Field(default="", max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecipientKind:
    """Where a recipient is: an agency of this installation, an outside agency, an own unit."""

    HOSTED = "hosted"  # delivered at once into its intake queue (incoming source 1)
    EXTERNAL = "external"  # through the national exchange hub
    UNIT = "unit"  # an internal unit of the issuing agency (for information)


class TransportStatus:
    """How far the document travelled to one recipient (kept apart from the business status)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    WAITING_CONNECTION = "waiting"  # outside recipient, no hub connection yet
    NOT_SENT = "not_sent"  # the document was recalled before it left


class Recipient(SQLModel, table=True):
    """One "Nơi nhận" of an outgoing document and what became of the document there."""

    __table_args__ = (UniqueConstraint("document_id", "position"),
                      # The recalls asked of recipients, which /metrics counts as recall workflows
                      # and the reconciler re-starts, without reading every recipient (migration 0037).
                      Index("ix_recipient_recall_requested", "recall_requested_at",
                            sqlite_where=text("recall_requested_at IS NOT NULL"),
                            postgresql_where=text("recall_requested_at IS NOT NULL")))

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    position: int
    kind: str = Field(max_length=10)
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    unit_id: int | None = Field(default=None, foreign_key="orgunit.id")
    organ_id: str = Field(default="", max_length=35)  # QCVN 102 code of the recipient
    organ_name: str = Field(max_length=200)
    kinh_gui: bool = False  # also addressed in "Kính gửi"
    transport_status: str = Field(default=TransportStatus.PENDING, sa_type=String(10))
    # Last business status code received back (01…06, 15, 16; DOMAIN §8.3-8.4), "" before any.
    business_status: str = Field(default="", max_length=2)
    status_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_note: str = Field(default="", max_length=500)
    # The recipient's own incoming document, for a recipient inside the installation.
    incoming_document_id: str | None = Field(default=None, foreign_key="document.id", unique=True)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the sender was told the recipient had not received it in time (QĐ44 Điều 6.6).
    not_received_alert_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recall_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RecipientEvent(SQLModel, table=True):
    """One status a recipient reported (or a transport step), with its time: the tracking table."""

    __tablename__ = "recipient_event"

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="recipient.id", index=True)
    code: str = Field(max_length=12)  # 01…06, 13, 15, 16, or sent / waiting
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    note: str = Field(default="", max_length=500)
    by_name: str = Field(default="", max_length=100)


class RemoteSigning(SQLModel, table=True):
    """A hash-only signature in flight: the prepared PDF and signed attributes wait here."""

    __tablename__ = "remote_signing"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    task_id: int = Field(foreign_key="task.id")
    # The prepared PDF (signature space reserved) is in the file store; the rest of
    # models.signing.issuing.PendingRemoteSignature.to_json() (digests, offsets, signed attributes) here.
    prepared_file_id: int = Field(foreign_key="storedfile.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
