"""Building an export of a hồ sơ (``workflows/record_export.py``; ``models.records.export``).

``export_record`` is idempotent on the export id: a row already done is returned as it is; an
attempt cut short left a partial package, which the next attempt removes before building again.
Its transactions are short: the row marked running; the plan read (no transaction held while
the child builds); progress written at most every ``PROGRESS_SECONDS``; the result kept with
its audit event. ``fail_record_export`` marks the row failed once.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import timedelta

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.cancellation import heartbeating
from config.settings import Settings
from models import audit
from models.db import reading, transaction
from models.documents.file_store import FileStore
from models.records import export_plan, export_repo
from models.records import repo as record_repo
from models.records.bag import run_build
from models.records.export import ExportStatus, RecordExport
from workflows.record_contracts import RecordExportFailure, RecordExportInput, RecordExportResult

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
        with reading(self.engine) as session:
            export = _row(session, request.export_id)
            plan = export_plan.gather_plan(session, record_repo.get(session, export.record_id), request.export_id,
                                           self.store.root, self.settings.preservation_jobs)
        folder = self.settings.exports_dir / request.export_id
        shutil.rmtree(folder, ignore_errors=True)
        reporter = _Reporter(self.engine, request.export_id)
        with heartbeating(request.export_id, "build"):
            result = run_build(plan, folder / plan.bag_name, reporter)
        with transaction(self.engine) as session:
            export = _row(session, request.export_id, for_update=True)
            export_plan.record_built(session, export, plan, result)
            audit.record(session, export.requested_by, EXPORTED, "record", export.record_id, export=export.id,
                         documents=result.documents, pages=result.pages, size=result.size,
                         preservation_failed=sorted(result.failures))
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


def _result(export: RecordExport) -> RecordExportResult:
    return RecordExportResult(documents=export.documents, size=export.size,
                              preservation_failed=export.preservation_failed)

