"""The seeded demo organisation: the Hà Nam tree before and after the two-tier reform."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from models.all import (
    Agency,
    AgencyCode,
    AuditEvent,
    OrgUnit,
    ProcessDefinition,
    Register,
    User,
    UserRole,
)
from models.db import transaction
from models.org.repo import roles_of
from models.seed.demo import seed_demo
from models.vocab import AgencyKind, Role
from tests.conftest import DEMO_PASSWORD, _fresh_engine

QCVN102 = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
DISTRICT_END = date(2025, 6, 30)
TWO_TIER_START = date(2025, 7, 1)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tree(request, tmp_path_factory):
    """The demo seed on each backend, once per module: the read-only checks share it (seeding
    hashes nine passwords with argon2, about a second)."""
    engine = _fresh_engine(request.param, tmp_path_factory.mktemp("tree"))
    with transaction(engine) as session:
        seed_demo(session, DEMO_PASSWORD)
    yield engine
    engine.dispose()


def _agencies(engine) -> dict[str, Agency]:
    with transaction(engine) as session:
        return {agency.code: agency for agency in session.exec(select(Agency))}


def test_it_seeds_at_least_ten_departments_under_the_province(tree):
    agencies = _agencies(tree)
    province = agencies["000.00.00.H23"]
    departments = [a for a in agencies.values() if a.kind == AgencyKind.DEPARTMENT]
    assert len(departments) >= 10
    assert all(a.parent_id == province.id and a.valid_to is None for a in departments)


def test_it_closes_six_district_level_agencies_on_30_june_2025(tree):
    agencies = _agencies(tree)
    districts = [a for a in agencies.values() if a.kind == AgencyKind.DISTRICT]
    assert len(districts) == 6
    assert {a.valid_to for a in districts} == {DISTRICT_END}
    assert {a.parent_id for a in districts} == {agencies["000.00.00.H23"].id}


def test_it_keeps_communes_under_closed_districts_and_two_tier_communes_under_the_province(tree):
    agencies = _agencies(tree)
    by_id = {a.id: a for a in agencies.values()}
    province = agencies["000.00.00.H23"]
    communes = [a for a in agencies.values() if a.kind == AgencyKind.COMMUNE]

    old = [c for c in communes if by_id[c.parent_id].kind == AgencyKind.DISTRICT]
    assert old, "pre-reform communes stay in the tree"
    assert all(c.valid_to == DISTRICT_END for c in old)

    two_tier = [c for c in communes if c.parent_id == province.id]
    assert two_tier, "communes directly under the province"
    assert all(c.valid_from == TWO_TIER_START and c.valid_to is None for c in two_tier)
    assert len(old) + len(two_tier) == len(communes)


def test_it_has_the_documented_agency_codes(tree):
    agencies = _agencies(tree)
    assert agencies["000.00.00.H23"].kind == AgencyKind.PROVINCE
    assert agencies["000.00.01.H23"].kind == AgencyKind.PROVINCE_OFFICE
    assert agencies["000.00.01.H23"].parent_id == agencies["000.00.00.H23"].id
    assert agencies["000.00.00.G22"].kind == AgencyKind.CENTRAL
    assert agencies["000.00.00.G22"].hosted is False


def test_it_uses_qcvn102_codes_everywhere(tree):
    with transaction(tree) as session:
        agency_codes = list(session.exec(select(Agency.code)))
        alias_codes = list(session.exec(select(AgencyCode.code).where(AgencyCode.scheme == "qcvn102")))
    bad = [code for code in agency_codes + alias_codes if not QCVN102.match(code)]
    assert agency_codes and not bad


def test_it_gives_every_agency_an_alias_row_with_its_validity(tree):
    with transaction(tree) as session:
        agencies = list(session.exec(select(Agency)))
        aliases = list(session.exec(select(AgencyCode)))
    by_agency: dict[int, list[AgencyCode]] = {}
    for alias in aliases:
        by_agency.setdefault(alias.agency_id, []).append(alias)
    for agency in agencies:
        rows = [a for a in by_agency.get(agency.id, []) if a.code == agency.code]
        assert len(rows) == 1, agency.code
        assert (rows[0].valid_from, rows[0].valid_to) == (agency.valid_from, agency.valid_to)


def test_it_creates_the_demo_users_with_their_roles(tree):
    expected = {
        "admin": ({Role.ADMIN, Role.SYSTEM_ADMIN}, "000.00.01.H23", "HCTC"),
        "vanthu": ({Role.CLERK}, "000.00.01.H23", "HCTC"),
        "lanhdao": ({Role.AGENCY_LEADER}, "000.00.01.H23", None),
        "truongphong": ({Role.UNIT_LEADER}, "000.00.01.H23", "TH"),
        "chuyenvien": ({Role.OFFICER}, "000.00.01.H23", "TH"),
        "luutru": ({Role.ARCHIVIST}, "000.00.01.H23", "HCTC"),
        "giamsat": ({Role.SUPERVISOR}, "000.00.01.H23", None),
        "vanthu.snv": ({Role.CLERK}, "000.00.02.H23", "VP"),
        "lanhdao.snv": ({Role.AGENCY_LEADER}, "000.00.02.H23", None),
        "vanthu.stc": ({Role.CLERK}, "000.00.03.H23", "VP"),
        "lanhdao.stc": ({Role.AGENCY_LEADER}, "000.00.03.H23", None),
    }
    with transaction(tree) as session:
        codes = {a.id: a.code for a in session.exec(select(Agency))}
        units = {u.id: u.abbreviation for u in session.exec(select(OrgUnit))}
        users = {u.username: u for u in session.exec(select(User))}
        found = {
            name: (roles_of(session, user.id), codes[user.agency_id], units.get(user.unit_id))
            for name, user in users.items()
        }
    assert found == expected
    assert not any(user.must_change_password for user in users.values())


def test_it_is_idempotent_when_seeded_twice(seeded):
    tables = [Agency, AgencyCode, OrgUnit, User, UserRole, ProcessDefinition, Register, AuditEvent]

    def counts() -> dict[str, int]:
        with transaction(seeded) as session:
            return {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in tables}

    before = counts()
    with transaction(seeded) as session:
        created = seed_demo(session, DEMO_PASSWORD)
    assert created == []
    assert counts() == before
    assert before["ProcessDefinition"] == 2  # incoming-standard and outgoing-standard
    assert before["Register"] == sum(1 for a in _agencies(seeded).values() if a.hosted)
