"""Exporting a whole hồ sơ as one package (F-III.4.g; ND30 PL VI III.4.g, III.5; issue 12).

The package is a BagIt bag (RFC 8493, SHA-256 manifests written by the ``bagit`` library) whose
payload is, in the chronological order of the documents' dates:

* ``data/van-ban/0001/ban-goc.pdf`` …: each document's current file byte for byte as stored
  (its signatures still validate), its attachments under ``dinh-kem/``, and ``pdfa-2b.pdf``, a
  PDF/A-2b preservation copy (``models.documents.preservation``);
* ``data/ho-so.pdf``: one PDF for reading, the Mục lục văn bản trong hồ sơ (F-V.5) as its cover,
  then every document's pages, each with a bookmark;
* ``data/ho-so.xml``: the hồ sơ's metadata (DOMAIN §3.3) and each document's (§3.1–3.2).

``RecordExport`` is the progress row of one export (the page polls it, like ``DigitiseJob``); the
plan (``ExportPlan``) is what the database says, gathered by ``export_plan``; the package is
prepared from the plan alone in a child process (``bag``), once per state of the hồ sơ
(``PreparedPackage``, ``package_repo``), and each export writes its stored files into a zip
(``bag_zip``), so the files stream from disk to disk and a large hồ sơ costs the web or worker
process nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, String
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class ExportStatus(StrEnum):
    """Where an export stands."""

    PENDING = "pending"  # asked for, waiting for the worker
    RUNNING = "running"
    DONE = "done"  # the package is on disk, ready for download
    FAILED = "failed"


class RecordExport(SQLModel, table=True):
    """One export of a hồ sơ asked for by a person, with its progress (``phase``, ``done``/``total``)."""

    __tablename__ = "record_export"

    id: str = Field(primary_key=True, max_length=36)  # UUID: the package's folder and workflow id
    record_id: int = Field(foreign_key="recordfile.id", index=True)
    requested_by: int = Field(foreign_key="user.id")
    via: str = Field(default="web", max_length=10)  # web (built by the worker) | api (in the request)
    status: ExportStatus = Field(default=ExportStatus.PENDING, sa_type=String(12))
    phase: str = Field(default="", max_length=20)  # see PHASES
    done: int = 0
    total: int = 0
    documents: int = 0
    pages: int = 0
    size: int = Field(default=0, sa_type=BigInteger)  # bytes of the bag's payload (may pass 2 GiB)
    preservation_failed: int = 0  # documents without a PDF/A copy (the reason is in the XML)
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # package deleted after the keep time


# The steps of a build, in order, each counted in documents (``bag``: payload files written to the zip).
# All but ``bag`` prepare the package once per state of the hồ sơ (``package_repo``); ``bag`` is every export.
PHASES = ("preservation", "payload", "cover", "join", "bag")


@dataclass
class PlannedFile:
    """A stored file the package copies."""

    sha256: str
    size: int
    filename: str


@dataclass
class PlannedDocument:
    """One filed document: where it goes, what the cover says, its metadata, its files."""

    document_id: str
    direction: str  # incoming | outgoing
    position: int  # chronological place, from 1 (the folder ``van-ban/0001``)
    doc_ordinal: int  # DocOrdinal: its number in the hồ sơ
    date: str  # ISO date the chronological order uses
    so_ky_hieu: str
    type_name: str
    subject: str
    organ_name: str
    metadata: dict[str, Any]  # DOMAIN §3.1/§3.2 tags → values (groups as dicts, repeats as lists)
    original: PlannedFile | None
    attachments: list[PlannedFile] = field(default_factory=list)
    pdfa: PlannedFile | None = None  # the stored preservation copy, when one was made before


@dataclass
class ExportPlan:
    """Everything the child needs to build the package; it reads no database."""

    export_id: str
    store_root: str
    bag_name: str  # the package's top folder, e.g. hoso-000.00.01.H23-2026-01.TCCB
    record: dict[str, Any]  # DOMAIN §3.3 tags → values (DocTotal and PageTotal are counted)
    agency_name: str
    parent_agency_name: str
    documents: list[PlannedDocument]
    bag_info: dict[str, str]
    jobs: int = 1
    fingerprint: str = ""  # the state of the hồ sơ this plan shows (``package_repo.fingerprint``)

    def to_json(self) -> str:
        """The plan as the child reads it."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ExportPlan:
        """Read a plan written by ``to_json``."""
        raw = json.loads(text)

        def file(value: dict | None) -> PlannedFile | None:
            return PlannedFile(**value) if value else None

        documents = [PlannedDocument(**{**d, "original": file(d["original"]), "pdfa": file(d["pdfa"]),
                                        "attachments": [PlannedFile(**a) for a in d["attachments"]]})
                     for d in raw.pop("documents")]
        return cls(**raw, documents=documents)


@dataclass
class BuildResult:
    """What the child prepared: counts, the PDF/A copies it made, the documents it could not
    convert, the derived files it stored (``ho-so.pdf``, ``ho-so.xml``) and the package's listing."""

    documents: int = 0
    pages: int = 0
    size: int = 0
    # original SHA-256 → {"sha256", "size"} of each copy made and stored by this build
    copies: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # document id → why no PDF/A copy
    peak_rss_bytes: int = 0  # the child's own peak resident memory
    # file name → {"sha256", "size"} of the record-level files stored (the reading PDF, the XML)
    derived: dict[str, dict[str, Any]] = field(default_factory=dict)
    listing: dict[str, Any] = field(default_factory=dict)  # {"sha256", "size"} of the stored listing


@dataclass
class PackageFile:
    """One payload file of a prepared package: its path under ``data/`` and the stored blob."""

    path: str
    sha256: str
    size: int
    position: int = 0  # the document's place (0: a file of the hồ sơ itself)
    label: str = ""  # the document's số và ký hiệu, for a refusal naming it


@dataclass
class PreparedPackage:
    """Everything an export of one state of a hồ sơ holds, made once (``models.records.package_repo``):
    the payload (stored blobs by SHA-256, so the bag's manifest needs no hashing) and its totals."""

    fingerprint: str
    documents: int
    pages: int
    payload: list[PackageFile]
    preservation_failed: list[str] = field(default_factory=list)  # document ids without a PDF/A copy

    @property
    def size(self) -> int:
        """Bytes of the payload."""
        return sum(f.size for f in self.payload)

    def to_json(self) -> bytes:
        """The listing as stored in the file store."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> PreparedPackage:
        """Read a listing written by ``to_json``."""
        raw = json.loads(data)
        return cls(**{**raw, "payload": [PackageFile(**f) for f in raw["payload"]]})


def ascii_name(text: str) -> str:
    """Vietnamese folded to ASCII for names and bag-info (đ→d, no tones), safe in any archiver."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9 .,()_-]+", "-", folded).strip(" -") or "-"
