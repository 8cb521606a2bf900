"""Building an export of a hồ sơ (``workflows/record_export.py``; ``models.records.export``), and
preparing a hồ sơ's package once when it is closed or corrected (``workflows/record_file.py``).

``export_record`` is idempotent on the export id: a row already done is returned as it is; an
attempt cut short left a partial zip, which the next attempt removes before building again.
Its transactions are short: the row marked running; the package prepared unless it was for this
state of the hồ sơ (``commands.record_package``; no transaction held while its child builds);
the zip written from the stored files (``models.records.bag_zip``); progress written at most
every ``PROGRESS_SECONDS``; the result kept with its audit event. ``fail_record_export`` marks
the row failed once. ``prepare_record_package`` is idempotent on the hồ sơ's state.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.cancellation import heartbeating
from config.settings import Settings
from models import audit
from models.db import reading, transaction
from models.documents.file_store import FileStore
from models.records import export_plan, export_repo, package_repo
from models.records import repo as record_repo
from models.records.bag import Progress, run_build
from models.records.bag_zip import write_bag_zip
from models.records.export import ExportStatus, PreparedPackage, RecordExport
from workflows.record_contracts import (
    PrepareRecordPackageInput,
    RecordExportFailure,
    RecordExportInput,
    RecordExportResult,
)

PROGRESS_SECONDS = 1.0
EXPORTED, EXPORT_FAILED = "record.exported", "record.export_failed"


class RecordExportActivities:
    """Exports of hồ sơ into ``var/exports/<export id>/``."""

    def __init__(self, engine: Engine, store: FileStore, settings: Settings) -> None:
        self.engine = engine
        self.store = store
        self.settings = settings

    @activity.defn(name="export_record")
    def export_record(self, request: RecordExportInput) -> RecordExportResult:
        """Build the package of one ``record_export`` row (see the module docstring).

        Non-retryable (``DomainErrorsAreFinal``): ``record_export_file_missing`` (a document's
        file is gone from the store: the fixity report names it), ``record_export_failed`` (the
        build itself failed), ``record_export_not_found``.
        """
        with transaction(self.engine) as session:
            export = _row(session, request.export_id)
            if export.status == ExportStatus.DONE:
                return _result(export)
            export_plan.progress(export, "preservation", 0, 0)
            session.add(export)
            record_id, requested_by = export.record_id, export.requested_by
        reporter = _Reporter(self.engine, request.export_id)
        with heartbeating(request.export_id, "build"):
            package, path = self._build_zip(request.export_id, record_id, requested_by, reporter)
        with transaction(self.engine) as session:
            export = _row(session, request.export_id, for_update=True)
            export_plan.record_done(export, package, path.stat().st_size)
            session.add(export)
            audit.record(session, export.requested_by, EXPORTED, "record", export.record_id, export=export.id,
                         documents=package.documents, pages=package.pages, size=export.size,
                         preservation_failed=package.preservation_failed)
            export_plan.prune(session, self.settings.exports_dir, timedelta(hours=self.settings.export_keep_hours))
            return _result(export)

    @activity.defn(name="fail_record_export")
    def fail_record_export(self, failure: RecordExportFailure) -> bool:
        """Mark the export failed with its reason, once; False when it was done or failed already."""
        with transaction(self.engine) as session:
            export = _row(session, failure.export_id, for_update=True)
            if export.status in (ExportStatus.DONE, ExportStatus.FAILED):
                return False
            reason = f"{failure.error} {json.dumps(failure.params, ensure_ascii=False)}" if failure.params else failure.error
            export_plan.failed(export, reason)
            session.add(export)
            audit.record(session, export.requested_by, EXPORT_FAILED, "record", export.record_id, export=export.id,
                         error=failure.error, **failure.params)
        shutil.rmtree(self.settings.exports_dir / failure.export_id, ignore_errors=True)
        return True

    @activity.defn(name="prepare_record_package")
    def prepare_record_package(self, request: PrepareRecordPackageInput) -> bool:
        """Prepare the package of a closed or corrected hồ sơ, so its exports only write a zip
        (``commands.record_package``). Idempotency key: the hồ sơ's state (its fingerprint): a
        state prepared before returns False at once. A refusal (a missing file) is not retried:
        the export that needs the package says it to the person, the fixity report to the
        administrators."""
        if self._current(request.record_id)[1] is not None:
            return False
        work = self.settings.exports_dir / f"prepare-{request.record_id}-{activity.info().activity_id}"
        shutil.rmtree(work, ignore_errors=True)
        with heartbeating(f"record-{request.record_id}", "prepare"):
            self._prepare(request.record_id, work, None, lambda phase, done, total: activity.heartbeat(phase, done, total))
        return True

    def _current(self, record_id: int) -> tuple[str, PreparedPackage | None]:
        with reading(self.engine) as session:
            digest = package_repo.fingerprint(session, _record(session, record_id))
            return digest, package_repo.prepared(session, self.store, digest)

    def _prepare(self, record_id: int, work: Path, actor_id: int | None, on_progress: Progress) -> PreparedPackage:
        """The package of the hồ sơ as it is now, prepared unless it was (``models.records.package_repo``);
        the same steps as ``commands.record_package.prepare``, in this activity's transactions."""
        digest, found = self._current(record_id)
        if found is not None:
            return found
        with reading(self.engine) as session:
            plan = export_plan.gather_plan(session, _record(session, record_id), digest, self.store.root,
                                           self.settings.preservation_jobs)
        plan.export_id = plan.fingerprint  # the XML's <Export id> names the state the package shows
        result = run_build(plan, work, on_progress)
        with transaction(self.engine) as session:
            package_repo.keep(session, record_id, plan, result, actor_id)
        return PreparedPackage.from_json(self.store.read(result.listing["sha256"]))

    def _build_zip(self, export_id: str, record_id: int, actor_id: int, on_progress: Progress):
        folder = self.settings.exports_dir / export_id
        shutil.rmtree(folder, ignore_errors=True)  # what an attempt cut short left
        package = self._prepare(record_id, folder / "work", actor_id, on_progress)
        with reading(self.engine) as session:
            name, bag_info = export_plan.bag_naming(session, _record(session, record_id), export_id)
        target = folder / f"{name}.zip"
        write_bag_zip(self.store, package, name, bag_info, target, on_progress)
        return package, target


class _Reporter:
    """Relays the child's progress: every step as a heartbeat, to the row at most once a second."""

    def __init__(self, engine: Engine, export_id: str) -> None:
        self.engine, self.export_id, self.written = engine, export_id, 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        activity.heartbeat(phase, done, total)
        now = time.monotonic()
        if now - self.written < PROGRESS_SECONDS and done not in (0, total):
            return
        self.written = now
        with transaction(self.engine) as session:
            export = _row(session, self.export_id)
            export_plan.progress(export, phase, done, total)
            session.add(export)


def _row(session, export_id: str, *, for_update: bool = False) -> RecordExport:
    export = export_repo.export(session, export_id, for_update=for_update)
    if export is None:
        raise ApplicationError("record_export_not_found", type="record_export_not_found", non_retryable=True)
    return export


def _record(session, record_id: int):
    record = record_repo.get(session, record_id)
    if record is None:
        raise ApplicationError("record_not_found", type="record_not_found", non_retryable=True)
    return record


def _result(export: RecordExport) -> RecordExportResult:
    return RecordExportResult(documents=export.documents, size=export.size,
                              preservation_failed=export.preservation_failed)

