"""Digitising a paper incoming document (QĐ44 Điều 10.2): OCR, then the agency's signature.

The scan PDF is built at upload (``models.documents.scans.prepare_scan``) and is the document's current
file. ``ocr_scan`` adds a text layer (ocrmypdf + tesseract ``vie+eng``) page by page, reporting
real progress, and ``sign_digitised`` applies the agency signature (ND30 PL I Phần II Mục I).
OCR must come first: ocrmypdf refuses signed PDFs.

Both are **sync** activities: OCR is CPU-bound (about 1.2 s per page with ``-j 1``) and pyHanko's
sync API needs a thread without an event loop. Run them on a worker whose activity concurrency ×
``ocr_jobs`` stays within the cores.
"""

from __future__ import annotations

import io
import logging

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.cancellation import heartbeating, raise_if_cancelled
from activities.keys import agency_signing_key
from config.settings import Settings
from models.audit import record
from models.db import transaction, utcnow
from models.documents import repo as document_repo
from models.documents.digitise import DigitiseJob
from models.documents.file_store import FileStore
from models.documents.search_repo import index_text
from models.documents.suggestions import suggest_metadata
from models.documents.tables import Document, DocumentFile, StoredFile
from models.errors import INTERRUPTIONS
from models.org.tables import Agency
from workflows.digitise_contracts import DigitiseInput, OcrScanResult, SignDigitisedResult

log = logging.getLogger("qlvb.digitise")

ROLE_DIGITISED = "digitised"
ROLE_AGENCY_SIGNED = "agency_signed"
SIGNATURE_FIELD = "CoQuan"
STATUS_RUNNING, STATUS_DONE, STATUS_QUARANTINED = "running", "done", "quarantined"


class ScanUnprocessable(Exception):
    """The scan cannot be OCR'd (corrupt, encrypted, signed): a person must look at it."""


class DigitiseActivities:
    """OCR and agency signing of digitised paper documents; each write is one transaction."""

    def __init__(self, engine: Engine, file_store: FileStore, settings: Settings) -> None:
        self.engine = engine
        self.file_store = file_store
        self.settings = settings

    # --- OCR ---------------------------------------------------------------------------------

    @activity.defn(name="ocr_scan")
    def ocr_scan(self, request: DigitiseInput) -> OcrScanResult:
        """OCR the document's scan into a searchable PDF that becomes its current file, once.

        Idempotency key: (document id, scan SHA-256), kept in ``digitise_job``. A retry after
        success returns the stored result without running OCR again.

        Steps: read the scan and claim the job row; OCR page by page outside any transaction,
        heartbeating ``(done, total)`` and writing ``done_pages`` after each page; then in one
        transaction store the file (role ``digitised``), make it current, index the text, mark
        the job done and write ``document.digitised``.

        Non-retryable: ``document_missing``, ``document_file_missing``, ``scan_unprocessable``
        (the job is ``quarantined`` with the reason; the document keeps its status).
        Retryable: anything else (tesseract crashed, the file store unreadable, the file replaced).
        """
        with transaction(self.engine) as session:
            document, stored = _document_and_file(session, request.document_id)
            job = session.get(DigitiseJob, document.id)
            if job is not None and job.status == STATUS_DONE:
                return _ocr_result(job)
            if job is not None and job.status == STATUS_QUARANTINED and job.source_sha256 == stored.sha256:
                raise _unprocessable(job.error)
            if job is None:
                job = DigitiseJob(document_id=document.id)
            job.source_sha256, job.status, job.error = stored.sha256, STATUS_RUNNING, ""
            job.done_pages, job.updated_at = 0, utcnow()
            session.add(job)
            source_sha256 = stored.sha256

        try:
            pdf, text, pages = self._ocr(request.document_id, self.file_store.read(source_sha256))
        except ScanUnprocessable as exc:
            # OCR tools catch broadly: a worker stop may surface as "unprocessable". Never
            # quarantine a scan for that; the attempt ends cancelled and is retried.
            raise_if_cancelled("OCR")
            reason = str(exc)[:500]
            with transaction(self.engine) as session:
                job = session.get(DigitiseJob, request.document_id)
                job.status, job.error, job.updated_at = STATUS_QUARANTINED, reason, utcnow()
                session.add(job)
                record(session, None, "document.digitise_quarantined", "document", request.document_id,
                       reason=reason, file_sha256=source_sha256)
            raise _unprocessable(reason) from exc

        sha256 = self.file_store.put(pdf)
        suggestions = suggest_metadata(text)
        with transaction(self.engine) as session:
            document, stored = _document_and_file(session, request.document_id)
            job = session.get(DigitiseJob, document.id)
            if job.status == STATUS_DONE:  # a concurrent attempt finished first
                return _ocr_result(job)
            if stored.sha256 != source_sha256:
                raise ApplicationError("document_file_changed", type="document_file_changed")
            new_file = _add_file(session, document, sha256, len(pdf), ROLE_DIGITISED, stored.filename)
            if document.page_amount is None:
                document.page_amount = pages
            index_text(session, document.id, text)
            job.status, job.result_sha256, job.suggestions = STATUS_DONE, sha256, suggestions
            job.total_pages = job.done_pages = pages
            job.updated_at = utcnow()
            session.add(job)
            record(session, None, "document.digitised", "document", document.id, pages=pages,
                   source_sha256=source_sha256, sha256=sha256, file_id=new_file.id)
            result = _ocr_result(job)
            result.text_chars = len(text)
            return result

    def _ocr(self, document_id: str, data: bytes) -> tuple[bytes, str, int]:
        """OCR every page; return (PDF, text with form feeds between pages, page count)."""
        import pikepdf

        try:
            source = pikepdf.open(io.BytesIO(data))
        except pikepdf.PasswordError as exc:
            raise ScanUnprocessable("encrypted") from exc
        except INTERRUPTIONS:  # a cancellation or worker stop passes through
            raise
        except Exception as exc:  # pikepdf raises several types for damaged files
            raise ScanUnprocessable(f"unreadable: {exc}") from exc
        with source:
            if source.is_encrypted:
                raise ScanUnprocessable("encrypted")
            if _is_signed(source):  # OCR would drop the signature: the PDF is no paper scan
                raise ScanUnprocessable("signed")
            total = len(source.pages)
            if total == 0:
                raise ScanUnprocessable("no pages")
            self._progress(document_id, 0, total)
            output = pikepdf.new()
            texts: list[str] = []
            kept: list[pikepdf.Pdf] = []
            for number, page in enumerate(source.pages, start=1):
                single = pikepdf.new()
                single.pages.append(page)
                buffer = io.BytesIO()
                single.save(buffer)
                with heartbeating(number - 1, total):  # one page is one long call
                    page_pdf, page_text = self._ocr_page(buffer.getvalue())
                done = pikepdf.open(io.BytesIO(page_pdf))
                kept.append(done)
                output.pages.extend(done.pages)
                texts.append(page_text.rstrip("\f"))
                self._progress(document_id, number, total)
            result = io.BytesIO()
            output.save(result)
            for pdf in kept:
                pdf.close()
        return result.getvalue(), "\f".join(texts), total

    def _ocr_page(self, page_pdf: bytes) -> tuple[bytes, str]:
        import ocrmypdf
        from ocrmypdf import exceptions as ocr_errors

        out, sidecar = io.BytesIO(), io.BytesIO()
        extra = {"rotate_pages": True, "deskew": True} if self.settings.ocr_rotate_deskew else {}
        try:
            ocrmypdf.ocr(io.BytesIO(page_pdf), out, language=["vie", "eng"], output_type="pdf",
                         jobs=self.settings.ocr_jobs, progress_bar=False, skip_text=True,
                         sidecar=sidecar, **extra)
        except (ocr_errors.EncryptedPdfError, ocr_errors.InputFileError,
                ocr_errors.UnsupportedImageFormatError, ocr_errors.DpiError) as exc:
            raise ScanUnprocessable(f"{type(exc).__name__}: {exc}") from exc
        return out.getvalue(), sidecar.getvalue().decode("utf-8", "replace")

    def _progress(self, document_id: str, done: int, total: int) -> None:
        activity.heartbeat(done, total)
        with transaction(self.engine) as session:
            job = session.get(DigitiseJob, document_id)
            if job is not None:
                job.done_pages, job.total_pages, job.updated_at = done, total, utcnow()
                session.add(job)

    # --- agency signature --------------------------------------------------------------------

    @activity.defn(name="sign_digitised")
    def sign_digitised(self, request: DigitiseInput) -> SignDigitisedResult:
        """Apply the agency's PAdES approval signature to the current (digitised) file, once.

        Idempotent: when the current file is already the agency-signed one (role
        ``agency_signed``), return it. The signature is invisible, in field ``CoQuan``.

        Non-retryable: ``document_missing``, ``document_file_missing``,
        ``agency_certificate_missing`` (no key for the document's agency code).
        Retryable: the file was replaced between reading and storing.
        """
        with transaction(self.engine) as session:
            document, stored = _document_and_file(session, request.document_id)
            if _has_role(session, document.id, stored.id, ROLE_AGENCY_SIGNED):
                return SignDigitisedResult(stored.sha256, already_signed=True)
            agency = session.get(Agency, document.agency_id)
            source_sha256, filename = stored.sha256, stored.filename
            agency_code = agency.code if agency else ""

        with agency_signing_key(self.settings, agency_code).open_signer() as signer, heartbeating("sign"):
            signed = _sign(self.file_store.read(source_sha256), signer)
        raise_if_cancelled("the agency signature")
        sha256 = self.file_store.put(signed)

        with transaction(self.engine) as session:
            document, stored = _document_and_file(session, request.document_id)
            if stored.sha256 == sha256 or _has_role(session, document.id, stored.id, ROLE_AGENCY_SIGNED):
                return SignDigitisedResult(stored.sha256, already_signed=True)
            if stored.sha256 != source_sha256:
                raise ApplicationError("document_file_changed", type="document_file_changed")
            new_file = _add_file(session, document, sha256, len(signed), ROLE_AGENCY_SIGNED, filename)
            record(session, None, "document.agency_signed", "document", document.id,
                   agency_code=agency_code, source_sha256=source_sha256, sha256=sha256, file_id=new_file.id)
            return SignDigitisedResult(sha256)


def _sign(pdf: bytes, signer) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
        reason="Số hóa văn bản giấy đến (QĐ44 Điều 10.2)", md_algorithm="sha256")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


# --- helpers ----------------------------------------------------------------------------------


def _document_and_file(session, document_id: str) -> tuple[Document, StoredFile]:
    document = session.get(Document, document_id)
    if document is None:
        raise ApplicationError("document_missing", type="document_missing", non_retryable=True)
    stored = session.get(StoredFile, document.file_id) if document.file_id else None
    if stored is None:
        raise ApplicationError("document_file_missing", type="document_file_missing", non_retryable=True)
    return document, stored


def _is_signed(pdf) -> bool:
    """Whether a PDF has a filled signature field (ocrmypdf refuses those; a page split would lose it)."""
    form = pdf.Root.get("/AcroForm")
    if form is None:
        return False
    pending = list(form.get("/Fields", []))
    while pending:
        node = pending.pop()
        if node.get("/FT") == "/Sig" and node.get("/V") is not None:
            return True
        pending.extend(node.get("/Kids", []))
    return False


def _has_role(session, document_id: str, file_id: int, role: str) -> bool:
    return document_repo.has_file_role(session, document_id, file_id, role)


def _add_file(session, document: Document, sha256: str, size: int, role: str, filename: str) -> StoredFile:
    stem = filename.rsplit(".", 1)[0] if filename else document.id
    suffix = "so-hoa" if role == ROLE_DIGITISED else "ky-so"
    stored = StoredFile(sha256=sha256, size=size, content_type="application/pdf",
                        filename=f"{stem}-{suffix}.pdf"[:255], created_by=None)
    session.add(stored)
    session.flush()
    session.add(DocumentFile(document_id=document.id, file_id=stored.id, role=role))
    document.file_id = stored.id
    document.updated_at = utcnow()
    session.add(document)
    return stored


def _ocr_result(job: DigitiseJob) -> OcrScanResult:
    return OcrScanResult(job.result_sha256, job.total_pages, 0, dict(job.suggestions or {}))


def _unprocessable(reason: str) -> ApplicationError:
    return ApplicationError(f"scan_unprocessable: {reason}", reason, type="scan_unprocessable",
                            non_retryable=True)
