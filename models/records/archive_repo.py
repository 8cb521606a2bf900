"""The archive's side of hồ sơ: collection lists, requests to read restricted hồ sơ, disposal.
Never commits.

Disposal keeps every row (the hồ sơ, its items, the documents' metadata, the decision) and removes
only stored files nothing alive needs: a file goes when every document that holds it is
*released*, i.e. filed in hồ sơ that are all disposed now. A document filed nowhere, or in another
hồ sơ still kept, is alive and keeps its files, and so does a file a hub package was built from.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from models.db import utcnow
from models.documents.tables import Document, DocumentFile, StoredFile
from models.exchange.tables import HubInbound, HubOutbox
from models.outgoing.tables import DraftRevision
from models.records import package_repo
from models.records.tables import (
    AccessStatus,
    RecordAccess,
    RecordCollection,
    RecordDisposal,
    RecordFile,
    RecordItem,
    RecordStatus,
)

# --- the archive's collection lists (F-III.5.b) ---------------------------------------------


def collection(session: Session, agency_id: int, year: int) -> RecordCollection | None:
    """The archive's announcement of the hồ sơ it collects in ``year``, if made."""
    return session.exec(select(RecordCollection).where(
        RecordCollection.agency_id == agency_id, RecordCollection.year == year)).first()


def collections(session: Session, agency_id: int) -> list[RecordCollection]:
    """Every announcement of the agency's archive, the latest year first."""
    return list(session.exec(select(RecordCollection).where(RecordCollection.agency_id == agency_id)
                             .order_by(col(RecordCollection.year).desc())))


def announce(session: Session, agency_id: int, year: int, announced_on: date, user_id: int) -> RecordCollection:
    """Record (or move) the day the list for ``year`` was announced."""
    found = collection(session, agency_id, year)
    if found is None:
        found = RecordCollection(agency_id=agency_id, year=year, announced_on=announced_on, announced_by=user_id)
    else:
        found.announced_on, found.announced_by = announced_on, user_id
    session.add(found)
    session.flush()
    return found


def due_in(session: Session, agency_id: int, year: int) -> list[RecordFile]:
    """The agency's closed hồ sơ falling due for transfer in ``year`` (the collection list)."""
    return list(session.exec(select(RecordFile).where(
        RecordFile.agency_id == agency_id, RecordFile.status == RecordStatus.CLOSED,
        col(RecordFile.transfer_due) >= date(year, 1, 1), col(RecordFile.transfer_due) <= date(year, 12, 31))
        .order_by(col(RecordFile.transfer_due), col(RecordFile.id))))


# --- requests to read a restricted hồ sơ ----------------------------------------------------


def add_access_request(session: Session, record_id: int, user_id: int, reason: str) -> RecordAccess:
    """A person's new request to read the hồ sơ."""
    request = RecordAccess(record_id=record_id, user_id=user_id, reason=reason)
    session.add(request)
    session.flush()
    return request


def pending_request(session: Session, record_id: int, user_id: int) -> RecordAccess | None:
    """The person's request on the hồ sơ still waiting for a decision."""
    return session.exec(select(RecordAccess).where(
        RecordAccess.record_id == record_id, RecordAccess.user_id == user_id,
        RecordAccess.status == AccessStatus.PENDING)).first()


def access_request(session: Session, request_id: int) -> RecordAccess | None:
    """One request by id."""
    return session.get(RecordAccess, request_id)


def requests_of(session: Session, record_id: int) -> list[RecordAccess]:
    """The hồ sơ's read requests, the latest first."""
    return list(session.exec(select(RecordAccess).where(RecordAccess.record_id == record_id)
                             .order_by(col(RecordAccess.id).desc())))


def decide_request(session: Session, request: RecordAccess, granted: bool, user_id: int, until: date | None) -> bool:
    """Grant or refuse a waiting request; False when it was already decided (a retry)."""
    if request.status != AccessStatus.PENDING:
        return False
    request.status = AccessStatus.GRANTED if granted else AccessStatus.REFUSED
    request.decided_by, request.decided_at, request.until = user_id, utcnow(), until if granted else None
    session.add(request)
    return True


# --- disposal ---------------------------------------------------------------------------------


def disposal(session: Session, record_id: int) -> RecordDisposal | None:
    """The disposal decision of a hồ sơ, once made."""
    return session.exec(select(RecordDisposal).where(RecordDisposal.record_id == record_id)).first()


def add_disposal(session: Session, record_id: int, user_id: int | None, decision: str, blobs: list[str]) -> RecordDisposal:
    """Keep the decision and the files it removes (the caller marks the hồ sơ disposed)."""
    row = RecordDisposal(record_id=record_id, decided_by=user_id, decision=decision, blobs=blobs)
    session.add(row)
    session.flush()
    return row


def _files_of(session: Session, document_ids: set[str]) -> dict[str, set[str]]:
    """SHA-256 of every stored file each document holds (current file, attachments, revisions)."""
    if not document_ids:
        return {}
    ids = sorted(document_ids)
    held: dict[str, set[str]] = {document_id: set() for document_id in ids}
    queries = [
        select(Document.id, StoredFile.sha256).join(StoredFile, col(StoredFile.id) == Document.file_id)
        .where(col(Document.id).in_(ids)),
        select(DocumentFile.document_id, StoredFile.sha256).join(StoredFile, col(StoredFile.id) == DocumentFile.file_id)
        .where(col(DocumentFile.document_id).in_(ids)),
        select(DraftRevision.document_id, StoredFile.sha256).join(StoredFile, col(StoredFile.id) == DraftRevision.file_id)
        .where(col(DraftRevision.document_id).in_(ids)),
    ]
    for query in queries:
        for document_id, sha256 in session.exec(query):
            held[document_id].add(sha256)
    return held


def _holders(session: Session, digests: set[str]) -> set[str]:
    """The documents holding any of these files."""
    if not digests:
        return set()
    file_ids = select(StoredFile.id).where(col(StoredFile.sha256).in_(sorted(digests)))
    found = set(session.exec(select(Document.id).where(col(Document.file_id).in_(file_ids))))
    found |= set(session.exec(select(DocumentFile.document_id).where(col(DocumentFile.file_id).in_(file_ids))))
    found |= set(session.exec(select(DraftRevision.document_id).where(col(DraftRevision.file_id).in_(file_ids))))
    return found


def _released(session: Session, document_ids: set[str], disposing: int) -> set[str]:
    """Those documents filed somewhere and only in hồ sơ that are disposed (or being disposed)."""
    if not document_ids:
        return set()
    filed = set(session.exec(select(RecordItem.document_id).where(col(RecordItem.document_id).in_(sorted(document_ids)))))
    kept = set(session.exec(
        select(RecordItem.document_id).join(RecordFile, col(RecordFile.id) == RecordItem.record_id)
        .where(col(RecordItem.document_id).in_(sorted(document_ids)), RecordFile.id != disposing,
               RecordFile.status != RecordStatus.DISPOSED)))
    return filed - kept


def releasable_blobs(session: Session, record_id: int) -> list[str]:
    """The stored files disposing of this hồ sơ removes (see the module docstring), sorted."""
    documents = set(session.exec(select(RecordItem.document_id).where(RecordItem.record_id == record_id)))
    released = _released(session, documents, record_id)
    held = _files_of(session, released)
    candidates = set().union(*held.values()) if held else set()
    others = _holders(session, candidates) - released
    alive = others - _released(session, others, record_id)
    protected = set().union(*_files_of(session, alive).values()) if alive else set()
    packaged = set(session.exec(select(HubInbound.package_sha256).where(
        col(HubInbound.package_sha256).in_(sorted(candidates))))) | set(session.exec(
        select(HubOutbox.package_sha256).where(col(HubOutbox.package_sha256).in_(sorted(candidates)))))
    # The hồ sơ's export packages (its Mục lục PDF, XML, listings) go with it (``package_repo``).
    return sorted((candidates - protected - packaged) | package_repo.derived_blobs(session, record_id))


def removed(session: Session, row: RecordDisposal) -> None:
    """The files of a disposal are gone from the store."""
    row.removed_at = utcnow()
    session.add(row)


def disposed_blobs(session: Session) -> set[str]:
    """Every stored file a disposal removed on purpose (a fixity check expects them missing)."""
    found: set[str] = set()
    for blobs in session.exec(select(RecordDisposal.blobs)):
        found.update(blobs)
    return found
