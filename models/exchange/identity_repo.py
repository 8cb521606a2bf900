"""An agency's identity on the hub as its administrator set it, and the ``From`` built from it."""

from __future__ import annotations

from sqlmodel import Session

from models.db import utcnow
from models.exchange.edxml.package import Organization
from models.exchange.identity import IDENTITY_LIMITS
from models.exchange.tables import HubIdentity
from models.org.tables import Agency


def identity_of(session: Session, agency_id: int) -> dict[str, str]:
    """The agency's identity fields; empty strings for an agency whose administrator set none."""
    row = session.get(HubIdentity, agency_id)
    return {field: getattr(row, field) if row else "" for field in IDENTITY_LIMITS}


def save_identity(session: Session, agency_id: int, values: dict[str, str], actor_id: int | None) -> None:
    """Store checked identity fields (``identity.clean_identity``) for the agency."""
    row = session.get(HubIdentity, agency_id) or HubIdentity(agency_id=agency_id)
    for field in IDENTITY_LIMITS:
        setattr(row, field, values[field])
    row.updated_by, row.updated_at = actor_id, utcnow()
    session.add(row)


def sender(session: Session, agency: Agency, name: str) -> Organization:
    """The ``From`` of a package the agency sends: its code, ``name`` (in force on the document's
    date) and the identity its administrator set."""
    return Organization(agency.code, name, **identity_of(session, agency.id))
