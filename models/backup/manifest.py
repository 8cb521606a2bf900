"""The manifest of a backup: what it holds, and the SHA-256 of every file in it.

Paths in the manifest are relative, with ``/`` separators, and never leave the backup directory;
a manifest naming ``../x`` or an absolute path is invalid, not followed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

FORMAT = "qlvb-backup/1"
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
SQLITE_COPY = f"{DATABASE_DIR}/qlvb.sqlite3"
POSTGRES_COPY = f"{DATABASE_DIR}/qlvb.pgdump"
FILES_DIR = "files"
# The embedded Temporal dev server's SQLite file (``qlvb run``), when the installation has one.
TEMPORAL_COPY = "temporal/temporal.db"
CHUNK = 1024 * 1024


@dataclass
class Manifest:
    """What ``manifest.json`` says about one backup."""

    product_version: str
    created_at: str  # ISO 8601, UTC
    backend: str  # sqlite | postgresql
    database: str  # the copy's path inside the backup (SQLITE_COPY or POSTGRES_COPY)
    schema_revision: str | None  # the copy's Alembic revision
    documents: int
    files: int  # file rows in the copy (storedfile)
    blobs: int  # blobs in files/ (every one the rows name, and any added meanwhile)
    checksums: dict[str, str] = field(default_factory=dict)  # relative path -> SHA-256
    tool_version: str = ""  # pg_dump's version for PostgreSQL archives
    snapshot_at: str = ""  # when the copy of Temporal's file and the database began (ISO 8601, UTC)
    format: str = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class ManifestInvalid(ValueError):
    """``manifest.json`` is missing, unreadable or not a QLVB backup manifest."""


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Write ``manifest.json`` durably (temporary file, fsync, rename)."""
    target = root / MANIFEST
    temporary = root / f".{MANIFEST}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(manifest.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def read_manifest(root: Path) -> Manifest:
    """Read and check ``manifest.json``; raise ``ManifestInvalid`` saying why it cannot be used."""
    path = root / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestInvalid("missing") from None
    except (OSError, ValueError) as error:
        raise ManifestInvalid(str(error)) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ManifestInvalid(f"format {raw.get('format') if isinstance(raw, dict) else raw!r}")
    try:
        manifest = Manifest(**raw)
    except TypeError as error:
        raise ManifestInvalid(str(error)) from None
    if not isinstance(manifest.checksums, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and safe_relative(k) for k, v in manifest.checksums.items()):
        raise ManifestInvalid("checksums")
    if manifest.backend not in ("sqlite", "postgresql") or manifest.database not in manifest.checksums:
        raise ManifestInvalid("database")
    return manifest


def safe_relative(name: str) -> bool:
    """A relative path inside the backup: no root, no ``..``, not the manifest itself."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and name != MANIFEST


def blob_path(digest: str) -> str:
    """Where a blob lives inside a backup (the file store's own two-level layout)."""
    return f"{FILES_DIR}/{digest[:2]}/{digest[2:4]}/{digest}"


def blob_digest(relative: str) -> str | None:
    """The digest a path under ``files/`` names, or None for any other path."""
    parts = PurePosixPath(relative).parts
    if len(parts) == 4 and parts[0] == FILES_DIR and parts[1] == parts[3][:2] and parts[2] == parts[3][2:4]:
        return parts[3]
    return None


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def files_on_disk(root: Path) -> Iterator[str]:
    """Every regular file under the backup, as relative ``/`` paths (the manifest itself excluded)."""
    for directory, _dirs, names in os.walk(root):
        for name in names:
            relative = Path(directory, name).relative_to(root).as_posix()
            if relative != MANIFEST:
                yield relative
