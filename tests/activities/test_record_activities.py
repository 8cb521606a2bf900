"""The hồ sơ workflow's activities on SQLite and PostgreSQL: each called twice has one effect.

Closing does the listing from the stored PDFs; the timers count from the transfer date, the
archive's collection list and the retention; disposal removes only files nothing alive needs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from activities.records import RecordActivities
from models.audit import AuditEvent
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.tables import Document, StoredFile
from models.errors import DomainError
from models.notifications.tables import Notification
from models.records import archive_repo, corrections, decisions
from models.records.schema import CorrectionInput
from models.records.tables import RecordDisposal, RecordFile, RecordItem, RecordStatus
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.activities.record_helpers import add_document, add_record, make_records_org
from tests.conftest import minimal_pdf
from tests.helpers import rows
from workflows.contracts import ApplyDecisionInput
from workflows.record_contracts import (
    CorrectRecordInput,
    LoadRecordInput,
    RecordRequest,
    RecordRequestInput,
    RemoveFilesInput,
    WarnTransferInput,
)


@pytest.fixture
def world(engine, tmp_path):
    org = make_records_org(engine)
    store = FileStore(tmp_path / "files")
    return engine, org, store, RecordActivities(engine, store)


def _file(engine, record_id: int, *document_ids: str) -> None:
    with transaction(engine) as session:
        for ordinal, document_id in enumerate(document_ids, start=1):
            session.add(RecordItem(record_id=record_id, document_id=document_id, doc_ordinal=ordinal))


def _step(engine, org, record_id: int, step: str, action: str, **fields) -> ApplyDecisionInput:
    """A step of the hồ sơ's workflow waiting for ``action``, as ``open_task`` leaves it."""
    with transaction(engine) as session:
        record = session.get(RecordFile, record_id)
        key = f"{step}:{uuid.uuid4().hex[:6]}"
        session.add(Task(workflow_id=record.workflow_id, task_key=key, record_id=record_id, step=step,
                         agency_id=org.agency_id, candidate_role="chuyen_vien", actions=[action],
                         status=TaskStatus.COMPLETING))
        return ApplyDecisionInput(document_id="", workflow_id=record.workflow_id, task_key=key, step=step,
                                  action=action, actor_id=org.users["officer"].id, fields=fields)


def _record(engine, record_id: int) -> RecordFile:
    return rows(engine, RecordFile, RecordFile.id == record_id)[0]


def _codes(engine, record_id: int) -> list[str]:
    events = rows(engine, AuditEvent, AuditEvent.subject_type == "record", AuditEvent.subject_id == str(record_id))
    return [e.code for e in sorted(events, key=lambda e: e.id)]


def test_closing_lists_the_documents_pages_and_dates_once(world):
    engine, org, store, activities = world
    record_id = add_record(engine, org)
    documents = [add_document(engine, store, org, pages=2, issued=date(2026, 2, 10)),
                 add_document(engine, store, org, pages=3, issued=date(2026, 6, 30))]
    _file(engine, record_id, *documents)
    decision = _step(engine, org, record_id, "record_review", "dong_ho_so", note="Đủ văn bản")
    assert activities.apply_record_decision(decision).document_status == "da_dong"
    assert activities.apply_record_decision(decision).document_status == "da_dong"
    record = _record(engine, record_id)
    assert (record.doc_total, record.page_total) == (2, 5)
    assert (record.start_date, record.end_date) == (date(2026, 1, 5), date(2026, 6, 30))
    assert record.closed and record.transfer_due == date(2027, 6, 30)
    assert _codes(engine, record_id) == ["record.dong_ho_so"]


def test_closing_is_refused_with_drafts_duplicates_or_nothing_in_it(world):
    engine, org, store, _ = world
    empty = add_record(engine, org)
    with transaction(engine) as session, pytest.raises(DomainError) as refused:
        decisions.check_decision(session, empty, "dong_ho_so")
    assert refused.value.code == "record_empty"
    record_id = add_record(engine, org)
    twins = [add_document(engine, store, org, number="12"), add_document(engine, store, org, number="12")]
    _file(engine, record_id, add_document(engine, store, org), *twins)
    with transaction(engine) as session, pytest.raises(DomainError) as duplicates:
        decisions.check_decision(session, record_id, "dong_ho_so")
    assert duplicates.value.code == "record_has_duplicates" and duplicates.value.params == {"items": "02, 03"}
    with transaction(engine) as session:  # a recalled document is no longer the agency's record
        session.get(Document, twins[1]).status = DocumentStatus.RECALLED
    with transaction(engine) as session, pytest.raises(DomainError) as drafts:
        decisions.check_decision(session, record_id, "dong_ho_so")
    assert drafts.value.code == "record_has_drafts" and drafts.value.params == {"items": "03"}


def test_the_timers_count_from_the_transfer_date_the_collection_list_and_the_retention(world):
    engine, org, _, activities = world
    record_id = add_record(engine, org, status=RecordStatus.CLOSED, end_date=date(2026, 3, 2),
                           transfer_due=date(2027, 3, 2))
    state = activities.load_record(LoadRecordInput(record_id))
    assert (state.status, state.must_transfer, state.warn_at) == ("da_dong", True, None)  # no list announced
    assert state.retention_ends_at == datetime(2037, 1, 1, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
    with transaction(engine) as session:
        archive_repo.announce(session, org.agency_id, 2027, date(2027, 1, 10), org.users["archivist"].id)
    assert activities.load_record(LoadRecordInput(record_id)).warn_at == datetime(2027, 1, 31, 1, 0, tzinfo=UTC)
    with transaction(engine) as session:
        archive_repo.announce(session, org.agency_id, 2027, date(2027, 2, 20), org.users["archivist"].id)
    assert activities.load_record(LoadRecordInput(record_id)).warn_at == datetime(2027, 2, 20, 1, 0, tzinfo=UTC)
    permanent = add_record(engine, org, status=RecordStatus.ARCHIVED, maintenance="Vĩnh viễn", end_date=date(2026, 3, 2))
    assert activities.load_record(LoadRecordInput(permanent)).retention_ends_at is None
    short = add_record(engine, org, status=RecordStatus.CLOSED, maintenance="3 năm", end_date=date(2026, 3, 2),
                       transfer_due=date(2027, 3, 2))
    state = activities.load_record(LoadRecordInput(short))
    assert (state.must_transfer, state.warn_at) == (False, None)


def test_the_transfer_warning_reaches_the_creator_and_the_archive_once(world):
    engine, org, _, activities = world
    record_id = add_record(engine, org, status=RecordStatus.CLOSED, transfer_due=date(2027, 3, 2))
    request = WarnTransferInput(record_id, "hoso-x")
    assert activities.warn_record_transfer(request) == 2
    assert activities.warn_record_transfer(request) == 0
    told = {n.user_id for n in rows(engine, Notification, Notification.code == "record_transfer_due")}
    assert told == {org.users["officer"].id, org.users["archivist"].id}
    assert activities.load_record(LoadRecordInput(record_id)).warn_at is None  # warned for that date


def test_a_transfer_request_hands_the_hoso_to_the_archive_once(world):
    engine, org, _, activities = world
    record_id = add_record(engine, org, status=RecordStatus.CLOSED, transfer_due=date(2027, 3, 2))
    ask = RecordRequestInput(record_id, "hoso-x", RecordRequest("transfer-1", "transfer", org.users["officer"].id))
    assert activities.record_requested(ask).status == "dang_nop"
    assert activities.record_requested(ask).status == "dang_nop"
    assert _codes(engine, record_id) == ["record.transfer_requested"]
    accept = _step(engine, org, record_id, "record_accept", "tiep_nhan_luu_tru", condition="Đầy đủ")
    assert activities.apply_record_decision(accept).document_status == "luu_tru"
    assert _record(engine, record_id).archived_at is not None


def test_disposal_removes_only_files_nothing_alive_needs_and_keeps_every_row(world):
    engine, org, store, activities = world
    doomed = add_record(engine, org, status=RecordStatus.ARCHIVED, maintenance="5 năm", end_date=date(2020, 1, 1))
    kept = add_record(engine, org)
    shared_bytes = minimal_pdf(1, "Ban dung chung")
    only_here = add_document(engine, store, org)
    also_kept = add_document(engine, store, org)
    shared = add_document(engine, store, org, data=shared_bytes)
    add_document(engine, store, org, data=shared_bytes)  # filed nowhere: alive, holds the same file
    _file(engine, doomed, only_here, also_kept, shared)
    with transaction(engine) as session:
        session.add(RecordItem(record_id=kept, document_id=also_kept, doc_ordinal=1))
    digests = _digests(engine, only_here, also_kept, shared)
    decision = _step(engine, org, doomed, "record_dispose", "huy_ho_so", decision="Quyết định số 12/QĐ-VP")
    assert activities.apply_record_decision(decision).document_status == "da_huy"
    (disposal,) = rows(engine, RecordDisposal)
    assert disposal.blobs == [digests[only_here]] and disposal.decision == "Quyết định số 12/QĐ-VP"
    assert activities.remove_disposed_files(RemoveFilesInput(doomed)) == 1
    assert activities.remove_disposed_files(RemoveFilesInput(doomed)) == 1  # again: nothing left to remove
    assert not store.path_for(digests[only_here]).exists()
    assert store.path_for(digests[also_kept]).exists() and store.path_for(digests[shared]).exists()
    assert len(rows(engine, RecordItem, RecordItem.record_id == doomed)) == 3  # metadata kept
    assert _codes(engine, doomed) == ["record.huy_ho_so", "record.files_removed"]


def _digests(engine, *document_ids: str) -> dict[str, str]:
    with transaction(engine) as session:
        return {d: session.get(StoredFile, session.get(Document, d).file_id).sha256 for d in document_ids}


def test_a_correction_is_audited_with_what_it_was_and_why(world):
    engine, org, _, activities = world
    record_id = add_record(engine, org, status=RecordStatus.CLOSED, end_date=date(2026, 3, 2))
    record = _record(engine, record_id)
    with pytest.raises(DomainError) as nothing:
        corrections.clean_changes(record, CorrectionInput(reason="Sai", title=record.title))
    assert nothing.value.code == "record_correction_empty"
    changes = corrections.clean_changes(record, CorrectionInput(reason="Sai chính tả", title="Hồ sơ dự toán 2027",
                                                                maintenance="vinh vien"))
    assert changes == {"title": "Hồ sơ dự toán 2027", "maintenance": "Vĩnh viễn"}
    request = CorrectRecordInput("fix-1", record_id, org.users["officer"].id, "Sai chính tả", changes)
    assert activities.correct_record(request) is True
    assert activities.correct_record(request) is False
    (event,) = rows(engine, AuditEvent, AuditEvent.code == "record.corrected")
    assert event.data["before"] == {"title": record.title, "maintenance": "10 năm"}
    assert event.data["after"] == changes and event.data["reason"] == "Sai chính tả"
    assert activities.load_record(LoadRecordInput(record_id)).retention_ends_at is None  # now permanent
