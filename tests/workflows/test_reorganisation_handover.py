"""A merger while documents are open: the work reaches the successor, nothing is lost, numbers stay gapless.

Two departments of the Hà Nam 2024 profile each receive a document through the real workflow; Sở Nội vụ's
is directed to its Phòng Tổ chức, biên chế, whose head has not assigned it yet. A third is received while
no worker runs, so it is still unnumbered. The two departments are then merged into a new agency whose
units the change set lists, each predecessor unit mapped to the successor's unit with its abbreviation.
The successor's people finish everything: the steps opened before the merger were handed over (the unit
head's to the mapped unit), the steps opened after it (by workflows still carrying the old agency and
unit) open for the successor and in the mapped unit, and the unnumbered document takes the successor's
first số đến.
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
from models.org.tables import Agency
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
                  "kind": "so_nganh", "place_name": "Hà Nam",
                  "units": [{"name": "Văn phòng Sở", "abbreviation": "VP"},
                            {"name": "Phòng Tổ chức, biên chế", "abbreviation": "TCBM"},
                            {"name": "Phòng Quản lý ngân sách", "abbreviation": "NS"},
                            {"name": "Phòng Tổng hợp", "abbreviation": "TH"}]},
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


def _staff(engine, agency_code: str, unit: str, suffix: str) -> int:
    """A unit head and an officer in a unit of an agency; returns the unit's id."""
    with transaction(engine) as session:
        agency = org_repo.agency_by_code(session, agency_code)
        for username, name, role in ((f"truongphong.{suffix}", "Ngô Thị Hà", Role.UNIT_LEADER),
                                     (f"chuyenvien.{suffix}", "Lý Văn An", Role.OFFICER)):
            org_repo.create_user(session, username=username, full_name=name, agency_code=agency_code,
                                 unit_abbreviation=unit, roles=[role])
        return next(u.id for u in org_repo.units_of(session, agency.id, current_only=True) if u.abbreviation == unit)


async def _assign_and_finish(engine, client, document_id: str, suffix: str, number: int):
    """The unit head names the officer; the officer finishes. Returns the handler's step as it opened."""
    head, head_roles = user_and_roles(engine, f"truongphong.{suffix}")
    officer, officer_roles = user_and_roles(engine, f"chuyenvien.{suffix}")
    assign = await eventually(lambda: _open_step(engine, document_id, "assign"))
    await act_on_task(engine, client, task_id=assign.id, user=head, roles=head_roles, action="phan_cong",
                      nonce=f"a{number}", fields={"handler_id": str(officer.id), "opinion": "Xử lý"})
    work = await eventually(lambda: _open_step(engine, document_id, "handle"))
    outcome = await act_on_task(engine, client, task_id=work.id, user=officer, roles=officer_roles,
                                action="hoan_thanh", nonce=f"h{number}", fields={"result": "Đã xử lý"})
    assert outcome.document_status == DocumentStatus.DONE
    return work


async def test_a_merger_while_documents_are_open_loses_nothing_and_keeps_every_series_gapless(
        seeded, temporal_env, task_queue, tmp_path):
    engine, client = seeded, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    old_unit = _staff(engine, SNV, "TCBM", "snv")  # Sở Nội vụ's Phòng Tổ chức, biên chế
    leader, leader_roles = user_and_roles(engine, "lanhdao.snv")
    async with running_worker(client, engine, settings):
        first = await _receive(engine, client, settings, "vanthu.snv", "11")
        second = await _receive(engine, client, settings, "vanthu.stc", "12")
        direct = await eventually(lambda: _open_step(engine, first.id, "direct"))
        await act_on_task(engine, client, task_id=direct.id, user=leader, roles=leader_roles, action="giao_xu_ly",
                          nonce="d-before", fields={"opinion": "Giao Phòng Tổ chức, biên chế",
                                                   "lead_unit_id": str(old_unit)})
        before = {first.id: await eventually(lambda: _open_step(engine, first.id, "assign")),
                  second.id: await eventually(lambda: _open_step(engine, second.id, "direct"))}
    assert before[first.id].unit_id == old_unit
    third = await _receive(engine, client, settings, "vanthu.snv", "13")  # no worker: still unnumbered
    with transaction(engine) as session:
        old_ids = {code: org_repo.agency_by_code(session, code).id for code in (SNV, STC)}
        documents_before = {doc.id: (doc.agency_id, doc.organ_id, doc.arrival_number) for doc in session.exec(
            select(Document).where(col(Document.id).in_([first.id, second.id, third.id])))}
    assert [documents_before[doc.id][2] for doc in (first, second, third)] == [1, 1, None]

    change_set = {**CHANGE_SET, "effective": vietnam_date(utcnow()).isoformat()}  # the predecessors end yesterday
    dry = reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=True)
    assert "  Bàn giao cho Sở Nội vụ và Tài chính tỉnh Hà Nam: 1 việc đang xử lý, 2 văn bản đang giải quyết, " \
           "0 hồ sơ đang mở." in dry  # Sở Nội vụ: the unit head's step, the directed and the unnumbered document
    assert "  Đơn vị nhận công việc: Phòng Tổ chức, biên chế (TCBM) → Phòng Tổ chức, biên chế (TCBM); " \
           "Văn phòng Sở (VP) → Văn phòng Sở (VP)." in dry
    assert rows(engine, AuditEvent, AuditEvent.code == "task.handed_over") == []
    reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=False)
    unit_id = _staff(engine, MERGED, "TH", "snvtc")
    with transaction(engine) as session:
        merged = org_repo.agency_by_code(session, MERGED).id
        new_unit = next(u.id for u in org_repo.units_of(session, merged) if u.abbreviation == "TCBM")

    leader, leader_roles = user_and_roles(engine, "lanhdao.snv")  # moved to the merged agency with his people
    assert leader.agency_id == merged
    assert user_and_roles(engine, "truongphong.snv")[0].unit_id == new_unit  # into the mapped unit
    async with running_worker(client, engine, settings):
        before[third.id] = await eventually(lambda: _open_step(engine, third.id, "direct"))
        with transaction(engine) as session:
            inbox = {task.id for task in task_repo.inbox(session, leader, leader_roles, "unit")}
        assert inbox == {before[second.id].id, before[third.id].id}  # the one handed over and the one opened after
        # The unit head's step, handed over to the mapped unit, and the handler's step the workflow opens
        # after the merger (still naming Sở Nội vụ's unit) in the mapped unit too.
        assert (before[first.id].id, merged, new_unit) == next(
            (t.id, t.agency_id, t.unit_id) for t in rows(engine, Task, Task.id == before[first.id].id))
        handled = await _assign_and_finish(engine, client, first.id, "snv", 0)
        assert (handled.agency_id, handled.unit_id) == (merged, new_unit)
        for number, document in enumerate((second, third), start=1):
            await act_on_task(engine, client, task_id=before[document.id].id, user=leader, roles=leader_roles,
                              action="giao_xu_ly", nonce=f"d{number}",
                              fields={"opinion": "Giao Phòng Tổng hợp", "lead_unit_id": str(unit_id)})
            assign = await eventually(lambda document=document: _open_step(engine, document.id, "assign"))
            assert (assign.agency_id, assign.unit_id) == (merged, unit_id)  # a later step opens for the successor
            await _assign_and_finish(engine, client, document.id, "snvtc", number)
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

    # Every task accounted for: the three steps each, all done; a step finished before the merger stays
    # with the agency that did it, none left open with a closed agency.
    tasks = rows(engine, Task, col(Task.document_id).in_(list(documents_before)))
    assert sorted((t.document_id, t.step) for t in tasks) == sorted(
        (d, s) for d in documents_before for s in ("direct", "assign", "handle"))
    assert all(t.status == TaskStatus.DONE for t in tasks)
    assert {(t.document_id, t.step): t.agency_id for t in tasks} == {
        (d, s): old_ids[SNV] if (d, s) == (first.id, "direct") else merged
        for d in documents_before for s in ("direct", "assign", "handle")}

    # Provenance: each pre-merger step and each document in progress names both agencies and the change set.
    handed = rows(engine, AuditEvent, col(AuditEvent.code).in_(["task.handed_over", "document.handed_over"]))
    assert sorted((e.code, e.subject_id, e.data["from_agency_id"], e.data["to_agency_id"], e.data["change_set"])
                  for e in handed) == sorted(
        [("task.handed_over", first.id, old_ids[SNV], merged, "QĐ-merge-SNV-STC"),
         ("task.handed_over", second.id, old_ids[STC], merged, "QĐ-merge-SNV-STC")]
        + [("document.handed_over", doc_id, agency_id, merged, "QĐ-merge-SNV-STC")
           for doc_id, (agency_id, _organ, _arrival) in documents_before.items()])
    assert {(e.data["from_unit_id"], e.data["to_unit_id"]) for e in handed if e.subject_id == first.id
            and e.code == "task.handed_over"} == {(old_unit, new_unit)}

    # Every series gapless: each predecessor's closed at 1..N, the successor's open at 1..M.
    assert _series(engine, SNV) == [(False, [1])]
    assert _series(engine, STC) == [(False, [1])]
    assert _series(engine, MERGED) == [(True, [1])]
