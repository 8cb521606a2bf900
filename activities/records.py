"""The hồ sơ workflow's side effects: reading the hồ sơ, recording requests and decisions, the
transfer warning, corrections, removing a destroyed hồ sơ's files. Each call owns its transaction.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.audit import already_recorded
from models.db import reading, transaction
from models.documents.file_store import FileStore
from models.records import archive_repo, corrections, lifecycle, repo
from models.records.tables import AccessStatus, RecordStatus
from models.tasks import repo as task_repo
from models.tasks.actions import actions_of
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult
from workflows.record_contracts import (
    CorrectRecordInput,
    LoadRecordInput,
    RecordRequestInput,
    RecordRequestResult,
    RecordState,
    RemoveFilesInput,
    WarnTransferInput,
)

RECORD_ACTIONS = actions_of("record")
REQUEST_EVENTS = {"review": "record.review_requested", "transfer": "record.transfer_requested",
                  "keep": "record.keep_requested"}


class RecordActivities:
    """Activities of ``RecordFile``; the file store is read for page counts and emptied on disposal."""

    def __init__(self, engine: Engine, store: FileStore) -> None:
        self.engine = engine
        self.store = store

    def _record(self, session, record_id: int):
        record = repo.get(session, record_id)
        if record is None:
            raise ApplicationError("record_missing", type="record_missing", non_retryable=True)
        return record

    @activity.defn(name="load_record")
    def load_record(self, request: LoadRecordInput) -> RecordState:
        """The hồ sơ's status, who acts on it and when its timers fall (a read; no side effect)."""
        with reading(self.engine) as session:
            record = self._record(session, request.record_id)
            pending = [row.id for row in archive_repo.requests_of(session, record.id)
                       if row.status == AccessStatus.PENDING]
            return RecordState(status=str(record.status), agency_id=record.agency_id, unit_id=record.unit_id,
                               creator_id=record.creator_id, pending_access=sorted(pending),
                               **lifecycle.timers(session, record))

    @activity.defn(name="record_requested")
    def record_requested(self, request: RecordRequestInput) -> RecordRequestResult:
        """Audit a request to the hồ sơ's process; a transfer also hands the hồ sơ to the archive.

        Idempotency key: the request id (one audit event per request). Returns the status after.
        """
        ask = request.request
        code = REQUEST_EVENTS.get(ask.kind)
        if code is None:
            raise ApplicationError("unknown_request", type="unknown_request", non_retryable=True)
        with transaction(self.engine) as session:
            record = self._record(session, request.record_id)
            if already_recorded(session, code, str(record.id), request_id=ask.request_id):
                return RecordRequestResult(status=str(record.status))
            if ask.kind == "transfer":
                repo.lock(session, record)
                if record.status == RecordStatus.CLOSED:
                    record.status = RecordStatus.TRANSFERRING
                    session.add(record)
            lifecycle.record_event(session, ask.actor_id, code, record, request_id=ask.request_id,
                                   reason=ask.reason, **({"until": ask.until} if ask.until else {}))
            return RecordRequestResult(status=str(record.status))

    @activity.defn(name="apply_record_decision")
    def apply_record_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        """Apply a decision of one of the hồ sơ's steps and close the step, in one transaction.

        Closing does the listing (biên mục) from the stored PDFs; disposing records the decision and
        the files to remove (``remove_disposed_files`` removes them). Idempotency key: the task,
        closed conditionally (a repeated call changes nothing). Non-retryable: ``unknown_action``.
        Returns the hồ sơ's status.
        """
        if request.action not in RECORD_ACTIONS:
            raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
        with transaction(self.engine) as session:
            task = task_repo.by_key(session, request.workflow_id, request.task_key)
            record = self._record(session, task.record_id)
            if task_repo.close_task(session, request.workflow_id, request.task_key, request.action,
                                    request.actor_id):
                lifecycle.decide(session, record, request.action, request.fields, request.actor_id,
                                 request.workflow_id, self._pages)
            return ApplyDecisionResult(str(record.status))

    def _pages(self, sha256: str) -> int | None:
        try:
            return lifecycle.pdf_pages(self.store.read(sha256))
        except FileNotFoundError:
            return None

    @activity.defn(name="warn_record_transfer")
    def warn_record_transfer(self, request: WarnTransferInput) -> int:
        """Warn the creator and the archive 30 days before the transfer date (F-III.5.b).

        Idempotency key: the hồ sơ and its due date (``record.transfer_warned``). Returns how many
        people were told (0 when already warned or no longer due).
        """
        with transaction(self.engine) as session:
            return lifecycle.warn_transfer(session, self._record(session, request.record_id))

    @activity.defn(name="correct_record")
    def correct_record(self, request: CorrectRecordInput) -> bool:
        """Correct the hồ sơ's metadata with a reason, audited with what it was (its own step).

        Idempotency key: the request id. Returns whether anything changed.
        """
        with transaction(self.engine) as session:
            record = self._record(session, request.record_id)
            if already_recorded(session, "record.corrected", str(record.id), request_id=request.request_id):
                return False
            return corrections.apply(session, record, request.changes, request.reason, request.actor_id,
                                     request.request_id)

    @activity.defn(name="remove_disposed_files")
    def remove_disposed_files(self, request: RemoveFilesInput) -> int:
        """Remove a destroyed hồ sơ's files from the store, then record that they are gone.

        The decision was committed first (``record_disposal.blobs``), so a crash between the two
        leaves only files to remove again: removing a missing file is a no-op. Returns how many.
        """
        with reading(self.engine) as session:
            row = archive_repo.disposal(session, request.record_id)
            blobs = list(row.blobs) if row is not None else []
        for sha256 in blobs:
            self.store.discard(sha256)
        with transaction(self.engine) as session:
            row = archive_repo.disposal(session, request.record_id)
            if row is not None and row.removed_at is None:
                archive_repo.removed(session, row)
                lifecycle.record_event(session, None, "record.files_removed", self._record(session, request.record_id),
                                       files=len(blobs))
        return len(blobs)
