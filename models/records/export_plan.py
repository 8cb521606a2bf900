"""The database's side of an export (``models.records.export``): the plan read from the rows, and
what a finished build leaves in them. Never commits: the command or activity that exports owns
the transactions.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from models.db import utcnow
from models.documents import preservation_repo
from models.documents.tables import Document, StoredFile
from models.org.tables import Agency, User
from models.records import export_repo, package_repo, rules
from models.records.export import (
    ExportPlan,
    ExportStatus,
    PlannedDocument,
    PlannedFile,
    PreparedPackage,
    RecordExport,
    ascii_name,
)
from models.records.tables import RecordFile
from models.registers.numbering import so_ky_hieu, vietnam_date
from models.registers.slip import processing_slip
from models.vocab import URGENCY_RANK, Direction, Urgency


def document_date(document: Document) -> date:
    """The date a document takes its place by (``rules.document_date``: its own date, else its
    arrival), else the day it was taken in."""
    return rules.document_date(document) or vietnam_date(document.created_at)


def gather_plan(session: Session, record: RecordFile, export_id: str, store_root: Path, jobs: int = 1) -> ExportPlan:
    """Read everything the package needs about ``record`` (which the caller may see).

    Documents are ordered by ``document_date``, then by DocOrdinal; each carries its metadata
    (DOMAIN §3.1 outgoing, §3.2 incoming), its current file, its attachments and the PDF/A copy
    already stored for that file, if any.
    """
    agency = session.get(Agency, record.formed_by_agency_id or record.agency_id)
    parent = session.get(Agency, agency.parent_id) if agency and agency.parent_id else None
    rows = export_repo.filed_documents(session, record.id)
    ids = [document.id for _, document, _ in rows]
    attachments = export_repo.attachments(session, ids)
    recipients = export_repo.recipients(session, [d.id for _, d, _ in rows if d.direction == Direction.OUTGOING])
    copies = preservation_repo.copies_of(session, [stored.sha256 for _, _, stored in rows if stored])
    ordered = sorted(rows, key=lambda row: (document_date(row[1]), row[0].doc_ordinal))
    documents = []
    for position, (item, document, stored) in enumerate(ordered, start=1):
        copy = copies.get(stored.sha256) if stored else None
        documents.append(PlannedDocument(
            document_id=document.id, direction=document.direction, position=position, doc_ordinal=item.doc_ordinal,
            date=document_date(document).isoformat(),
            so_ky_hieu=so_ky_hieu(document.code_number, document.code_notation),
            type_name=document.type_name, subject=document.subject, organ_name=document.organ_name,
            metadata=_document_metadata(session, document, recipients.get(document.id, [])),
            original=_planned(stored), attachments=[_planned(a) for a in attachments.get(document.id, [])],
            pdfa=_planned(copy)))
    organ_id = agency.code if agency else ""
    creator = session.get(User, record.creator_id) if record.creator_id else None
    dates = [d.date for d in documents]
    metadata = {
        "FileCode": {"OrganId": organ_id, "FileCatalog": record.file_catalog, "FileNotation": record.file_notation},
        "Title": record.title, "Maintenance": record.maintenance, "Rights": record.rights,
        "Creator": creator.full_name if creator else "", "Language": record.language,
        "StartDate": (record.start_date.isoformat() if record.start_date else min(dates, default=None)),
        "EndDate": (record.end_date.isoformat() if record.end_date else max(dates, default=None)),
        "Description": record.description,
    }
    name, bag_info = bag_naming(session, record, export_id)
    return ExportPlan(export_id=export_id, store_root=str(store_root), bag_name=name, record=metadata,
                      agency_name=agency.name if agency else "", parent_agency_name=parent.name if parent else "",
                      documents=documents, bag_info=bag_info, jobs=jobs,
                      fingerprint=package_repo.fingerprint(session, record))


def bag_naming(session: Session, record: RecordFile, export_id: str) -> tuple[str, dict[str, str]]:
    """The package's top folder and its bag-info, without reading the documents (an export of a
    prepared package needs no more)."""
    agency = session.get(Agency, record.formed_by_agency_id or record.agency_id)
    organ_id = agency.code if agency else ""
    name = f"hoso-{organ_id}-{record.file_catalog}-{ascii_name(record.file_notation)}"
    return name, {"Source-Organization": ascii_name(agency.name if agency else ""), "Organization-Address": organ_id,
                  "External-Identifier": f"{organ_id}.{record.file_catalog}.{ascii_name(record.file_notation)}",
                  "External-Description": ascii_name(record.title)[:500], "Internal-Sender-Identifier": export_id,
                  "Bagging-Date": vietnam_date(utcnow()).isoformat(), "Bag-Group-Identifier": f"record-{record.id}"}


def _planned(stored: StoredFile | None) -> PlannedFile | None:
    return PlannedFile(stored.sha256, stored.size, stored.filename) if stored else None


def _document_metadata(session: Session, document: Document, recipients: list) -> dict[str, Any]:
    """DOMAIN §3.1 (outgoing) or §3.2 (incoming) fields 3–18; FileCode, DocOrdinal and PageAmount are
    added by the package (they come from the hồ sơ and from the file itself)."""
    signer = {"Competence": document.signer_competence, "Position": document.signer_position,
              "FullName": document.signer_full_name}
    common = {
        "Identifier": document.id, "DocumentId": document.external_document_id or "",
        "TypeName": document.type_name, "CodeNumber": document.code_number,
        "CodeNotation": document.code_notation, "IssuedDate": _iso(document.issued_date),
        "OrganName": document.organ_name, "Subject": document.subject, "Language": document.language,
        "Description": document.description,
    }
    # Priority (§3.1 #14) numbers the urgency 0–3 as edXML's OtherInfo/Priority does: its rank.
    priority = URGENCY_RANK.get(Urgency(document.urgency), 0)
    if document.direction == Direction.OUTGOING:
        return {**common, "SignerInfo": signer,
                "To": [{"OrganId": r.organ_id, "OrganName": r.organ_name} for r in recipients],
                "Priority": priority, "IssuedAmount": document.issued_amount, "DueDate": _iso(document.due_date)}
    return {**common, "ArrivalDate": _iso(vietnam_date(document.arrival_date) if document.arrival_date else None),
            "ArrivalNumber": document.arrival_number, "SignerInfo": signer, "Priority": priority,
            "ToPlaces": document.to_places, "TraceHeaderList": _trace(session, document),
            "DueDate": _iso(document.due_date)}


def _trace(session: Session, document: Document) -> list[dict[str, Any]]:
    """The internal routing and direction history (the Phiếu giải quyết, §3.2 field 17)."""
    slip = processing_slip(session, document)
    trace = []
    for section, opinions in (("Lãnh đạo cơ quan", slip.agency_leader), ("Lãnh đạo đơn vị", slip.unit_leader),
                              ("Người xử lý", slip.handler)):
        for opinion in opinions:
            trace.append({"Section": section, "FullName": opinion.author_name, "Position": opinion.author_position,
                          "Date": _iso(opinion.given_on), "Opinion": opinion.text,
                          "Lead": "; ".join(p.name for p in opinion.lead),
                          "Cooperating": "; ".join(p.name for p in opinion.cooperating),
                          "Informed": "; ".join(p.name for p in opinion.informed)})
    return trace


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def record_done(export: RecordExport, package: PreparedPackage, zip_size: int) -> None:
    """Mark the export done with what its zip holds (the caller commits)."""
    export.status, export.phase = ExportStatus.DONE, ""
    export.documents, export.pages, export.size = package.documents, package.pages, zip_size
    export.preservation_failed = len(package.preservation_failed)
    export.done = export.total
    export.finished_at = export.updated_at = utcnow()


def progress(export: RecordExport, phase: str, done: int, total: int) -> None:
    """Move the row's progress (the caller commits)."""
    export.status, export.phase, export.done, export.total = ExportStatus.RUNNING, phase, done, total
    export.updated_at = utcnow()


def failed(export: RecordExport, reason: str) -> None:
    """Mark the export failed with its reason (the caller commits)."""
    export.status, export.error = ExportStatus.FAILED, reason[:500]
    export.finished_at = export.updated_at = utcnow()


def prune(session: Session, exports_dir: Path, keep: timedelta, now: datetime | None = None) -> int:
    """Delete the packages older than ``keep`` from disk and mark their rows removed; return how many."""
    removed = 0
    for export in export_repo.expired(session, (now or utcnow()) - keep):
        shutil.rmtree(exports_dir / export.id, ignore_errors=True)
        export.removed_at = utcnow()
        session.add(export)
        removed += 1
    return removed
