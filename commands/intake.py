"""Receiving incoming documents: an electronic upload or the scans of a paper document, and metadata suggestions from a PDF.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import date

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from temporalio.client import Client

from commands import uploads
from config.settings import Settings
from models.db import reading, transaction
from models.documents import duplicates
from models.documents import repo as document_repo
from models.documents.file_store import FileStore
from models.documents.pdf_checks import inspect_pdf
from models.documents.repo import intake_input, receive_incoming, store_file
from models.documents.scans import ScanLimits, prepare_scan
from models.documents.schema import IncomingMetadata
from models.documents.suggestions import suggest_metadata
from models.documents.tables import Document
from models.documents.text_extract import pdf_text
from models.documents.upload_checks import inspect_and_read
from models.errors import Conflict, DomainError
from models.org.tables import User
from models.processes import repo as definition_repo
from models.vocab import DocumentSource, Role
from workflows.contracts import IncomingInput
from workflows.starter import start_intakes_after_commit


class MetadataInvalid(DomainError):
    """Metadata failed validation; ``params['errors']`` lists (field, error type, context)."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__("invalid_metadata", errors=[
            {"field": ".".join(str(p) for p in item["loc"]) or "metadata", "type": item["type"],
             "ctx": {k: str(v) for k, v in (item.get("ctx") or {}).items()}}
            for item in error.errors()
        ])


class ProbableDuplicate(Conflict):
    """The metadata looks like documents already received; ``params['duplicate_of']`` names them.

    Only the intake form asks for this confirmation: nothing was stored, and the văn thư who
    has looked at them sends the form again with ``duplicate_confirmed``.
    """

    def __init__(self, documents: list[Document]) -> None:
        super().__init__("probable_duplicate", duplicate_of=[document.id for document in documents])
        self.documents = documents


def probable_duplicates(engine: Engine, clerk: User, raw_metadata: dict) -> list[Document]:
    """The agency's incoming documents that the metadata being typed may duplicate (a read, no check).

    Lenient on purpose: the form asks while the văn thư types, so a missing or malformed field
    just takes no part in the comparison.
    """
    def typed(name: str) -> str:
        value = raw_metadata.get(name)
        return value if isinstance(value, str) else ""

    try:
        issued = date.fromisoformat(typed("issued_date").strip()) if typed("issued_date").strip() else None
    except ValueError:
        issued = None
    try:
        identifier = document_repo.identifier_of(IncomingMetadata.model_validate(raw_metadata))
    except (ValidationError, DomainError):
        identifier = None
    key = duplicates.comparison_key(code_number=typed("code_number"), code_notation=typed("code_notation"),
                                    organ_name=typed("organ_name"), issued_date=issued, subject=typed("subject"),
                                    document_identifier=identifier)
    with reading(engine) as session:
        found = document_repo.matching(session, clerk.agency_id, key)
        session.expunge_all()  # loaded rows outlive the read (the closing rollback expires attached ones)
        return found


def parse_metadata(raw: dict) -> IncomingMetadata:
    """Validate incoming metadata (a state-secret marking raises ``secret_document`` directly)."""
    try:
        return IncomingMetadata.model_validate(raw)
    except ValidationError as error:
        raise MetadataInvalid(error) from None


async def receive_upload(
    engine: Engine, client: Client, settings: Settings, store: FileStore, *,
    clerk: User, roles: set[Role], raw_metadata: dict, data: bytes, filename: str,
    source: DocumentSource = DocumentSource.UPLOAD, duplicate_confirmed: bool | None = None,
) -> Document:
    """Register an uploaded PDF as an incoming document and start its workflow.

    1. Check role, size, PDF validity and metadata before anything is written. With
       ``duplicate_confirmed=False`` (the intake form, before the văn thư confirmed), metadata
       that looks like documents already received is refused with ``ProbableDuplicate`` so the
       warning comes before a số đến is taken; ``True`` records that the văn thư saw it and
       registers all the same; ``None`` (API v1) only names them in the answer and the audit.
    2. Read the PDF's text layer for the search index (in the child that inspected it; a paper
       scan has none until OCR). Write the blob (content-addressed, write-once), then in one transaction the file
       row, the document row (NEW) with its index row, and the audit event.
    3. After commit, start the workflow; if that fails, the reconciler starts it later.
    """
    if Role.CLERK not in roles:
        raise DomainError("clerk_only")
    if len(data) > settings.upload_max_bytes:
        raise DomainError("file_too_large", limit=settings.upload_max_bytes)
    if not data:
        raise DomainError("file_missing")
    # A limited child process, off the loop. A paper scan is pictures joined into a PDF: its text
    # comes from OCR in the workflow. Otherwise the same child reads the text layer too.
    if source == DocumentSource.PAPER:
        page_count, text = await inspect_pdf.off_loop(data), ""
    else:
        page_count, text = await inspect_and_read.off_loop(data)
    metadata = parse_metadata(raw_metadata)
    if duplicate_confirmed is False:
        found = await asyncio.to_thread(probable_duplicates, engine, clerk, raw_metadata)
        if found:
            raise ProbableDuplicate(found)

    written = await asyncio.to_thread(uploads.write_blobs, store, [data])
    document, start = await uploads.recorded(engine, store, written, functools.partial(
        _register_incoming, engine, clerk, metadata, written.digests[0], len(data), filename, page_count, source,
        bool(duplicate_confirmed), text))
    await start_intakes_after_commit(client, settings.temporal_task_queue, [start])
    return document


def _register_incoming(engine: Engine, clerk: User, metadata: IncomingMetadata, digest: str, size: int,
                       filename: str, page_count: int, source: DocumentSource,
                       duplicate_confirmed: bool, text: str) -> tuple[Document, IncomingInput]:
    """Write the file row, the document (NEW) and its audit event in one transaction; with its workflow input."""
    with transaction(engine) as session:
        definition = definition_repo.incoming_process_for(session, clerk.agency_id)
        stored = store_file(session, sha256=digest, size=size, content_type="application/pdf",
                            filename=filename or "van-ban.pdf", user_id=clerk.id)
        document = receive_incoming(
            session, clerk=clerk, metadata=metadata, stored=stored, page_count=page_count,
            process_key=definition.key, process_version=definition.version, source=source,
            duplicate_confirmed=duplicate_confirmed, text_content=text,
        )
        return document, intake_input(session, document)


async def receive_paper(
    engine: Engine, client: Client, settings: Settings, store: FileStore, *,
    clerk: User, roles: set[Role], raw_metadata: dict, scans: list[tuple[str, bytes]],
    duplicate_confirmed: bool | None = None,
) -> Document:
    """Register a paper document from its scans (QĐ44 Điều 10.2): the workflow OCRs and signs it.

    The scans (PDF, JPEG, PNG, TIFF, in page order) are checked and joined into one PDF first;
    the paper itself stays with the văn thư, so the document is marked as having a paper copy.
    """
    if Role.CLERK not in roles:
        raise DomainError("clerk_only")
    if sum(len(data) for _, data in scans) > settings.upload_max_bytes:
        raise DomainError("file_too_large", limit=settings.upload_max_bytes)
    prepared = await prepare_scan.off_loop(scans, ScanLimits.from_settings(settings))
    return await receive_upload(
        engine, client, settings, store, clerk=clerk, roles=roles,
        raw_metadata={**raw_metadata, "paper_copy": True}, data=prepared.pdf,
        filename=scans[0][0] if scans else "ban-quet.pdf", source=DocumentSource.PAPER,
        duplicate_confirmed=duplicate_confirmed,
    )


async def suggest_metadata_from_pdf(data: bytes, settings: Settings) -> dict:
    """Suggested metadata read from an uploaded PDF's text layer; the văn thư confirms or corrects.

    Nothing is stored. A PDF without a text layer (a scan) gives no suggestions: paper documents
    get theirs from OCR once the workflow has digitised them.
    """
    if len(data) > settings.upload_max_bytes:
        raise DomainError("file_too_large", limit=settings.upload_max_bytes)
    await inspect_pdf.off_loop(data)
    text = await pdf_text.off_loop(data)
    return suggest_metadata(text) if text.strip() else {}
