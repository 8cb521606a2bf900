"""Checking the digital signatures of an incoming document before acceptance (QĐ44 Điều 10.1)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.cancellation import heartbeating, raise_if_cancelled
from config.settings import Settings
from models.audit import record
from models.db import insert_ignoring_conflict, reading, transaction, utcnow
from models.documents.file_store import FileStore
from models.documents.tables import Document, StoredFile
from models.signing import pki
from models.signing.repo import check_for
from models.signing.tables import SignatureCheck
from models.signing.verification import SignatureReport, check_pdf_signatures
from workflows.contracts import VerifySignaturesInput, VerifySignaturesResult


class SignatureActivities:
    """Signature checks; the write of each call is one transaction."""

    def __init__(self, engine: Engine, file_store: FileStore, settings: Settings) -> None:
        self.engine = engine
        self.file_store = file_store
        self.settings = settings

    @activity.defn(name="verify_signatures")
    def verify_signatures(self, request: VerifySignaturesInput) -> VerifySignaturesResult:
        """Check every signature of the document's current file and record the verdict, once.

        Idempotency key: (document id, file SHA-256). A retry or a replay returns the stored
        result and writes no second row and no second audit event; a changed trust store does not
        re-judge a file already checked.

        Steps:

        1. Read the document's current file (``Document.file_id`` → ``StoredFile.sha256`` → store).
           If a check of that file exists, return it.
        2. Validate outside any transaction: pyHanko needs tens of milliseconds per signature, and
           on SQLite every transaction holds the write lock that registrations queue on.
        3. In one transaction: insert the ``signature_check`` row (ON CONFLICT DO NOTHING); if it
           is new, set ``Document.for_reference_only`` and write ``document.signature_checked``.

        A worker stop or cancel during step 2 ends the attempt as cancelled, never as a verdict:
        the check is retried and nothing is written.

        Non-retryable: ``document_missing``, ``document_file_missing`` (no file to check).
        Retryable: the blob cannot be read, or the file was replaced between steps 1 and 3.
        """
        with reading(self.engine) as session:  # step 1 only reads: it never waits for SQLite's one writer
            document = session.get(Document, request.document_id)
            if document is None:
                raise ApplicationError("document_missing", type="document_missing", non_retryable=True)
            stored = session.get(StoredFile, document.file_id) if document.file_id else None
            if stored is None:
                raise ApplicationError("document_file_missing", type="document_file_missing",
                                       non_retryable=True)
            sha256 = stored.sha256
            existing = check_for(session, document.id, sha256)
            if existing is not None:
                return _result(existing)

        with heartbeating("check"):
            report = check_pdf_signatures(self.file_store.read(sha256), self._trust_roots())
        raise_if_cancelled("the signature check")

        with transaction(self.engine) as session:
            document = session.get(Document, request.document_id)
            current = session.get(StoredFile, document.file_id) if document and document.file_id else None
            if current is None or current.sha256 != sha256:
                raise ApplicationError("document_file_changed", type="document_file_changed")
            inserted = insert_ignoring_conflict(session, SignatureCheck.__table__, {
                "document_id": document.id, "file_sha256": sha256, "verdict": report.verdict,
                "for_reference_only": report.for_reference_only, "report": report.to_json(),
                "checked_at": utcnow(),
            }, ["document_id", "file_sha256"])
            if inserted.rowcount != 1:
                # A concurrent attempt committed first: its result stands.
                return _result(check_for(session, document.id, sha256))
            document.for_reference_only = report.for_reference_only
            document.updated_at = utcnow()
            session.add(document)
            record(session, None, "document.signature_checked", "document", document.id,
                   verdict=report.verdict, signature_count=len(report.signatures),
                   for_reference_only=report.for_reference_only, file_sha256=sha256,
                   signers=[s.signer_common_name for s in report.signatures])
            return VerifySignaturesResult(report.verdict, len(report.signatures), report.for_reference_only)

    def _trust_roots(self) -> list:
        """The trust anchors, re-read at every check so an administrator's new root applies at once.

        A handful of certificates parse in well under a millisecond, so there is nothing to cache.
        """
        return pki.trust_anchor_certificates(self.settings)


def _result(check: SignatureCheck) -> VerifySignaturesResult:
    report = SignatureReport.from_json(check.report)
    return VerifySignaturesResult(check.verdict, len(report.signatures), check.for_reference_only)
