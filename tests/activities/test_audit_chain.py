"""The audit trail is one hash chain, on both backends: every event linked at commit without gaps
or forks (also under concurrent writers), each day's head signed, and a row updated, deleted or
inserted behind the application's back is found and named."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import select

from activities.audit import sign_pending_days
from commands import admin
from commands import configuration_calendar as calendar_commands
from config.settings import Settings
from models.audit import GENESIS_HASH, AuditChainHead, AuditEvent, hash_of, record
from models.audit_trail.tables import AuditDayHead
from models.audit_trail.verify import verify, verify_chain
from models.db import reading, transaction, utcnow
from models.processes.schema import DEFAULT_INCOMING
from models.vocab import Role
from tests.alembic_helpers import empty_database, migrate
from tests.helpers import rows, user_and_roles


def _events(engine) -> list[AuditEvent]:
    with transaction(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.seq)))


def _write(engine, count: int, **data) -> None:
    for number in range(count):
        with transaction(engine) as session:
            record(session, None, "document.viewed", "document", "doc-1", number=number, **data)


def _settings(tmp_path) -> Settings:
    return Settings(var_dir=tmp_path / "var")


def test_every_event_is_linked_to_the_one_before(seeded):
    _write(seeded, 3, note="Công văn số 12/UBND")
    with transaction(seeded) as session:  # two events in one transaction take consecutive places
        record(session, None, "calendar.changed", "calendar", "2026-12-05", working=True)
        record(session, None, "calendar.removed", "calendar", "2026-12-05")
    events = _events(seeded)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
        assert hash_of(after, before.hash) == after.hash
    with reading(seeded) as session:
        head = session.get(AuditChainHead, 1)
        assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)
        report = verify_chain(session)
    assert report.intact, report.problems
    assert report.events_checked == len(events)


def test_concurrent_writers_make_one_line_without_gaps_or_forks(engine):
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for step in range(15):
                with transaction(engine) as session:
                    record(session, None, "document.viewed", "document", f"doc-{number}", step=step)
                    record(session, None, "document.downloaded", "document", f"doc-{number}", step=step)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    events = _events(engine)
    assert len(events) == 8 * 15 * 2
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    with reading(engine) as session:
        assert verify_chain(session).intact


@pytest.mark.parametrize("tampering", ["update", "delete", "insert"])
def test_a_row_changed_behind_the_application_is_named(seeded, tampering):
    _write(seeded, 4)
    target = _events(seeded)[-3]
    with seeded.begin() as connection:
        if tampering == "update":
            connection.execute(text("UPDATE auditevent SET data = :data WHERE id = :id"),
                               {"data": '{"number": 99}', "id": target.id})
        elif tampering == "delete":
            connection.execute(text("DELETE FROM auditevent WHERE id = :id"), {"id": target.id})
        else:
            connection.execute(text(
                "INSERT INTO auditevent (at, actor_id, code, subject_type, subject_id, data) "
                "VALUES (:at, NULL, 'document.viewed', 'document', 'doc-1', '{}')"), {"at": target.at})
    with reading(seeded) as session:
        report = verify_chain(session)
    assert not report.intact
    first = report.first_broken
    if tampering == "update":
        assert (first.kind, first.seq, first.event_id) == ("modified", target.seq, target.id)
        assert "đã bị sửa" in first.message and f"số {target.seq}" in first.message
    elif tampering == "delete":
        assert (first.kind, first.seq) == ("deleted", target.seq)
        assert f"Thiếu sự kiện số {target.seq}" in first.message and "bị xóa" in first.message
    else:
        assert first.kind == "inserted" and first.seq is None
        assert "không nằm trong chuỗi" in first.message
    assert len(report.problems) == 1  # the links after it are not blamed


def test_a_forged_row_in_the_chain_and_a_deleted_tail_are_found(seeded):
    _write(seeded, 3)
    last = _events(seeded)[-1]
    with seeded.begin() as connection:  # a forged row that claims the next place with a made-up hash
        connection.execute(text(
            "INSERT INTO auditevent (at, code, subject_type, subject_id, data, seq, prev_hash, hash) "
            "VALUES (:at, 'user.created', 'user', '1', '{}', :seq, :prev, :hash)"),
            {"at": last.at, "seq": last.seq + 1, "prev": last.hash, "hash": "f" * 64})
    with reading(seeded) as session:
        kinds = [p.kind for p in verify_chain(session).problems]
    assert kinds == ["modified", "inserted"]
    with seeded.begin() as connection:
        connection.execute(text("DELETE FROM auditevent WHERE seq >= :seq"), {"seq": last.seq})
    with reading(seeded) as session:
        first = verify_chain(session).first_broken
    assert first.kind == "deleted" and "ở cuối chuỗi" in first.message


def test_day_heads_are_signed_once_and_a_rebuilt_chain_shows(seeded, tmp_path):
    settings = _settings(tmp_path)
    _write(seeded, 3)
    assert sign_pending_days(seeded, settings) == 0  # today is not over
    later = utcnow() + timedelta(days=2)
    assert sign_pending_days(seeded, settings, now=later) == 2  # today and tomorrow
    assert sign_pending_days(seeded, settings, now=later) == 0
    heads = rows(seeded, AuditDayHead)
    assert heads[0].seq == _events(seeded)[-1].seq
    with reading(seeded) as session:
        report = verify(session, settings)
    assert report.intact and report.days_checked == 2

    # Someone with the database but not the key rewrites an event and every hash after it.
    with seeded.begin() as connection:
        connection.execute(text("UPDATE auditevent SET data = :data WHERE seq = 2"), {"data": '{"number": 7}'})
    with transaction(seeded) as session:
        prev = None
        for event in session.exec(select(AuditEvent).order_by(AuditEvent.seq)):
            prev = event.prev_hash if prev is None else prev
            event.prev_hash, event.hash = prev, hash_of(event, prev)
            prev = event.hash
        session.get(AuditChainHead, 1).hash = prev
    with reading(seeded) as session:
        report = verify(session, settings)
    assert verify_chain_intact(seeded)
    assert not report.intact
    assert report.first_broken.kind == "day_head"
    assert "không còn trong nhật ký" in report.first_broken.message

    # A forged signature is refused too.
    with seeded.begin() as connection:
        connection.execute(text("UPDATE audit_day_head SET signature = :sig"), {"sig": "00" * 64})
    with reading(seeded) as session:
        report = verify(session, settings)
    assert "không phải của khóa hệ thống" in report.day_problems[0].message


def verify_chain_intact(engine) -> bool:
    with reading(engine) as session:
        return verify_chain(session).intact


def test_every_administrator_change_is_audited(seeded):
    admin_user, roles = user_and_roles(seeded, "admin")
    assert Role.ADMIN in roles
    actor = {"actor_id": admin_user.id, "roles": roles}
    admin.create_account(seeded, **actor, username="kiemtra", full_name="Kiểm Tra", agency_code="000.00.01.H23",
                         position="Chuyên viên", unit_abbreviation=None, account_roles=["chuyen_vien"])
    admin.lock_account(seeded, **actor, username="kiemtra", reason="Thử")
    admin.reset_account(seeded, **actor, username="kiemtra")
    calendar_commands.set_day(seeded, **actor, day_text="2026-12-26", working=True, note="Làm bù")
    calendar_commands.remove_day(seeded, **actor, day_text="2026-12-26")
    body = DEFAULT_INCOMING.model_dump(mode="json")
    body["steps"][1]["working_days"] = 2
    admin.deploy_process(seeded, **actor, body_text=json.dumps(body))
    codes = [e.code for e in rows(seeded, AuditEvent, AuditEvent.actor_id == admin_user.id)]
    assert codes == ["user.created", "user.locked", "user.reset", "calendar.changed", "calendar.removed",
                     "process.published"]
    assert verify_chain_intact(seeded)


def test_the_migration_chains_existing_events_in_id_order(tmp_path):
    url, engine = empty_database("sqlite", tmp_path)
    config = migrate(url, "0016")
    with engine.begin() as connection:
        for number in range(5):
            connection.execute(text(
                "INSERT INTO auditevent (at, code, subject_type, subject_id, data) "
                "VALUES (:at, 'document.received', 'document', :doc, :data)"),
                {"at": f"2026-12-0{number + 1} 01:00:00.000000", "doc": f"doc-{number}",
                 "data": json.dumps({"tên": "Văn bản", "n": number}, ensure_ascii=False)})
    command.upgrade(config, "head")
    events = _events(engine)
    assert [(e.id, e.seq) for e in events] == [(n, n) for n in range(1, 6)]
    with reading(engine) as session:
        assert verify_chain(session).intact
    _write(engine, 1)  # new events continue the backfilled chain
    with reading(engine) as session:
        assert verify_chain(session).intact
    assert _events(engine)[-1].seq == 6
    engine.dispose()
