"""Load the demo organisation, accounts and default process definition (idempotent)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta

from sqlmodel import Session, select

from models.audit import record
from models.documents.types_repo import seed_types
from models.org.repo import create_user
from models.org.tables import Agency, AgencyCode, OrgUnit, User
from models.processes.repo import publish
from models.processes.schema import DEFAULT_INCOMING, DEFAULT_OUTGOING
from models.processes.tables import ProcessDefinition
from models.registers.numbering import qd20_from_qcvn102
from models.registers.repo import incoming_register
from models.seed import data as seed_data


def seed_organisation(session: Session, *, hosted_codes: Collection[str] | None = None,
                      units: Sequence[tuple[str, str, str]] = seed_data.UNITS,
                      agencies: Sequence[tuple] = seed_data.AGENCIES,
                      successors: Mapping[str, str] | None = None) -> int:
    """Insert missing agencies, their codes and units; return how many agencies were added.

    ``hosted_codes`` names the agencies this installation serves (default: the province's, as
    ``agencies`` marks them); another installation seeds the same tree with its own.
    ``successors`` maps a closed agency's code to the agency that took its work over: each of the
    old agency's codes becomes the successor's alias from the day after the old one closed.
    """
    by_code = {a.code: a for a in session.exec(select(Agency))}
    added = 0
    for code, name, abbr, kind, parent, place, start, end, hosted in agencies:
        if code in by_code:
            continue
        if hosted_codes is not None:
            hosted = code in hosted_codes
        qd20 = qd20_from_qcvn102(code)
        agency = Agency(code=code, qd20_code=qd20, name=name, abbreviation=abbr, kind=kind,
                        parent_id=by_code[parent].id if parent else None, place_name=place,
                        valid_from=start, valid_to=end, hosted=hosted)
        session.add(agency)
        session.flush()
        session.add(AgencyCode(agency_id=agency.id, code=code, scheme="qcvn102",
                               valid_from=start, valid_to=end))
        session.add(AgencyCode(agency_id=agency.id, code=qd20, scheme="qd20",
                               valid_from=start, valid_to=end))
        by_code[code] = agency
        added += 1
    for old_code, new_code in (successors or {}).items():
        old, new = by_code[old_code], by_code[new_code]
        start = old.valid_to + timedelta(days=1)
        for alias, scheme in ((old.code, "qcvn102"), (old.qd20_code, "qd20")):
            if alias and session.exec(select(AgencyCode).where(AgencyCode.code == alias,
                                                               AgencyCode.agency_id == new.id)).first() is None:
                session.add(AgencyCode(agency_id=new.id, code=alias, scheme=scheme, valid_from=start,
                                       note=f"Mã cũ của {old.name}"[:200]))
    for agency_code, abbr, name in units:
        agency = by_code[agency_code]
        exists = session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency.id,
                                                    OrgUnit.abbreviation == abbr)).first()
        if exists is None:
            session.add(OrgUnit(agency_id=agency.id, abbreviation=abbr, name=name))
    session.flush()
    return added


def seed_demo(session: Session, demo_password: str, *, hosted_codes: Collection[str] | None = None,
              units: Sequence[tuple] = seed_data.UNITS, users: Sequence[tuple] = seed_data.USERS,
              mail_domain: str = "hanam.example", agencies: Sequence[tuple] = seed_data.AGENCIES,
              successors: Mapping[str, str] | None = None) -> list[str]:
    """Seed everything the demo needs; return the usernames created now.

    Demo accounts skip the first-login password change so the demo works at once; their
    shared password is the operator's ``QLVB_DEMO_PASSWORD`` or a generated one. The keyword
    arguments let another installation's profile (``models.seed.profiles``) host other agencies
    with its own units and accounts.
    """
    seed_organisation(session, hosted_codes=hosted_codes, units=units, agencies=agencies, successors=successors)
    seed_types(session, seed_data.DOCUMENT_TYPES)
    created = []
    for username, full_name, agency_code, unit, position, roles in users:
        if session.exec(select(User).where(User.username == username)).first():
            continue
        create_user(session, username=username, full_name=full_name, agency_code=agency_code,
                    unit_abbreviation=unit, position=position, roles=roles,
                    # A reserved example domain: demo mail lands in the dev mailbox, never outside.
                    email=f"{username}@{mail_domain}",
                    password=demo_password, must_change_password=False)
        created.append(username)
    # Only the first time: an administrator's later versions must not be overridden by a re-seed.
    for default in (DEFAULT_INCOMING, DEFAULT_OUTGOING):
        if not session.exec(select(ProcessDefinition).where(ProcessDefinition.key == default.key)).first():
            publish(session, default, actor_id=None)
    for agency in session.exec(select(Agency).where(Agency.hosted == True)):  # noqa: E712
        incoming_register(session, agency.id)
    if created:
        record(session, None, "system.seeded", "system", "demo", users=created)
    return created
