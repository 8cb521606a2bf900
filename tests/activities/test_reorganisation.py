"""A reorganisation applied as one change set (commands.reorganisation), on both backends."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from commands import reorganisation
from models.db import transaction
from models.documents.tables import Document
from models.errors import Conflict, DomainError
from models.org import dated_repo, repo
from models.org.tables import Agency, OrgUnit, User
from models.tasks.tables import Task
from models.vocab import DocumentStatus, Role
from tests.activities.org_helpers import ADMIN, events, new_agency
from tests.factories import make_document, make_task


def _change_set(effective="2025-07-01"):
    return {"effective": effective, "changes": [{
        "successor": {"code": "000.00.01.H42", "qd20_code": "H42.01", "name": "Văn phòng UBND tỉnh Ninh Bình",
                      "abbreviation": "VP", "kind": "van_phong", "place_name": "Ninh Bình"},
        "predecessors": ["000.00.01.H23"]}]}


def test_a_reorganisation_creates_the_successor_moves_people_and_closes_the_predecessor(world):
    from models.registers.repo import incoming_register
    from models.registers.tables import Register

    engine, office, _province_id, admin = world
    with transaction(engine) as session:
        old_register = incoming_register(session, office.agency_id).id
    dry = reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=_change_set(), dry_run=True)
    assert dry[0].startswith("Chạy thử") and any("Chuyển 4 tài khoản" in line for line in dry)
    with transaction(engine) as session:
        assert repo.agency_by_code(session, "000.00.01.H42") is None  # the dry run changed nothing
        assert session.get(Agency, office.agency_id).valid_to is None

    lines = reorganisation.reorganise(engine, actor_id=admin, roles=ADMIN, change_set=_change_set(), dry_run=False)
    assert any("Đóng Văn phòng Ủy ban nhân dân tỉnh Hà Nam" in line for line in lines)
    with transaction(engine) as session:
        successor = repo.agency_by_code(session, "000.00.01.H42")
        assert successor.valid_from == date(2025, 7, 1)
        assert session.get(Agency, office.agency_id).valid_to == date(2025, 6, 30)
        assert {u.agency_id for u in session.exec(select(User).where(User.username.in_(["clerk", "leader"])))} == \
            {successor.id}
        assert all(u.valid_to == date(2025, 6, 30) for u in session.exec(
            select(OrgUnit).where(OrgUnit.agency_id == office.agency_id)))
        assert session.get(Register, old_register).active is False
        assert session.exec(select(Register).where(Register.agency_id == successor.id, Register.active == True)).all()  # noqa: E712
        assert dated_repo.resolve_agency_code(session, "000.00.01.H23", date(2025, 1, 10)).id == successor.id
    assert len(events(engine, "user.moved")) == 4 and len(events(engine, "register.closed")) == 1


def test_a_reorganisation_hands_open_work_to_the_successor_with_provenance(world):
    from models.records.tables import RecordFile

    engine, office, _province_id, _admin = world
    with transaction(engine) as session:
        document = make_document(session, office)
        document.organ_id = "000.00.03.H23"
        session.add(document)
        task = make_task(session, office, document, task_key="assign:1", role=Role.UNIT_LEADER, unit="TH")
        done = make_document(session, office, subject="V/v đã xong")
        done.status = DocumentStatus.DONE
        session.add(done)
        session.add(RecordFile(agency_id=office.agency_id, file_catalog=2025, file_notation="01.TH",
                               title="Hồ sơ tổng hợp năm 2025"))
        session.add(RecordFile(agency_id=office.agency_id, file_catalog=2024, file_notation="09.TH",
                               title="Hồ sơ đã đóng", closed=True))
        ids = (document.id, task.id, done.id)
    change_set = {**_change_set(), "id": "QĐ-42-2025"}

    dry = reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=True)
    assert "  Bàn giao cho Văn phòng UBND tỉnh Ninh Bình: 1 việc đang xử lý, 1 văn bản đang giải quyết, " \
           "1 hồ sơ đang mở (01.TH/2025)." in dry
    with transaction(engine) as session:
        assert session.get(Task, ids[1]).agency_id == office.agency_id  # the dry run handed nothing over
    assert events(engine, "task.handed_over") == []

    reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=False)
    with transaction(engine) as session:
        successor = repo.agency_by_code(session, "000.00.01.H42")
        moved_task, moved, finished = session.get(Task, ids[1]), session.get(Document, ids[0]), session.get(Document, ids[2])
        assert (moved_task.agency_id, moved_task.unit_id, moved_task.status) == (successor.id, None, "open")
        assert moved.agency_id == successor.id and moved.organ_id == "000.00.03.H23"  # its issuer's code stays
        assert finished.agency_id == office.agency_id  # finished work stays where it was done
        files = {f.file_notation: f.agency_id for f in session.exec(select(RecordFile))}
        assert files == {"01.TH": successor.id, "09.TH": office.agency_id}
        assert dated_repo.answering_agency(session, office.agency_id) == successor.id
        assert dated_repo.answering_agency(session, office.agency_id, on=date(2025, 6, 30)) == office.agency_id
        assert dated_repo.answering_agency(session, successor.id) == successor.id
    for code, subject in (("task.handed_over", ids[0]), ("document.handed_over", ids[0]), ("record.handed_over", None)):
        [event] = events(engine, code)
        assert (event.data["from_agency_id"], event.data["to_agency_id"], event.data["change_set"]) == \
            (office.agency_id, successor.id, "QĐ-42-2025")
        assert subject is None or event.subject_id == subject
    assert events(engine, "task.handed_over")[0].data["from_unit_id"] == office.units["TH"]


def test_a_reorganisation_refuses_a_clashing_hồ_sơ_and_a_bad_unit_map_whole(world):
    from models.records.tables import RecordFile

    engine, office, _province_id, admin = world
    successor_id = new_agency(engine, admin, None, code="000.00.01.H42")
    with transaction(engine) as session:
        for agency_id in (office.agency_id, successor_id):
            session.add(RecordFile(agency_id=agency_id, file_catalog=2025, file_notation="01.TH", title="Hồ sơ"))
        make_task(session, office, make_document(session, office))
    change_set = _change_set()
    with pytest.raises(Conflict) as refused:
        reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=False)
    assert refused.value.code == "org_record_clash"
    change_set["changes"][0]["units"] = {"000.00.01.H23": {"TH": "KHÔNG-CÓ"}}
    with pytest.raises(DomainError) as refused:
        reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=False)
    assert refused.value.code == "org_bad_change_set"
    with transaction(engine) as session:
        assert session.get(Agency, office.agency_id).valid_to is None  # everything or nothing
        assert session.exec(select(User).where(User.agency_id == office.agency_id)).all()  # nobody moved
        assert session.exec(select(Task).where(Task.agency_id == office.agency_id)).all()
    assert events(engine, "task.handed_over") == []


def test_a_change_set_that_is_not_well_formed_is_refused(world):
    engine, _office, _province_id, _admin = world
    for bad in ({}, {"effective": "2025-07-01", "changes": []}, {"effective": "x", "changes": [{}]},
                {"effective": "2025-07-01", "changes": [{"successor": {"code": "H42.01"}, "predecessors": ["a"]}]}):
        with pytest.raises(DomainError):
            reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=bad, dry_run=False)
