"""Fixity of the file store on SQLite and PostgreSQL: a changed file and a lost file are reported to
the administrators once, a restored one is closed, a disposed one is expected gone, a retried batch
resumes from its heartbeat, and a pass spreads over its period."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.fixity import FixityActivities
from config.settings import Settings
from models.audit import AuditEvent
from models.db import reading, transaction
from models.documents.file_store import FileStore
from models.documents.fixity import FixityCursor, FixityKind, FixityProblem, round_quota
from models.documents.tables import StoredFile
from models.exchange.tables import HubOutbox
from models.notifications.tables import Notification
from models.org.tables import UserRole
from models.records.tables import RecordDisposal, RecordFile
from models.vocab import Role
from tests.factories import make_org
from workflows.record_contracts import FixityBatchInput

FILES = 5


@pytest.fixture
def store_with_files(engine, tmp_path):
    """Five stored files of an agency with an administrator (the leader); their digests in order."""
    settings = Settings(var_dir=tmp_path / "var", fixity_batch_files=2)
    store = FileStore(settings.files_dir)
    with transaction(engine) as session:
        org = make_org(session)
        session.add(UserRole(user_id=org.users["leader"].id, role=Role.ADMIN))
        contents = {}
        for number in range(FILES):
            data = f"tệp lưu trữ số {number}".encode()
            contents[store.put(data)] = data
            session.add(StoredFile(sha256=store.put(data), size=len(data), content_type="application/pdf",
                                   filename=f"van-ban-{number}.pdf"))
    return settings, store, org, sorted(contents), contents


def _whole_pass(engine, settings, store) -> list:
    """Check batch after batch (as the workflow does) until the pass ends; return the batches."""
    activities, environment, batches = FixityActivities(engine, store, settings), ActivityEnvironment(), []
    while True:
        batch = environment.run(activities.check_fixity_batch, FixityBatchInput(limit=settings.fixity_batch_files))
        batches.append(batch)
        if batch.pass_finished or batch.checked == 0:
            return batches


def _events(engine, code: str) -> list[AuditEvent]:
    with reading(engine) as session:
        return [(e.subject_id, dict(e.data)) for e in session.exec(select(AuditEvent).where(AuditEvent.code == code))]


def _open_problems(engine) -> dict[str, tuple[str, str]]:
    with reading(engine) as session:
        return {p.sha256: (p.kind, p.actual_sha256) for p in session.exec(
            select(FixityProblem).where(FixityProblem.resolved_at.is_(None)))}


def _told(engine) -> list[Notification]:
    with reading(engine) as session:
        return [(n.user_id, n.urgent, n.data["detail"]) for n in session.exec(
            select(Notification).where(Notification.code == "fixity_failed"))]


def test_a_changed_and_a_missing_file_are_reported_to_the_administrators_once(engine, store_with_files):
    settings, store, org, digests, contents = store_with_files
    changed, lost = digests[1], digests[3]
    store.path_for(changed).write_bytes(b"bytes that are not the stored ones")
    store.path_for(lost).unlink()

    batches = _whole_pass(engine, settings, store)
    assert [b.checked for b in batches] == [2, 2, 1] and batches[-1].pass_finished
    assert sum(b.reported for b in batches) == 2
    problems = _open_problems(engine)
    assert problems[lost] == (FixityKind.MISSING, "")
    assert problems[changed][0] == FixityKind.MISMATCH and problems[changed][1] not in ("", changed)
    told = _told(engine)
    # The administrator, told in each batch that found something (the two files fell in two batches).
    assert [(user, urgent) for user, urgent, _ in told] == [(org.users["leader"].id, True)] * 2
    detail = " ".join(text for _, _, text in told)
    assert "nội dung đã bị thay đổi" in detail and "không còn trong kho lưu trữ" in detail
    assert f"«van-ban-{contents[changed].decode()[-1]}.pdf»" in detail
    assert {subject for subject, _ in _events(engine, "file.fixity_failed")} == {changed, lost}
    assert [data["checked"] for _, data in _events(engine, "file.fixity_pass_finished")] == [FILES]

    _whole_pass(engine, settings, store)  # the next pass finds them again: nothing new is told
    assert len(_told(engine)) == 2 and len(_events(engine, "file.fixity_failed")) == 2

    store.path_for(changed).write_bytes(contents[changed])
    _whole_pass(engine, settings, store)  # restored from a backup: closed, the lost one stays open
    assert set(_open_problems(engine)) == {lost}
    assert [subject for subject, _ in _events(engine, "file.fixity_restored")] == [changed]
    with reading(engine) as session:
        assert session.get(FixityCursor, 1).pass_number == 4


def test_a_file_a_disposal_removed_is_expected_to_be_gone(engine, store_with_files):
    settings, store, org, digests, _ = store_with_files
    with transaction(engine) as session:
        record = RecordFile(agency_id=org.agency_id, file_catalog=2016, file_notation="01.TCCB", title="Hồ sơ đã hủy")
        session.add(record)
        session.flush()
        session.add(RecordDisposal(record_id=record.id, decision="Quyết định hủy số 1/QĐ-VP", blobs=[digests[0]]))
    store.path_for(digests[0]).unlink()
    _whole_pass(engine, settings, store)
    assert _open_problems(engine) == {} and _told(engine) == []


def test_a_hub_package_is_checked_too(engine, store_with_files):
    settings, store, *_ = store_with_files
    package = store.put(b"<edXMLEnvelope>...</edXMLEnvelope>")  # kept without a storedfile row
    with transaction(engine) as session:
        session.add(HubOutbox(message_type="edoc", dedup_key="edoc:000.00.02.H23", from_code="000.00.01.H23",
                              to_code="000.00.02.H23", package_sha256=package))
    store.path_for(package).write_bytes(b"<edXMLEnvelope>changed</edXMLEnvelope>")
    batches = _whole_pass(engine, settings, store)
    assert sum(b.checked for b in batches) == FILES + 1
    assert _open_problems(engine)[package][0] == FixityKind.MISMATCH
    assert "«gói tin trục liên thông»" in _told(engine)[0][2]


def test_a_retried_batch_resumes_from_its_last_heartbeat(engine, store_with_files):
    settings, store, _, digests, _ = store_with_files
    environment = ActivityEnvironment()
    # An attempt that read the first two files, found the first changed, then its worker stopped.
    environment.info = dataclasses.replace(environment.info, heartbeat_details=[{
        "started_after": "", "last_checked": digests[1], "checked": 2,
        "findings": [[digests[0], "mismatch", "ab" * 32]]}])
    batch = environment.run(FixityActivities(engine, store, settings).check_fixity_batch, FixityBatchInput(limit=3))
    assert (batch.checked, batch.problems) == (3, 1)  # two carried over, one read now
    assert _open_problems(engine) == {digests[0]: (FixityKind.MISMATCH, "ab" * 32)}  # not read again
    with reading(engine) as session:
        assert session.get(FixityCursor, 1).after_sha256 == digests[2]


def test_the_plan_spreads_a_pass_over_its_period(engine, store_with_files):
    settings, store, *_ = store_with_files
    plan = ActivityEnvironment().run(FixityActivities(engine, store, settings).plan_fixity_round)
    assert (plan.quota, plan.batch) == (1, 2)  # five files over 720 hourly rounds: one a round
    off = settings.model_copy(update={"fixity_period_days": 0})
    assert ActivityEnvironment().run(FixityActivities(engine, store, off).plan_fixity_round).quota == 0


def test_round_quota():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    hour, period = timedelta(hours=1), timedelta(days=30)
    assert round_quota(7200, start, period, hour, now=start) == 10  # 720 rounds in the period
    assert round_quota(7200, start, period, hour, now=start + timedelta(days=29, hours=22)) == 3600
    assert round_quota(500, start, period, hour, now=start + timedelta(days=40)) == 500  # late: all at once
    assert round_quota(0, start, period, hour, now=start) == 0
