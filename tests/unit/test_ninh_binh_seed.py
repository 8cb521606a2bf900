"""The default demo seed: the merged Ninh Bình province in force today, Hà Nam (H23) as closed history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models.all import Agency, AgencyCode, Document, OrgUnit, User
from models.db import transaction
from models.documents.access import document_for_user
from models.exchange.repo import our_agency
from models.org.dated_repo import resolve_agency_code
from models.org.repo import roles_of
from models.seed import data as ha_nam
from models.seed.ninh_binh import seed_ninh_binh
from models.seed.profiles import DEFAULT_PROFILE, profile_users
from tests.conftest import DEMO_PASSWORD, _fresh_engine

MERGER_EVE = date(2025, 6, 30)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def nb(request, tmp_path_factory):
    engine = _fresh_engine(request.param, tmp_path_factory.mktemp("nb"))
    with transaction(engine) as session:
        seed_ninh_binh(session, DEMO_PASSWORD)
    yield engine
    engine.dispose()


def _by_code(engine) -> dict[str, Agency]:
    with transaction(engine) as session:
        return {agency.code: agency for agency in session.exec(select(Agency))}


def test_it_is_the_default_profile_with_the_same_usernames_as_the_2024_one():
    assert DEFAULT_PROFILE == "ninhbinh"
    assert [u[0] for u in profile_users("ninhbinh")] == [u[0] for u in ha_nam.USERS]
    assert all(u[2].endswith(".H42") for u in profile_users("ninhbinh"))


def test_the_province_in_force_is_ninh_binh_h42_with_its_office_departments_and_wards(nb):
    agencies = _by_code(nb)
    province, office = agencies["000.00.00.H42"], agencies["000.00.01.H42"]
    assert (province.name, province.valid_to) == ("Ủy ban nhân dân tỉnh Ninh Bình", None)
    assert office.parent_id == province.id and office.place_name == "Ninh Bình" and office.hosted
    current = [a for a in agencies.values() if a.valid_to is None and a.hosted]
    assert all(a.code.endswith(".H42") for a in current)
    assert sum(a.kind == "so_nganh" for a in current) >= 10
    wards = {a.name: a for a in current if a.kind == "ubnd_xa"}
    for ward in ("Ủy ban nhân dân phường Phủ Lý", "Ủy ban nhân dân phường Hà Nam"):
        assert wards[ward].parent_id == province.id and wards[ward].valid_from == date(2025, 7, 1)


def test_the_former_ha_nam_tree_is_closed_on_30_june_2025_and_its_codes_end_then(nb):
    agencies = _by_code(nb)
    former = [a for a in agencies.values() if a.code.endswith(".H23")]
    assert len(former) >= 20 and all(a.valid_to is not None and a.valid_to <= MERGER_EVE for a in former)
    with transaction(nb) as session:
        own = session.exec(select(AgencyCode).where(AgencyCode.agency_id == agencies["000.00.02.H23"].id)).all()
        assert {(row.code, row.valid_to) for row in own} == {("000.00.02.H23", MERGER_EVE), ("H23.02", MERGER_EVE)}
        alias = session.exec(select(AgencyCode).where(AgencyCode.code == "000.00.02.H23",
                                                      AgencyCode.agency_id == agencies["000.00.02.H42"].id)).one()
        assert (alias.valid_from, alias.valid_to) == (date(2025, 7, 1), None)


def test_old_codes_resolve_by_date_to_their_successors(nb):
    with transaction(nb) as session:
        for old, new, day in (("000.00.02.H23", "000.00.02.H42", date(2025, 5, 20)),
                              ("H23.02", "000.00.02.H42", date(2024, 3, 1)),
                              ("000.00.01.H23", "000.00.01.H42", date(2025, 9, 1)),
                              ("000.01.20.H23", "000.00.40.H42", date(2025, 2, 1)),
                              ("000.00.00.H23", "000.00.00.H42", date(2025, 6, 30))):
            assert resolve_agency_code(session, old, day).code == new
            assert our_agency(session, old, day).code == new  # the hub package lookup uses it
        # A district with no successor stays itself: closed, so nobody here receives for it.
        assert resolve_agency_code(session, "000.00.21.H23", date(2025, 5, 1)).code == "000.00.21.H23"


def test_the_demo_accounts_work_in_todays_agencies(nb):
    agencies = _by_code(nb)
    with transaction(nb) as session:
        vanthu = session.exec(select(User).where(User.username == "vanthu")).one()
        assert vanthu.agency_id == agencies["000.00.01.H42"].id
        unit = session.get(OrgUnit, vanthu.unit_id)
        assert unit.abbreviation == "HCTC" and unit.agency_id == vanthu.agency_id
        snv = session.exec(select(User).where(User.username == "vanthu.snv")).one()
        assert snv.agency_id == agencies["000.00.02.H42"].id
        assert "quan_tri" in roles_of(session, session.exec(select(User).where(User.username == "admin")).one().id)


def test_a_document_from_before_the_merger_keeps_its_h23_codes_and_is_held_by_the_successor(nb):
    agencies = _by_code(nb)
    with transaction(nb) as session:
        [document] = session.exec(select(Document).where(Document.issued_date < date(2025, 7, 1))).all()
        assert document.organ_id == "000.00.03.H23"
        assert document.external_document_id == "000.00.03.H23,2025/05/20,45/STC-NS"
        assert document.agency_id == agencies["000.00.01.H42"].id
        vanthu = session.exec(select(User).where(User.username == "vanthu")).one()
        assert document_for_user(session, vanthu, document.id, roles_of(session, vanthu.id)).id == document.id


def test_seeding_twice_adds_nothing(nb):
    with transaction(nb) as session:
        before = (len(session.exec(select(Agency)).all()), len(session.exec(select(AgencyCode)).all()))
        assert seed_ninh_binh(session, DEMO_PASSWORD) == []
        after = (len(session.exec(select(Agency)).all()), len(session.exec(select(AgencyCode)).all()))
    assert before == after


def test_a_package_for_a_dissolved_agency_without_successor_finds_no_receiver(nb):
    with transaction(nb) as session:
        assert our_agency(session, "000.00.21.H23", date(2025, 5, 1)) is None  # thị xã Duy Tiên, closed
        assert our_agency(session, "000.00.00.G09", date(2025, 5, 1)) is None  # outside: not ours


def test_no_product_code_hard_codes_the_former_province():
    """Letterheads and place names come from the agency rows (DOMAIN §10.3.3): no "Hà Nam" literal
    outside the seed data, docstrings aside."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for folder in ("models", "commands", "web", "activities", "workflows"):  # (cli help names the profiles)
        for path in (root / folder).rglob("*"):
            if "seed" in path.parts or path.suffix not in (".py", ".html", ".j2"):
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix != ".py":
                found += [str(path)] if "Hà Nam" in text or "HÀ NAM" in text else []
                continue
            tree = ast.parse(text)
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                          and node.body and isinstance(node.body[0], ast.Expr)}
            found += [f"{path}:{node.lineno}" for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                      and ("Hà Nam" in node.value or "HÀ NAM" in node.value)]
    assert found == []
