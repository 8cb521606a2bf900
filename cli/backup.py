"""``qlvb backup DEST``, ``qlvb backup verify DEST`` and ``qlvb restore DEST``.

The work is ``models.backup.archive``; this module says what happens, in Vietnamese, and exits
non-zero on a refusal (2) or a backup that fails verification (1).
"""

from __future__ import annotations

from pathlib import Path

from cli.wording import complain, say
from config.settings import Settings
from models.backup.manifest import TEMPORAL_COPY
from models.errors import DomainError

SHOWN_PROBLEMS = 10


def cmd_backup(args, settings: Settings) -> int:
    """``qlvb backup DEST`` or ``qlvb backup verify DEST``."""
    words = list(args.words)
    if words[0] == "verify" and len(words) == 2:
        return _verify(Path(words[1]))
    if len(words) != 1:
        complain("Cách dùng: qlvb backup THƯ_MỤC  hoặc  qlvb backup verify THƯ_MỤC")
        return 2
    return _refusing(_backup, Path(words[0]), settings)


def cmd_restore(args, settings: Settings) -> int:
    """``qlvb restore DEST``: onto an empty installation only."""
    return _refusing(_restore, Path(args.source), settings)


def _refusing(command, *args) -> int:
    from models.backup.wording import describe

    try:
        return command(*args)
    except DomainError as error:
        complain(f"Lỗi: {describe(error)}")
        return 2


def _backup(destination: Path, settings: Settings) -> int:
    from models.backup.archive import BackupWriter

    writer = BackupWriter(settings.effective_database_url, settings.files_dir, destination, settings.temporal_dev_db)
    writer.begin()
    try:
        say("Đang sao lưu cơ sở dữ liệu…")
        writer.snapshot_database()
        say("Đang sao chép kho tệp…")
        writer.copy_files(_every_thousand)
        manifest = writer.seal()
    except BaseException:
        writer.abandon()
        raise
    if TEMPORAL_COPY in manifest.checksums:
        say(f"Trạng thái Temporal của máy chủ nhúng ({settings.temporal_dev_db}) đã được sao lưu kèm.")
    say(f"Đã sao lưu vào «{destination}»: {manifest.documents} văn bản, {manifest.files} bản ghi tệp, "
        f"{manifest.blobs} tệp trong kho; lược đồ {manifest.schema_revision}; QLVB {manifest.product_version}.")
    say(f"Kiểm tra lại bất cứ lúc nào bằng «qlvb backup verify {destination}».")
    return 0


def _every_thousand(copied: int) -> None:
    if copied % 1000 == 0:
        say(f"  đã sao chép {copied} tệp…")


def _verify(root: Path) -> int:
    from models.backup.archive import verify_backup
    from models.backup.wording import describe_problem

    result = verify_backup(root)
    if not result.ok:
        complain(f"Bản sao lưu «{root}» KHÔNG hợp lệ: {len(result.problems)} lỗi.")
        for problem in result.problems[:SHOWN_PROBLEMS]:
            complain(f"  - {describe_problem(problem)}")
        if len(result.problems) > SHOWN_PROBLEMS:
            complain(f"  … và {len(result.problems) - SHOWN_PROBLEMS} lỗi khác.")
        return 1
    manifest = result.manifest
    say(f"Bản sao lưu «{root}» hợp lệ: {result.checked} tệp khớp tổng kiểm SHA-256; "
        f"{result.referenced} tệp mà cơ sở dữ liệu tham chiếu đều có trong bản sao lưu.")
    say(f"Thời điểm {manifest.created_at}, QLVB {manifest.product_version}, lược đồ {manifest.schema_revision}, "
        f"{manifest.documents} văn bản, {manifest.files} bản ghi tệp.")
    return 0


def schema_revisions() -> list[str]:
    """The code's Alembic revisions, oldest first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from devservers.launcher import ROOT

    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from devservers.launcher import ROOT

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


def _restore(source: Path, settings: Settings) -> int:
    from models.backup.archive import restore_backup

    revisions = schema_revisions()
    say(f"Đang kiểm tra và phục hồi bản sao lưu «{source}»…")
    temporal_there = settings.temporal_dev_db.exists()
    manifest = restore_backup(settings.effective_database_url, settings.files_dir, source, revisions,
                              settings.temporal_dev_db)
    if manifest.schema_revision != revisions[-1]:
        say(f"Đang cập nhật lược đồ từ {manifest.schema_revision} lên {revisions[-1]}…")
        _migrate(settings.effective_database_url)
    say(f"Đã phục hồi {manifest.documents} văn bản, {manifest.files} bản ghi tệp và {manifest.blobs} tệp "
        f"(sao lưu lúc {manifest.created_at}).")
    if TEMPORAL_COPY not in manifest.checksums:
        say("Trạng thái Temporal không nằm trong bản sao lưu này: phục hồi nó theo mục «Sao lưu và phục hồi» "
            "của README trước khi chạy worker.")
    elif temporal_there:
        say(f"Chưa phục hồi trạng thái Temporal vì đã có tệp {settings.temporal_dev_db}: dừng «qlvb run», thay tệp "
            f"đó bằng «{source / TEMPORAL_COPY}» (xóa các tệp -wal, -shm đi kèm) rồi chạy lại.")
    else:
        say(f"Đã phục hồi trạng thái Temporal của máy chủ nhúng vào {settings.temporal_dev_db}.")
    return 0
