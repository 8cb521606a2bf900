"""The fixity pass over the file store (``workflows/fixity.py``; ``models.documents.fixity``).

``plan_fixity_round`` only reads. ``check_fixity_batch`` re-hashes the next files of the pass
outside any transaction (a heartbeat per file carries what the batch found so far), then records
the batch in one transaction: the problems, their report to the administrators and the cursor.
It is idempotent on the cursor: the batch is recorded only if the cursor still stands where the
batch started, so a retry after the commit records nothing twice; a retry before it resumes
from the last heartbeat instead of reading the files again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.engine import Engine
from temporalio import activity

from config.settings import Settings
from models.db import reading, transaction
from models.documents import fixity_repo
from models.documents.file_store import FileStore
from models.documents.fixity import BatchOutcome, Finding, FixityKind, check_blob, round_quota
from models.records.archive_repo import disposed_blobs
from workflows.record_contracts import FixityBatchInput, FixityBatchResult, FixityPlan

log = logging.getLogger("qlvb.fixity")


class FixityActivities:
    """Recomputing the SHA-256 of every stored file, a round at a time."""

    def __init__(self, engine: Engine, store: FileStore, settings: Settings) -> None:
        self.engine = engine
        self.store = store
        self.settings = settings

    @activity.defn(name="plan_fixity_round")
    def plan_fixity_round(self) -> FixityPlan:
        """How many files this round checks (``models.documents.fixity.round_quota``); reads only."""
        if self.settings.fixity_period_days <= 0:
            return FixityPlan(quota=0, batch=self.settings.fixity_batch_files)
        with reading(self.engine) as session:
            cursor = fixity_repo.current(session)
            remaining = fixity_repo.count_after(session, cursor.after_sha256)
        quota = round_quota(remaining, cursor.pass_started_at, timedelta(days=self.settings.fixity_period_days),
                            timedelta(minutes=self.settings.fixity_round_minutes))
        return FixityPlan(quota=quota, batch=self.settings.fixity_batch_files)

    @activity.defn(name="check_fixity_batch")
    def check_fixity_batch(self, request: FixityBatchInput) -> FixityBatchResult:
        """Check the next ``limit`` files of the pass and record what was found (module docstring).

        Side effects: ``fixity_problem`` rows, ``file.fixity_failed``/``file.fixity_restored``/
        ``file.fixity_pass_finished`` audit events, one notification (and e-mail) to the
        administrators per batch that found new problems. Files a disposal removed on purpose
        are expected to be missing. Nothing is non-retryable: a failure is retried, and the
        next round resumes the pass anyway.
        """
        with reading(self.engine) as session:
            after = fixity_repo.current(session).after_sha256
            digests = fixity_repo.digests_after(session, after, request.limit)
            disposed = disposed_blobs(session)
        if not digests:
            return FixityBatchResult()
        outcome = _resumed(after) or BatchOutcome(started_after=after)
        for sha256 in digests:
            if outcome.last_checked and sha256 <= outcome.last_checked:
                continue
            finding = check_blob(self.store, sha256)
            if finding.kind == FixityKind.MISSING and sha256 in disposed:
                finding = Finding(sha256, None)
            if finding.kind is not None:
                outcome.findings.append(finding)
            outcome.checked += 1
            outcome.last_checked = sha256
            activity.heartbeat(_details(outcome))
        with transaction(self.engine) as session:
            cursor = fixity_repo.cursor(session, for_update=True)
            if cursor.after_sha256 != outcome.started_after:  # recorded by an earlier attempt
                return FixityBatchResult()
            pass_number = cursor.pass_number
            fresh = fixity_repo.record_batch(session, outcome)
            finished = cursor.pass_number != pass_number
        for finding in outcome.findings:
            log.error("fixity: %s is %s", finding.sha256, finding.kind)
        return FixityBatchResult(checked=outcome.checked, problems=len(outcome.findings), reported=len(fresh),
                                 pass_finished=finished)


def _details(outcome: BatchOutcome) -> dict:
    return {"started_after": outcome.started_after, "last_checked": outcome.last_checked, "checked": outcome.checked,
            "findings": [[f.sha256, f.kind, f.actual_sha256] for f in outcome.findings]}


def _resumed(after: str) -> BatchOutcome | None:
    """What an earlier attempt of this batch had checked (its last heartbeat), if it started here."""
    details = activity.info().heartbeat_details
    if not details or not isinstance(details[0], dict) or details[0].get("started_after") != after:
        return None
    saved = details[0]
    return BatchOutcome(started_after=after, last_checked=saved["last_checked"], checked=saved["checked"],
                        findings=[Finding(sha, FixityKind(kind), actual) for sha, kind, actual in saved["findings"]])
