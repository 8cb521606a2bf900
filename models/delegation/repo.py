"""Delegations: record one after its rules, revoke it, and find the one in force at each use.

A delegation is checked by date every time it is used (signing, a direction step): an expired
one simply stops covering anything, so no job has to end it. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from models.audit import record
from models.db import utcnow
from models.delegation import rules
from models.delegation.tables import Delegation
from models.documents.types import DocumentType
from models.errors import Conflict, DomainError, NotFound
from models.org.tables import OrgUnit, User, UserRole
from models.registers.numbering import vietnam_date
from models.text import refuse_unsafe_text
from models.vocab import Role

# The power each kind of delegation passes on: a person can delegate only what they hold.
POWER_OF_KIND = {rules.SIGN: Role.AGENCY_LEADER, rules.DIRECT: Role.AGENCY_LEADER}


def today() -> date:
    """The current day in Vietnam: what "in force" is measured against."""
    return vietnam_date(utcnow())


def _roles(session: Session, user_id: int) -> set[Role]:
    return {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == user_id))}


def create(session: Session, *, delegator: User, deputy: User, kind: str, form: str, starts_on: date | None,
           ends_on: date | None, doc_type_ids: list[int], unit_ids: list[int], note: str,
           actor_id: int) -> Delegation:
    """Record a delegation after every rule; each refusal is a ``DomainError`` and changes nothing."""
    rules.check_terms(kind, form, starts_on, ends_on)
    refuse_unsafe_text(note=note)
    if len(note) > 500:
        raise DomainError("invalid_fields", fields={"note": "too_long"})
    if deputy.id == delegator.id:
        raise DomainError("delegation_to_self")
    if deputy.agency_id != delegator.agency_id or deputy.disabled:
        raise DomainError("delegation_bad_deputy")
    if POWER_OF_KIND[kind] not in _roles(session, delegator.id):
        raise DomainError("delegation_beyond_powers", kind=rules.KINDS[kind])
    doc_type_ids = sorted(set(doc_type_ids))
    unit_ids = sorted(set(unit_ids))
    for type_id in doc_type_ids:
        if session.get(DocumentType, type_id) is None:
            raise DomainError("delegation_bad_scope")
    for unit_id in unit_ids:
        unit = session.get(OrgUnit, unit_id)
        if unit is None or unit.agency_id != delegator.agency_id:
            raise DomainError("delegation_beyond_powers", kind=rules.KINDS[kind])
    # One scope, one deputy at a time: a second delegation meeting an active one is refused.
    active = session.exec(select(Delegation).where(
        Delegation.delegator_id == delegator.id, Delegation.kind == kind,
        col(Delegation.revoked_at).is_(None), Delegation.ends_on >= starts_on,
        Delegation.starts_on <= ends_on).with_for_update()).all()
    for other in active:
        if (rules.scopes_overlap(other.doc_type_ids, doc_type_ids)
                and rules.scopes_overlap(other.unit_ids, unit_ids)):
            holder = session.get(User, other.deputy_id)
            raise Conflict("delegation_overlap", deputy=holder.full_name if holder else "",
                           starts=f"{other.starts_on:%d/%m/%Y}", ends=f"{other.ends_on:%d/%m/%Y}")
    row = Delegation(agency_id=delegator.agency_id, delegator_id=delegator.id, deputy_id=deputy.id, kind=kind,
                     form=form, doc_type_ids=doc_type_ids, unit_ids=unit_ids, starts_on=starts_on,
                     ends_on=ends_on, note=note.strip(), created_by=actor_id)
    session.add(row)
    session.flush()
    record(session, actor_id, "delegation.created", "user", delegator.id, delegation_id=row.id,
           delegator_id=delegator.id, deputy_id=deputy.id, kind=kind, form=form,
           starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(), doc_type_ids=doc_type_ids,
           unit_ids=unit_ids)
    return row


def get(session: Session, delegation_id: int) -> Delegation:
    """One delegation by id."""
    row = session.get(Delegation, delegation_id)
    if row is None:
        raise NotFound("delegation_not_found")
    return row


def revoke(session: Session, row: Delegation, actor_id: int, reason: str = "") -> None:
    """End a delegation now; an already revoked one is refused."""
    if row.revoked_at is not None:
        raise Conflict("delegation_revoked")
    row.revoked_at = utcnow()
    row.revoked_by = actor_id
    session.add(row)
    record(session, actor_id, "delegation.revoked", "user", row.delegator_id, delegation_id=row.id,
           deputy_id=row.deputy_id, reason=reason[:200])


def end_for_person(session: Session, user_id: int, actor_id: int, reason: str) -> int:
    """Revoke every delegation a person gives or holds that has not ended (a move, a departure)."""
    rows = session.exec(select(Delegation).where(
        (Delegation.delegator_id == user_id) | (Delegation.deputy_id == user_id),
        col(Delegation.revoked_at).is_(None), Delegation.ends_on >= today())).all()
    for row in rows:
        revoke(session, row, actor_id, reason)
    return len(rows)


def in_force(session: Session, *, delegator_id: int, deputy_id: int, kind: str, doc_type_id: int | None,
             unit_id: int | None, day: date | None = None) -> Delegation | None:
    """The delegation from ``delegator`` to ``deputy`` in force on ``day`` covering this type and unit."""
    day = day or today()
    rows = session.exec(select(Delegation).where(
        Delegation.delegator_id == delegator_id, Delegation.deputy_id == deputy_id, Delegation.kind == kind,
        col(Delegation.revoked_at).is_(None), Delegation.starts_on <= day, Delegation.ends_on >= day)).all()
    return next((row for row in rows if rules.covers(row.doc_type_ids, row.unit_ids, doc_type_id, unit_id)), None)


def held_by(session: Session, deputy_id: int, kind: str | None = None, day: date | None = None) -> list[Delegation]:
    """Every delegation (of ``kind``, or of any kind) a deputy holds in force on ``day`` (today)."""
    day = day or today()
    query = select(Delegation).where(
        Delegation.deputy_id == deputy_id, col(Delegation.revoked_at).is_(None),
        Delegation.starts_on <= day, Delegation.ends_on >= day).order_by(col(Delegation.id))
    if kind is not None:
        query = query.where(Delegation.kind == kind)
    return list(session.exec(query))


@dataclass
class DelegationView:
    """One row of the delegation list, with names and its state today."""

    row: Delegation
    delegator: str
    deputy: str
    state: str
    doc_types: list[str]
    units: list[str]


def listing(session: Session, agency_ids: set[int] | None, day: date | None = None) -> list[DelegationView]:
    """Delegations of these agencies (all when None), newest first, each with its state on ``day``."""
    day = day or today()
    query = select(Delegation).order_by(col(Delegation.id).desc())
    if agency_ids is not None:
        query = query.where(col(Delegation.agency_id).in_(sorted(agency_ids)))
    result = []
    names = {}
    for row in session.exec(query):
        for user_id in (row.delegator_id, row.deputy_id):
            if user_id not in names:
                user = session.get(User, user_id)
                names[user_id] = user.full_name if user else ""
        types = [t.name for t in (session.get(DocumentType, i) for i in row.doc_type_ids) if t]
        units = [u.name for u in (session.get(OrgUnit, i) for i in row.unit_ids) if u]
        result.append(DelegationView(row, names[row.delegator_id], names[row.deputy_id],
                                     rules.state(row.starts_on, row.ends_on, row.revoked_at is not None, day),
                                     types, units))
    return result


def ever_given(session: Session, *, delegator_id: int, deputy_id: int, kind: str) -> bool:
    """Whether ``delegator`` ever delegated ``kind`` to ``deputy`` (to tell a former deputy why not)."""
    return session.exec(select(Delegation.id).where(
        Delegation.delegator_id == delegator_id, Delegation.deputy_id == deputy_id,
        Delegation.kind == kind)).first() is not None
