"""People, rights and delegation on SQLite and PostgreSQL (ND30 PL VI Mục IV; ND30 Điều 13).

An agency's administrator manages only their own agency's people; every rights change is
audited; a move hands open tasks and hồ sơ to a named successor; delegation refuses a delegation
to oneself, beyond one's powers, overlapping another deputy's, or with a bad period — each
changes nothing — and an expired delegation stops by itself.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from commands import delegation as delegation_commands
from commands import people as people_commands
from models.audit import AuditEvent
from models.db import transaction
from models.delegation import repo as delegation_repo
from models.delegation.tables import Delegation
from models.documents.tables import Document
from models.errors import DomainError, Forbidden
from models.org.tables import Agency, OrgUnit, User, UserRole
from models.records.tables import RecordFile, RecordStatus
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import Direction, DocumentStatus, Role, TaskStatus
from tests.helpers import actor_of, agency_admin, rows, user_and_roles
from web.messages import MESSAGES, message_of

SNV = "000.00.02.H23"
OFFICE = "000.00.01.H23"


def _events(engine, code):
    return rows(engine, AuditEvent, AuditEvent.code == code)


def _snapshot(engine, username):
    with transaction(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        roles = sorted(session.exec(select(UserRole.role).where(UserRole.user_id == user.id)))
        return (user.full_name, user.position, user.unit_id, user.agency_id, user.disabled, roles)


def test_an_agency_administrator_manages_only_the_people_of_their_own_agency(seeded):
    engine = seeded
    snv_admin = agency_admin(engine)
    before = _snapshot(engine, "lanhdao")
    audited = len(rows(engine, AuditEvent))

    refusals = [
        lambda: people_commands.lock_person(engine, **snv_admin, username="lanhdao", reason="Thử"),
        lambda: people_commands.reset_person(engine, **snv_admin, username="lanhdao"),
        lambda: people_commands.change_person(engine, **snv_admin, username="lanhdao", position="Chuyên viên",
                                              account_roles=["chuyen_vien"]),
        lambda: people_commands.move_person(engine, **snv_admin, username="lanhdao", agency_code=SNV, unit_id=None,
                                            position="", successor_username=None),
        lambda: people_commands.create_person(engine, **snv_admin, username="nguoi.vp", full_name="Người VP",
                                              agency_code=OFFICE, position="", unit_abbreviation=None,
                                              account_roles=["chuyen_vien"]),
        lambda: people_commands.get_person(engine, **snv_admin, username="lanhdao"),
    ]
    for refused in refusals:
        with pytest.raises(Forbidden) as error:
            refused()
        assert error.value.code == "admin_other_agency" and "cơ quan khác" in message_of(error.value)
    # Nor can they hand themselves the province-wide role, or move their own people into another agency.
    with pytest.raises(Forbidden):
        people_commands.change_person(engine, **snv_admin, username="vanthu.snv",
                                      account_roles=["van_thu", "quan_tri_he_thong"])
    with pytest.raises(Forbidden):
        people_commands.move_person(engine, **snv_admin, username="vanthu.snv", agency_code=OFFICE, unit_id=None,
                                    position="", successor_username=None)
    assert _snapshot(engine, "lanhdao") == before
    assert len(rows(engine, AuditEvent)) == audited
    assert rows(engine, User, User.username == "nguoi.vp") == []
    assert {p.username for p in people_commands.list_people(engine, **snv_admin)} == {
        "vanthu.snv", "lanhdao.snv", "admin.snv"}

    # An administrator of the province's own office cannot touch the province's administrator.
    office_admin = agency_admin(engine, OFFICE, "admin.vp")
    with pytest.raises(Forbidden) as error:
        people_commands.lock_person(engine, **office_admin, username="admin", reason="Thử")
    assert error.value.code == "admin_system_role"
    assert _snapshot(engine, "admin")[4] is False
    # Inside their agency they act, and the change is audited.
    people_commands.change_person(engine, **snv_admin, username="vanthu.snv", account_roles=["van_thu", "chuyen_vien"])
    assert _snapshot(engine, "vanthu.snv")[-1] == ["chuyen_vien", "van_thu"]
    # Someone who is no administrator manages nobody.
    with pytest.raises(Forbidden) as error:
        people_commands.list_people(engine, **actor_of(engine, "lanhdao"))
    assert error.value.code == "admin_only"


def test_every_rights_change_is_audited_with_what_it_was(seeded):
    engine = seeded
    admin = actor_of(engine, "admin")
    people_commands.change_person(engine, **admin, username="chuyenvien", position="Phó Trưởng phòng Tổng hợp",
                                  account_roles=["chuyen_vien", "lanh_dao_don_vi"])
    roles_changed = _events(engine, "user.roles_changed")[-1]
    assert roles_changed.data["added"] == ["lanh_dao_don_vi"] and roles_changed.data["removed"] == []
    assert roles_changed.actor_id == admin["actor_id"]
    position = _events(engine, "user.position_changed")[-1]
    assert position.data["changes"]["position"] == {"before": "Chuyên viên", "after": "Phó Trưởng phòng Tổng hợp"}
    people_commands.change_person(engine, **admin, username="chuyenvien", account_roles=["lanh_dao_don_vi"])
    assert _events(engine, "user.roles_changed")[-1].data["removed"] == ["chuyen_vien"]
    # Lock and unlock are audited too; an unknown role is refused, not dropped.
    people_commands.lock_person(engine, **admin, username="chuyenvien", reason="Nghỉ phép dài ngày")
    people_commands.unlock_person(engine, **admin, username="chuyenvien")
    assert _events(engine, "user.locked") and _events(engine, "user.unlocked")
    with pytest.raises(DomainError) as error:
        people_commands.change_person(engine, **admin, username="chuyenvien", account_roles=["sieu_quan_tri"])
    assert error.value.code == "invalid_fields"
    assert _snapshot(engine, "chuyenvien")[-1] == ["lanh_dao_don_vi"]
    # Every code written has a Vietnamese label on the audit page.
    from web.labels import AUDIT_LABELS

    for code in ("user.roles_changed", "user.position_changed", "user.unlocked", "user.moved",
                 "task.handed_over", "delegation.created", "delegation.revoked"):
        assert code in AUDIT_LABELS


def _open_task_of(engine, username, step="handle"):
    """A claimed step held by ``username`` on a new incoming document of the office."""
    with transaction(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        document_id = str(uuid.uuid4())
        session.add(Document(id=document_id, direction=Direction.INCOMING, agency_id=user.agency_id,
                             status=DocumentStatus.IN_PROGRESS, subject="V/v chuyển giao",
                             workflow_id=f"incoming-{document_id}", created_by=user.id))
        session.flush()
        task = Task(workflow_id=f"incoming-{document_id}", task_key=f"{step}:1", document_id=document_id, step=step,
                    agency_id=user.agency_id, unit_id=user.unit_id, candidate_role=Role.OFFICER,
                    assignee_id=user.id, status=TaskStatus.CLAIMED, actions=["hoan_thanh"])
        session.add(task)
        record = RecordFile(agency_id=user.agency_id, file_catalog=2026, file_notation=f"0{len(document_id) % 9}.TH",
                            title="Hồ sơ tổng hợp", creator_id=user.id)
        session.add(record)
        session.flush()
        return task.id, record.id


def test_a_move_hands_open_tasks_and_records_to_the_named_successor(seeded):
    engine = seeded
    admin = actor_of(engine, "admin")
    people_commands.create_person(engine, **admin, username="chuyenvien2", full_name="Ngô Thị Hoa",
                                  agency_code=OFFICE, position="Chuyên viên", unit_abbreviation="TH",
                                  account_roles=["chuyen_vien"])
    task_id, record_id = _open_task_of(engine, "chuyenvien")
    # A closed hồ sơ the unit still keeps goes with the open one (its transfer warnings go to the
    # creator); an archived one is the archive's and stays as it is.
    with transaction(engine) as session:
        creator = session.exec(select(User).where(User.username == "chuyenvien")).one()
        kept, archived = (RecordFile(agency_id=creator.agency_id, file_catalog=2025, file_notation=notation,
                                     title="Hồ sơ năm trước", creator_id=creator.id, status=status, closed=True)
                          for notation, status in (("11.TH", RecordStatus.CLOSED), ("12.TH", RecordStatus.ARCHIVED)))
        session.add_all([kept, archived])
        session.flush()
        kept_id, archived_id = kept.id, archived.id
    with transaction(engine) as session:
        hctc = session.exec(select(OrgUnit).where(OrgUnit.abbreviation == "HCTC")).first()
        office = session.exec(select(Agency).where(Agency.code == OFFICE)).one()
    assert hctc.agency_id == office.id
    before = _snapshot(engine, "chuyenvien")

    # Open work and no successor (or an unfit one): refused, nothing changes.
    for successor in (None, "chuyenvien", "vanthu.snv"):
        with pytest.raises(DomainError):
            people_commands.move_person(engine, **admin, username="chuyenvien", agency_code=None, unit_id=hctc.id,
                                        position="", successor_username=successor)
    # A plain unit change with open tasks is refused too: it has to be a move with a handover.
    with pytest.raises(DomainError) as error:
        people_commands.change_person(engine, **admin, username="chuyenvien", unit_id=hctc.id)
    assert error.value.code == "move_needs_successor" and "1" in message_of(error.value)
    assert _snapshot(engine, "chuyenvien") == before
    assert rows(engine, Task, Task.id == task_id)[0].assignee_id == user_and_roles(engine, "chuyenvien")[0].id

    person, tasks, records = people_commands.move_person(
        engine, **admin, username="chuyenvien", agency_code=None, unit_id=hctc.id, position="Chuyên viên HCTC",
        successor_username="chuyenvien2")
    assert (tasks, records) == (1, 2) and person.unit_id == hctc.id and person.position == "Chuyên viên HCTC"
    successor, _ = user_and_roles(engine, "chuyenvien2")
    assert rows(engine, RecordFile, RecordFile.id == kept_id)[0].creator_id == successor.id
    assert rows(engine, RecordFile, RecordFile.id == archived_id)[0].creator_id != successor.id
    assert {e.subject_id for e in _events(engine, "record.handed_over")} == {str(record_id), str(kept_id)}
    task = rows(engine, Task, Task.id == task_id)[0]
    assert task.assignee_id == successor.id and task.status == TaskStatus.CLAIMED
    assert rows(engine, RecordFile, RecordFile.id == record_id)[0].creator_id == successor.id
    moved = _events(engine, "user.moved")[-1]
    assert moved.data["tasks"] == [task_id] and moved.data["successor_id"] == successor.id
    handed = _events(engine, "task.handed_over")[-1]
    assert handed.subject_id == task.document_id and handed.data["to_user_id"] == successor.id


def _deputy(engine, username="phochanh", position="Phó Chánh Văn phòng", roles=("lanh_dao_co_quan",)):
    people_commands.create_person(engine, **actor_of(engine, "admin"), username=username, full_name="Đặng Văn Phúc",
                                  agency_code=OFFICE, position=position, unit_abbreviation=None,
                                  account_roles=list(roles))
    return user_and_roles(engine, username)[0]


def test_delegation_refuses_self_beyond_powers_overlap_and_bad_periods_and_changes_nothing(seeded):
    engine = seeded
    _deputy(engine)
    _deputy(engine, "phochanh2", "Phó Chánh Văn phòng", ())
    leader = actor_of(engine, "lanhdao")
    today = delegation_repo.today()
    week = {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=7)).isoformat()}

    cases = [
        ("delegation_to_self", leader, dict(deputy_username="lanhdao", kind="ky", form="KT.", **week)),
        # An officer has no signing power to give.
        ("delegation_beyond_powers", actor_of(engine, "chuyenvien"),
         dict(deputy_username="truongphong", kind="ky", form="KT.", **week)),
        # Nor can a leader give signing for another agency's unit.
        ("delegation_beyond_powers", leader, dict(deputy_username="phochanh", kind="ky", form="KT.",
                                                  unit_ids=[_other_agency_unit(engine)], **week)),
        ("delegation_bad_period", leader, dict(deputy_username="phochanh", kind="ky", form="KT.",
                                               starts_on=week["ends_on"], ends_on=week["starts_on"])),
        ("invalid_fields", leader, dict(deputy_username="phochanh", kind="ky", form="KT.",
                                        starts_on="31/12/2026", ends_on=week["ends_on"])),
        ("delegation_bad_form", leader, dict(deputy_username="phochanh", kind="ky", form="TM.", **week)),
        ("delegation_bad_deputy", leader, dict(deputy_username="lanhdao.snv", kind="ky", form="KT.", **week)),
    ]
    for code, actor, arguments in cases:
        with pytest.raises(DomainError) as error:
            delegation_commands.create_delegation(engine, **actor, **arguments)
        assert error.value.code == code and code in MESSAGES
    assert rows(engine, Delegation) == []

    first = delegation_commands.create_delegation(engine, **leader, deputy_username="phochanh", kind="ky",
                                                  form="KT.", **week)
    # The same scope to a second deputy in an overlapping period: refused, with who holds it.
    with pytest.raises(DomainError) as error:
        delegation_commands.create_delegation(engine, **leader, deputy_username="phochanh2", kind="ky", form="KT.",
                                              starts_on=(today + timedelta(days=3)).isoformat(),
                                              ends_on=(today + timedelta(days=10)).isoformat())
    assert error.value.code == "delegation_overlap" and "Đặng Văn Phúc" in message_of(error.value)
    assert [d.id for d in rows(engine, Delegation)] == [first.id]
    # After the first one ends, the next deputy can take the same scope.
    delegation_commands.create_delegation(engine, **leader, deputy_username="phochanh2", kind="ky", form="KT.",
                                          starts_on=(today + timedelta(days=8)).isoformat(),
                                          ends_on=(today + timedelta(days=10)).isoformat())
    # Another agency's administrator cannot revoke it; the leader can.
    snv_admin = agency_admin(engine)
    with pytest.raises(DomainError):
        delegation_commands.revoke_delegation(engine, **snv_admin, delegation_id=first.id)
    delegation_commands.revoke_delegation(engine, **leader, delegation_id=first.id, reason="Trở lại công tác")
    views = {v.row.id: v for v in delegation_commands.list_delegations(engine, **leader)}
    assert views[first.id].state == "revoked"


def _other_agency_unit(engine) -> int:
    with transaction(engine) as session:
        snv = session.exec(select(Agency).where(Agency.code == SNV)).one()
        return session.exec(select(OrgUnit).where(OrgUnit.agency_id == snv.id)).first().id


def test_a_direction_delegation_lets_the_deputy_act_on_the_leaders_tasks_until_it_expires(seeded):
    engine = seeded
    deputy = _deputy(engine, "phochanh", "Phó Chánh Văn phòng", ("chuyen_vien",))
    leader = actor_of(engine, "lanhdao")
    task_id, _ = _open_task_of(engine, "lanhdao", step="direct")
    today = delegation_repo.today()
    with transaction(engine) as session:
        task = session.get(Task, task_id)
        assert task_repo.acting_for(session, task, deputy) is None
    row = delegation_commands.create_delegation(engine, **leader, deputy_username="phochanh", kind="chi_dao",
                                                form="KT.", starts_on=today.isoformat(),
                                                ends_on=(today + timedelta(days=6)).isoformat())
    with transaction(engine) as session:
        task = session.get(Task, task_id)
        assert task_repo.acting_for(session, task, deputy).id == row.id
        assert task_repo.task_for_user(session, task_id, deputy, {Role.OFFICER}).id == task_id
        assert [t.id for t in task_repo.inbox(session, deputy, {Role.OFFICER}, "delegated")] == [task_id]
    # Expired (checked by date at each use): covers nothing, shown as expired.
    with transaction(engine) as session:
        stored = session.get(Delegation, row.id)
        stored.starts_on, stored.ends_on = today - timedelta(days=9), today - timedelta(days=2)
        session.add(stored)
    with transaction(engine) as session:
        task = session.get(Task, task_id)
        assert task_repo.acting_for(session, task, deputy) is None
        assert task_repo.inbox(session, deputy, {Role.OFFICER}, "delegated") == []
    views = delegation_commands.list_delegations(engine, **leader)
    assert [v.state for v in views] == ["expired"]
