"""Document rows: intake of an incoming document, lookups and the processing history."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from models.audit import AuditEvent, record
from models.db import utcnow
from models.documents import duplicates
from models.documents.schema import IncomingMetadata, refuse_state_secrets
from models.documents.search_repo import index_document
from models.documents.tables import NOT_STARTED, Assignment, Document, DocumentFile, StoredFile
from models.org.tables import Agency, OrgUnit, User
from models.processes import repo as definition_repo
from models.registers.numbering import document_identifier
from models.vocab import URGENCY_RANK, Direction, DocumentSource, Urgency
from workflows.contracts import IncomingInput, incoming_workflow_id

# The newest documents sharing a folded số/ký hiệu that are compared further (a handful in practice).
DUPLICATE_CANDIDATES = 200


def receive_incoming(
    session: Session,
    *,
    clerk: User,
    metadata: IncomingMetadata,
    stored: StoredFile,
    page_count: int,
    process_key: str,
    process_version: int,
    source: DocumentSource = DocumentSource.UPLOAD,
    duplicate_confirmed: bool = False,
    text_content: str | None = None,
) -> Document:
    """Create the document row (status NEW) with its main file and an audit event.

    ``text_content`` is the file's text layer, read before the transaction; without it the
    document waits for the text round of the search index.

    The probable duplicates found are named in the event; when the văn thư saw them and chose to
    register the document all the same (``duplicate_confirmed``), that decision is audited too.
    The caller commits, then starts the workflow: a workflow is never started inside the
    transaction, and the reconciler starts it later if that start fails.
    """
    refuse_state_secrets(metadata)
    document_id = str(uuid.uuid4())
    values = metadata.model_dump(exclude={"priority"})
    external_id = identifier_of(metadata)
    duplicates = find_duplicates(session, clerk.agency_id, external_id, metadata)
    document = Document(
        id=document_id,
        direction=Direction.INCOMING,
        agency_id=clerk.agency_id,
        source=source,
        urgency=metadata.priority,
        workflow_id=incoming_workflow_id(document_id),
        process_key=process_key,
        process_version=process_version,
        created_by=clerk.id,
        file_id=stored.id,
        external_document_id=external_id,
        **{**values, "page_amount": metadata.page_amount or page_count},
    )
    session.add(document)
    session.flush()
    session.add(DocumentFile(document_id=document_id, file_id=stored.id, role="main"))
    record(session, clerk.id, "document.received", "document", document_id,
           source=str(source), sha256=stored.sha256, duplicate_of=[d.id for d in duplicates])
    if duplicates and duplicate_confirmed:
        record(session, clerk.id, "document.duplicate_confirmed", "document", document_id,
               duplicate_of=[d.id for d in duplicates], step="intake")
    index_document(session, document, text_content)
    return document


def identifier_of(metadata: IncomingMetadata) -> str | None:
    """The mã định danh văn bản of incoming metadata, when the issuer's code is known."""
    return (document_identifier(metadata.organ_id, metadata.issued_date, metadata.code_number,
                                metadata.code_notation) if metadata.organ_id else None)


def find_duplicates(session: Session, agency_id: int, external_id: str | None,
                    metadata: IncomingMetadata) -> list[Document]:
    """Earlier incoming documents of the agency that look like the same one (ND30 PL VI III.1.h).

    The rule is ``models.documents.duplicates``: the candidates share the folded số/ký hiệu
    (the stored ``duplicate_code``) or the DocumentId; the rest of the comparison is folded in
    Python, so SQLite and PostgreSQL answer alike. A warning, not a refusal: the văn thư may
    legitimately receive a corrected re-issue.
    """
    key = duplicates.comparison_key(
        code_number=metadata.code_number, code_notation=metadata.code_notation, organ_name=metadata.organ_name,
        issued_date=metadata.issued_date, subject=metadata.subject, document_identifier=external_id)
    return matching(session, agency_id, key)


def probable_duplicates(session: Session, document: Document) -> list[Document]:
    """The agency's other incoming documents that look like ``document`` (the warning on its page)."""
    if document.direction != Direction.INCOMING:
        return []
    return matching(session, document.agency_id, duplicates.key_of(document), document.id)


def matching(session: Session, agency_id: int, key: duplicates.DuplicateKey,
             excluding: str | None = None) -> list[Document]:
    """The agency's incoming documents whose key is a probable duplicate of ``key``, oldest first."""
    same = [Document.duplicate_code == key.code] if key.code else []
    if key.document_identifier:
        same.append(Document.external_document_id == key.document_identifier)
    # One indexed lookup per kind of match, not one query with OR: SQLite answered the OR by reading
    # every incoming document of the agency in date order (1.3 s at 200,000 documents).
    seen: dict[str, Document] = {}
    for match in same:
        query = select(Document).where(match, Document.agency_id == agency_id,
                                       Document.direction == Direction.INCOMING)
        if excluding is not None:
            query = query.where(Document.id != excluding)
        for other in session.exec(query.order_by(col(Document.created_at).desc()).limit(DUPLICATE_CANDIDATES)):
            seen[other.id] = other
    candidates = sorted(seen.values(), key=lambda other: other.created_at, reverse=True)[:DUPLICATE_CANDIDATES]
    found = [other for other in candidates if duplicates.is_probable_duplicate(key, duplicates.key_of(other))]
    return sorted(found, key=lambda other: other.created_at)


def duplicates_of(session: Session, document: Document) -> list[Document]:
    """The documents flagged as possible duplicates when ``document`` was received."""
    event = session.exec(select(AuditEvent).where(
        AuditEvent.subject_type == "document", AuditEvent.subject_id == document.id,
        AuditEvent.code == "document.received")).first()
    ids = (event.data.get("duplicate_of") or []) if event else []
    return list(documents_by_id(session, ids).values())


def store_file(session: Session, *, sha256: str, size: int, content_type: str,
               filename: str, user_id: int | None) -> StoredFile:
    """Add the row describing a blob already written to the file store."""
    stored = StoredFile(sha256=sha256, size=size, content_type=content_type,
                        filename=filename[:255], created_by=user_id)
    session.add(stored)
    session.flush()
    return stored


def file_referenced(session: Session, sha256: str) -> bool:
    """Whether any file row points at this blob (a blob nobody references may be discarded)."""
    return session.exec(select(StoredFile.id).where(StoredFile.sha256 == sha256).limit(1)).first() is not None


ACCESS_EVENTS = ("document.viewed", "document.downloaded")  # written by commands.audit


def history(session: Session, document_id: str) -> list[tuple[AuditEvent, User | None]]:
    """Return the document's audit events, oldest first, with the acting user (its processing
    history: views and downloads are on the administrator's audit log, not here)."""
    rows = session.exec(
        select(AuditEvent, User)
        .join(User, col(User.id) == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.subject_type == "document", AuditEvent.subject_id == document_id,
               col(AuditEvent.code).not_in(ACCESS_EVENTS))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [(event, user) for event, user in rows]


# The reconciler starts at most this many lost workflows a round; the next round takes the rest.
NOT_STARTED_BATCH = 200


def documents_not_started(session: Session, older_than_seconds: int,
                          limit: int = NOT_STARTED_BATCH) -> list[Document]:
    """Documents still NEW after a while: their workflow start was lost (the reconciler's list),
    oldest first, at most ``limit``. Read through the partial index of NEW documents (written as its
    own condition, which SQLite needs to use it): the round runs every minute, and reading every
    document's status to find the few NEW ones grew with the province."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    return list(session.exec(select(Document).where(NOT_STARTED, col(Document.created_at) < cutoff)
                             .order_by(col(Document.created_at)).limit(limit)))


def agency_of(session: Session, document: Document) -> Agency:
    """Return the agency that owns a document."""
    agency = session.get(Agency, document.agency_id)
    assert agency is not None  # guaranteed by the foreign key
    return agency


def recent_incoming(session: Session, visible, limit: int = 50) -> list[Document]:
    """The latest incoming documents matching ``visible`` (from ``models.documents.access``), newest first."""
    return list(session.exec(
        select(Document)
        .where(visible, Document.direction == Direction.INCOMING)
        .order_by(col(Document.created_at).desc())
        .limit(limit)
    ))


def documents_by_id(session: Session, ids: list[str]) -> dict[str, Document]:
    """Load several documents at once, keyed by id."""
    if not ids:
        return {}
    return {d.id: d for d in session.exec(select(Document).where(col(Document.id).in_(ids)))}


def inbox_lines(session: Session, ids: list[str]) -> dict[str, Any]:
    """What an inbox row shows of each document (trích yếu, độ khẩn, số đến, số/ký hiệu, cơ quan
    ban hành), keyed by id: plain rows, not whole documents, since a page lists up to fifty."""
    if not ids:
        return {}
    columns = (Document.id, Document.subject, Document.urgency, Document.arrival_number, Document.code_number,
               Document.code_notation, Document.organ_name)
    return {line.id: line for line in session.exec(select(*columns).where(col(Document.id).in_(ids)))}


def routed_units(session: Session, document_id: str) -> list[tuple[Assignment, OrgUnit]]:
    """The units currently routed to handle a document (chủ trì first), for the leader's changes."""
    rows = session.exec(
        select(Assignment, OrgUnit).join(OrgUnit, OrgUnit.id == Assignment.unit_id)
        .where(Assignment.document_id == document_id, col(Assignment.user_id).is_(None),
               col(Assignment.withdrawn_at).is_(None))
        .order_by(Assignment.role, Assignment.id)
    ).all()
    return [(assignment, unit) for assignment, unit in rows]


def has_file_role(session: Session, document_id: str, file_id: int, role: str) -> bool:
    """Whether the file is attached to the document in that role (original, scan, ocr, …)."""
    return session.exec(select(DocumentFile.id).where(
        DocumentFile.document_id == document_id, DocumentFile.file_id == file_id,
        DocumentFile.role == role)).first() is not None


def files_in_role(session: Session, document_id: str, role: str) -> list[tuple[str, str]]:
    """(sha256, file name) of a document's files in one role, in the order they were added."""
    return list(session.exec(
        select(StoredFile.sha256, StoredFile.filename).join(DocumentFile, DocumentFile.file_id == StoredFile.id)
        .where(DocumentFile.document_id == document_id, DocumentFile.role == role)
        .order_by(DocumentFile.id)).all())


def attachment_files(session: Session, document_id: str) -> list[StoredFile]:
    """A document's attachments as its page shows them: the issued (signed) ones once there are any,
    else those received or drafted, in the order they were added."""
    for role in ("attachment_issued", "attachment"):
        rows = list(session.exec(
            select(StoredFile).join(DocumentFile, DocumentFile.file_id == StoredFile.id)
            .where(DocumentFile.document_id == document_id, DocumentFile.role == role)
            .order_by(DocumentFile.id)).all())
        if rows:
            return rows
    return []


def newest_stored_file(session: Session, sha256: str) -> StoredFile | None:
    """The newest stored-file row of a blob (a blob can be stored under several names)."""
    return session.exec(select(StoredFile).where(StoredFile.sha256 == sha256)
                        .order_by(col(StoredFile.id).desc())).first()


def live_unit_assignments(session: Session, document_id: str, unit_id: int) -> list[Assignment]:
    """A unit's routing rows on a document that were not withdrawn (the unit and its handlers)."""
    return list(session.exec(select(Assignment).where(
        Assignment.document_id == document_id, Assignment.unit_id == unit_id,
        col(Assignment.withdrawn_at).is_(None))))


def live_handler_assignments(session: Session, document_id: str, user_id: int) -> list[Assignment]:
    """A handler's routing rows on a document that were not withdrawn."""
    return list(session.exec(select(Assignment).where(
        Assignment.document_id == document_id, Assignment.user_id == user_id,
        col(Assignment.withdrawn_at).is_(None))))


def routed_unit_names(session: Session, document_id: str) -> list[str]:
    """The names of the units a document is routed to now, each once, in routing order."""
    names = session.exec(select(OrgUnit.name).join(Assignment, Assignment.unit_id == OrgUnit.id).where(
        Assignment.document_id == document_id, col(Assignment.user_id).is_(None),
        col(Assignment.withdrawn_at).is_(None)).order_by(Assignment.id)).all()
    return list(dict.fromkeys(names))


def unit_names(session: Session, unit_ids: list[int]) -> list[str]:
    """The names of the given units."""
    return list(session.exec(select(OrgUnit.name).where(col(OrgUnit.id).in_(unit_ids))).all())


def intake_input(session: Session, document: Document) -> IncomingInput:
    """The one builder of the intake workflow's input, read from the document row.

    Every start of ``IncomingDocument`` (upload, paper, internal delivery, the hub, and the
    reconciler's restart of a lost start) uses it, so a restart starts exactly what the first start
    would have. A document without a pinned process (a row written before pinning was the rule)
    is pinned to its agency's incoming definition here, in the caller's transaction.
    """
    if not document.process_key:
        definition = definition_repo.incoming_process_for(session, document.agency_id)
        document.process_key, document.process_version = definition.key, definition.version
        session.add(document)
    agency = session.get(Agency, document.agency_id)
    return IncomingInput(document.id, document.agency_id, agency.code, URGENCY_RANK[Urgency(document.urgency)],
                         document.process_key, document.process_version or 1, source=str(document.source or ""))
