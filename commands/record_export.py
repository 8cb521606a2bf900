"""Exporting a hồ sơ (F-III.4.g): asking the worker for a package, following it, downloading it;
and API v1's export built in the request.

Only a person who may see the hồ sơ (``models.records.repo.record_for_user``) may export it; a
disposed hồ sơ has no files left to export. Every step is audited on the hồ sơ: the request
(``record.export_requested``), the package built (``record.exported``, by the worker), and each
download of it (``record.downloaded``, which the hồ sơ's access counts include, F-III.6.a).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.service import RPCError

from commands import record_package
from config.settings import Settings
from models import audit
from models.db import reading, transaction, utcnow
from models.documents.file_store import FileStore
from models.errors import DomainError, NotFound
from models.org.tables import User
from models.records import export_plan, export_repo
from models.records import repo as record_repo
from models.records.bag import ExportBuildFailed, Progress
from models.records.bag_zip import write_bag_zip
from models.records.export import ExportStatus, PreparedPackage, RecordExport
from models.records.tables import RecordFile, RecordStatus
from models.registers.numbering import vietnam_date
from models.vocab import Role
from workflows.starter import start_record_export

log = logging.getLogger("qlvb.records.export")
REQUESTED, EXPORTED, FAILED = "record.export_requested", "record.exported", "record.export_failed"


@dataclass
class Package:
    """A built package ready to send: the zip of its bag and the export it belongs to."""

    export_id: str
    path: Path
    package: PreparedPackage | None = None  # what it holds, when it was built in this request

    @property
    def filename(self) -> str:
        """The zip's name for the browser."""
        return self.path.name


def exportable(session, user: User, roles: set[Role], record_id: int) -> RecordFile:
    """The hồ sơ if this person may export it: seen by them (else 404) and not disposed."""
    record = record_repo.record_for_user(session, user, roles, record_id, vietnam_date(utcnow()))
    if record.status == RecordStatus.DISPOSED:
        raise DomainError("record_export_disposed")
    return record


async def request_export(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                         record_id: int) -> str:
    """Ask for a package of the hồ sơ; return the export's id (the page then polls its progress).

    1. One transaction: the ``record_export`` row (pending) and ``record.export_requested``;
       packages older than ``QLVB_EXPORT_KEEP_HOURS`` are removed.
    2. After the commit, the ``RecordExport`` workflow (``xuathoso-<id>``) is started. When
       Temporal cannot be reached the row is marked failed, so the page says so and the person may
       ask again.
    """
    export_id = await asyncio.to_thread(_create, engine, settings, user, roles, record_id, "web")
    try:
        await start_record_export(client, settings.temporal_task_queue, export_id)
    except RPCError:
        log.warning("export %s of hồ sơ %s not started", export_id, record_id, exc_info=True)
        await asyncio.to_thread(_not_started, engine, export_id)
    return export_id


def _create(engine: Engine, settings: Settings, user: User, roles: set[Role], record_id: int, via: str) -> str:
    with transaction(engine) as session:
        record = exportable(session, user, roles, record_id)
        export = RecordExport(id=str(uuid.uuid4()), record_id=record.id, requested_by=user.id, via=via)
        session.add(export)
        audit.record(session, user.id, REQUESTED, "record", record.id, export=export.id, via=via)
        export_plan.prune(session, settings.exports_dir, timedelta(hours=settings.export_keep_hours))
        return export.id


def _not_started(engine: Engine, export_id: str) -> None:
    with transaction(engine) as session:
        export = export_repo.export(session, export_id, for_update=True)
        if export is not None and export.status == ExportStatus.PENDING:
            export_plan.failed(export, "record_export_not_started")
            session.add(export)


def export_of(session, user: User, roles: set[Role], record_id: int, export_id: str) -> RecordExport:
    """One of this person's exports of a hồ sơ they may see (404 otherwise, alike)."""
    record_repo.record_for_user(session, user, roles, record_id, vietnam_date(utcnow()))
    export = export_repo.export(session, export_id)
    if export is None or export.record_id != record_id or export.requested_by != user.id:
        raise NotFound("record_export_not_found")
    return export


def latest_export(session, user: User, roles: set[Role], record_id: int) -> RecordExport | None:
    """This person's latest export of a hồ sơ they may see (the page's export box shows it)."""
    record_repo.record_for_user(session, user, roles, record_id, vietnam_date(utcnow()))
    found = export_repo.latest_exports(session, record_id, user.id, limit=1)
    return found[0] if found else None


def download(engine: Engine, settings: Settings, *, user: User, roles: set[Role], record_id: int,
             export_id: str, via: str = "web") -> Package:
    """A finished package of this person's, recorded as a download of the hồ sơ (``record.downloaded``)."""
    with reading(engine) as session:
        path = _zip_file(settings, export_of(session, user, roles, record_id, export_id))
    with transaction(engine) as session:
        audit.record(session, user.id, record_repo.DOWNLOADED, "record", record_id, via=via, export=export_id)
    return Package(export_id, path)


def _zip_file(settings: Settings, export: RecordExport) -> Path:
    if export.status != ExportStatus.DONE or export.removed_at is not None:
        raise NotFound("record_export_not_ready")
    folder = settings.exports_dir / export.id
    found = sorted(folder.glob("*.zip")) if folder.is_dir() else []
    if len(found) != 1:
        raise NotFound("record_export_not_ready")
    return found[0]


def build_zip(engine: Engine, store: FileStore, settings: Settings, export_id: str, record_id: int, *,
              actor_id: int | None, on_progress: Progress) -> tuple[PreparedPackage, Path]:
    """The zip of one export in ``exports/<export id>/``: the hồ sơ's package prepared (once per
    state, ``commands.record_package``), then its stored files written into the bag's zip."""
    folder = settings.exports_dir / export_id
    shutil.rmtree(folder, ignore_errors=True)  # what an attempt cut short left
    package = record_package.prepare(engine, store, settings, record_id, work=folder / "work",
                                     on_progress=on_progress, actor_id=actor_id)
    with reading(engine) as session:
        name, bag_info = export_plan.bag_naming(session, record_repo.get(session, record_id), export_id)
    target = folder / f"{name}.zip"
    write_bag_zip(store, package, name, bag_info, target, on_progress)
    return package, target


def export_now(engine: Engine, settings: Settings, store: FileStore, *, user: User, roles: set[Role],
               record_id: int, via: str = "api", on_progress: Progress | None = None) -> Package:
    """Build a package in the request (API v1 ``GET …/export``) and record it as a download.

    The same steps as the worker's ``export_record`` without its progress row (``on_progress`` gets
    the build's steps, if given); the caller sends the package and then calls ``discard``. A failed
    build marks the row failed and raises its refusal (``record_export_file_missing``,
    ``record_export_failed``).
    """
    export_id = _create(engine, settings, user, roles, record_id, via)
    try:
        package, path = build_zip(engine, store, settings, export_id, record_id, actor_id=user.id,
                                  on_progress=on_progress or (lambda *_: None))
    except ExportBuildFailed as error:
        with transaction(engine) as session:
            export = export_repo.export(session, export_id, for_update=True)
            export_plan.failed(export, error.code)
            session.add(export)
            audit.record(session, user.id, FAILED, "record", record_id, export=export_id, error=error.code,
                         **{k: str(v) for k, v in error.params.items()})
        shutil.rmtree(settings.exports_dir / export_id, ignore_errors=True)
        raise
    with transaction(engine) as session:
        export = export_repo.export(session, export_id, for_update=True)
        export_plan.record_done(export, package, path.stat().st_size)
        session.add(export)
        audit.record(session, user.id, EXPORTED, "record", record_id, export=export_id, documents=package.documents,
                     pages=package.pages, size=export.size, preservation_failed=package.preservation_failed)
        audit.record(session, user.id, record_repo.DOWNLOADED, "record", record_id, via=via, export=export_id)
    return Package(export_id, path, package)


def discard(engine: Engine, settings: Settings, export_id: str) -> None:
    """Remove a package sent once (API v1) from disk; its row stays, marked removed."""
    shutil.rmtree(settings.exports_dir / export_id, ignore_errors=True)
    with transaction(engine) as session:
        export = export_repo.export(session, export_id, for_update=True)
        if export is not None and export.removed_at is None:
            export.removed_at = utcnow()
            session.add(export)
