"""Taking, verifying and restoring a backup; the daily copies and how many are kept.

``qlvb backup``/``qlvb restore`` (``cli/backup.py``) and the ``DailyBackup`` activity
(``activities/backup.py``) call these; both pass what the settings say (database URL, file store,
backup directory), so this package never reads the settings itself.

A backup is built in a hidden sibling directory (``.NAME.partial``) and renamed into place once
its manifest is written: a directory with a manifest is complete, and a crash leaves only a
partial directory that the next attempt removes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from models.backup import database
from models.backup.manifest import (
    CHUNK,
    MANIFEST,
    POSTGRES_COPY,
    SQLITE_COPY,
    TEMPORAL_COPY,
    Manifest,
    ManifestInvalid,
    blob_digest,
    blob_path,
    files_on_disk,
    read_manifest,
    sha256_file,
    write_manifest,
)
from models.backup.repo import installation_rows, server_version_num
from models.backup.wording import describe_problem
from models.db import make_engine, reading
from models.documents.file_store import FileStore
from models.errors import DomainError

DAILY_NAME = re.compile(r"qlvb-\d{4}-\d{2}-\d{2}")
PARTIAL_SUFFIX = ".partial"
Progress = Callable[[int], None]


def product_version() -> str:
    """The installed QLVB version."""
    try:
        return version("qlvb")
    except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
        return "0+unknown"


def _sync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy_checked(source: Path, target: Path, expected: str) -> str:
    """Copy a blob, hashing what is read; return the digest of the bytes copied (fsynced)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    actual = digest.hexdigest()
    if actual != expected:
        target.unlink(missing_ok=True)
    return actual


# --- taking a backup ---------------------------------------------------------------------------

class BackupWriter:
    """One backup being taken: ``begin``, ``snapshot_database``, ``copy_files``, ``seal``.

    The steps are separate so the worker's activity can heartbeat around the long ones; ``take``
    runs them in order. ``abandon`` removes the partial directory after a failure.
    """

    def __init__(self, database_url: str, files_dir: Path, destination: Path,
                 temporal_db: Path | None = None) -> None:
        self.database_url = database_url
        self.temporal_db = temporal_db
        self.backend = database.backend_of(database_url)
        self.store = FileStore(files_dir)
        self.destination = destination
        self.work = destination.parent / f".{destination.name}{PARTIAL_SUFFIX}"
        self.copy_name = SQLITE_COPY if self.backend == "sqlite" else POSTGRES_COPY
        self.checksums: dict[str, str] = {}
        self.tool_version = ""
        self.snapshot_at = ""

    def begin(self) -> None:
        """Refuse a destination that already holds something; start a clean partial directory."""
        if self.destination.exists() and (not self.destination.is_dir() or any(self.destination.iterdir())):
            raise DomainError("backup_destination_not_empty", path=str(self.destination))
        if self.backend == "postgresql":  # before anything is written: pg_dump must read this server
            engine = make_engine(self.database_url)
            try:
                with reading(engine) as session:
                    server = server_version_num(session)
            finally:
                engine.dispose()
            self.tool_version = database.check_client_for_server("pg_dump", server)
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.work, ignore_errors=True)  # an earlier attempt's leftovers
        (self.work / self.copy_name).parent.mkdir(parents=True)

    def snapshot_database(self) -> None:
        """Copy the database: one consistent snapshot, taken before any blob is copied.

        The embedded Temporal server's file, when there is one, is copied just before: Temporal's
        state a moment older than the records is what a restore can recover from (activities are
        idempotent and run again; lost starts are restarted), never the reverse.
        """
        self.snapshot_at = datetime.now(UTC).isoformat(timespec="seconds")
        if self.temporal_db is not None and self.temporal_db.is_file():
            database.snapshot_sqlite_file(self.temporal_db, self.work / TEMPORAL_COPY)
            self.checksums[TEMPORAL_COPY] = sha256_file(self.work / TEMPORAL_COPY)
        target = self.work / self.copy_name
        if self.backend == "sqlite":
            database.snapshot_sqlite(self.database_url, target)
        else:
            database.dump_postgres(self.database_url, target)

    def copy_files(self, progress: Progress | None = None) -> int:
        """Copy every blob now in the store (checked against its name); return how many."""
        backup_store = FileStore(self.work / "files")
        copied = 0
        for digest in self.store.digests():
            try:
                actual = _copy_checked(self.store.path_for(digest), backup_store.path_for(digest), digest)
            except FileNotFoundError:
                continue  # a refused upload's blob, removed meanwhile: no row names it (checked in seal)
            if actual != digest:
                raise DomainError("backup_blob_corrupt", digest=digest)
            self.checksums[blob_path(digest)] = digest
            copied += 1
            if progress is not None:
                progress(copied)
        return copied

    def seal(self) -> Manifest:
        """Check every row's blob is in, write the manifest and move the backup into place."""
        copy = self.work / self.copy_name
        missing = sorted(database.referenced_blobs(self.backend, copy) - {
            blob_digest(name) for name in self.checksums})
        if missing:
            raise DomainError("backup_blobs_missing", count=len(missing), first=missing[0])
        self.checksums[self.copy_name] = sha256_file(copy)
        manifest = Manifest(
            product_version=product_version(),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            backend=self.backend,
            database=self.copy_name,
            schema_revision=database.schema_revision(self.backend, copy),
            documents=len(database.copy_column(self.backend, copy, "document", "id")),
            files=len(database.copy_column(self.backend, copy, "storedfile", "id")),
            blobs=sum(1 for name in self.checksums if blob_digest(name)),
            checksums=dict(sorted(self.checksums.items())),
            tool_version=self.tool_version,
            snapshot_at=self.snapshot_at,
        )
        write_manifest(self.work, manifest)
        _sync_directory(self.work)
        os.replace(self.work, self.destination)  # an empty destination directory is replaced
        _sync_directory(self.destination.parent)
        return manifest

    def abandon(self) -> None:
        """Remove the partial directory (after a failure or a cancellation)."""
        shutil.rmtree(self.work, ignore_errors=True)

    def take(self, progress: Progress | None = None) -> Manifest:
        """All the steps in order; the partial directory is removed if one fails."""
        self.begin()
        try:
            self.snapshot_database()
            self.copy_files(progress)
            return self.seal()
        except BaseException:
            self.abandon()
            raise


def take_backup(database_url: str, files_dir: Path, destination: Path, progress: Progress | None = None,
                temporal_db: Path | None = None) -> Manifest:
    """Take a consistent backup of the database and the file store into ``destination``."""
    return BackupWriter(database_url, files_dir, destination, temporal_db).take(progress)


# --- verifying ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One thing wrong with a backup: a ``kind`` (see ``wording.PROBLEMS``) and what it is about."""

    kind: str
    subject: str
    detail: str = ""


@dataclass
class Verification:
    """The result of checking a backup: its manifest (if readable), the files checked, the problems."""

    manifest: Manifest | None
    checked: int = 0
    referenced: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_backup(root: Path, progress: Progress | None = None) -> Verification:
    """Re-check every checksum, and that every file row of the database copy has its blob."""
    try:
        manifest = read_manifest(root)
    except ManifestInvalid as error:
        kind = "manifest_missing" if str(error) == "missing" else "manifest_invalid"
        return Verification(None, problems=[Problem(kind, MANIFEST, str(error))])
    result = Verification(manifest)
    for relative, expected in manifest.checksums.items():
        path = root / relative
        if not path.is_file():
            result.problems.append(Problem("file_missing", relative))
            continue
        actual = sha256_file(path)
        result.checked += 1
        if progress is not None:
            progress(result.checked)
        if actual != expected:
            result.problems.append(Problem("checksum_mismatch", relative))
        elif blob_digest(relative) not in (None, actual):
            result.problems.append(Problem("blob_misnamed", relative))
    for relative in sorted(set(files_on_disk(root)) - set(manifest.checksums)):
        if not Path(relative).name.startswith("."):
            result.problems.append(Problem("file_unlisted", relative))
    copy_broken = any(p.subject == manifest.database for p in result.problems)
    if not copy_broken:
        copy = root / manifest.database
        try:
            referenced = database.referenced_blobs(manifest.backend, copy)
            revision = database.schema_revision(manifest.backend, copy)
        except (DomainError, OSError) as error:  # an unreadable copy (or no pg_restore to read it)
            result.problems.append(Problem("database_unreadable", manifest.database, _detail(error)))
        else:
            result.referenced = len(referenced)
            result.problems += [Problem("row_without_blob", digest) for digest in sorted(referenced)
                                if blob_path(digest) not in manifest.checksums]
            if revision != manifest.schema_revision:
                result.problems.append(Problem("revision_mismatch", manifest.database, str(revision)))
    return result


def _detail(error: BaseException) -> str:
    if isinstance(error, DomainError):
        return str(error.params.get("detail", error.code))
    return str(error)


# --- restoring ---------------------------------------------------------------------------------

def restore_backup(database_url: str, files_dir: Path, source: Path, known_revisions: Sequence[str],
                   temporal_db: Path | None = None) -> Manifest:
    """Restore a verified backup onto an empty installation; refuse (changing nothing) otherwise.

    ``known_revisions`` are the code's Alembic revisions, oldest first: a backup from a newer
    schema is refused; an older one is restored and the caller migrates it to the newest.
    The blobs are staged inside the file store first and moved into place only after the
    database is in, so a failed restore leaves the store as empty as it was. The embedded
    Temporal server's file, if the backup has one, is written to ``temporal_db`` when no file is
    there yet (the caller says so otherwise: a running server's state is not replaced).
    """
    verification = verify_backup(source)
    if not verification.ok:
        raise DomainError("restore_backup_invalid", path=str(source), count=len(verification.problems),
                          first=describe_problem(verification.problems[0]))
    manifest = verification.manifest
    assert manifest is not None
    if manifest.schema_revision not in known_revisions:
        raise DomainError("restore_schema_newer", revision=str(manifest.schema_revision),
                          head=known_revisions[-1] if known_revisions else "?")
    backend = database.backend_of(database_url)
    if backend != manifest.backend:
        raise DomainError("restore_backend_mismatch", backup=manifest.backend, target=backend)
    documents, users = _target_rows(database_url, backend)
    if documents or users:
        raise DomainError("restore_target_not_empty", documents=documents, users=users)
    store = FileStore(files_dir)
    present = sum(1 for _ in store.digests())
    if present:
        raise DomainError("restore_files_not_empty", path=str(files_dir), count=present)
    if backend == "postgresql" and manifest.tool_version:
        version = database.tool_version("pg_restore")
        if database.major(version) < database.major(manifest.tool_version):
            raise DomainError("backup_tool_too_old", tool="pg_restore", client=version,
                              server=database.major(manifest.tool_version),
                              package=f"{database.POSTGRES_TOOLS_PACKAGE}-{database.major(manifest.tool_version)}")

    staging = files_dir / f".restore-{os.getpid()}"
    staged = FileStore(staging)
    try:
        for relative in manifest.checksums:
            digest = blob_digest(relative)
            if digest is not None and _copy_checked(source / relative, staged.path_for(digest), digest) != digest:
                raise DomainError("restore_backup_invalid", path=str(source), count=1,
                                  first=describe_problem(Problem("checksum_mismatch", relative)))
        copy = source / manifest.database
        if backend == "sqlite":
            database.restore_sqlite(copy, database_url)
        else:
            database.restore_postgres(copy, database_url)
        for digest in list(staged.digests()):
            target = store.path_for(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged.path_for(digest), target)
        if temporal_db is not None and TEMPORAL_COPY in manifest.checksums and not temporal_db.exists():
            temporal_db.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / TEMPORAL_COPY, temporal_db)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _target_rows(database_url: str, backend: str) -> tuple[int, int]:
    """(documents, users) of the target; an SQLite file that does not exist yet is empty (and stays absent)."""
    if backend == "sqlite" and not database.sqlite_path(database_url).exists():
        return 0, 0
    engine = make_engine(database_url)
    try:
        with reading(engine) as session:
            return installation_rows(session)
    finally:
        engine.dispose()


# --- daily copies ------------------------------------------------------------------------------

def daily_name(day: date) -> str:
    """The name of the day's backup: ``qlvb-YYYY-MM-DD`` (one a day, so retries find it)."""
    return f"qlvb-{day.isoformat()}"


def completed(root: Path) -> Manifest | None:
    """The manifest of a complete backup at ``root``, or None."""
    try:
        return read_manifest(root)
    except ManifestInvalid:
        return None


def prune(backup_dir: Path, keep: int) -> list[str]:
    """Keep the ``keep`` newest complete daily backups, delete older ones and stale partial ones.

    Only directories named like a daily backup are considered; nothing else in the directory is
    touched. Returns the names removed, oldest first.
    """
    if keep < 1:
        raise DomainError("backup_keep_invalid", keep=keep)
    daily = sorted(entry.name for entry in backup_dir.iterdir()
                   if entry.is_dir() and DAILY_NAME.fullmatch(entry.name) and (entry / MANIFEST).is_file())
    removed = daily[:-keep]
    for name in removed:
        shutil.rmtree(backup_dir / name)
    newest = daily[-1] if daily else ""
    for entry in backup_dir.iterdir():  # a crashed attempt of an earlier day
        name = entry.name.removeprefix(".").removesuffix(PARTIAL_SUFFIX)
        if (entry.is_dir() and entry.name.startswith(".") and entry.name.endswith(PARTIAL_SUFFIX)
                and DAILY_NAME.fullmatch(name) and name < newest):
            shutil.rmtree(entry)
    return removed
