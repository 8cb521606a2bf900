"""The daily backup (``workflows/backup.py``): take it, keep the newest copies, report a failure.

``take_daily_backup`` is idempotent on the backup's name: a complete backup of that name is
returned as it is, a partial one (a crashed attempt) is removed and taken again. It heartbeats
while it copies; the database snapshot and the final check are single long calls, kept alive by
``heartbeating``. Refusals (a corrupt blob, a pg_dump older than the server) are final and carry
their Vietnamese sentence, which the failure report passes on to the administrators.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.cancellation import heartbeating
from config.settings import Settings
from models.backup.archive import BackupWriter, completed, prune
from models.backup.repo import report_failure
from models.backup.wording import describe
from models.db import transaction
from models.errors import DomainError
from workflows.backup_contracts import BackupFailure, DailyBackupInput, DailyBackupResult

log = logging.getLogger("qlvb.backup")


class BackupActivities:
    """The daily backup into ``QLVB_BACKUP_DIR`` and its failure report."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    @activity.defn(name="take_daily_backup")
    def take_daily_backup(self, request: DailyBackupInput) -> DailyBackupResult:
        """Take the day's backup (unless it is already complete), then delete the copies beyond the number kept."""
        try:
            return self._take(request.name)
        except DomainError as error:
            raise ApplicationError(describe(error), type=error.code, non_retryable=True) from error

    def _take(self, name: str) -> DailyBackupResult:
        directory = self.settings.backup_dir
        if directory is None:
            raise DomainError("backup_dir_not_configured")
        destination = directory / name
        manifest = completed(destination)
        already_taken = manifest is not None
        if manifest is None:
            writer = BackupWriter(self.settings.effective_database_url, self.settings.files_dir, destination,
                                  self.settings.temporal_dev_db)
            writer.begin()
            try:
                with heartbeating(name, "database"):
                    writer.snapshot_database()
                writer.copy_files(lambda done: activity.heartbeat(name, "files", done))
                with heartbeating(name, "seal"):
                    manifest = writer.seal()
            except BaseException:
                writer.abandon()
                raise
        removed = prune(directory, self.settings.backup_keep)
        log.info("backup %s: %d documents, %d blobs; removed %s", name, manifest.documents, manifest.blobs,
                 removed or "nothing")
        return DailyBackupResult(name=name, documents=manifest.documents, files=manifest.files,
                                 blobs=manifest.blobs, removed=removed, already_taken=already_taken)

    @activity.defn(name="report_backup_failure")
    def report_backup_failure(self, failure: BackupFailure) -> int:
        """Notify every administrator (and queue the e-mails) once for this backup; return how many."""
        log.error("backup %s failed: %s", failure.name, failure.error)
        with transaction(self.engine) as session:
            return report_failure(session, failure.name, failure.error)
