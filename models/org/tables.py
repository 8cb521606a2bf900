"""Agencies, internal units, people, their roles and sessions.

Agencies form an effective-dated tree: nothing is deleted, a dissolved district keeps its row
with ``valid_to`` set, so documents issued under it stay attributable (DOMAIN §10.3).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.vocab import AgencyKind, Role, SessionKind


class Agency(SQLModel, table=True):
    """A cơ quan, tổ chức: a node of the organisation tree, inside or outside the installation."""

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    name: str = Field(max_length=200)
    # Abbreviation used in ký hiệu, set by the head of the agency (ND30 PL I Phần I II.3).
    abbreviation: str = Field(max_length=20)
    kind: AgencyKind = Field(sa_type=String(20))
    # QCVN 102 form, e.g. 000.00.01.H23 (String 13); the currently valid one.
    code: str = Field(max_length=13, unique=True, index=True)
    # QĐ 20/2020 form, up to 35 characters.
    qd20_code: str | None = Field(default=None, max_length=35)
    place_name: str = Field(default="", max_length=100)  # địa danh on the date line
    # False for agencies outside this installation (ministries), reached through the hub.
    hosted: bool = True
    valid_from: date | None = None
    valid_to: date | None = None
    # The focal văn thư (QĐ44 Điều 8): a person of the agency, set by its administrator. No
    # foreign key: user.agency_id already points here, and the pair would be a cycle.
    focal_user_id: int | None = None


class AgencyName(SQLModel, table=True):
    """A name an agency bore before a rename, with the dates it was in force (DOMAIN §10.3.3).

    The agency row holds the name in force now; letterheads of a document issued on a date in
    one of these intervals print that interval's name and place name.
    """

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str = Field(max_length=200)
    place_name: str = Field(default="", max_length=100)
    valid_from: date | None = None
    valid_to: date


class AgencyCode(SQLModel, table=True):
    """Every code an agency has had, in either scheme: resolves old and alias codes by date."""

    __table_args__ = (UniqueConstraint("code", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    code: str = Field(max_length=35, index=True)
    scheme: str = Field(max_length=10)  # "qcvn102" or "qd20"
    valid_from: date | None = None
    valid_to: date | None = None
    note: str = Field(default="", max_length=200)


class OrgUnit(SQLModel, table=True):
    """An internal unit of an agency (phòng, ban, chi cục)."""

    __table_args__ = (UniqueConstraint("agency_id", "abbreviation"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="orgunit.id")
    name: str = Field(max_length=200)
    abbreviation: str = Field(max_length=20)
    valid_from: date | None = None
    valid_to: date | None = None


class User(SQLModel, table=True):
    """A person with an account. Every action in the system is attributed to one (QĐ44 Điều 21.2.d)."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=50, unique=True, index=True)
    full_name: str = Field(max_length=50)
    email: str = Field(default="", max_length=200)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="orgunit.id")
    position: str = Field(default="", max_length=100)  # chức vụ
    password_hash: str = Field(max_length=200)
    password_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    must_change_password: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Locked by an administrator (lost credentials, departure); only an administrator unlocks.
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserRole(SQLModel, table=True):
    """One role held by a person; a commune clerk may hold several."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    role: Role = Field(primary_key=True, sa_type=String(30))


class UserSession(SQLModel, table=True):
    """A login: a browser session or an API token. Only the token's hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: SessionKind = Field(sa_type=String(10))
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=300)
    ip_address: str = Field(default="", max_length=64)


class LoginThrottle(SQLModel, table=True):
    """Failed logins counted per client, per account name and per (client, account name).

    Kept in the database, not in a process, so every web worker and a restart see the same
    counts. ``key`` is a SHA-256 of the scope and the identity (an IP address, a login name as
    typed, a known device), so unknown names are counted exactly like real ones and the table
    holds no login names or addresses in clear.
    """

    __table_args__ = (UniqueConstraint("key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    scope: str = Field(max_length=20)  # client, account or pair
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TwoFactor(SQLModel, table=True):
    """A person's second factor: a TOTP secret, encrypted with the installation key
    (``models/org/two_factor.py``). The row exists only once enrolment was confirmed with a code."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    secret: str = Field(max_length=300)
    # The time step of the last accepted code: a code is accepted only for a later step.
    last_step: int = 0
    enabled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    """A one-time recovery code of a person with a second factor; only its keyed hash is kept."""

    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
