"""A merger while documents are open: the work reaches the successor, nothing is lost, numbers stay gapless.

Two departments of the Hà Nam 2024 profile each receive a document through the real workflow; a third
is received while no worker runs, so it is still unnumbered. The two departments are then merged into a
new agency, and the successor's people finish everything: the steps opened before the merger were
handed over, the steps opened after it (by workflows still carrying the old agency) open for the
successor, and the unnumbered document takes the successor's first số đến.
"""

from __future__ import annotations

from sqlmodel import col, select

from commands.intake import receive_upload
from commands.reorganisation import reorganise
from commands.tasks import act_on_task
from models.audit import AuditEvent
from models.db import transaction, utcnow
from models.documents.file_store import FileStore
from models.documents.tables import Document
from models.org import repo as org_repo
from models.org.tables import Agency, OrgUnit
from models.registers.numbering import vietnam_date
from models.registers.tables import Register, RegisterEntry
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import DocumentStatus, Role, TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, sample_metadata, user_and_roles

SNV, STC, MERGED = "000.00.02.H23", "000.00.03.H23", "000.00.50.H23"
CHANGE_SET = {"id": "QĐ-merge-SNV-STC", "changes": [{
    "successor": {"code": MERGED, "name": "Sở Nội vụ và Tài chính tỉnh Hà Nam", "abbreviation": "SNVTC",
                  "kind": "so_nganh", "place_name": "Hà Nam"},
    "predecessors": [SNV, STC]}]}


async def _receive(engine, client, settings, clerk_name: str, number: str):
    clerk, roles = user_and_roles(engine, clerk_name)
    return await receive_upload(engine, client, settings, FileStore(settings.files_dir), clerk=clerk, roles=roles,
                                raw_metadata=sample_metadata(code_number=number), data=minimal_pdf(1),
                                filename="cv.pdf")


def _open_step(engine, document_id: str, step: str):
    found = rows(engine, Task, Task.document_id == document_id, Task.step == step,
                 col(Task.status).in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))
    return found[0] if found else None


def _series(engine, agency_code: str) -> list[tuple[bool, list[int]]]:
    """Each register of an agency: whether it is open, and its numbers in order."""
    with transaction(engine) as session:
        agency = session.exec(select(Agency).where(Agency.code == agency_code)).one()
        registers = session.exec(select(Register).where(Register.agency_id == agency.id).order_by(Register.id)).all()
        return [(register.active, list(session.exec(select(RegisterEntry.number).where(
            RegisterEntry.register_id == register.id).order_by(RegisterEntry.number)))) for register in registers]


def _successor_staff(engine) -> int:
    """The merged agency's Phòng Tổng hợp with a head and an officer (a new agency starts without units)."""
    with transaction(engine) as session:
        merged = org_repo.agency_by_code(session, MERGED)
        unit = OrgUnit(agency_id=merged.id, name="Phòng Tổng hợp", abbreviation="TH")
        session.add(unit)
        session.flush()
        org_repo.create_user(session, username="truongphong.snvtc", full_name="Ngô Thị Hà", agency_code=MERGED,
                             unit_abbreviation="TH", roles=[Role.UNIT_LEADER])
        org_repo.create_user(session, username="chuyenvien.snvtc", full_name="Lý Văn An", agency_code=MERGED,
                             unit_abbreviation="TH", roles=[Role.OFFICER])
        return unit.id


async def test_a_merger_while_documents_are_open_loses_nothing_and_keeps_every_series_gapless(
        seeded, temporal_env, task_queue, tmp_path):
    engine, client = seeded, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    async with running_worker(client, engine, settings):
        first = await _receive(engine, client, settings, "vanthu.snv", "11")
        second = await _receive(engine, client, settings, "vanthu.stc", "12")
        before = {doc.id: await eventually(lambda doc=doc: _open_step(engine, doc.id, "direct"))
                  for doc in (first, second)}
    third = await _receive(engine, client, settings, "vanthu.snv", "13")  # no worker: still unnumbered
    with transaction(engine) as session:
        old_ids = {code: org_repo.agency_by_code(session, code).id for code in (SNV, STC)}
        documents_before = {doc.id: (doc.agency_id, doc.organ_id, doc.arrival_number) for doc in session.exec(
            select(Document).where(col(Document.id).in_([first.id, second.id, third.id])))}
    assert [documents_before[doc.id][2] for doc in (first, second, third)] == [1, 1, None]

    change_set = {**CHANGE_SET, "effective": vietnam_date(utcnow()).isoformat()}  # the predecessors end yesterday
    dry = reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=True)
    assert "  Bàn giao cho Sở Nội vụ và Tài chính tỉnh Hà Nam: 1 việc đang xử lý, 2 văn bản đang giải quyết, " \
           "0 hồ sơ đang mở." in dry  # Sở Nội vụ: the leader's step, the registered and the unnumbered document
    assert rows(engine, AuditEvent, AuditEvent.code == "task.handed_over") == []
    reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=False)
    unit_id = _successor_staff(engine)
    with transaction(engine) as session:
        merged = org_repo.agency_by_code(session, MERGED).id

    leader, leader_roles = user_and_roles(engine, "lanhdao.snv")  # moved to the merged agency with his people
    head, head_roles = user_and_roles(engine, "truongphong.snvtc")
    officer, officer_roles = user_and_roles(engine, "chuyenvien.snvtc")
    assert leader.agency_id == merged
    async with running_worker(client, engine, settings):
        before[third.id] = await eventually(lambda: _open_step(engine, third.id, "direct"))
        with transaction(engine) as session:
            inbox = {task.id for task in task_repo.inbox(session, leader, leader_roles, "unit")}
        assert inbox == {before[doc].id for doc in before}  # the two handed over and the one opened after
        for number, (document_id, task) in enumerate(before.items()):
            await act_on_task(engine, client, task_id=task.id, user=leader, roles=leader_roles, action="giao_xu_ly",
                              nonce=f"d{number}", fields={"opinion": "Giao Phòng Tổng hợp",
                                                          "lead_unit_id": str(unit_id)})
            assign = await eventually(lambda document_id=document_id: _open_step(engine, document_id, "assign"))
            assert (assign.agency_id, assign.unit_id) == (merged, unit_id)  # a later step opens for the successor
            await act_on_task(engine, client, task_id=assign.id, user=head, roles=head_roles, action="phan_cong",
                              nonce=f"a{number}", fields={"handler_id": str(officer.id), "opinion": "Xử lý"})
            work = await eventually(lambda document_id=document_id: _open_step(engine, document_id, "handle"))
            outcome = await act_on_task(engine, client, task_id=work.id, user=officer, roles=officer_roles,
                                        action="hoan_thanh", nonce=f"h{number}", fields={"result": "Đã xử lý"})
            assert outcome.document_status == DocumentStatus.DONE
        for document in (first, second, third):
            assert await client.get_workflow_handle(document.workflow_id).result() == DocumentStatus.DONE

    # Nothing lost: every document finished in the successor, keeping its issuer's code and its number.
    with transaction(engine) as session:
        finished = {doc.id: doc for doc in session.exec(select(Document).where(
            col(Document.id).in_(list(documents_before))))}
    assert set(finished) == set(documents_before)
    for document_id, (_agency_id, organ_id, arrival) in documents_before.items():
        doc = finished[document_id]
        assert (doc.status, doc.agency_id, doc.organ_id) == (DocumentStatus.DONE, merged, organ_id)
        assert doc.arrival_number == (arrival or 1)  # numbers taken stay; the successor's series starts at 1

    # Every task accounted for: the three steps each, all done, none left with a closed agency.
    tasks = rows(engine, Task, col(Task.document_id).in_(list(documents_before)))
    assert sorted((t.document_id, t.step) for t in tasks) == sorted(
        (d, s) for d in documents_before for s in ("direct", "assign", "handle"))
    assert all(t.status == TaskStatus.DONE and t.agency_id == merged for t in tasks)

    # Provenance: each pre-merger step and each document in progress names both agencies and the change set.
    handed = rows(engine, AuditEvent, col(AuditEvent.code).in_(["task.handed_over", "document.handed_over"]))
    assert sorted((e.code, e.subject_id, e.data["from_agency_id"], e.data["to_agency_id"], e.data["change_set"])
                  for e in handed) == sorted(
        [("task.handed_over", first.id, old_ids[SNV], merged, "QĐ-merge-SNV-STC"),
         ("task.handed_over", second.id, old_ids[STC], merged, "QĐ-merge-SNV-STC")]
        + [("document.handed_over", doc_id, agency_id, merged, "QĐ-merge-SNV-STC")
           for doc_id, (agency_id, _organ, _arrival) in documents_before.items()])

    # Every series gapless: each predecessor's closed at 1..N, the successor's open at 1..M.
    assert _series(engine, SNV) == [(False, [1])]
    assert _series(engine, STC) == [(False, [1])]
    assert _series(engine, MERGED) == [(True, [1])]
