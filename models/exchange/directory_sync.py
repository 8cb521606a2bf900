"""Synchronising the hub's agency directory into the organisation tree (EDXML.md §9.5 step 6; DOMAIN §10.3).

The hub is the authority on agencies outside this installation. Applying its directory:

* a code we do not know becomes a new agency (``hosted = False``: reached through the hub);
* a known code with another name is renamed (the old name stays in the audit log);
* an old code the hub lists for an agency becomes an alias (``AgencyCode``), so packages still
  addressed to it resolve;
* an agency the hub marks deleted is closed (``valid_to``), never removed: documents issued
  under it stay attributable;
* the agency's code in the QĐ 20/2020 scheme is recorded (``qd20_code`` and an ``AgencyCode`` row of
  scheme ``qd20``), so packages addressed either way resolve.

Agencies of this installation are never renamed or closed from outside: a difference is only
reported, because the installation's own tree is maintained by its administrator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from models.audit import record
from models.org.tables import Agency, AgencyCode
from models.vocab import AgencyKind


@dataclass(frozen=True)
class DirectoryRow:
    """One agency as the hub lists it (QCVN 102 code)."""

    code: str
    name: str
    parent_code: str = ""
    old_code: str = ""
    deleted: bool = False
    qd20_code: str = ""  # the same agency in the QĐ 20/2020 scheme, when the hub gives it


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    qd20: list[str] = field(default_factory=list)  # agencies whose QĐ 20 code was recorded
    ours_differ: list[str] = field(default_factory=list)  # hosted agencies the hub sees differently


def apply_directory(session: Session, rows: list[DirectoryRow], today: date) -> SyncReport:
    """Bring the organisation tree in line with the hub's directory; idempotent."""
    report = SyncReport()
    known = {agency.code: agency for agency in session.exec(select(Agency))}
    for row in rows:
        if not row.code or not row.name:
            continue
        agency = known.get(row.code)
        if agency is None:
            if row.deleted:
                continue
            parent = known.get(row.parent_code)
            agency = Agency(code=row.code[:13], name=row.name[:200], abbreviation=_abbreviation(row.name),
                            kind=AgencyKind.CENTRAL if parent is None else parent.kind,
                            parent_id=parent.id if parent else None, hosted=False)
            session.add(agency)
            session.flush()
            known[agency.code] = agency
            report.added.append(row.code)
            record(session, None, "org.agency_added", "agency", agency.id, agency_code=row.code, name=row.name, via="hub")
        elif agency.hosted:
            if row.deleted or row.name != agency.name:
                report.ours_differ.append(row.code)
        else:
            if row.name != agency.name:
                record(session, None, "org.agency_renamed", "agency", agency.id, agency_code=row.code,
                       old_name=agency.name, new_name=row.name, via="hub")
                agency.name = row.name[:200]
                report.renamed.append(row.code)
            if row.deleted and agency.valid_to is None:
                agency.valid_to = today
                report.closed.append(row.code)
                record(session, None, "org.agency_closed", "agency", agency.id, agency_code=row.code, via="hub")
            session.add(agency)
        if row.old_code and row.old_code != row.code and _add_alias(session, agency, row.old_code):
            report.aliases.append(row.old_code)
        if row.qd20_code and not agency.hosted and agency.qd20_code != row.qd20_code:
            agency.qd20_code = row.qd20_code[:35]
            session.add(agency)
            _add_alias(session, agency, row.qd20_code, scheme="qd20")
            report.qd20.append(row.code)
    return report


def _add_alias(session: Session, agency: Agency, code: str, scheme: str = "qcvn102") -> bool:
    exists = session.exec(select(AgencyCode).where(AgencyCode.code == code, AgencyCode.agency_id == agency.id)).first()
    if exists is not None:
        return False
    note = "Mã cũ theo trục liên thông" if scheme == "qcvn102" else "Mã theo QĐ 20/2020, theo trục liên thông"
    session.add(AgencyCode(agency_id=agency.id, code=code[:35], scheme=scheme, note=note))
    record(session, None, "org.alias_added", "agency", agency.id, alias=code, scheme=scheme, via="hub")
    return True


def _abbreviation(name: str) -> str:
    """Initials of the name's words, a placeholder the administrator can correct (ký hiệu needs it)."""
    initials = "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()
    return initials[:20] or "CQ"
