"""Backup and restore (``models/backup``, ``qlvb backup``/``verify``/``restore``).

A backup taken while documents keep arriving restores into a fresh installation with every
document's file, every checksum matching; ``verify`` finds a corrupted and a missing blob; a
restore onto an installation that is not empty is refused and changes nothing; the daily copies
keep the newest N.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import func, select
from temporalio.testing import ActivityEnvironment

import cli
import models.all  # noqa: F401
from activities.backup import BackupActivities
from cli.backup import schema_revisions
from config.settings import Settings, get_settings
from models.backup.archive import BackupWriter, prune, restore_backup, take_backup, verify_backup
from models.backup.database import check_client_for_server
from models.backup.manifest import MANIFEST, blob_path
from models.db import make_engine, reading, transaction
from models.documents.file_store import FileStore
from models.documents.repo import store_file
from models.documents.tables import Document, DocumentFile, StoredFile
from models.errors import DomainError
from models.org.tables import User
from models.seed.data import USERS as DEMO_USERS
from models.seed.demo import seed_demo
from tests.conftest import DEMO_PASSWORD, _postgres_dsn, minimal_pdf, postgres_test_url
from tests.helpers import upload
from workflows.backup_contracts import DailyBackupInput

ROOT = Path(__file__).resolve().parents[2]
ARRIVING_DURING_COPY = 3


def _migrate(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


def _empty_postgres(url: str) -> None:
    """Create the database if needed and leave it with an empty public schema."""
    parsed = make_url(url)
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": parsed.database}).first():
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _database_pair(backend: str, tmp_path: Path) -> tuple[str, str]:
    """URLs of a source and a target database, both empty."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'source' / 'qlvb.db'}", f"sqlite:///{tmp_path / 'target' / 'qlvb.db'}"
    if not postgres_test_url() or shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("needs TEST_DATABASE_URL and pg_dump/pg_restore")
    source = _postgres_dsn(postgres_test_url())
    parsed = make_url(source)
    target = parsed.set(database=f"{parsed.database}_restored").render_as_string(hide_password=False)
    for url in (source, target):
        _empty_postgres(url)
    return source, target


def _installation(var_dir: Path, url: str, **settings) -> Settings:
    """A migrated, seeded installation."""
    var_dir.mkdir(parents=True, exist_ok=True)
    _migrate(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        seed_demo(session, DEMO_PASSWORD)
    engine.dispose()
    return Settings(var_dir=var_dir, database_url=url, temporal_task_queue=f"test-{uuid.uuid4()}", **settings)


def _sqlite_settings(var_dir: Path) -> Settings:
    """Settings of an installation on its own SQLite file, whatever the environment says."""
    return Settings(var_dir=var_dir, database_url=f"sqlite:///{var_dir / 'qlvb.db'}")


def _point_cli_at(monkeypatch, settings: Settings) -> None:
    monkeypatch.setenv("QLVB_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    with reading(engine) as session:
        counts = tuple(session.exec(select(func.count()).select_from(table)).one()
                       for table in (Document, StoredFile, User))
    engine.dispose()
    return counts


def _every_document_has_its_file(url: str, files_dir: Path) -> int:
    """Check every file a document names is in the store with matching bytes; return the documents."""
    engine = make_engine(url)
    store = FileStore(files_dir)
    with reading(engine) as session:
        documents = list(session.exec(select(Document.file_id)))
        named = set(documents) | set(session.exec(select(DocumentFile.file_id)))
        files = dict(session.exec(select(StoredFile.id, StoredFile.sha256)).all())
    engine.dispose()
    assert None not in named and named <= set(files)
    for digest in files.values():
        assert _sha256(store.path_for(digest)) == digest
    return len(documents)


# --- the backup of a running installation ---------------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_backup_taken_while_documents_arrive_restores_every_document_with_its_file(
        backend, tmp_path, temporal_env, monkeypatch, capsys):
    source_url, target_url = _database_pair(backend, tmp_path)
    source = _installation(tmp_path / "source", source_url)
    engine = make_engine(source.effective_database_url)
    client = temporal_env.client
    for number in range(12):
        await upload(engine, client, source, minimal_pdf(text_line=f"Truoc sao luu {number}"),
                     code_number=str(number + 1))

    received: list[str] = []
    stop = asyncio.Event()

    async def keep_receiving(lane: int) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            document = await upload(engine, client, source, minimal_pdf(text_line=f"Luong {lane} so {number}"),
                                    code_number=f"{lane}{number:04d}")
            received.append(document.id)

    def after_each_blob(copied: int) -> None:
        # The database is copied; the copy of the blobs waits until more documents have arrived, so
        # rows and blobs written between the snapshot and the end of the copy are certainly there.
        if copied == 1:
            arrived = len(received)
            done = threading.Event()
            while len(received) < arrived + ARRIVING_DURING_COPY and not done.wait(0.05):
                pass

    receivers = [asyncio.create_task(keep_receiving(lane)) for lane in range(3)]
    while len(received) < 3:  # the backup starts while documents are arriving
        await asyncio.sleep(0.05)
    destination = tmp_path / "backups" / "today"
    manifest = await asyncio.to_thread(take_backup, source.effective_database_url, source.files_dir, destination,
                                       after_each_blob)
    stop.set()
    await asyncio.gather(*receivers)
    engine.dispose()

    documents_now, files_now, _ = _counts(source.effective_database_url)
    assert manifest.documents >= 12 + 3
    assert documents_now >= manifest.documents + ARRIVING_DURING_COPY  # these arrived after the snapshot
    assert manifest.files >= manifest.documents and manifest.blobs >= manifest.files
    assert manifest.schema_revision == schema_revisions()[-1]
    assert manifest.backend == backend.replace("postgres", "postgresql")
    assert verify_backup(destination).ok

    target = Settings(var_dir=tmp_path / "target", database_url=target_url)
    target.var_dir.mkdir(parents=True, exist_ok=True)
    _migrate(target.effective_database_url)  # a fresh installation: migrated, nothing in it
    _point_cli_at(monkeypatch, target)
    assert cli.main(["backup", "verify", str(destination)]) == 0
    assert "hợp lệ" in capsys.readouterr().out
    assert cli.main(["restore", str(destination)]) == 0
    assert "Đã phục hồi" in capsys.readouterr().out

    assert _counts(target.effective_database_url)[:2] == (manifest.documents, manifest.files)
    assert _every_document_has_its_file(target.effective_database_url, target.files_dir) == manifest.documents
    for relative, digest in manifest.checksums.items():
        if relative.startswith("files/"):
            assert _sha256(target.files_dir / relative.removeprefix("files/")) == digest
    assert sorted(FileStore(target.files_dir).digests()) == sorted(
        name.rsplit("/", 1)[1] for name in manifest.checksums if name.startswith("files/"))


# --- verify ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_installation(tmp_path_factory) -> Settings:
    """A SQLite installation with five file rows (and one blob no row names)."""
    base = tmp_path_factory.mktemp("small")
    settings = _installation(base / "var", f"sqlite:///{base / 'var' / 'qlvb.db'}")
    store, engine = FileStore(settings.files_dir), make_engine(settings.effective_database_url)
    with transaction(engine) as session:
        for number in range(5):
            data = minimal_pdf(text_line=f"Tep {number}")
            store_file(session, sha256=store.put(data), size=len(data), content_type="application/pdf",
                       filename=f"tep-{number}.pdf", user_id=None)
    store.put(b"a blob no row names")
    engine.dispose()
    return settings


@pytest.fixture(scope="module")
def small_backup(small_installation, tmp_path_factory) -> Path:
    """The small installation, backed up once."""
    settings = small_installation
    destination = tmp_path_factory.mktemp("small-backup") / "backup"
    manifest = take_backup(settings.effective_database_url, settings.files_dir, destination)
    assert (manifest.files, manifest.blobs) == (5, 6)
    assert manifest.snapshot_at and manifest.snapshot_at <= manifest.created_at
    return destination


@pytest.fixture
def backup_copy(small_backup, tmp_path) -> Path:
    copy = tmp_path / "backup"
    shutil.copytree(small_backup, copy)
    return copy


def _referenced_blobs(root: Path) -> list[str]:
    manifest = json.loads((root / MANIFEST).read_text())
    import sqlite3

    connection = sqlite3.connect(root / manifest["database"])
    digests = [row[0] for row in connection.execute("SELECT sha256 FROM storedfile ORDER BY id")]
    connection.close()
    return digests


def test_verify_passes_an_intact_backup(backup_copy, var_dir_for_cli, capsys):
    assert cli.main(["backup", "verify", str(backup_copy)]) == 0
    out = capsys.readouterr().out
    assert "7 tệp khớp tổng kiểm SHA-256" in out and "5 tệp mà cơ sở dữ liệu tham chiếu" in out


def test_verify_finds_a_corrupted_blob_and_a_missing_blob(backup_copy, var_dir_for_cli, capsys):
    corrupted, missing = _referenced_blobs(backup_copy)[:2]
    with open(backup_copy / blob_path(corrupted), "r+b") as handle:
        handle.seek(100)
        handle.write(b"X")  # one byte changed, same size
    (backup_copy / blob_path(missing)).unlink()

    assert cli.main(["backup", "verify", str(backup_copy)]) == 1
    err = capsys.readouterr().err
    assert "KHÔNG hợp lệ: 2 lỗi" in err
    assert f"Tệp «{blob_path(corrupted)}» bị hỏng" in err
    assert f"Thiếu tệp «{blob_path(missing)}»" in err


def test_verify_finds_a_row_whose_blob_is_not_in_the_backup_even_when_the_manifest_agrees(backup_copy,
                                                                                             var_dir_for_cli, capsys):
    gone = _referenced_blobs(backup_copy)[3]
    (backup_copy / blob_path(gone)).unlink()
    manifest = json.loads((backup_copy / MANIFEST).read_text())
    del manifest["checksums"][blob_path(gone)]
    (backup_copy / MANIFEST).write_text(json.dumps(manifest))

    assert cli.main(["backup", "verify", str(backup_copy)]) == 1
    err = capsys.readouterr().err
    assert f"Cơ sở dữ liệu tham chiếu tệp {gone} nhưng bản sao lưu không có tệp này" in err


def test_verify_finds_a_changed_database_copy_and_a_missing_manifest(backup_copy, var_dir_for_cli, capsys):
    with open(backup_copy / "database" / "qlvb.sqlite3", "ab") as handle:
        handle.write(b"\0")
    result = verify_backup(backup_copy)
    assert [(p.kind, p.subject) for p in result.problems] == [("checksum_mismatch", "database/qlvb.sqlite3")]
    (backup_copy / MANIFEST).unlink()
    assert cli.main(["backup", "verify", str(backup_copy)]) == 1
    assert "Không có bản kê manifest.json" in capsys.readouterr().err


@pytest.fixture
def var_dir_for_cli(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("QLVB_VAR_DIR", str(tmp_path / "cli-var"))
    for name in ("DATABASE_URL", "QLVB_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    return tmp_path / "cli-var"


# --- restore refusals ----------------------------------------------------------------------------------

def _state(settings: Settings) -> tuple:
    """What a refused restore must leave exactly as it was: the database file and the store."""
    database = Path(make_url(settings.effective_database_url).database)
    store = sorted(str(p.relative_to(settings.var_dir)) for p in settings.files_dir.rglob("*")) \
        if settings.files_dir.exists() else []
    return (database.exists() and _sha256(database)), store


def test_restore_onto_an_installation_with_accounts_is_refused_and_changes_nothing(backup_copy, tmp_path,
                                                                                   monkeypatch, capsys):
    target = _installation(tmp_path / "target", f"sqlite:///{tmp_path / 'target' / 'qlvb.db'}")
    before = _state(target)
    _point_cli_at(monkeypatch, target)
    assert cli.main(["restore", str(backup_copy)]) == 2
    assert f"Cơ sở dữ liệu đích đã có dữ liệu (0 văn bản, {len(DEMO_USERS)} tài khoản)" in capsys.readouterr().err
    assert _state(target) == before
    assert _counts(target.effective_database_url) == (0, 0, len(DEMO_USERS))


def test_restore_onto_a_non_empty_file_store_is_refused_and_creates_no_database(backup_copy, tmp_path,
                                                                                 monkeypatch, capsys):
    target = _sqlite_settings(tmp_path / "target")
    FileStore(target.files_dir).put(b"left from another installation")
    before = _state(target)
    _point_cli_at(monkeypatch, target)
    assert cli.main(["restore", str(backup_copy)]) == 2
    assert "Kho tệp đích" in capsys.readouterr().err
    assert _state(target) == before
    assert before[0] is False  # no database file was created


def test_restore_refuses_a_backup_that_fails_verification_or_comes_from_newer_code(backup_copy, tmp_path,
                                                                                   monkeypatch, capsys):
    target = _sqlite_settings(tmp_path / "target")
    with pytest.raises(DomainError) as newer:
        restore_backup(target.effective_database_url, target.files_dir, backup_copy, schema_revisions()[:-1])
    assert newer.value.code == "restore_schema_newer"

    (backup_copy / blob_path(_referenced_blobs(backup_copy)[0])).write_bytes(b"tampered")
    _point_cli_at(monkeypatch, target)
    assert cli.main(["restore", str(backup_copy)]) == 2
    assert "không hợp lệ (1 lỗi), không phục hồi" in capsys.readouterr().err
    assert _state(target) == (False, [])


def test_a_backup_refuses_a_destination_that_already_holds_something(backup_copy, tmp_path):
    with pytest.raises(DomainError) as refused:
        BackupWriter("sqlite:///unused.db", tmp_path / "files", backup_copy).begin()
    assert refused.value.code == "backup_destination_not_empty"
    assert not list(backup_copy.parent.glob(".*.partial"))


# --- retention ------------------------------------------------------------------------------------------

def test_retention_keeps_the_newest_copies_and_nothing_else_is_touched(small_backup, tmp_path):
    backups = tmp_path / "daily"
    backups.mkdir()
    for day in ("2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"):
        shutil.copytree(small_backup, backups / f"qlvb-{day}")
    (backups / ".qlvb-2026-11-27.partial").mkdir()  # a crashed attempt of an earlier day
    (backups / "qlvb-2026-11-20").mkdir()  # no manifest: not a complete backup, not ours to count
    (backups / "operator-notes").mkdir()

    assert prune(backups, 2) == ["qlvb-2026-11-28", "qlvb-2026-11-29"]
    assert sorted(os.listdir(backups)) == ["operator-notes", "qlvb-2026-11-20", "qlvb-2026-11-30", "qlvb-2026-12-01"]
    assert verify_backup(backups / "qlvb-2026-12-01").ok
    assert prune(backups, 2) == []
    with pytest.raises(DomainError):
        prune(backups, 0)


# --- the embedded Temporal server's state -----------------------------------------------------------------

def test_the_embedded_temporal_state_is_backed_up_and_restored_into_a_fresh_installation(tmp_path, monkeypatch,
                                                                                           capsys):
    import sqlite3

    source = _installation(tmp_path / "source", f"sqlite:///{tmp_path / 'source' / 'qlvb.db'}")
    temporal = sqlite3.connect(source.temporal_dev_db)  # stands for the dev server's file, open meanwhile
    temporal.execute("PRAGMA journal_mode=WAL")
    temporal.execute("CREATE TABLE executions (workflow_id TEXT)")
    temporal.execute("INSERT INTO executions VALUES ('incoming-1'), ('incoming-2')")
    temporal.commit()
    _point_cli_at(monkeypatch, source)
    assert cli.main(["backup", str(tmp_path / "backup")]) == 0
    temporal.execute("INSERT INTO executions VALUES ('incoming-3')")  # after the backup: not in it
    temporal.commit()
    temporal.close()
    assert "Trạng thái Temporal của máy chủ nhúng" in capsys.readouterr().out

    fresh = _sqlite_settings(tmp_path / "fresh")
    _point_cli_at(monkeypatch, fresh)
    assert cli.main(["restore", str(tmp_path / "backup")]) == 0
    assert "Đã phục hồi trạng thái Temporal" in capsys.readouterr().out
    restored = sqlite3.connect(fresh.temporal_dev_db)
    assert [row[0] for row in restored.execute("SELECT workflow_id FROM executions")] == ["incoming-1", "incoming-2"]
    restored.close()

    running = _sqlite_settings(tmp_path / "running")  # a server already has its own file: left alone
    running.var_dir.mkdir()
    running.temporal_dev_db.write_bytes(b"its own state")
    _point_cli_at(monkeypatch, running)
    assert cli.main(["restore", str(tmp_path / "backup")]) == 0
    assert "Chưa phục hồi trạng thái Temporal" in capsys.readouterr().out
    assert running.temporal_dev_db.read_bytes() == b"its own state"


# --- the daily activity ------------------------------------------------------------------------------------

def test_the_daily_activity_heartbeats_while_it_copies_and_takes_a_name_once(small_installation, tmp_path):
    settings = small_installation.model_copy(update={"backup_dir": tmp_path / "daily", "backup_keep": 1})
    (tmp_path / "daily" / ".qlvb-2026-12-04.partial").mkdir(parents=True)  # this day's crashed attempt
    activities = BackupActivities(make_engine(settings.effective_database_url), settings)
    environment = ActivityEnvironment()
    beats: list[tuple] = []
    environment.on_heartbeat = lambda *details: beats.append(details)

    first = environment.run(activities.take_daily_backup, DailyBackupInput("qlvb-2026-12-04"))
    assert (first.files, first.blobs, first.already_taken) == (5, 6, False)
    assert [beat for beat in beats if beat[1] == "files"] == [("qlvb-2026-12-04", "files", n) for n in range(1, 7)]
    assert os.listdir(tmp_path / "daily") == ["qlvb-2026-12-04"]  # the partial attempt was replaced

    beats.clear()
    again = environment.run(activities.take_daily_backup, DailyBackupInput("qlvb-2026-12-04"))
    assert again.already_taken and beats == []
    later = environment.run(activities.take_daily_backup, DailyBackupInput("qlvb-2026-12-05"))
    assert later.removed == ["qlvb-2026-12-04"]
    assert os.listdir(tmp_path / "daily") == ["qlvb-2026-12-05"]


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump")
def test_a_pg_dump_older_than_the_server_is_refused_naming_the_package():
    with pytest.raises(DomainError) as refused:
        check_client_for_server("pg_dump", 990004)  # PostgreSQL 99.4
    assert refused.value.code == "backup_tool_too_old"
    assert refused.value.params["package"] == "postgresql-client-99"
    assert check_client_for_server("pg_dump", 90600)  # an older server is fine: its version is returned
