"""Preparing a hồ sơ's package once per state (``models.records.package_repo``), for the hồ sơ's
workflow when it is closed or corrected and for an export that finds none prepared.

Its transactions are short: the state read (and the plan, when there is something to prepare);
no transaction held while the child process builds (``models.records.bag.run_build``); what it
stored kept with its audit event (``record.package_prepared``). Two preparations of one state at
once both build; the first to keep its listing wins and the other's blobs are the same files
(content-addressed) or unused ones.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from config.settings import Settings
from models.db import reading, transaction
from models.documents.file_store import FileStore
from models.errors import NotFound
from models.records import export_plan, package_repo
from models.records import repo as record_repo
from models.records.bag import Progress, run_build
from models.records.export import PreparedPackage


def current_package(engine: Engine, store: FileStore, record_id: int) -> tuple[str, PreparedPackage | None]:
    """The fingerprint of the hồ sơ as it is now, and its package if one is prepared."""
    with reading(engine) as session:
        record = record_repo.get(session, record_id)
        if record is None:
            raise NotFound("record_not_found")
        digest = package_repo.fingerprint(session, record)
        return digest, package_repo.prepared(session, store, digest)


def prepare(engine: Engine, store: FileStore, settings: Settings, record_id: int, *, work: Path,
            on_progress: Progress | None = None, actor_id: int | None = None) -> PreparedPackage:
    """The package of the hồ sơ as it is now, prepared in the scratch folder ``work`` unless it was
    before. Raises ``ExportBuildFailed`` (``record_export_file_missing``, ``record_export_failed``)."""
    digest, found = current_package(engine, store, record_id)
    if found is not None:
        return found
    with reading(engine) as session:
        plan = export_plan.gather_plan(session, record_repo.get(session, record_id), digest, store.root,
                                       settings.preservation_jobs)
    plan.export_id = plan.fingerprint  # the XML's <Export id> names the state the package shows
    result = run_build(plan, work, on_progress or (lambda *_: None))
    with transaction(engine) as session:
        package_repo.keep(session, record_id, plan, result, actor_id)
    return PreparedPackage.from_json(store.read(result.listing["sha256"]))
