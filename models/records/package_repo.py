"""A hồ sơ's package prepared once per state of the hồ sơ, and found again by every export.

A closed hồ sơ does not change, so everything its export derives from it (the PDF/A copies, the
Mục lục, the chronological ``ho-so.pdf``, ``ho-so.xml``, the SHA-256 of every file) is made once,
when it is closed (``activities.record_export.prepare_record_package``, started by the hồ sơ's
workflow) and again after a correction, and kept in the file store. An export then only writes
the stored blobs into a zip (``models.records.bag_zip``).

What a package shows is named by its ``fingerprint``: a SHA-256 over what the package reads of
the database (the hồ sơ's metadata and agency, each filed document's place, last change and
files). A correction changes it, so the package of the old state is no longer found (nor used)
and a new one is prepared; a document filed into a hồ sơ still open changes it likewise.

The listing (``PreparedPackage`` as JSON) is a stored file like the others, so the fixity round
checks it with the ``ho-so.pdf`` and ``ho-so.xml`` it names. It is found through
``PreservationCopy``, the table of files derived from a source digest, with the fingerprint as
the source and ``LISTING`` as its conformance. Stored files derived from one hồ sơ are named
``hoso-<id>-…`` so that a disposal removes them with the documents' files. Never commits.
"""

from __future__ import annotations

import hashlib
import json

from sqlmodel import Session, col, select

from models.documents import preservation_repo
from models.documents.file_store import FileStore
from models.documents.preservation import PreservationCopy, tool_name
from models.documents.tables import StoredFile
from models.org.tables import Agency, User
from models.records import export_repo
from models.records.export import BuildResult, ExportPlan, PreparedPackage
from models.records.tables import RecordFile

LISTING = "goi-ho-so"  # PreservationCopy.conformance of a package listing
PREPARED = "record.package_prepared"
CONTENT_TYPES = {".pdf": "application/pdf", ".xml": "application/xml", ".json": "application/json"}


def fingerprint(session: Session, record: RecordFile) -> str:
    """The SHA-256 naming the state of ``record`` an export shows (see the module docstring)."""
    agency = session.get(Agency, record.formed_by_agency_id or record.agency_id)
    parent = session.get(Agency, agency.parent_id) if agency and agency.parent_id else None
    creator = session.get(User, record.creator_id) if record.creator_id else None
    rows = export_repo.filed_documents(session, record.id)
    attachments = export_repo.attachments(session, [document.id for _, document, _ in rows])
    state = {
        "record": [record.id, record.file_catalog, record.file_notation, record.title, record.maintenance,
                   record.rights, record.language, record.description, str(record.start_date),
                   str(record.end_date), creator.full_name if creator else ""],
        "agency": [agency.code if agency else "", agency.name if agency else "", parent.name if parent else ""],
        "documents": [[item.doc_ordinal, document.id, document.updated_at.isoformat(),
                       stored.sha256 if stored else "", [a.sha256 for a in attachments.get(document.id, [])]]
                      for item, document, stored in rows],
    }
    return hashlib.sha256(json.dumps(state, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def prepared(session: Session, store: FileStore, digest: str) -> PreparedPackage | None:
    """The package prepared for the state ``digest``, when it was and its listing is still stored."""
    listing = preservation_repo.copies_of(session, [digest]).get(digest)
    if listing is None:
        return None
    try:
        return PreparedPackage.from_json(store.read(listing.sha256))
    except FileNotFoundError:
        return None  # the fixity round reports it; preparing again stores it again


def keep(session: Session, record_id: int, plan: ExportPlan, result: BuildResult, actor_id: int | None) -> None:
    """Keep what a build stored: the new PDF/A copies (each document holds its copy), the hồ sơ's
    derived files and the listing, found by ``plan.fingerprint``. Idempotent: a copy or a listing
    recorded first is kept as it is."""
    from models import audit

    tool = tool_name() if result.copies else ""
    for source, made in sorted(result.copies.items()):
        preservation_repo.add_copy(session, source, made["sha256"], made["size"], f"{source[:16]}-pdfa-2b.pdf", tool)
    known = preservation_repo.copies_of(session, [d.original.sha256 for d in plan.documents if d.original])
    preservation_repo.link_copies(session, {d.document_id: known[d.original.sha256].id for d in plan.documents
                                            if d.original and d.original.sha256 in known})
    if preservation_repo.copies_of(session, [plan.fingerprint]):
        return
    for name, made in sorted(result.derived.items()):
        _stored(session, made["sha256"], made["size"], f"hoso-{record_id}-{name}")
    listing = _stored(session, result.listing["sha256"], result.listing["size"], f"hoso-{record_id}-goi.json")
    session.add(PreservationCopy(source_sha256=plan.fingerprint, file_id=listing.id, conformance=LISTING, tool="QLVB"))
    session.flush()
    audit.record(session, actor_id, PREPARED, "record", record_id, fingerprint=plan.fingerprint,
                 listing=listing.sha256, documents=result.documents, pages=result.pages, size=result.size,
                 preservation_failed=sorted(result.failures))


def _stored(session: Session, sha256: str, size: int, filename: str) -> StoredFile:
    content_type = next((t for suffix, t in CONTENT_TYPES.items() if filename.endswith(suffix)), "application/pdf")
    row = StoredFile(sha256=sha256, size=size, content_type=content_type, filename=filename[:255])
    session.add(row)
    session.flush()
    return row


def derived_blobs(session: Session, record_id: int) -> set[str]:
    """Every stored file derived from this hồ sơ alone (its packages' ``ho-so.pdf``, XML, listing)."""
    return set(session.exec(select(StoredFile.sha256).where(col(StoredFile.filename).startswith(f"hoso-{record_id}-"))))
