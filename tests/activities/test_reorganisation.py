"""A reorganisation applied as one change set (commands.reorganisation), on both backends."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlmodel import select

from commands import reorganisation
from models.db import transaction, utcnow
from models.documents.tables import Document
from models.errors import Conflict, DomainError
from models.org import dated_repo, repo
from models.org.tables import Agency, OrgUnit, User
from models.tasks.tables import Task
from models.vocab import Direction, DocumentStatus, Role
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


def _merger_with_units(**extra_map):
    """The office becomes Văn phòng UBND tỉnh Ninh Bình (VPUB) with two units: TH takes the old TH's work by
    its abbreviation, KT the old HCTC's by the map."""
    change_set = _change_set()
    change_set["id"] = "QĐ-1-2025"
    change_set["changes"][0]["successor"].update(abbreviation="VPUB", units=[
        {"name": "Phòng Tổng hợp", "abbreviation": "TH"},
        {"name": "Phòng Kinh tế", "abbreviation": "KT", "parent": "TH"}])
    change_set["changes"][0]["units"] = {"000.00.01.H23": {"HCTC": "KT", **extra_map}}
    return change_set


def test_the_successor_gets_its_units_and_the_unit_map_routes_work_people_and_later_steps(world):
    from activities.tasks import TaskActivities
    from models.notifications.tables import Notification
    from workflows.contracts import EscalateInput, OpenTaskInput

    engine, office, _province_id, _admin = world
    with transaction(engine) as session:
        document = make_document(session, office)
        assign = make_task(session, office, document, task_key="assign:TH", role=Role.UNIT_LEADER, unit="TH")
        other = make_document(session, office, subject="V/v thứ hai")
        make_task(session, office, other, task_key="assign:HCTC", role=Role.UNIT_LEADER, unit="HCTC")
        ids = (document.id, document.workflow_id, assign.id)

    dry = reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=_merger_with_units(), dry_run=True)
    assert "  Thêm 2 đơn vị của Văn phòng UBND tỉnh Ninh Bình từ ngày 01/07/2025: Phòng Tổng hợp (TH), " \
           "Phòng Kinh tế (KT)." in dry
    assert "  Đơn vị nhận công việc: Phòng Hành chính - Tổ chức (HCTC) → Phòng Kinh tế (KT); " \
           "Phòng Tổng hợp (TH) → Phòng Tổng hợp (TH)." in dry
    with transaction(engine) as session:
        assert repo.agency_by_code(session, "000.00.01.H42") is None  # the dry run created nothing
    assert events(engine, "org.unit_created") == []

    reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=_merger_with_units(), dry_run=False)
    with transaction(engine) as session:
        successor = repo.agency_by_code(session, "000.00.01.H42")
        new = {u.abbreviation: u for u in repo.units_of(session, successor.id)}
        assert {(a, u.name, u.valid_from, u.parent_id) for a, u in new.items()} == {
            ("TH", "Phòng Tổng hợp", date(2025, 7, 1), None), ("KT", "Phòng Kinh tế", date(2025, 7, 1), new["TH"].id)}
        tasks = {t.task_key: (t.agency_id, t.unit_id) for t in session.exec(select(Task))}
        assert tasks == {"assign:TH": (successor.id, new["TH"].id), "assign:HCTC": (successor.id, new["KT"].id)}
        people = {u.username: u.unit_id for u in session.exec(select(User))}
        assert people == {"clerk": new["KT"].id, "officer": new["TH"].id, "leader": None, "deputy": None}
        # The stored map: later steps of a closed unit open in its successor unit, whatever asks.
        assert dated_repo.answering_unit(session, office.units["TH"], successor.id) == new["TH"].id
        assert dated_repo.answering_unit(session, office.units["HCTC"], successor.id) == new["KT"].id
        assert dated_repo.answering_unit(session, new["TH"].id, successor.id) == new["TH"].id
    closed = {e.subject_id: e.data for e in events(engine, "org.unit_closed")}
    assert {(d["change_set"], d["successor_unit_id"]) for d in closed.values()} == {
        ("QĐ-1-2025", new["TH"].id), ("QĐ-1-2025", new["KT"].id)}
    assert {e.data["change_set"] for e in events(engine, "org.unit_created")} == {"QĐ-1-2025"}
    assert {e.data["to_unit_id"] for e in events(engine, "user.moved")} == {new["KT"].id, new["TH"].id, None}

    # A unit head's step the running workflow opens after the merger, still naming the old agency and unit.
    step = OpenTaskInput(workflow_id=ids[1], task_key="assign:TH:2", document_id=ids[0], step="assign",
                         agency_id=office.agency_id, candidate_role=Role.UNIT_LEADER, actions=["phan_cong"],
                         urgency_rank=0, due_at=None, unit_id=office.units["TH"])
    opened = TaskActivities(engine).open_task(step)
    with transaction(engine) as session:
        task = session.get(Task, opened)
        assert (task.agency_id, task.unit_id) == (successor.id, new["TH"].id)
        head = repo.create_user(session, username="truongphong.th", full_name="Trưởng phòng", roles=[Role.UNIT_LEADER],
                                agency_code="000.00.01.H42", unit_abbreviation="TH")[0].id
    # Overdue, the handed-over step alerts the head of the unit that holds it now, and the leaders.
    alerted = TaskActivities(engine).escalate_overdue(EscalateInput(ids[0], ids[1], "assign:TH", "assign",
                                                                    office.units["TH"]))
    with transaction(engine) as session:
        told = {n.user_id for n in session.exec(select(Notification).where(Notification.code == "overdue"))}
    assert told == {head, office.users["leader"].id, office.users["deputy"].id} and alerted == 3


def test_a_unit_mapped_to_none_offers_its_work_to_the_whole_successor(world):
    engine, office, _province_id, _admin = world
    with transaction(engine) as session:
        task_id = make_task(session, office, make_document(session, office), task_key="assign:TH",
                            role=Role.UNIT_LEADER, unit="TH").id
    lines = reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=_merger_with_units(TH=None),
                                      dry_run=False)
    assert any("Phòng Tổng hợp (TH) → cả cơ quan (không có đơn vị tương ứng)" in line for line in lines)
    with transaction(engine) as session:
        successor = repo.agency_by_code(session, "000.00.01.H42")
        assert session.get(Task, task_id).unit_id is None
        assert dated_repo.answering_unit(session, office.units["TH"], successor.id) is None


@pytest.mark.parametrize(("where", "wrong", "refusal"), [
    ("successor", {"units": "TH"}, "phải là danh sách đơn vị"),
    ("successor", {"units": [{"name": "Phòng Tổng hợp", "abbreviation": "TH", "from": "TH"}]}, "phải là danh sách"),
    ("successor", {"units": [{"name": "Phòng A", "abbreviation": "A", "parent": "KHÔNG-CÓ"}]}, "đơn vị cấp trên"),
    ("successor", {"units": [{"name": "Phòng A", "abbreviation": "A" * 41}]}, "quá dài"),
    ("change", {"units": {"000.00.01.H23": {"TH": 5}}}, "đặt tên viết tắt trong dấu nháy"),
    ("change", {"units": {"000.00.09.H23": {"TH": "TH"}}}, "không phải cơ quan bị sắp xếp"),
    ("change", {"units": {"000.00.01.H23": {"KHÔNG-CÓ": "TH"}}}, "không có đơn vị «KHÔNG-CÓ» đang hoạt động"),
    ("change", {"units": {"000.00.01.H23": {"TH": "KHÔNG-CÓ"}}}, "không có đơn vị «KHÔNG-CÓ» ở"),
])
def test_a_bad_unit_list_or_map_is_refused_in_vietnamese_and_changes_nothing(world, where, wrong, refusal):
    from web.messages import message_of

    engine, office, _province_id, _admin = world
    change_set = _merger_with_units()
    target = change_set["changes"][0]["successor"] if where == "successor" else change_set["changes"][0]
    target.update(wrong)
    with pytest.raises(DomainError) as refused:
        reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=False)
    assert refused.value.code == "org_bad_change_set" and refusal in message_of(refused.value)
    assert message_of(refused.value).startswith("Tệp thay đổi tổ chức không hợp lệ: thay đổi thứ 1: ")
    with transaction(engine) as session:
        assert repo.agency_by_code(session, "000.00.01.H42") is None
        assert session.get(Agency, office.agency_id).valid_to is None
    assert events(engine, "org.unit_created") == [] and events(engine, "user.moved") == []


def test_a_listed_unit_whose_abbreviation_the_successor_already_uses_is_refused(world):
    engine, office, _province_id, admin = world
    change_set = _merger_with_units()
    change_set["changes"][0]["successor"]["units"].append({"name": "Phòng Tổng hợp 2", "abbreviation": "TH"})
    with pytest.raises(Conflict) as refused:
        reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=False)
    assert refused.value.code == "org_unit_abbreviation_taken"
    with transaction(engine) as session:
        assert session.get(Agency, office.agency_id).valid_to is None


def test_delegations_in_force_end_with_the_predecessor_audited_and_expired_ones_stay(world):
    from models.delegation import repo as delegation_repo
    from models.delegation.tables import Delegation

    engine, office, _province_id, _admin = world
    today = delegation_repo.today()
    with transaction(engine) as session:
        leader, deputy = session.get(User, office.users["leader"].id), session.get(User, office.users["deputy"].id)
        terms = {"delegator": leader, "deputy": deputy, "doc_type_ids": [], "unit_ids": [], "note": "",
                 "actor_id": leader.id}
        in_force = delegation_repo.create(session, kind="ky", form="KT.", starts_on=today,
                                          ends_on=today + timedelta(days=30), **terms).id
        coming = delegation_repo.create(session, kind="chi_dao", form="KT.", starts_on=today + timedelta(days=40),
                                        ends_on=today + timedelta(days=50), **terms).id
        expired = delegation_repo.create(session, kind="ky", form="TL.", starts_on=date(2024, 1, 1),
                                         ends_on=date(2024, 1, 31), **terms).id
    dry = reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=_merger_with_units(), dry_run=True)
    [line] = [line for line in dry if "ủy quyền" in line]
    assert line.startswith("  Chấm dứt 2 ủy quyền (thẩm quyền ủy quyền chấm dứt cùng Văn phòng Ủy ban nhân dân tỉnh "
                           "Hà Nam; lãnh đạo Văn phòng UBND tỉnh Ninh Bình ủy quyền lại nếu cần): Leader → Deputy (KT. ")
    assert events(engine, "delegation.revoked") == []

    reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=_merger_with_units(), dry_run=False)
    with transaction(engine) as session:
        rows = {row.id: row for row in session.exec(select(Delegation))}
        assert rows[in_force].revoked_at is not None and rows[coming].revoked_at is not None
        assert rows[expired].revoked_at is None  # it had stopped by itself; its record stays as it was
        assert delegation_repo.in_force(session, delegator_id=leader.id, deputy_id=deputy.id, kind="ky",
                                        doc_type_id=None, unit_id=None) is None
    revoked = events(engine, "delegation.revoked")
    assert sorted(e.data["delegation_id"] for e in revoked) == sorted([in_force, coming])
    assert all(e.data["reason"].startswith("Bộ thay đổi QĐ-1-2025: Văn phòng Ủy ban nhân dân tỉnh Hà Nam kết thúc")
               for e in revoked)


def _outgoing(session, office, type_name: str, notation: str, status: DocumentStatus) -> Document:
    from models.documents import types_repo

    document = Document(id=str(uuid.uuid4()), direction=Direction.OUTGOING, agency_id=office.agency_id,
                        status=status, type_name=type_name, code_notation=notation,
                        doc_type_id=types_repo.type_by_name(session, type_name).id, subject=f"V/v {notation}",
                        created_by=office.users["officer"].id)
    document.workflow_id = f"outgoing-{document.id}"
    session.add(document)
    session.flush()
    return document


def test_drafts_take_the_successors_ký_hiệu_when_issued_and_issued_documents_keep_theirs(world, tmp_path):
    from activities.outgoing import OutgoingActivities
    from models.documents.file_store import FileStore
    from models.documents.repo import store_file
    from models.documents.search import DocumentSearch
    from models.documents.search_repo import index_document
    from models.documents.types_repo import seed_types
    from models.outgoing.repo import add_revision
    from models.outgoing.tables import RevisionStage
    from models.seed.data import DOCUMENT_TYPES
    from tests.helpers import make_settings
    from workflows.contracts import ApplyDecisionInput

    engine, office, _province_id, _admin = world
    with transaction(engine) as session:
        seed_types(session, DOCUMENT_TYPES)
        signed = _outgoing(session, office, "Quyết định", "QĐ-VP", DocumentStatus.SIGNED)
        stored = store_file(session, sha256="a" * 64, size=1, content_type="application/pdf", filename="qd.pdf",
                            user_id=None)
        add_revision(session, signed, stored, stage=RevisionStage.SIGNED, source="signing", user_id=None)
        draft = _outgoing(session, office, "Công văn", "VP-TH", DocumentStatus.IN_REVIEW)
        index_document(session, draft)
        issued = _outgoing(session, office, "Quyết định", "QĐ-VP", DocumentStatus.ISSUED)
        issued.code_number, issued.issued_at = "07", utcnow()
        ids = (signed.id, draft.id, issued.id, signed.workflow_id)
    dry = reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=_merger_with_units(), dry_run=True)
    assert "  Dự thảo chưa ban hành mang ký hiệu của cơ quan tiếp nhận: QĐ-VP → QĐ-VPUB, VP-TH → VPUB-TH." in dry
    with transaction(engine) as session:
        assert session.get(Document, ids[0]).code_notation == "QĐ-VP"  # the dry run renamed nothing

    reorganisation.reorganise(engine, actor_id=None, roles=None, change_set=_merger_with_units(), dry_run=False)
    with transaction(engine) as session:
        notations = {doc_id: session.get(Document, doc_id).code_notation for doc_id in ids[:3]}
        indexed = session.exec(select(DocumentSearch).where(DocumentSearch.document_id == ids[1])).one()
        successor = repo.agency_by_code(session, "000.00.01.H42")
    assert notations == {ids[0]: "QĐ-VPUB", ids[1]: "VPUB-TH", ids[2]: "QĐ-VP"}  # issued codes stay for ever
    assert indexed.so_ky_hieu == "VPUB-TH"
    handed = {e.subject_id: e.data.get("code_notation") for e in events(engine, "document.handed_over")}
    assert handed == {ids[0]: ["QĐ-VP", "QĐ-VPUB"], ids[1]: ["VP-TH", "VPUB-TH"]}

    # Issuing numbers the signed draft in the successor's series under the successor's ký hiệu.
    activities = OutgoingActivities(engine, FileStore(tmp_path / "files"), make_settings(tmp_path, "q"))
    plan = activities._allocate(ApplyDecisionInput(document_id=ids[0], workflow_id=ids[3], task_key="issue:1",
                                                   step="issue", action="ban_hanh", actor_id=office.users["clerk"].id))
    assert (plan.number, plan.notation, plan.agency_code, plan.so_ky_hieu) == (
        "01", "QĐ-VPUB", "000.00.01.H42", "01/QĐ-VPUB")
    with transaction(engine) as session:
        document = session.get(Document, ids[0])
        assert document.agency_id == successor.id
        assert document.external_document_id.endswith(",01/QĐ-VPUB")
