"""A hồ sơ holding signed documents, for the export tests and the benchmark.

The documents are issued outgoing documents and registered incoming ones, each with its own PDF
signed by the demo official and sealed by the demo agency (``tests/unit/signing_fixtures.py``),
filed straight into ``RecordFile``/``RecordItem`` rows. Their dates run against their DocOrdinal,
so a chronological export must reorder them.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from config.settings import Settings
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.tables import Document, DocumentFile, StoredFile
from models.outgoing.tables import Recipient
from models.records.tables import RecordFile, RecordItem, RecordStatus
from models.signing import issuing, pki, providers
from models.vocab import Direction, DocumentSource, DocumentStatus
from tests.unit.signing_fixtures import outgoing_pdf

AGENCY_KEY, OFFICIAL = "000.00.01.H23", "lanhdao"


def signed_pdfs(settings: Settings, count: int, agency_code: str = AGENCY_KEY) -> list[bytes]:
    """``count`` distinct PDFs signed by the demo official and sealed by the demo agency (as issued)."""
    official = providers.Pkcs12Provider(pki.demo_pkcs12_path(settings, OFFICIAL), pki.demo_password(settings))
    agency = providers.Pkcs12Provider(pki.demo_pkcs12_path(settings, agency_code), pki.demo_password(settings))
    signature = pki.signature_image_path(settings, OFFICIAL).read_bytes()
    seal = pki.seal_image_path(settings, agency_code).read_bytes()
    pdfs = []
    for number in range(1, count + 1):
        signed = issuing.sign_as_official(outgoing_pdf(), official, signature_image_png=signature,
                                          signer_name="Trần Văn Minh", reason="Ký ban hành văn bản")
        filled = issuing.fill_number_and_date(signed, so_ky_hieu=f"{number}/QĐ-VP",
                                              date_text=f"Hà Nam, ngày {number:02d} tháng 01 năm 2026")
        pdfs.append(issuing.sign_as_agency(filled, agency, seal_image_png=seal, reason="Phát hành văn bản"))
    return pdfs


@dataclass
class FiledRecord:
    """A hồ sơ and its documents: ids in DocOrdinal order, each document's original bytes' digest."""

    record_id: int
    document_ids: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)


def file_record(engine: Engine, store: FileStore, pdfs: list[bytes], *, agency_id: int, creator_id: int,
                unit_id: int | None, notation: str = "01.TCCB", status: RecordStatus = RecordStatus.CLOSED,
                attachment: bytes | None = None) -> FiledRecord:
    """A hồ sơ of 2026 with one document per PDF: odd DocOrdinals issued outgoing documents with a
    recipient, even ones registered incoming documents; dated newest first."""
    with transaction(engine) as session:
        record = RecordFile(agency_id=agency_id, file_catalog=2026, file_notation=notation,
                            title="Hồ sơ tuyển dụng công chức năm 2026", maintenance="Vĩnh viễn",
                            rights="Sử dụng rộng rãi", creator_id=creator_id, unit_id=unit_id,
                            start_date=date(2026, 1, 1), end_date=date(2026, 3, 31), status=status,
                            closed=status != RecordStatus.OPEN, workflow_id=f"hoso-test-{notation}")
        session.add(record)
        session.flush()
        filed = FiledRecord(record.id)
        for ordinal, pdf in enumerate(pdfs, start=1):
            stored = _stored(session, store, pdf, f"van-ban-{ordinal}.pdf", creator_id)
            outgoing = ordinal % 2 == 1
            document = Document(
                id=f"00000000-0000-4000-8000-{record.id:06d}{ordinal:06d}",
                direction=Direction.OUTGOING if outgoing else Direction.INCOMING, agency_id=agency_id,
                status=DocumentStatus.ISSUED if outgoing else DocumentStatus.DONE,
                source=None if outgoing else DocumentSource.UPLOAD, code_number=str(ordinal),
                code_notation="QĐ-VP" if outgoing else "STC-NS", type_name="Quyết định" if outgoing else "Công văn",
                issued_date=date(2026, 3, 1) - timedelta(days=ordinal), organ_name="Văn phòng UBND tỉnh Hà Nam",
                subject=f"Về việc tuyển dụng công chức, văn bản {ordinal}", page_amount=1,
                signer_full_name="Trần Văn Minh", signer_position="Chánh Văn phòng",
                arrival_number=None if outgoing else ordinal,
                arrival_date=None if outgoing else datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
                file_id=stored.id, created_by=creator_id)
            session.add(document)
            session.flush()
            session.add(DocumentFile(document_id=document.id, file_id=stored.id, role="main"))
            if outgoing:
                session.add(Recipient(document_id=document.id, position=1, kind="external", organ_id="000.00.02.H23",
                                      organ_name="Sở Nội vụ tỉnh Hà Nam"))
            if attachment is not None and ordinal == 1:
                extra = _stored(session, store, attachment, "Phụ lục danh sách.pdf", creator_id)
                session.add(DocumentFile(document_id=document.id, file_id=extra.id, role="attachment_issued"))
            session.add(RecordItem(record_id=record.id, document_id=document.id, doc_ordinal=ordinal,
                                   filed_by=creator_id))
            filed.document_ids.append(document.id)
            filed.digests[document.id] = stored.sha256
        return filed


def _stored(session, store: FileStore, data: bytes, filename: str, creator_id: int) -> StoredFile:
    stored = StoredFile(sha256=store.put(data), size=len(data), content_type="application/pdf", filename=filename,
                        created_by=creator_id)
    session.add(stored)
    session.flush()
    return stored


def unzip(data: bytes, target: Path) -> Path:
    """Extract a downloaded package; return its bag folder (the zip's one top folder)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
        archive.extractall(target)
    assert len(tops) == 1, tops
    return target / tops.pop()
