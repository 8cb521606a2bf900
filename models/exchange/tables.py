"""What crossed the national document exchange hub, in both directions (EDXML.md §9.4-9.6).

* ``HubInbound``: every package the hub offered us, its raw bytes stored first, then what we made
  of it (an incoming document, a status on an outgoing one, or a refusal with its reason). The
  ``dedup_key`` makes a package delivered twice, or offered again after a crash between storing
  and acknowledging, count once: a new document by sender + DocumentId + business type, a
  status by the hub's package id.
* ``HubOutbox``: every package we send, the exact bytes stored before the first try, so retries
  never change them. Transport status (did it reach the hub) lives here; business statuses
  (what the recipient did) stay on ``Recipient`` / ``RecipientEvent``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy import Index, String, text
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class HubInbound(SQLModel, table=True):
    """One package received from the hub."""

    __tablename__ = "hub_inbound"

    id: int | None = Field(default=None, primary_key=True)
    hub_doc_id: str = Field(max_length=100, index=True)
    message_type: str = Field(max_length=10)  # edoc | status
    dedup_key: str = Field(max_length=300, unique=True)
    sender_code: str = Field(default="", max_length=35)
    document_key: str = Field(default="", max_length=200)  # the DocumentId the package is about
    business_type: int | None = None  # 0 new, 1 revoke, 2 update, 3 replace (edoc only)
    status_code: str = Field(default="", max_length=3)  # status packages
    package_sha256: str = Field(default="", max_length=64)  # raw bytes in the file store
    outcome: str = Field(max_length=12)  # stored | status | revoke | refused | duplicate
    error: str = Field(default="", max_length=1000)
    document_id: str | None = Field(default=None, foreign_key="document.id", index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class HubOutbox(SQLModel, table=True):
    """One package to send through the hub, to one recipient."""

    __tablename__ = "hub_outbox"
    # The packages still pending or failed, which /metrics counts and the hub poll retries, without
    # reading the sent ones that grow without bound (migration 0037).
    __table_args__ = (Index("ix_hub_outbox_unsent", "transport_status",
                            sqlite_where=text("transport_status <> 'sent'"),
                            postgresql_where=text("transport_status <> 'sent'")),)

    id: int | None = Field(default=None, primary_key=True)
    # Names the delivery workflow (``hub-send-<uuid>``): unique even across installations that share
    # a Temporal namespace, which row ids are not.
    uuid: str = Field(default_factory=lambda: str(uuid4()), max_length=36, unique=True)
    message_type: str = Field(max_length=10)  # edoc | status
    # Idempotency of queueing: a recipient's document package is queued once (``edoc:<recipient>``).
    dedup_key: str = Field(max_length=300, unique=True)
    from_code: str = Field(max_length=35)
    to_code: str = Field(max_length=35)
    # Our document the package is about; none for the 02 answering a package we could not store.
    document_id: str | None = Field(default=None, foreign_key="document.id", index=True)
    recipient_id: int | None = Field(default=None, foreign_key="recipient.id")
    status_code: str = Field(default="", max_length=3)
    description: str = Field(default="", max_length=500)
    staff_name: str = Field(default="", max_length=100)
    status_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Built once (documents when queued, statuses at their first send) and never rebuilt.
    package_sha256: str = Field(default="", max_length=64)
    transport_status: str = Field(default="pending", sa_type=String(10))  # pending | sent | failed
    hub_doc_id: str = Field(default="", max_length=100)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class HubIdentity(SQLModel, table=True):
    """How an agency of the installation introduces itself in the ``From`` of the packages it
    sends (EDXML §2: OrganizationInCharge, OrganAdd, Email, Telephone, Fax, Website).

    Set by the agency's administrator; the endpoint, system id and secret of the connection are
    the installation's and stay in the settings (EDXML §9.1).
    """

    __tablename__ = "hub_identity"

    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    organization_in_charge: str = Field(default="", max_length=200)  # cơ quan chủ quản
    organ_add: str = Field(default="", max_length=500)
    email: str = Field(default="", max_length=100)
    telephone: str = Field(default="", max_length=20)
    fax: str = Field(default="", max_length=20)
    website: str = Field(default="", max_length=100)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
