"""Editing the organisation tree (commands.organisation) and resolving codes by date, on both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from commands import organisation as org_commands
from models.db import transaction, utcnow
from models.errors import Conflict, DomainError, Forbidden
from models.org import dated_repo, repo, tree_repo
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
from models.org.tables import Agency, AgencyCode, AgencyName, OrgUnit, User
from models.registers.numbering import vietnam_date
from models.vocab import AgencyKind, Role
from tests.activities.org_helpers import ADMIN, events, new_agency
from tests.factories import make_document, make_task


def test_create_rename_move_and_close_an_agency_keep_history_and_audit(world):
    engine, _office, province_id, admin = world
    agency_id = new_agency(engine, admin, province_id, qd20_code="H42.02", valid_from="2025-07-01")
    with transaction(engine) as session:
        agency = session.get(Agency, agency_id)
        assert (agency.code, agency.qd20_code, agency.valid_from) == ("000.00.02.H42", "H42.02", date(2025, 7, 1))
        codes = {(row.code, row.scheme) for row in tree_repo.codes_of(session, agency_id)}
    assert codes == {("000.00.02.H42", "qcvn102"), ("H42.02", "qd20")}
    assert events(engine, "org.agency_created")[0].data["agency_code"] == "000.00.02.H42"

    org_commands.rename_agency(engine, actor_id=admin, roles=ADMIN, agency_id=agency_id,
                               form=AgencyRename(name="Sở Nội vụ và Lao động tỉnh Ninh Bình", place_name="Hoa Lư",
                                                 effective="2026-01-01"))
    with transaction(engine) as session:
        agency = session.get(Agency, agency_id)
        assert agency.name == "Sở Nội vụ và Lao động tỉnh Ninh Bình"
        [former] = session.exec(select(AgencyName).where(AgencyName.agency_id == agency_id)).all()
        assert (former.name, former.valid_from, former.valid_to) == (
            "Sở Nội vụ tỉnh Ninh Bình", date(2025, 7, 1), date(2025, 12, 31))
        # The letterhead of a document issued on a date prints the name in force that day.
        assert dated_repo.name_on(session, agency, date(2025, 9, 1)) == ("Sở Nội vụ tỉnh Ninh Bình", "Ninh Bình")
        assert dated_repo.name_on(session, agency, date(2026, 3, 1)) == ("Sở Nội vụ và Lao động tỉnh Ninh Bình", "Hoa Lư")
    renamed = events(engine, "org.agency_name_changed")[0]
    assert renamed.data["old_name"] == "Sở Nội vụ tỉnh Ninh Bình" and renamed.data["effective"] == "2026-01-01"

    other = new_agency(engine, admin, province_id, code="000.00.03.H42", name="Sở Tài chính tỉnh Ninh Bình")
    org_commands.move_agency(engine, actor_id=admin, roles=ADMIN, agency_id=agency_id, form=Move(parent_id=other))
    with transaction(engine) as session:
        assert session.get(Agency, agency_id).parent_id == other
    assert events(engine, "org.agency_moved")[0].data == {"agency_code": "000.00.02.H42",
                                                         "old_parent_id": province_id, "parent_id": other}
    with pytest.raises(DomainError) as cycle:  # under its own child: refused
        org_commands.move_agency(engine, actor_id=admin, roles=ADMIN, agency_id=other, form=Move(parent_id=agency_id))
    assert cycle.value.code == "org_parent_cycle"

    org_commands.close_agency(engine, actor_id=admin, roles=ADMIN, agency_id=agency_id,
                              form=Closing(valid_to="2026-06-30", successor_id=other))
    with transaction(engine) as session:
        agency = session.get(Agency, agency_id)
        assert agency.valid_to == date(2026, 6, 30)  # closed, never deleted
        assert all(row.valid_to == date(2026, 6, 30) for row in tree_repo.codes_of(session, agency_id))
        aliases = {(row.code, row.valid_from) for row in tree_repo.codes_of(session, other)}
    assert ("000.00.02.H42", date(2026, 7, 1)) in aliases and ("H42.02", date(2026, 7, 1)) in aliases
    assert events(engine, "org.agency_ended")[0].data["successor_id"] == other


def test_codes_in_the_wrong_form_are_refused_in_vietnamese_and_nothing_is_added(world):
    engine, _office, province_id, admin = world
    with pytest.raises(DomainError) as qcvn:
        new_agency(engine, admin, province_id, code="H42.02")
    assert qcvn.value.code == "bad_qcvn102_code" and "QĐ 20" in qcvn.value.params["hint"]
    with pytest.raises(DomainError) as qd20:
        new_agency(engine, admin, province_id, qd20_code="000.00.02.H42")
    assert qd20.value.code == "bad_qd20_code" and "QCVN 102" in qd20.value.params["hint"]
    for wrong in ("000.00.2.H42", "000.00.02.h42", "000.00.02.H4", " ", "000.00.02.H42;DROP"):
        with pytest.raises(DomainError) as refused:
            new_agency(engine, admin, province_id, code=wrong)
        assert refused.value.code == "bad_qcvn102_code"
    with pytest.raises(DomainError) as refused:
        new_agency(engine, admin, province_id, qd20_code="Z42.01")  # level 1 letter is A..Y
    assert refused.value.code == "bad_qd20_code"
    with pytest.raises(DomainError) as refused:
        new_agency(engine, admin, province_id, qd20_code="H42." + "01." * 12)
    assert refused.value.code == "bad_qd20_code"
    with transaction(engine) as session:
        assert session.exec(select(Agency).where(Agency.code.like("%H42"))).all() == []
    assert events(engine, "org.agency_created") == []


def test_a_code_in_use_and_overlapping_alias_validity_are_refused(world):
    engine, office, province_id, admin = world
    with pytest.raises(Conflict) as taken:
        new_agency(engine, admin, province_id, code="000.00.01.H23")
    assert taken.value.code == "agency_code_in_use"
    target = new_agency(engine, admin, province_id)
    alias = AliasInput(code="000.00.92.H23", valid_from="2025-01-01", valid_to="2025-06-30", note="Mã cũ")
    org_commands.add_alias(engine, actor_id=admin, roles=ADMIN, agency_id=target, form=alias)
    for valid_from, valid_to in (("2025-06-30", ""), ("", "2025-01-01"), ("2025-03-01", "2025-04-01")):
        with pytest.raises(Conflict) as overlap:
            org_commands.add_alias(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                                   form=AliasInput(code="000.00.92.H23", valid_from=valid_from, valid_to=valid_to))
        assert overlap.value.code == "agency_code_in_use"
    org_commands.add_alias(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                           form=AliasInput(code="000.00.92.H23", valid_from="2025-07-01"))  # touching, not overlapping
    with pytest.raises(DomainError) as backwards:
        org_commands.add_alias(engine, actor_id=admin, roles=ADMIN, agency_id=target,
                               form=AliasInput(code="000.00.93.H23", valid_from="2025-07-01", valid_to="2025-06-01"))
    assert backwards.value.code == "org_bad_period"
    with pytest.raises(DomainError) as bad_date:
        org_commands.add_alias(engine, actor_id=admin, roles=ADMIN, agency_id=target,
                               form=AliasInput(code="000.00.93.H23", valid_from="30/06/2025"))
    assert bad_date.value.code == "org_bad_date"
    with transaction(engine) as session:
        assert len(tree_repo.code_holders(session, "000.00.92.H23")) == 2
        assert tree_repo.code_holders(session, "000.00.93.H23") == []


def test_closing_with_open_work_is_refused_listing_it_and_nothing_changes(world):
    engine, office, _province_id, admin = world
    with transaction(engine) as session:
        document = make_document(session, office)
        make_task(session, office, document, unit="TH")
    with pytest.raises(Conflict) as refused:
        org_commands.close_agency(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                                  form=Closing(valid_to=vietnam_date(utcnow()).isoformat()))
    assert refused.value.code == "org_open_work"
    listed = refused.value.params["open"]
    assert "1 việc đang xử lý" in listed and "4 tài khoản đang hoạt động" in listed and "2 đơn vị trực thuộc" in listed
    with pytest.raises(Conflict) as unit_refused:
        org_commands.close_unit(engine, actor_id=admin, roles=ADMIN, unit_id=office.units["TH"],
                                form=Closing(valid_to="2026-01-01"))
    assert "1 việc đang xử lý" in unit_refused.value.params["open"]
    with transaction(engine) as session:
        assert session.get(Agency, office.agency_id).valid_to is None
        assert session.get(OrgUnit, office.units["TH"]).valid_to is None
        assert all(row.valid_to is None for row in tree_repo.codes_of(session, office.agency_id))
    assert events(engine, "org.agency_ended") == [] and events(engine, "org.unit_closed") == []


def test_units_are_created_renamed_moved_and_closed_when_free(world):
    engine, office, _province_id, admin = world
    unit_id = org_commands.create_unit(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                                       form=UnitInput(name="Phòng Kinh tế", abbreviation="KT"))
    with pytest.raises(Conflict):
        org_commands.create_unit(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                                 form=UnitInput(name="Phòng khác", abbreviation="KT"))
    org_commands.rename_unit(engine, actor_id=admin, roles=ADMIN, unit_id=unit_id,
                             form=UnitRename(name="Phòng Kinh tế - Ngành", abbreviation="KTN"))
    org_commands.move_unit(engine, actor_id=admin, roles=ADMIN, unit_id=unit_id, form=Move(parent_id=office.units["TH"]))
    org_commands.close_unit(engine, actor_id=admin, roles=ADMIN, unit_id=unit_id, form=Closing(valid_to="2026-12-31"))
    with transaction(engine) as session:
        unit = session.get(OrgUnit, unit_id)
        assert (unit.name, unit.abbreviation, unit.parent_id, unit.valid_to) == (
            "Phòng Kinh tế - Ngành", "KTN", office.units["TH"], date(2026, 12, 31))
    assert [len(events(engine, code)) for code in ("org.unit_created", "org.unit_changed", "org.unit_moved",
                                                    "org.unit_closed")] == [1, 1, 1, 1]


def test_the_focal_clerk_is_a_person_of_the_agency(world):
    engine, office, province_id, admin = world
    clerk = office.users["clerk"].id
    org_commands.change_agency_details(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                                       form=AgencyDetails(focal_user_id=clerk, abbreviation="VPUB"))
    with transaction(engine) as session:
        agency = session.get(Agency, office.agency_id)
        assert (agency.focal_user_id, agency.abbreviation) == (clerk, "VPUB")
        outsider = User(username="khac", full_name="Khác", agency_id=province_id, password_hash="!")
        session.add(outsider)
        session.flush()
        outsider_id = outsider.id
    with pytest.raises(DomainError) as refused:
        org_commands.change_agency_details(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                                           form=AgencyDetails(focal_user_id=outsider_id))
    assert refused.value.code == "org_focal_not_member"


def test_only_an_administrator_edits_the_tree(world):
    engine, _office, province_id, admin = world
    for roles in (set(), {Role.CLERK}, {Role.AGENCY_LEADER}):
        with pytest.raises(Forbidden):
            org_commands.create_agency(engine, actor_id=admin, roles=roles, form=AgencyInput(
                code="000.00.09.H42", name="X", abbreviation="X", kind=AgencyKind.DEPARTMENT, parent_id=province_id))
        with pytest.raises(Forbidden):
            org_commands.close_agency(engine, actor_id=admin, roles=roles, agency_id=province_id,
                                      form=Closing(valid_to="2026-01-01"))


def test_an_agency_administrator_changes_only_their_own_agency(world):
    engine, office, province_id, _admin = world
    own_admin = office.users["clerk"].id  # an ADMIN of the office only
    agency_admin = {Role.ADMIN}
    org_commands.rename_agency(engine, actor_id=own_admin, roles=agency_admin, agency_id=office.agency_id,
                               form=AgencyRename(name="Văn phòng UBND tỉnh", effective="2026-01-01"))
    org_commands.create_unit(engine, actor_id=own_admin, roles=agency_admin, agency_id=office.agency_id,
                             form=UnitInput(name="Phòng Kinh tế", abbreviation="KT"))
    refusals = [
        lambda: org_commands.rename_agency(engine, actor_id=own_admin, roles=agency_admin, agency_id=province_id,
                                           form=AgencyRename(name="Khác", effective="2026-01-01")),
        lambda: org_commands.create_unit(engine, actor_id=own_admin, roles=agency_admin, agency_id=province_id,
                                         form=UnitInput(name="Phòng", abbreviation="P")),
        lambda: org_commands.create_agency(engine, actor_id=own_admin, roles=agency_admin, form=AgencyInput(
            code="000.00.09.H42", name="X", abbreviation="X", kind=AgencyKind.DEPARTMENT)),
        lambda: org_commands.move_agency(engine, actor_id=own_admin, roles=agency_admin, agency_id=office.agency_id,
                                         form=Move(parent_id=province_id)),
    ]
    codes = []
    for refused in refusals:
        with pytest.raises(Forbidden) as failure:
            refused()
        codes.append(failure.value.code)
    assert codes == ["org_other_agency", "org_other_agency", "org_province_admin_only", "org_province_admin_only"]
    with transaction(engine) as session:
        assert session.get(Agency, province_id).name == "Ủy ban nhân dân tỉnh Hà Nam"


def test_a_closed_code_resolves_by_date_through_the_alias_to_the_successor(world):
    """A Hà Nam code of a document dated before the merger reaches the agency that took its work over."""
    engine, office, province_id, admin = world
    today = vietnam_date(utcnow())
    successor = new_agency(engine, admin, None, code="000.00.01.H42", name="Văn phòng UBND tỉnh Ninh Bình",
                            valid_from="2025-07-01")
    with transaction(engine) as session:  # the old office has no work left: its people moved on
        for user in session.exec(select(User).where(User.agency_id == office.agency_id)):
            user.agency_id = successor
            session.add(user)
        for unit in session.exec(select(OrgUnit).where(OrgUnit.agency_id == office.agency_id)):
            unit.valid_to = date(2025, 6, 30)
            session.add(unit)
    org_commands.add_alias(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                           form=AliasInput(code="H23.01", scheme="qd20"))
    org_commands.close_agency(engine, actor_id=admin, roles=ADMIN, agency_id=office.agency_id,
                              form=Closing(valid_to="2025-06-30", successor_id=successor))
    with transaction(engine) as session:
        old_code = "000.00.01.H23"
        assert dated_repo.agency_holding(session, old_code, date(2025, 5, 20)).id == office.agency_id
        assert dated_repo.agency_holding(session, old_code, date(2025, 8, 1)).id == successor
        assert dated_repo.resolve_agency_code(session, old_code, date(2025, 5, 20)).id == successor
        assert dated_repo.resolve_agency_code(session, "H23.01", date(2024, 1, 2)).id == successor  # QĐ 20 form too
        # Before the close took effect, the old office was still the one answering.
        assert dated_repo.resolve_agency_code(session, old_code, date(2025, 5, 20), today=date(2025, 6, 1)).id == \
            office.agency_id
        assert dated_repo.resolve_agency_code(session, "000.00.00.H23", today).id == province_id
        assert dated_repo.resolve_agency_code(session, "000.00.77.H23", today) is None
        assert session.exec(select(AgencyCode).where(AgencyCode.code == old_code,
                                                     AgencyCode.agency_id == office.agency_id)).one().valid_to == \
            date(2025, 6, 30)


def test_a_drafts_letterhead_and_place_name_are_those_in_force_on_its_issue_date(seeded):
    """No name is hard-coded: the agency row (or its former names) valid on the day gives the letterhead."""
    from commands.drafting import _plan_draft
    from models.documents.types_repo import type_by_name
    from models.outgoing.schema import DraftForm

    today = vietnam_date(utcnow())
    with transaction(seeded) as session:
        admin = session.exec(select(User).where(User.username == "admin")).one().id
        office = repo.agency_by_code(session, "000.00.01.H23").id
        province = repo.agency_by_code(session, "000.00.00.H23").id
        snv = repo.agency_by_code(session, "000.00.02.H23").id
    # The office takes a new name tomorrow, the province today.
    org_commands.rename_agency(seeded, actor_id=admin, roles=ADMIN, agency_id=office, form=AgencyRename(
        name="Văn phòng Ủy ban nhân dân tỉnh Ninh Bình", place_name="Ninh Bình",
        effective=(today + timedelta(days=1)).isoformat()))
    org_commands.rename_agency(seeded, actor_id=admin, roles=ADMIN, agency_id=province, form=AgencyRename(
        name="Ủy ban nhân dân tỉnh Ninh Bình", place_name="Ninh Bình", effective=today.isoformat()))
    with transaction(seeded) as session:
        drafter = session.exec(select(User).where(User.username == "chuyenvien")).one()
        signer = session.exec(select(User).where(User.username == "lanhdao")).one()
        form = DraftForm(doc_type_id=type_by_name(session, "Công văn").id, subject="Về việc thử tiêu đề",
                         signer_id=signer.id, recipient_agency_ids=[snv])
        content = _plan_draft(session, drafter, form, {Role.OFFICER}).content
    assert content.agency_name == "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH HÀ NAM"  # its new name starts tomorrow
    assert content.place_name == "Hà Nam"
    assert content.parent_agency_name == "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH"  # in force since today
