"""Opening hồ sơ and filing documents into them, on SQLite and PostgreSQL (commands/records.py).

Each refusal is checked to change nothing; DocOrdinal is checked gapless under concurrent filings.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date, datetime

import pytest
from sqlmodel import col, select

from commands import record_archive
from commands import records as commands
from models.audit import AuditEvent
from models.db import transaction
from models.documents.file_store import FileStore
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.records import repo
from models.records.schema import CollectionInput, OpenRecordInput
from models.records.tables import (
    EntryStatus,
    PlanStatus,
    RecordAccess,
    RecordFile,
    RecordItem,
    RecordPlan,
    RecordPlanEntry,
    RecordPlanHeading,
    RecordStatus,
)
from models.tasks.tables import Task
from models.vocab import Direction, DocumentStatus, TaskStatus
from tests.activities.record_helpers import (
    FakeClient,
    add_document,
    add_record,
    make_outside_agency,
    make_records_org,
    settings_for,
)
from tests.helpers import rows

AD_HOC = {"title": "Hồ sơ tổ chức Hội nghị tổng kết năm 2026", "file_notation": "07.TH", "maintenance": "20 năm",
          "start_date": "2026-02-01"}


@pytest.fixture
def world(engine, tmp_path):
    org = make_records_org(engine)
    return engine, org, FileStore(tmp_path / "files"), tmp_path


def _open(engine, org, tmp_path, who="officer", client=None, **raw):
    client = client or FakeClient()
    record_id = asyncio.run(commands.open_record(
        engine, client, settings_for(tmp_path), user=org.users[who], roles=org.roles[who],
        data=OpenRecordInput.parse(raw)))
    return record_id, client


def _events(engine, code: str) -> list[AuditEvent]:
    return rows(engine, AuditEvent, AuditEvent.code == code)


def _file(engine, org, record_id, document_id, who="officer"):
    return commands.file_document(engine, user=org.users[who], roles=org.roles[who], record_id=record_id,
                                  document_id=document_id)


def _ordinals(engine, record_id) -> dict[str, int]:
    return {item.document_id: item.doc_ordinal for item in rows(engine, RecordItem, RecordItem.record_id == record_id)}


# --- opening ------------------------------------------------------------------------------------


def test_it_opens_a_hoso_outside_the_danh_muc_and_starts_its_workflow(world):
    engine, org, _, tmp_path = world
    record_id, client = _open(engine, org, tmp_path, **AD_HOC)
    (record,) = rows(engine, RecordFile, RecordFile.id == record_id)
    assert (record.file_catalog, record.file_notation, record.maintenance) == (2026, "07.TH", "20 năm")
    assert (record.creator_id, record.unit_id, record.status) == (org.users["officer"].id, org.units["TH"], "dang_lap")
    assert record.rights == "Sử dụng rộng rãi" and record.start_date == date(2026, 2, 1)
    assert client.started == [(record.workflow_id, client.started[0][1])]
    assert record.workflow_id.startswith("hoso-") and client.started[0][1].record_id == record_id
    assert [e.subject_id for e in _events(engine, "record.opened")] == [str(record_id)]


def test_a_duplicate_so_va_ky_hieu_is_refused_in_vietnamese_and_changes_nothing(world):
    engine, org, _, tmp_path = world
    _open(engine, org, tmp_path, **AD_HOC)
    with pytest.raises(Conflict) as refused:
        _open(engine, org, tmp_path, who="colleague", **{**AD_HOC, "title": "Hồ sơ khác"})
    assert refused.value.code == "record_notation_taken" and refused.value.params == {"notation": "07.TH", "year": 2026}
    assert len(rows(engine, RecordFile)) == 1 and len(_events(engine, "record.opened")) == 1


@pytest.mark.parametrize(("raw", "code", "fields"), [
    ({}, "invalid_fields", {"title", "file_notation", "maintenance", "start_date"}),
    ({**AD_HOC, "file_notation": "TH 07"}, "record_bad_notation", None),
    ({**AD_HOC, "maintenance": "mãi mãi"}, "plan_bad_retention", None),
    ({**AD_HOC, "rights": "Tối mật"}, "record_bad_rights", None),
])
def test_opening_outside_the_danh_muc_needs_its_fields(world, raw, code, fields):
    engine, org, _, tmp_path = world
    with pytest.raises(DomainError) as refused:
        _open(engine, org, tmp_path, **raw)
    assert refused.value.code == code
    if fields:
        assert set(refused.value.params["fields"]) == fields
    assert rows(engine, RecordFile) == []


def test_an_officer_opens_only_for_themselves_and_a_unit_head_for_their_people(world):
    engine, org, _, tmp_path = world
    with pytest.raises(DomainError) as refused:
        _open(engine, org, tmp_path, creator_id=org.users["colleague"].id, **AD_HOC)
    assert refused.value.params["fields"] == {"creator_id": "invalid"}
    record_id, _ = _open(engine, org, tmp_path, who="head", creator_id=org.users["colleague"].id, **AD_HOC)
    assert rows(engine, RecordFile, RecordFile.id == record_id)[0].creator_id == org.users["colleague"].id


def _plan_entry(engine, org, *, approved: bool) -> int:
    with transaction(engine) as session:
        plan = RecordPlan(agency_id=org.agency_id, year=2026, status=PlanStatus.ISSUED,
                          issued_at=datetime(2026, 1, 2, 2, 0).astimezone())
        session.add(plan)
        session.flush()
        heading = RecordPlanHeading(plan_id=plan.id, position=1, title="Công tác tổng hợp", abbreviation="TH",
                                    unit_id=org.units["TH"])
        session.add(heading)
        session.flush()
        entry = RecordPlanEntry(plan_id=plan.id, heading_id=heading.id, position=1, file_notation="01.TH",
                                title="Hồ sơ báo cáo kinh tế - xã hội năm 2026", maintenance="Vĩnh viễn",
                                status=EntryStatus.APPROVED if approved else EntryStatus.PROPOSED)
        session.add(entry)
        session.flush()
        return entry.id


def test_it_opens_from_an_approved_entry_of_the_issued_danh_muc(world):
    engine, org, _, tmp_path = world
    entry_id = _plan_entry(engine, org, approved=True)
    record_id, _ = _open(engine, org, tmp_path, plan_entry_id=entry_id)
    (record,) = rows(engine, RecordFile, RecordFile.id == record_id)
    assert (record.file_notation, record.maintenance, record.plan_entry_id) == ("01.TH", "Vĩnh viễn", entry_id)
    assert record.title == "Hồ sơ báo cáo kinh tế - xã hội năm 2026" and record.unit_id == org.units["TH"]
    with pytest.raises(Conflict) as refused:  # one hồ sơ per entry: its FileCode is taken now
        _open(engine, org, tmp_path, who="colleague", plan_entry_id=entry_id)
    assert refused.value.code == "record_notation_taken"


def test_an_entry_not_yet_approved_opens_nothing(world):
    engine, org, _, tmp_path = world
    entry_id = _plan_entry(engine, org, approved=False)
    with pytest.raises(DomainError) as refused:
        _open(engine, org, tmp_path, plan_entry_id=entry_id)
    assert refused.value.code == "record_entry_not_approved" and rows(engine, RecordFile) == []


# --- filing -------------------------------------------------------------------------------------


def test_filing_numbers_gaplessly_and_one_document_goes_into_several_hoso(world):
    engine, org, store, _ = world
    first, second = add_record(engine, org, creator="clerk"), add_record(engine, org, creator="clerk")
    documents = [add_document(engine, store, org) for _ in range(3)]
    assert [_file(engine, org, first, d, who="clerk") for d in documents] == [1, 2, 3]
    assert _file(engine, org, second, documents[1], who="clerk") == 1  # the same row, no copy
    commands.remove_document(engine, user=org.users["clerk"], roles=org.roles["clerk"], record_id=first,
                             document_id=documents[0])
    assert _ordinals(engine, first) == {documents[1]: 1, documents[2]: 2}
    assert _file(engine, org, first, documents[0], who="clerk") == 3
    with pytest.raises(Conflict) as refused:
        _file(engine, org, first, documents[1], who="clerk")
    assert refused.value.code == "record_item_exists"
    codes = [e.code for e in sorted(rows(engine, AuditEvent, AuditEvent.subject_id == documents[0]), key=lambda e: e.id)]
    assert codes == ["document.filed", "document.unfiled", "document.filed"]


@pytest.mark.parametrize(("kind", "code"), [
    ("draft", "record_document_draft"), ("unregistered", "record_document_not_registered"),
    ("foreign", "record_foreign_document"), ("unseen", "document_not_found"),
])
def test_drafts_foreign_and_unregistered_documents_are_refused_and_nothing_changes(world, kind, code):
    engine, org, store, _ = world
    outside = make_outside_agency(engine, org)
    made = {
        "draft": lambda: add_document(engine, store, org, direction=Direction.OUTGOING, status=DocumentStatus.DRAFT),
        "unregistered": lambda: add_document(engine, store, org, status=DocumentStatus.NEW),
        # Drafted there by this văn thư before moving here: they still see it.
        "foreign": lambda: add_document(engine, store, outside, direction=Direction.OUTGOING,
                                        status=DocumentStatus.ISSUED, created_by="drafter"),
        "unseen": lambda: add_document(engine, store, outside, status=DocumentStatus.DONE),
    }[kind]()
    record_id = add_record(engine, org, creator="clerk")
    with pytest.raises(DomainError) as refused:
        _file(engine, org, record_id, made, who="clerk")
    assert refused.value.code == code
    assert rows(engine, RecordItem) == [] and _events(engine, "record.item_filed") == []
    assert rows(engine, RecordFile, RecordFile.id == record_id)[0].version == 1


def test_a_closed_or_frozen_hoso_takes_no_documents(world):
    engine, org, store, _ = world
    closed = add_record(engine, org, status=RecordStatus.CLOSED, creator="clerk")
    document = add_document(engine, store, org)
    with pytest.raises(Conflict) as refused:
        _file(engine, org, closed, document, who="clerk")
    assert refused.value.code == "record_closed"
    open_one = add_record(engine, org, creator="clerk")
    with pytest.raises(Forbidden):
        commands.set_frozen(engine, user=org.users["officer"], roles=org.roles["officer"], record_id=open_one,
                            frozen=True, reason="Thanh tra")
    commands.set_frozen(engine, user=org.users["leader"], roles=org.roles["leader"], record_id=open_one,
                        frozen=True, reason="Phục vụ thanh tra")
    with pytest.raises(Conflict) as frozen:
        _file(engine, org, open_one, document, who="clerk")
    assert frozen.value.code == "record_frozen" and rows(engine, RecordItem) == []
    assert [e.data["reason"] for e in _events(engine, "record.frozen")] == ["Phục vụ thanh tra"]


def test_only_its_creator_or_unit_head_files_into_a_hoso(world):
    engine, org, store, _ = world
    record_id = add_record(engine, org, creator="officer")
    document = add_document(engine, store, org)
    with pytest.raises(NotFound):  # another unit's officer does not even see it
        _file(engine, org, record_id, document, who="other")
    with pytest.raises(Forbidden):  # the archive sees it, but does not keep it
        _file(engine, org, record_id, document, who="archivist")


def test_concurrent_filings_into_one_hoso_never_share_an_ordinal(world):
    engine, org, store, _ = world
    record_id = add_record(engine, org, creator="clerk")
    documents = [add_document(engine, store, org) for _ in range(8)]
    results, errors = [], []
    barrier = threading.Barrier(len(documents))

    def file_one(document_id):
        barrier.wait()
        try:
            results.append(_file(engine, org, record_id, document_id, who="clerk"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=file_one, args=(d,)) for d in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, 9)) and sorted(_ordinals(engine, record_id).values()) == list(range(1, 9))


# --- handover and reading ------------------------------------------------------------------------


def test_a_handover_gives_the_hoso_and_its_creators_waiting_step_to_the_successor(world):
    engine, org, _, _ = world
    record_id = add_record(engine, org, creator="officer")
    with transaction(engine) as session:
        record = session.get(RecordFile, record_id)
        session.add(Task(workflow_id=record.workflow_id, task_key="record_review:1", record_id=record_id,
                         step="record_review", agency_id=org.agency_id, unit_id=org.units["TH"],
                         candidate_role="chuyen_vien", actions=["dong_ho_so"], status=TaskStatus.CLAIMED,
                         assignee_id=org.users["officer"].id))
    with pytest.raises(DomainError) as refused:
        commands.hand_over(engine, user=org.users["head"], roles=org.roles["head"], record_id=record_id,
                           successor_id=org.users["officer"].id, reason="Nghỉ hưu")
    assert refused.value.code == "record_bad_successor"
    commands.hand_over(engine, user=org.users["head"], roles=org.roles["head"], record_id=record_id,
                       successor_id=org.users["colleague"].id, reason="Nghỉ hưu")
    assert rows(engine, RecordFile, RecordFile.id == record_id)[0].creator_id == org.users["colleague"].id
    assert rows(engine, Task, Task.record_id == record_id)[0].assignee_id == org.users["colleague"].id
    (event,) = _events(engine, "record.handed_over")
    assert (event.data["from_user_id"], event.data["steps"]) == (org.users["officer"].id, 1)


def test_a_restricted_archived_hoso_is_read_after_a_request_and_every_view_is_counted(world):
    engine, org, _, _ = world
    record_id = add_record(engine, org, creator="officer", status=RecordStatus.ARCHIVED, rights="Hạn chế sử dụng")
    reader, roles = org.users["other"], org.roles["other"]
    with transaction(engine) as session, pytest.raises(NotFound):
        repo.record_for_user(session, reader, roles, record_id, date.today())
    client = FakeClient()
    access_id = asyncio.run(record_archive.request_access(engine, client, user=reader, roles=roles,
                                                          record_id=record_id, reason="Nghiên cứu"))
    assert client.signals[0][1:] == ("access_requested", (access_id,))
    with pytest.raises(Conflict) as again:
        asyncio.run(record_archive.request_access(engine, client, user=reader, roles=roles, record_id=record_id,
                                                  reason="Nghiên cứu"))
    assert again.value.code == "record_access_pending" and len(rows(engine, RecordAccess)) == 1
    with transaction(engine) as session:
        request = session.get(RecordAccess, access_id)
        request.status = "dong_y"
    with transaction(engine) as session:
        assert repo.record_for_user(session, reader, roles, record_id, date.today()).id == record_id
    assert record_archive.record_viewed(engine, reader.id, record_id, via="web") is True
    assert record_archive.record_viewed(engine, reader.id, record_id, via="web") is False  # the same visit
    assert record_archive.record_viewed(engine, org.users["leader"].id, record_id, via="api") is True
    with transaction(engine) as session:
        assert repo.access_counts(session, record_id) == {"views": 2, "downloads": 0}
    open_one = add_record(engine, org, creator="officer")
    with pytest.raises(DomainError) as refused:
        asyncio.run(record_archive.request_access(engine, client, user=reader, roles=roles, record_id=open_one,
                                                  reason="x"))
    assert refused.value.code == "record_not_archived"


def test_lists_of_my_the_units_and_the_archives_hoso(world):
    engine, org, _, _ = world
    mine = add_record(engine, org, creator="officer")
    theirs = add_record(engine, org, creator="colleague", status=RecordStatus.CLOSED)
    archived = add_record(engine, org, creator="colleague", status=RecordStatus.ARCHIVED)
    with transaction(engine) as session:
        assert [r.id for r in repo.mine(session, org.users["officer"])] == [mine]
        assert {r.id for r in repo.of_unit(session, org.agency_id, org.units["TH"])} == {mine, theirs}
        assert [r.id for r in repo.of_agency(session, org.agency_id, [RecordStatus.ARCHIVED])] == [archived]
        assert [r.id for r in repo.open_managed_by(session, org.users["head"], org.roles["head"])] == [mine]
        ids = session.exec(select(RecordFile.id).where(col(RecordFile.agency_id) == org.agency_id)).all()
        assert len(ids) == 3


def test_the_archive_announces_its_collection_list_once_audited_and_an_officer_cannot(world):
    engine, org, _store, _tmp = world
    data = CollectionInput(year=2027, announced_on=date(2027, 1, 15))
    with pytest.raises(Forbidden):
        asyncio.run(record_archive.announce_collection(engine, FakeClient(), user=org.users["officer"],
                                                       roles=org.roles["officer"], data=data))
    assert _events(engine, "record.collection_announced") == []
    told = asyncio.run(record_archive.announce_collection(engine, FakeClient(), user=org.users["archivist"],
                                                          roles=org.roles["archivist"], data=data))
    assert told == 0  # nothing is due in 2027 in this agency
    [event] = _events(engine, "record.collection_announced")
    assert event.actor_id == org.users["archivist"].id and event.data["announced_on"] == "2027-01-15"
