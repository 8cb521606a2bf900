"""The Danh mục hồ sơ's commands, repository and decision activity on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.record_plans import RecordPlanActivities
from activities.tasks import TaskActivities
from commands import record_plans as commands
from models.audit import AuditEvent
from models.db import reading, transaction
from models.errors import DomainError
from models.org.tables import Agency, User, UserRole
from models.records import plan_repo
from models.records.plan_schema import EntryChange, EntryInput, HeadingInput, PlanInput
from models.records.plan_sheet import plan_sheet
from models.records.tables import EntryStatus, PlanStatus, RecordPlan, RecordPlanEntry, RecordPlanHeading
from models.vocab import AgencyKind, Role
from tests.factories import make_org
from workflows.contracts import ApplyDecisionInput, OpenTaskInput


@pytest.fixture
def org(engine):
    with transaction(engine) as session:
        org = make_org(session)
        other = Agency(code="000.00.02.H23", name="Sở Nội vụ tỉnh Hà Nam", abbreviation="SNV",
                       kind=AgencyKind.DEPARTMENT, place_name="Hà Nam")
        session.add(other)
        session.flush()
        for name, agency_id, unit, role in [("luutru", org.agency_id, org.units["HCTC"], Role.ARCHIVIST),
                                            ("vanthu.snv", other.id, None, Role.CLERK)]:
            person = User(username=name, full_name=name.title(), agency_id=agency_id, unit_id=unit,
                          password_hash="!", must_change_password=False)
            session.add(person)
            session.flush()
            session.add(UserRole(user_id=person.id, role=role))
            key = "archivist" if role == Role.ARCHIVIST else "foreign_clerk"
            org.users[key], org.roles[key] = person, {role}
    org.engine = engine
    return org


def _as(org, who: str) -> dict:
    return {"user": org.users[who], "roles": org.roles[who]}


def _plan(org, year=2026, who="clerk", **kwargs) -> int:
    return commands.create_plan(org.engine, **_as(org, who), data=PlanInput(year=year, **kwargs))


def _heading(org, plan_id, title, abbreviation="", parent_id=None, unit=None, who="clerk") -> int:
    return commands.add_heading(org.engine, **_as(org, who), plan_id=plan_id, data=HeadingInput(
        title=title, abbreviation=abbreviation, parent_id=parent_id, unit_id=org.units[unit] if unit else None))


def _entry(org, plan_id, heading_id, title, maintenance="Vĩnh viễn", who="clerk", **kwargs) -> int:
    return commands.add_entry(org.engine, **_as(org, who), plan_id=plan_id, data=EntryInput(
        heading_id=heading_id, title=title, maintenance=maintenance, **kwargs))


def _numbers(org, plan_id) -> list[tuple[str, str, str]]:
    with reading(org.engine) as session:
        sheet = plan_sheet(session, plan_repo.plan_by_id(session, plan_id))
        return [(line.item.file_notation, line.item.title, str(line.item.status))
                for line in sheet.lines if line.kind == "entry"]


def _snapshot(org) -> tuple:
    """Everything a refused command must leave as it was."""
    with reading(org.engine) as session:
        return tuple((model.__name__, tuple(getattr(row, column.name) for column in model.__table__.columns))
                     for model in (RecordPlan, RecordPlanHeading, RecordPlanEntry, AuditEvent)
                     for row in session.exec(select(model).order_by(model.id)))


def _refused(org, call, code: str) -> DomainError:
    before = _snapshot(org)
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.code == code
    assert _snapshot(org) == before
    return refused.value


def _outline(org) -> tuple[int, dict[str, int]]:
    plan_id = _plan(org)
    heads = {"I": _heading(org, plan_id, "Tổ chức, cán bộ", "tccb", unit="HCTC")}
    heads["I.1"] = _heading(org, plan_id, "Tuyển dụng", parent_id=heads["I"])
    heads["II"] = _heading(org, plan_id, "Tổng hợp", "TH", unit="TH", who="archivist")
    return plan_id, heads


def _decide(org, plan_id: int, action: str, **fields) -> str:
    """Open the round's step as the workflow would, then apply the leader's decision twice."""
    round_input, _ = commands._begin_round(org.engine, org.users["clerk"], org.roles["clerk"], plan_id)
    workflow_id = f"danhmuc-{plan_id}-{round_input.approval_round}"
    env = ActivityEnvironment()
    env.run(TaskActivities(org.engine).open_task, OpenTaskInput(
        workflow_id=workflow_id, task_key="approve_plan:1", document_id="", step="approve_plan",
        agency_id=org.agency_id, candidate_role="lanh_dao_co_quan", actions=["duyet_danh_muc", "tra_lai_danh_muc"],
        urgency_rank=0, due_at=None, record_plan_id=plan_id))
    request = ApplyDecisionInput(document_id="", workflow_id=workflow_id, task_key="approve_plan:1", step="approve_plan",
                                 action=action, actor_id=org.users["leader"].id, fields=fields)
    first = env.run(RecordPlanActivities(org.engine).apply_record_plan_decision, request)
    again = env.run(RecordPlanActivities(org.engine).apply_record_plan_decision, request)
    assert again.document_status == first.document_status
    return first.document_status


def _events(org, code: str) -> list[dict]:
    """The data of each audit event ``code``, oldest first."""
    with reading(org.engine) as session:
        return [event.data for event in session.exec(select(AuditEvent).where(AuditEvent.code == code)
                                                      .order_by(AuditEvent.id))]


def test_entries_are_numbered_in_reading_order_and_renumbered_when_the_draft_changes(org):
    plan_id, heads = _outline(org)
    _entry(org, plan_id, heads["II"], "Báo cáo tổng kết năm", "Vĩnh viễn")
    _entry(org, plan_id, heads["I.1"], "Hồ sơ tuyển dụng công chức", "70 năm")
    first = _entry(org, plan_id, heads["I"], "Quy chế làm việc", "vinh vien")
    assert _numbers(org, plan_id) == [("01.TCCB", "Quy chế làm việc", "du_thao"),
                                      ("02.TCCB", "Hồ sơ tuyển dụng công chức", "du_thao"),
                                      ("03.TH", "Báo cáo tổng kết năm", "du_thao")]
    second = _entry(org, plan_id, heads["I"], "Kế hoạch đào tạo", "10 nam")
    commands.move_entry(org.engine, **_as(org, "clerk"), plan_id=plan_id, entry_id=second, step=-1)
    assert [n[:2] for n in _numbers(org, plan_id)][:2] == [("01.TCCB", "Kế hoạch đào tạo"),
                                                            ("02.TCCB", "Quy chế làm việc")]
    commands.set_numbering(org.engine, **_as(org, "clerk"), plan_id=plan_id, numbering="theo_de_muc")
    assert [n[0] for n in _numbers(org, plan_id)] == ["01.TCCB", "02.TCCB", "03.TCCB", "01.TH"]
    commands.remove_entry(org.engine, **_as(org, "archivist"), plan_id=plan_id, entry_id=first)
    commands.move_heading(org.engine, **_as(org, "clerk"), plan_id=plan_id, heading_id=heads["II"], step=-1)
    assert [n[0] for n in _numbers(org, plan_id)] == ["01.TH", "01.TCCB", "02.TCCB"]
    commands.change_entry(org.engine, **_as(org, "clerk"), plan_id=plan_id, entry_id=second,
                          data=EntryChange(maintenance="20 năm", description="Theo kế hoạch năm"))
    with reading(org.engine) as session:
        changed = plan_repo.entry(session, second)
        assert (changed.maintenance, changed.description, changed.creator_unit_id) == (
            "20 năm", "Theo kế hoạch năm", org.units["HCTC"])  # the unit its heading follows
    assert [e["title"] for e in _events(org, "record_plan.entry_added")] == [
        "Báo cáo tổng kết năm", "Hồ sơ tuyển dụng công chức", "Quy chế làm việc", "Kế hoạch đào tạo"]


def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(org):
    plan_id, heads = _outline(org)
    entry_id = _entry(org, plan_id, heads["I"], "Quy chế làm việc")
    _refused(org, lambda: _plan(org), "plan_exists")
    _refused(org, lambda: _entry(org, plan_id, heads["I"], "Hồ sơ", "mười năm"), "plan_bad_retention")
    _refused(org, lambda: commands.change_entry(org.engine, **_as(org, "clerk"), plan_id=plan_id, entry_id=entry_id,
                                                data=EntryChange(maintenance="0 năm")), "plan_bad_retention")
    _refused(org, lambda: _heading(org, plan_id, "Văn phòng", "V P"), "plan_bad_abbreviation")
    _refused(org, lambda: _heading(org, plan_id, "Quá sâu", parent_id=heads["I.1"]), "plan_heading_too_deep")
    _refused(org, lambda: _entry(org, plan_id, heads["I"], "Hồ sơ", who="officer"), "plan_drafters_only")
    _refused(org, lambda: _entry(org, plan_id, heads["I"], "Hồ sơ", who="foreign_clerk"), "plan_not_found")
    _refused(org, lambda: _entry(org, plan_id, heads["I"], "Hồ sơ", creator_user_id=org.users["foreign_clerk"].id),
             "invalid_fields")
    _refused(org, lambda: commands.remove_heading(org.engine, **_as(org, "clerk"), plan_id=plan_id,
                                                  heading_id=heads["I"]), "plan_heading_not_empty")
    _refused(org, lambda: _plan(org, 2030, from_previous=True), "plan_no_previous")
    # Two top headings with one abbreviation: numbered per heading, both hồ sơ would be 01.TH.
    _heading(org, plan_id, "Tổng hợp khác", "TH", unit="TH")
    commands.set_numbering(org.engine, **_as(org, "clerk"), plan_id=plan_id, numbering="theo_de_muc")
    _entry(org, plan_id, heads["II"], "Báo cáo năm")
    with reading(org.engine) as session:
        other_th = max(h.id for h in plan_repo.headings_of(session, plan_id))
    refused = _refused(org, lambda: _entry(org, plan_id, other_th, "Báo cáo quý"), "plan_duplicate_notation")
    assert refused.params == {"notation": "01.TH"}


def test_approval_issues_the_plan_and_freezes_its_numbers_and_later_additions_take_a_round_of_their_own(org):
    plan_id, heads = _outline(org)
    kept = _entry(org, plan_id, heads["I"], "Quy chế làm việc")
    _entry(org, plan_id, heads["II"], "Báo cáo tổng kết năm", "20 năm")
    assert _decide(org, plan_id, "tra_lai_danh_muc", reason="Bổ sung hồ sơ thi đua") == PlanStatus.DRAFT
    assert _events(org, "record_plan.sent_back")[0]["reason"] == "Bổ sung hồ sơ thi đua"
    _entry(org, plan_id, heads["I"], "Hồ sơ thi đua, khen thưởng", "10 năm")
    assert _decide(org, plan_id, "duyet_danh_muc", comment="Đồng ý") == PlanStatus.ISSUED
    approved = _events(org, "record_plan.approved")
    assert len(approved) == 1 and approved[0]["round"] == 2
    assert [n[0] for n in _numbers(org, plan_id)] == ["01.TCCB", "02.TCCB", "03.TH"]

    # Approved entries stay as they are; the outline's order is fixed.
    _refused(org, lambda: commands.change_entry(org.engine, **_as(org, "clerk"), plan_id=plan_id, entry_id=kept,
                                                data=EntryChange(title="Quy chế mới")), "plan_entry_approved")
    _refused(org, lambda: commands.remove_entry(org.engine, **_as(org, "clerk"), plan_id=plan_id, entry_id=kept),
             "plan_entry_approved")
    _refused(org, lambda: commands.move_heading(org.engine, **_as(org, "clerk"), plan_id=plan_id,
                                                heading_id=heads["II"], step=-1), "plan_issued")

    # A later addition: proposed, numbered after every approved entry, approved in round 3.
    added = _entry(org, plan_id, heads["I"], "Hồ sơ nâng lương", "20 năm")
    assert _numbers(org, plan_id)[2] == ("04.TCCB", "Hồ sơ nâng lương", "de_xuat")
    with reading(org.engine) as session:
        assert [e.title for e in plan_repo.approved_entries(session, org.agency_id, 2026)] == [
            "Quy chế làm việc", "Hồ sơ thi đua, khen thưởng", "Báo cáo tổng kết năm"]
    assert _decide(org, plan_id, "duyet_danh_muc") == PlanStatus.ISSUED
    with reading(org.engine) as session:
        plan = plan_repo.plan_by_id(session, plan_id)
        assert (plan.approval_round, plan.workflow_id) == (3, f"danhmuc-{plan_id}-3")
        item = plan_repo.entry(session, added)
        assert (item.status, item.added_in_round, item.file_notation) == (EntryStatus.APPROVED, 3, "04.TCCB")
        assert len(plan_repo.approved_entries(session, org.agency_id, 2026)) == 4
        assert plan_repo.approved_entries(session, org.agency_id, 2025) == []
        assert plan_repo.heading_for_unit(session, org.agency_id, 2026, org.units["TH"]).id == heads["II"]
        assert plan_repo.heading_for_unit(session, org.agency_id, 2027, org.units["TH"]) is None
    _refused(org, lambda: commands._begin_round(org.engine, org.users["clerk"], org.roles["clerk"], plan_id),
             "plan_nothing_to_submit")


def test_a_year_starts_from_the_previous_years_list(org):
    plan_id, heads = _outline(org)
    _entry(org, plan_id, heads["I.1"], "Hồ sơ tuyển dụng", "70 năm", description="Cả năm")
    _entry(org, plan_id, heads["II"], "Báo cáo năm")
    commands.set_numbering(org.engine, **_as(org, "clerk"), plan_id=plan_id, numbering="theo_de_muc")
    _decide(org, plan_id, "duyet_danh_muc")
    next_year = _plan(org, 2027, who="archivist", from_previous=True)
    assert _numbers(org, next_year) == [("01.TCCB", "Hồ sơ tuyển dụng", "du_thao"), ("01.TH", "Báo cáo năm", "du_thao")]
    with reading(org.engine) as session:
        plan = plan_repo.plan_by_id(session, next_year)
        assert (plan.status, plan.numbering, plan.approval_round) == (PlanStatus.DRAFT, "theo_de_muc", 0)
        copied = {h.title: h for h in plan_repo.headings_of(session, next_year)}
        assert copied["Tuyển dụng"].parent_id == copied["Tổ chức, cán bộ"].id
        assert copied["Tổ chức, cán bộ"].abbreviation == "TCCB"
        assert plan_repo.heading_for_unit(session, org.agency_id, 2027, org.units["TH"]) is None  # not issued
    assert _events(org, "record_plan.created")[-1]["copied_entries"] == 2
