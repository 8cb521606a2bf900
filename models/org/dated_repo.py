"""The tree on a date, and who answers now (DOMAIN §10.3.2–4): the name in force on a day, the agency a
code designated on a document's date, the successor that took over a closed agency's work, and the
agency and unit a running process's later steps and numbers go to.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from models.audit import AuditEvent
from models.db import utcnow
from models.org.repo import agency_by_code
from models.org.rules import in_force
from models.org.tables import Agency, AgencyCode, OrgUnit
from models.org.tree_repo import code_holders, codes_of, former_names
from models.registers.numbering import vietnam_date

_MAX_SUCCESSION = 10  # successors followed at most (a cycle of aliases cannot loop for ever)


def name_on(session: Session, agency: Agency, day: date | None) -> tuple[str, str]:
    """The agency's name and place name in force on ``day`` (today's when None or after every rename)."""
    if day is not None:
        for row in former_names(session, agency.id):
            if in_force(row.valid_from, row.valid_to, day):
                return row.name, row.place_name
    return agency.name, agency.place_name


def agency_holding(session: Session, code: str, on: date) -> Agency | None:
    """The agency that held ``code`` (either scheme, an alias too) on ``on``, without following successors.

    A code no row covers on that date falls back to the agency whose current code it is, then to
    the last agency that held it.
    """
    rows = code_holders(session, code)
    held = [row for row in rows if in_force(row.valid_from, row.valid_to, on)]
    if held:
        return session.get(Agency, held[0].agency_id)
    current = agency_by_code(session, code)
    if current is not None:
        return current
    if rows:
        latest = max(rows, key=lambda row: (row.valid_to or date.max, row.id))
        return session.get(Agency, latest.agency_id)
    return None


def successor_of(session: Session, agency: Agency) -> Agency | None:
    """The agency that received a closed agency's work: the one holding one of its codes after its end."""
    if agency.valid_to is None:
        return None
    codes = {row.code for row in codes_of(session, agency.id)} | {agency.code}
    row = session.exec(select(AgencyCode).where(col(AgencyCode.code).in_(codes), AgencyCode.agency_id != agency.id,
                                                col(AgencyCode.valid_from) > agency.valid_to)
                       .order_by(AgencyCode.valid_from, AgencyCode.id)).first()
    return session.get(Agency, row.agency_id) if row is not None else None


def resolve_agency_code(session: Session, code: str, on: date | None = None, *, today: date | None = None) -> Agency | None:
    """The agency an incoming code designates for a document dated ``on`` (DOMAIN §10.3.2).

    The code is looked up through the code rows valid on the document's date (its own codes and
    aliases, either scheme); when that agency is closed by ``today``, its work went to the successor
    holding one of its codes as an alias after its end, followed as far as it goes. Documents keep
    the code they were issued under: this only says who answers for them now.
    """
    today = today or vietnam_date(utcnow())
    return _last_successor(session, agency_holding(session, code.strip(), on or today), today)


def answering_agency(session: Session, agency_id: int, on: date | None = None) -> int:
    """The agency that answers for ``agency_id``'s work: itself unless it is closed (before ``on`` when
    given; with ``on`` None as soon as its closing is decided, since a reorganisation hands the work over
    when it is applied), else its successor, followed as far as it goes (DOMAIN §10.3.4).

    Running workflows carry the agency they started in; the activities that open a step or take a
    number ask this, so a step of a merged agency opens for the agency that took its work over.
    """
    agency = _last_successor(session, session.get(Agency, agency_id), on)
    return agency.id if agency is not None else agency_id


def _last_successor(session: Session, agency: Agency | None, on: date | None) -> Agency | None:
    """Follow the successors of an agency closed before ``on`` (None: closed at all) as far as they go."""
    seen: set[int] = set()
    while (agency is not None and agency.valid_to is not None and (on is None or agency.valid_to < on)
           and agency.id not in seen and len(seen) < _MAX_SUCCESSION):
        seen.add(agency.id)
        following = successor_of(session, agency)
        if following is None:
            break
        agency = following
    return agency


def answering_unit(session: Session, unit_id: int | None, agency_id: int) -> int | None:
    """The unit a step keeps in the agency answering for it (DOMAIN §10.3.4).

    The same unit when it belongs to that agency and is still open; a unit a reorganisation closed
    hands its steps to the successor unit its change set mapped it to (``successor_unit``), followed
    as far as it goes; otherwise none (the step is offered to the role across the whole agency).
    """
    today = vietnam_date(utcnow())
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen and len(seen) < _MAX_SUCCESSION:
        unit = session.get(OrgUnit, unit_id)
        if unit is None:
            return None
        if unit.agency_id == agency_id and (unit.valid_to is None or unit.valid_to >= today):
            return unit_id
        seen.add(unit_id)
        unit_id = successor_unit(session, unit_id)
    return None


def successor_unit(session: Session, unit_id: int) -> int | None:
    """The unit that took a closed unit's work over: the ``successor_unit_id`` its reorganisation recorded
    when closing it (``handover_repo.close_open_units``); None when there is none.

    The map lives in the audit trail's ``org.unit_closed`` event, written once in the change set's
    transaction and never edited, so routing follows exactly what was audited (read through the
    event's subject index).
    """
    closing = session.exec(select(AuditEvent).where(
        AuditEvent.subject_type == "unit", AuditEvent.subject_id == str(unit_id),
        AuditEvent.code == "org.unit_closed").order_by(col(AuditEvent.id).desc())).first()
    successor = closing.data.get("successor_unit_id") if closing is not None else None
    return successor if isinstance(successor, int) else None
