"""The administrator's writes on the organisation tree: agencies, their codes, names and units.

Nothing is deleted (DOMAIN §10.3): closing sets ``valid_to``, a rename keeps the former name with
its dates, an old code stays as a dated row. Each command checks the role, validates everything
before writing (bad input changes nothing), runs one transaction with its audit events and
returns the id it changed. Closing refuses while work would be orphaned, listing what is open.

Who may change what follows the accounts' rule: the installation's administrator
(``Role.SYSTEM_ADMIN``, the province's) changes the whole tree; an agency's administrator
(``Role.ADMIN`` alone) only their own agency: its names, abbreviation, codes, focal văn thư and
units. Creating, moving and closing agencies stays with the province's administrator. A merger or
split applied as one change set is ``commands.reorganisation``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from commands.admin import require_admin
from models.audit import record
from models.db import transaction, utcnow
from models.errors import Conflict, DomainError, Forbidden
from models.org import handover_repo, repo, tree_repo
from models.org.rules import (
    check_code,
    check_period,
    check_qcvn102,
    check_qd20,
    clean_name,
    describe_open_work,
    parse_day,
)
from models.org.schema import (
    AgencyDetails,
    AgencyInput,
    AgencyRename,
    AliasInput,
    Closing,
    Move,
    UnitInput,
    UnitRename,
)
from models.org.tables import Agency, OrgUnit, User
from models.registers.numbering import vietnam_date
from models.vocab import Role


def _today() -> date:
    return vietnam_date(utcnow())


def _own_agency_only(session: Session, actor_id: int, roles: set[Role]) -> int | None:
    """The one agency an agency's administrator manages; None for the installation's administrator."""
    if Role.SYSTEM_ADMIN in roles:
        return None
    actor = session.get(User, actor_id)
    if actor is None:
        raise Forbidden("admin_only")
    return actor.agency_id


def check_scope(session: Session, actor_id: int, roles: set[Role], agency_id: int | None) -> None:
    """Refuse a change outside the administrator's agency (``agency_id`` None: the tree's structure)."""
    own = _own_agency_only(session, actor_id, roles)
    if own is None:
        return
    if agency_id is None:
        raise Forbidden("org_province_admin_only")
    if agency_id != own:
        raise Forbidden("org_other_agency")


def _open_parent(session: Session, parent_id: int | None, child: Agency | None = None) -> Agency | None:
    """The parent to hang an agency under: existing, in force, and not the agency or one below it."""
    if parent_id is None:
        return None
    parent = repo.agency_by_id(session, parent_id)
    if parent.valid_to is not None:
        raise DomainError("org_parent_closed", parent=parent.name)
    if child is not None and (parent.id == child.id or child.id in tree_repo.agency_ancestors(session, parent)):
        raise DomainError("org_parent_cycle", name=child.name, parent=parent.name)
    return parent


def _focal(session: Session, agency_id: int | None, user_id: int | None) -> int | None:
    """A focal văn thư must be an active account of the agency."""
    if user_id is None:
        return None
    people = {user.id for user in repo.people_of(session, agency_id)} if agency_id else set()
    if user_id not in people:
        raise DomainError("org_focal_not_member")
    return user_id


def create_agency(engine: Engine, *, actor_id: int, roles: set[Role], form: AgencyInput) -> int:
    """Add an agency with both its codes; return its id."""
    require_admin(roles)
    with transaction(engine) as session:
        check_scope(session, actor_id, roles, None)
        return new_agency(session, actor_id, form).id


def new_agency(session: Session, actor_id: int | None, form: AgencyInput) -> Agency:
    """Check and insert an agency inside the caller's transaction (a reorganisation's successor too)."""
    code = check_qcvn102(form.code)
    qd20 = check_qd20(form.qd20_code) if form.qd20_code else None
    name = clean_name("name", form.name, 200)
    abbreviation = clean_name("abbreviation", form.abbreviation, 20)
    place = clean_name("place_name", form.place_name, 100, required=False)
    valid_from = parse_day(form.valid_from, "valid_from")
    if form.focal_user_id is not None:
        raise DomainError("org_focal_not_member")  # a new agency has no people yet
    parent = _open_parent(session, form.parent_id)
    if parent is not None and parent.valid_from and valid_from and valid_from < parent.valid_from:
        raise DomainError("org_before_parent", parent=parent.name)
    tree_repo.check_code_free(session, code, valid_from, None)
    if qd20:
        tree_repo.check_code_free(session, qd20, valid_from, None)
    return tree_repo.add_agency(session, Agency(
        code=code, qd20_code=qd20, name=name, abbreviation=abbreviation, kind=form.kind,
        parent_id=parent.id if parent else None, place_name=place, hosted=form.hosted,
        valid_from=valid_from), actor_id)


def rename_agency(engine: Engine, *, actor_id: int, roles: set[Role], agency_id: int, form: AgencyRename) -> int:
    """A new name (and place name) from a date; documents issued before it keep the former name."""
    require_admin(roles)
    name = clean_name("name", form.name, 200)
    place = None if form.place_name is None else clean_name("place_name", form.place_name, 100, required=False)
    effective = parse_day(form.effective, "effective") or _today()
    with transaction(engine) as session:
        check_scope(session, actor_id, roles, agency_id)
        agency = repo.agency_by_id(session, agency_id)
        _refuse_closed(agency)
        started = tree_repo.last_rename(session, agency.id) or agency.valid_from
        if started is not None and effective <= started:
            raise DomainError("org_rename_too_early", since=f"{started:%d/%m/%Y}")
        place = agency.place_name if place is None else place
        if (name, place) == (agency.name, agency.place_name):
            raise DomainError("org_nothing_changed")
        tree_repo.rename_agency(session, agency, name=name, place_name=place, effective=effective, actor_id=actor_id)
        return agency.id


def move_agency(engine: Engine, *, actor_id: int, roles: set[Role], agency_id: int, form: Move) -> int:
    """Hang an agency under another parent (or at the top of the tree)."""
    require_admin(roles)
    with transaction(engine) as session:
        check_scope(session, actor_id, roles, None)
        agency = repo.agency_by_id(session, agency_id)
        _refuse_closed(agency)
        parent = _open_parent(session, form.parent_id, agency)
        new_parent_id = parent.id if parent else None
        if new_parent_id == agency.parent_id:
            raise DomainError("org_nothing_changed")
        record(session, actor_id, "org.agency_moved", "agency", agency.id, agency_code=agency.code,
                    old_parent_id=agency.parent_id, parent_id=new_parent_id)
        agency.parent_id = new_parent_id
        session.add(agency)
        return agency.id


def change_agency_details(engine: Engine, *, actor_id: int, roles: set[Role], agency_id: int,
                          form: AgencyDetails) -> int:
    """Change the abbreviation, the QĐ 20 code (the former one ends yesterday) or the focal văn thư."""
    require_admin(roles)
    abbreviation = None if form.abbreviation is None else clean_name("abbreviation", form.abbreviation, 20)
    qd20 = check_qd20(form.qd20_code) if form.qd20_code else None
    today = _today()
    with transaction(engine) as session:
        check_scope(session, actor_id, roles, agency_id)
        agency = repo.agency_by_id(session, agency_id)
        _refuse_closed(agency)
        changes: dict[str, object] = {}
        if abbreviation is not None and abbreviation != agency.abbreviation:
            changes["abbreviation"] = [agency.abbreviation, abbreviation]
            agency.abbreviation = abbreviation
        if qd20 is not None and qd20 != agency.qd20_code:
            tree_repo.check_code_free(session, qd20, today, None, agency_id=agency.id)
            for row in tree_repo.codes_of(session, agency.id):
                if row.scheme == "qd20" and row.valid_to is None and row.code == agency.qd20_code:
                    tree_repo.end_code(session, row, max(today - timedelta(days=1), row.valid_from or date.min),
                                       actor_id)
            tree_repo.add_code(session, agency, code=qd20, scheme="qd20", valid_from=today, valid_to=None,
                               note="Mã theo QĐ 20/2020", actor_id=actor_id)
            changes["qd20_code"] = [agency.qd20_code, qd20]
            agency.qd20_code = qd20
        focal = None if form.clear_focal_user else _focal(session, agency.id, form.focal_user_id)
        if (form.clear_focal_user or form.focal_user_id is not None) and focal != agency.focal_user_id:
            changes["focal_user_id"] = [agency.focal_user_id, focal]
            agency.focal_user_id = focal
        if not changes:
            raise DomainError("org_nothing_changed")
        session.add(agency)
        record(session, actor_id, "org.agency_changed", "agency", agency.id, agency_code=agency.code,
                    changes=changes)
        return agency.id


def close_agency(engine: Engine, *, actor_id: int, roles: set[Role], agency_id: int, form: Closing) -> int:
    """Close an agency on a day (its codes end with it); refused while work would be orphaned.

    With a successor, each of the agency's codes becomes the successor's alias from the next day,
    so packages still naming the old code reach the agency that took the work over.
    """
    require_admin(roles)
    valid_to = parse_day(form.valid_to, "valid_to", required=True)
    with transaction(engine) as session:
        check_scope(session, actor_id, roles, None)
        agency = repo.agency_by_id(session, agency_id)
        successor = repo.agency_by_id(session, form.successor_id) if form.successor_id is not None else None
        end_agency(session, actor_id, agency, valid_to, successor)
        return agency.id


def end_agency(session: Session, actor_id: int | None, agency: Agency, valid_to: date,
               successor: Agency | None) -> None:
    """Close an agency inside the caller's transaction; with a successor its codes become the successor's
    aliases from the next day. Refused while it still has open work (a reorganisation hands it over first)."""
    _refuse_closed(agency)
    check_period(agency.valid_from, valid_to)
    work = handover_repo.agency_open_work(session, agency.id, _today().year)
    if not work.empty:
        raise Conflict("org_open_work", name=agency.name, open=describe_open_work(
            work.tasks, work.pending_registered, work.users, work.child_units, work.child_agencies))
    if successor is not None and (successor.id == agency.id or successor.valid_to is not None):
        raise DomainError("org_bad_successor")
    codes = tree_repo.codes_of(session, agency.id)
    for code, scheme in ((agency.code, "qcvn102"), (agency.qd20_code, "qd20")):
        if code and not any(row.code == code for row in codes):  # its own code gets its dated row
            codes.append(tree_repo.add_code(session, agency, code=code, scheme=scheme,
                                            valid_from=agency.valid_from, valid_to=None, note="", actor_id=actor_id))
    for row in codes:
        if row.valid_to is None or row.valid_to > valid_to:
            tree_repo.end_code(session, row, valid_to, actor_id)
    agency.valid_to = valid_to
    session.add(agency)
    record(session, actor_id, "org.agency_ended", "agency", agency.id, agency_code=agency.code,
           valid_to=valid_to.isoformat(), successor_id=successor.id if successor else None)
    if successor is not None:
        start = valid_to + timedelta(days=1)
        for code, scheme in dict.fromkeys((row.code, row.scheme) for row in codes):
            tree_repo.check_code_free(session, code, start, None)
            tree_repo.add_code(session, successor, code=code, scheme=scheme, valid_from=start, valid_to=None,
                               note=f"Mã cũ của {agency.name}"[:200], actor_id=actor_id)


def add_alias(engine: Engine, *, actor_id: int, roles: set[Role], agency_id: int, form: AliasInput) -> int:
    """Give an agency another code for an interval; refused when the code is held then."""
    require_admin(roles)
    code = check_code(form.code, form.scheme)
    valid_from = parse_day(form.valid_from, "valid_from")
    valid_to = parse_day(form.valid_to, "valid_to")
    check_period(valid_from, valid_to)
    note = clean_name("note", form.note, 200, required=False)
    with transaction(engine) as session:
        check_scope(session, actor_id, roles, agency_id)
        agency = repo.agency_by_id(session, agency_id)
        tree_repo.check_code_free(session, code, valid_from, valid_to, agency_id=agency.id)
        return tree_repo.add_code(session, agency, code=code, scheme=form.scheme, valid_from=valid_from,
                                  valid_to=valid_to, note=note, actor_id=actor_id).id


def _refuse_closed(agency: Agency) -> None:
    if agency.valid_to is not None and agency.valid_to < _today():
        raise DomainError("org_agency_closed", name=agency.name, valid_to=f"{agency.valid_to:%d/%m/%Y}")


# --- units -----------------------------------------------------------------------------------


def _unit_parent(session: Session, agency_id: int, parent_id: int | None, child: OrgUnit | None = None) -> int | None:
    if parent_id is None:
        return None
    parent = repo.unit_by_id(session, parent_id)
    if parent.agency_id != agency_id:
        raise DomainError("org_unit_parent_elsewhere")
    if parent.valid_to is not None:
        raise DomainError("org_parent_closed", parent=parent.name)
    if child is not None and (parent.id == child.id or child.id in tree_repo.unit_ancestors(session, parent)):
        raise DomainError("org_parent_cycle", name=child.name, parent=parent.name)
    return parent.id


def _free_abbreviation(session: Session, agency_id: int, abbreviation: str, unit_id: int | None = None) -> None:
    taken = [u for u in repo.units_of(session, agency_id) if u.abbreviation == abbreviation and u.id != unit_id]
    if taken:
        raise Conflict("org_unit_abbreviation_taken", abbreviation=abbreviation, name=taken[0].name)


def create_unit(engine: Engine, *, actor_id: int, roles: set[Role], agency_id: int, form: UnitInput) -> int:
    """Add an internal unit to an agency in force; return its id."""
    require_admin(roles)
    with transaction(engine) as session:
        check_scope(session, actor_id, roles, agency_id)
        return new_unit(session, actor_id, repo.agency_by_id(session, agency_id), form).id


def new_unit(session: Session, actor_id: int | None, agency: Agency, form: UnitInput, **context: str) -> OrgUnit:
    """Check and insert a unit inside the caller's transaction (a reorganisation's successor units too);
    ``context`` goes into its ``org.unit_created`` event."""
    name = clean_name("name", form.name, 200)
    abbreviation = clean_name("abbreviation", form.abbreviation, 20)
    valid_from = parse_day(form.valid_from, "valid_from")
    _refuse_closed(agency)
    parent_id = _unit_parent(session, agency.id, form.parent_id)
    _free_abbreviation(session, agency.id, abbreviation)
    unit = OrgUnit(agency_id=agency.id, parent_id=parent_id, name=name, abbreviation=abbreviation,
                   valid_from=valid_from)
    session.add(unit)
    session.flush()
    record(session, actor_id, "org.unit_created", "unit", unit.id, agency_code=agency.code, name=name,
           abbreviation=abbreviation, parent_id=parent_id, **context)
    return unit


def rename_unit(engine: Engine, *, actor_id: int, roles: set[Role], unit_id: int, form: UnitRename) -> int:
    """Change a unit's name or abbreviation."""
    require_admin(roles)
    name = None if form.name is None else clean_name("name", form.name, 200)
    abbreviation = None if form.abbreviation is None else clean_name("abbreviation", form.abbreviation, 20)
    with transaction(engine) as session:
        unit = _open_unit(session, unit_id)
        check_scope(session, actor_id, roles, unit.agency_id)
        changes: dict[str, list[str]] = {}
        if name is not None and name != unit.name:
            changes["name"] = [unit.name, name]
            unit.name = name
        if abbreviation is not None and abbreviation != unit.abbreviation:
            _free_abbreviation(session, unit.agency_id, abbreviation, unit.id)
            changes["abbreviation"] = [unit.abbreviation, abbreviation]
            unit.abbreviation = abbreviation
        if not changes:
            raise DomainError("org_nothing_changed")
        session.add(unit)
        record(session, actor_id, "org.unit_changed", "unit", unit.id, changes=changes)
        return unit.id


def move_unit(engine: Engine, *, actor_id: int, roles: set[Role], unit_id: int, form: Move) -> int:
    """Hang a unit under another unit of its agency (or directly under the agency)."""
    require_admin(roles)
    with transaction(engine) as session:
        unit = _open_unit(session, unit_id)
        check_scope(session, actor_id, roles, unit.agency_id)
        parent_id = _unit_parent(session, unit.agency_id, form.parent_id, unit)
        if parent_id == unit.parent_id:
            raise DomainError("org_nothing_changed")
        record(session, actor_id, "org.unit_moved", "unit", unit.id, old_parent_id=unit.parent_id,
                    parent_id=parent_id)
        unit.parent_id = parent_id
        session.add(unit)
        return unit.id


def close_unit(engine: Engine, *, actor_id: int, roles: set[Role], unit_id: int, form: Closing) -> int:
    """Close a unit on a day; refused while it has open tasks, active accounts or open sub-units."""
    require_admin(roles)
    valid_to = parse_day(form.valid_to, "valid_to", required=True)
    if form.successor_id is not None:
        raise DomainError("org_bad_successor")
    with transaction(engine) as session:
        unit = _open_unit(session, unit_id)
        check_scope(session, actor_id, roles, unit.agency_id)
        check_period(unit.valid_from, valid_to)
        work = handover_repo.unit_open_work(session, unit.id)
        if not work.empty:
            raise Conflict("org_open_work", name=unit.name, open=describe_open_work(
                work.tasks, work.pending_registered, work.users, work.child_units, work.child_agencies))
        unit.valid_to = valid_to
        session.add(unit)
        record(session, actor_id, "org.unit_closed", "unit", unit.id, name=unit.name,
                    valid_to=valid_to.isoformat())
        return unit.id


def _open_unit(session: Session, unit_id: int) -> OrgUnit:
    unit = repo.unit_by_id(session, unit_id)
    if unit.valid_to is not None and unit.valid_to < _today():
        raise DomainError("org_unit_closed", name=unit.name, valid_to=f"{unit.valid_to:%d/%m/%Y}")
    return unit
