"""The organisation tree and its writes (DOMAIN §10.3): codes in either scheme with their dates, former
names, the agency and unit hierarchy. Nothing is deleted; every write is audited; nothing commits.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from models.audit import record
from models.errors import Conflict
from models.org.repo import agency_by_code
from models.org.rules import overlaps, period_text
from models.org.tables import Agency, AgencyCode, AgencyName, OrgUnit


def codes_of(session: Session, agency_id: int) -> list[AgencyCode]:
    """Every code an agency has held or holds, oldest first."""
    return list(session.exec(select(AgencyCode).where(AgencyCode.agency_id == agency_id)
                             .order_by(AgencyCode.scheme, col(AgencyCode.valid_from).nulls_first(), AgencyCode.id)))


def former_names(session: Session, agency_id: int) -> list[AgencyName]:
    """The names an agency bore before its renames, oldest first."""
    return list(session.exec(select(AgencyName).where(AgencyName.agency_id == agency_id)
                             .order_by(AgencyName.valid_to)))


def code_holders(session: Session, code: str) -> list[AgencyCode]:
    """Every row of a code, in either scheme, whatever agency held it."""
    return list(session.exec(select(AgencyCode).where(AgencyCode.code == code).order_by(AgencyCode.id)))


def check_code_free(session: Session, code: str, valid_from: date | None, valid_to: date | None,
                    *, agency_id: int | None = None) -> None:
    """Refuse a code another agency holds on a day of the interval, or this agency already holds then.

    ``agency_code_in_use`` names the holder and the interval it holds the code for.
    """
    for row in code_holders(session, code):
        if overlaps(row.valid_from, row.valid_to, valid_from, valid_to):
            holder = session.get(Agency, row.agency_id)
            raise Conflict("agency_code_in_use", agency_code=code, holder=holder.name if holder else "",
                           period=period_text(row.valid_from, row.valid_to),
                           same_agency=row.agency_id == agency_id)
    current = agency_by_code(session, code)
    if (current is not None and current.id != agency_id
            and overlaps(current.valid_from, current.valid_to, valid_from, valid_to)):
        raise Conflict("agency_code_in_use", agency_code=code, holder=current.name,
                       period=period_text(current.valid_from, current.valid_to), same_agency=False)


def add_agency(session: Session, agency: Agency, actor_id: int | None) -> Agency:
    """Insert an agency with its code rows in both schemes; audited."""
    session.add(agency)
    session.flush()
    session.add(AgencyCode(agency_id=agency.id, code=agency.code, scheme="qcvn102",
                           valid_from=agency.valid_from, valid_to=agency.valid_to))
    if agency.qd20_code:
        session.add(AgencyCode(agency_id=agency.id, code=agency.qd20_code, scheme="qd20",
                               valid_from=agency.valid_from, valid_to=agency.valid_to))
    record(session, actor_id, "org.agency_created", "agency", agency.id, agency_code=agency.code,
           qd20_code=agency.qd20_code or "", name=agency.name, parent_id=agency.parent_id,
           valid_from=_iso(agency.valid_from), valid_to=_iso(agency.valid_to))
    session.flush()
    return agency


def add_code(session: Session, agency: Agency, *, code: str, scheme: str, valid_from: date | None,
             valid_to: date | None, note: str, actor_id: int | None) -> AgencyCode:
    """Give an agency another code (an alias, an old code) for an interval; audited."""
    row = AgencyCode(agency_id=agency.id, code=code, scheme=scheme, valid_from=valid_from, valid_to=valid_to,
                     note=note)
    session.add(row)
    session.flush()
    record(session, actor_id, "org.alias_added", "agency", agency.id, alias=code, scheme=scheme,
           valid_from=_iso(valid_from), valid_to=_iso(valid_to), via="admin")
    return row


def end_code(session: Session, row: AgencyCode, valid_to: date, actor_id: int | None) -> None:
    """Close one code row on a day (the code stays, for documents issued under it); audited."""
    row.valid_to = valid_to
    session.add(row)
    record(session, actor_id, "org.alias_ended", "agency", row.agency_id, alias=row.code, scheme=row.scheme,
           valid_to=_iso(valid_to))


def rename_agency(session: Session, agency: Agency, *, name: str, place_name: str, effective: date,
                  actor_id: int | None) -> None:
    """Give an agency a new name (and place name) from ``effective``; the old one is kept with its dates."""
    history = former_names(session, agency.id)
    started = history[-1].valid_to + timedelta(days=1) if history else agency.valid_from
    session.add(AgencyName(agency_id=agency.id, name=agency.name, place_name=agency.place_name,
                           valid_from=started, valid_to=effective - timedelta(days=1)))
    record(session, actor_id, "org.agency_name_changed", "agency", agency.id, agency_code=agency.code,
           old_name=agency.name, name=name, old_place_name=agency.place_name, place_name=place_name,
           effective=_iso(effective))
    agency.name, agency.place_name = name, place_name
    session.add(agency)


def last_rename(session: Session, agency_id: int) -> date | None:
    """The first day of the name in force now (None when never renamed)."""
    history = former_names(session, agency_id)
    return history[-1].valid_to + timedelta(days=1) if history else None


def agency_ancestors(session: Session, agency: Agency) -> list[int]:
    """The ids above an agency in the tree, nearest first."""
    return _ancestors(session, Agency, agency.parent_id)


def unit_ancestors(session: Session, unit: OrgUnit) -> list[int]:
    """The ids of the units above a unit, nearest first."""
    return _ancestors(session, OrgUnit, unit.parent_id)


def _ancestors(session: Session, model: type[Agency] | type[OrgUnit], parent_id: int | None) -> list[int]:
    """Walk ``parent_id`` upwards (bounded against a corrupt cycle)."""
    found: list[int] = []
    while parent_id is not None and parent_id not in found and len(found) < 100:
        found.append(parent_id)
        parent = session.get(model, parent_id)
        parent_id = parent.parent_id if parent else None
    return found


def organisation_tree(session: Session) -> tuple[list[Agency], dict[int, list[OrgUnit]], dict[int, list[AgencyCode]],
                                                 dict[int, list[AgencyName]]]:
    """Every agency by code with its units, codes and former names: the administrator's page."""
    agencies = list(session.exec(select(Agency).order_by(col(Agency.valid_to).is_not(None), Agency.code)))
    units: dict[int, list[OrgUnit]] = {}
    for unit in session.exec(select(OrgUnit).order_by(OrgUnit.name)):
        units.setdefault(unit.agency_id, []).append(unit)
    codes: dict[int, list[AgencyCode]] = {}
    for row in session.exec(select(AgencyCode).order_by(AgencyCode.scheme, AgencyCode.id)):
        codes.setdefault(row.agency_id, []).append(row)
    names: dict[int, list[AgencyName]] = {}
    for row in session.exec(select(AgencyName).order_by(AgencyName.valid_to)):
        names.setdefault(row.agency_id, []).append(row)
    return agencies, units, codes, names


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
