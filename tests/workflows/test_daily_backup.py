"""``DailyBackup`` on the dev server: the day's copy once, the newest kept, failures told to administrators."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from models.backup.archive import take_backup, verify_backup
from models.db import transaction
from models.documents.file_store import FileStore
from models.notifications.notify import administrators
from models.notifications.tables import MailMessage, Notification
from tests.conftest import minimal_pdf
from tests.helpers import rows, running_worker, upload
from workflows.backup import DailyBackupWorkflow
from workflows.backup_contracts import BACKUP_SCHEDULE_ID
from workflows.starter import ensure_backup_schedule


def _vietnam_day_name() -> str:
    return f"qlvb-{(datetime.now(UTC) + timedelta(hours=7)).date().isoformat()}"


def _settings(tmp_path, task_queue, **values) -> Settings:
    return Settings(var_dir=tmp_path, temporal_task_queue=task_queue, backup_dir=tmp_path / "backups", **values)


async def test_it_takes_the_days_backup_once_and_keeps_the_newest_copies(seeded_sqlite, temporal_env, task_queue,
                                                                          tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = _settings(tmp_path, task_queue, backup_keep=2)
    await upload(engine, client, settings, minimal_pdf())
    backups = settings.backup_dir
    take_backup(settings.effective_database_url, settings.files_dir, backups / "qlvb-2026-01-01")
    shutil.copytree(backups / "qlvb-2026-01-01", backups / "qlvb-2026-01-02")

    async with running_worker(client, engine, settings):
        before = _vietnam_day_name()
        first = await client.execute_workflow(DailyBackupWorkflow.run, id=f"backup-{task_queue}-1",
                                              task_queue=task_queue, execution_timeout=timedelta(minutes=2))
        assert first.name in {before, _vietnam_day_name()}
        again = await client.execute_workflow(DailyBackupWorkflow.run, id=f"backup-{task_queue}-2",
                                              task_queue=task_queue, execution_timeout=timedelta(minutes=2))

    assert (first.documents, first.files, first.removed, first.already_taken) == (1, 1, ["qlvb-2026-01-01"], False)
    assert sorted(os.listdir(backups)) == sorted(["qlvb-2026-01-02", first.name])
    assert verify_backup(backups / first.name).ok
    if again.name == first.name:  # not across midnight: the same day's backup is found, not taken twice
        assert again.already_taken and again.removed == []


async def test_a_failed_backup_is_told_to_every_administrator_once(seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = _settings(tmp_path, task_queue)
    await upload(engine, client, settings, minimal_pdf())
    bad = "ab" * 32  # a blob whose bytes are not what its name says
    path = FileStore(settings.files_dir).path_for(bad)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not these bytes")

    async with running_worker(client, engine, settings):
        for run in (1, 2):
            with pytest.raises(WorkflowFailureError):
                await client.execute_workflow(DailyBackupWorkflow.run, id=f"backup-{task_queue}-{run}",
                                              task_queue=task_queue, execution_timeout=timedelta(minutes=2))

    with transaction(engine) as session:
        admins = administrators(session)
    told = rows(engine, Notification, Notification.code == "backup_failed")
    assert admins and sorted(n.user_id for n in told) == sorted(admins)  # once each, though it failed twice
    assert all(f"Tệp {bad} trong kho tệp bị hỏng" in n.data["detail"] and n.urgent for n in told)
    mails = rows(engine, MailMessage, MailMessage.notification_id.in_([n.id for n in told]))
    assert len(mails) == len(told) and all(f"Tệp {bad}" in mail.body_text for mail in mails)
    assert os.listdir(settings.backup_dir) == []  # no partial backup left, nothing removed


async def test_the_schedule_exists_only_while_a_backup_directory_is_configured(temporal_env, task_queue):
    client = temporal_env.client
    await ensure_backup_schedule(client, task_queue, 1)
    await ensure_backup_schedule(client, task_queue, 2)  # idempotent: the second call updates it
    description = await client.get_schedule_handle(BACKUP_SCHEDULE_ID).describe()
    calendar = description.schedule.spec.calendars[0]
    assert [(r.start, r.end) for r in calendar.hour] == [(19, 19)]  # 02:00 in Vietnam is 19:00 UTC
    assert description.schedule.action.workflow == "DailyBackup"

    await ensure_backup_schedule(client, task_queue, None)
    with pytest.raises(RPCError) as gone:
        await client.get_schedule_handle(BACKUP_SCHEDULE_ID).describe()
    assert gone.value.status == RPCStatusCode.NOT_FOUND
    await ensure_backup_schedule(client, task_queue, None)  # nothing to remove: no error
