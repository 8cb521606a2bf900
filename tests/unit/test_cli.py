"""The ``qlvb`` command against a temporary SQLite database under ``QLVB_VAR_DIR``."""

from __future__ import annotations

import json
import re
import stat

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

import cli
import models.all  # noqa: F401
from config.settings import get_settings
from models.db import make_engine, transaction
from models.org.passwords import verify_password
from models.org.repo import get_by_username, roles_of
from models.processes.schema import DEFAULT_INCOMING
from models.processes.tables import ProcessDefinition
from models.seed.data import USERS
from models.vocab import Role


def _engine(var_dir):
    return make_engine(f"sqlite:///{var_dir / 'qlvb.db'}")


def _one_time_password(output: str) -> str:
    match = re.search(r"Mật khẩu dùng một lần: (\S+)", output)
    assert match, output
    return match.group(1)


def test_migrate_creates_every_table(var_dir, capsys):
    assert cli.main(["migrate"]) == 0
    assert "phiên bản mới nhất" in capsys.readouterr().out
    engine = _engine(var_dir)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_seed_generates_a_password_once_and_reuses_it(var_dir, capsys):
    assert cli.main(["seed"]) == 0
    first = capsys.readouterr().out
    stored = var_dir / "demo-password.txt"
    password = stored.read_text().strip()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert f"Mật khẩu chung của tài khoản mẫu: {password}" in first
    for username, full_name, *_ in USERS:
        assert username in first and full_name in first

    assert cli.main(["seed"]) == 0
    second = capsys.readouterr().out
    assert "Dữ liệu mẫu đã có từ trước." in second
    assert password in second
    engine = _engine(var_dir)
    with transaction(engine) as session:
        assert verify_password(get_by_username(session, "vanthu").password_hash, password)
    engine.dispose()


def test_users_create_lock_reset(seeded_var, capsys):
    assert cli.main(["users", "create", "nguyenvana", "--full-name", "Nguyễn Văn A",
                     "--agency", "000.00.02.H23", "--unit", "TCBM", "--role", "chuyen_vien",
                     "--role", "van_thu", "--position", "Chuyên viên"]) == 0
    first = _one_time_password(capsys.readouterr().out)
    engine = _engine(seeded_var)
    with transaction(engine) as session:
        user = get_by_username(session, "nguyenvana")
        assert user.must_change_password and not user.disabled
        assert verify_password(user.password_hash, first)
        assert roles_of(session, user.id) == {Role.OFFICER, Role.CLERK}

    assert cli.main(["users", "lock", "nguyenvana", "--reason", "Mất thiết bị"]) == 0
    assert "Đã khóa" in capsys.readouterr().out
    with transaction(engine) as session:
        assert get_by_username(session, "nguyenvana").disabled

    assert cli.main(["users", "reset", "nguyenvana"]) == 0
    second = _one_time_password(capsys.readouterr().out)
    assert second != first
    with transaction(engine) as session:
        user = get_by_username(session, "nguyenvana")
        assert not user.disabled and user.must_change_password
        assert verify_password(user.password_hash, second)
    engine.dispose()

    assert cli.main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "nguyenvana" in listing and f"Tổng cộng: {len(USERS) + 1} tài khoản." in listing


def test_processes_deploy_new_version_then_unchanged(seeded_var, tmp_path, capsys):
    body = DEFAULT_INCOMING.model_dump(mode="json")
    body["steps"][1]["working_days"] = 2
    path = tmp_path / "incoming.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    assert cli.main(["processes", "deploy", str(path)]) == 0
    assert "phiên bản 2" in capsys.readouterr().out
    assert cli.main(["processes", "deploy", str(path)]) == 0
    assert "không thay đổi" in capsys.readouterr().out
    engine = _engine(seeded_var)
    with transaction(engine) as session:
        versions = session.exec(select(ProcessDefinition.version)
                                .where(ProcessDefinition.key == body["key"])).all()
    engine.dispose()
    assert sorted(versions) == [1, 2]

    assert cli.main(["processes", "list"]) == 0
    assert "incoming-standard" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["users", "create", "vanthu", "--full-name", "X", "--agency", "000.00.01.H23",
      "--role", "van_thu"], "Tên đăng nhập «vanthu» đã có người dùng"),
    (["users", "create", "moi", "--full-name", "X", "--agency", "999.99.99.H99",
      "--role", "van_thu"], "Không tìm thấy cơ quan có mã định danh «999.99.99.H99»"),
    (["users", "create", "moi", "--full-name", "X", "--agency", "000.00.01.H23", "--unit", "KHONG",
      "--role", "van_thu"], "Cơ quan không có đơn vị viết tắt «KHONG»"),
    (["users", "lock", "khongco", "--reason", "x"], "Không tìm thấy tài khoản «khongco»"),
    (["users", "reset", "khongco"], "Không tìm thấy tài khoản «khongco»"),
])
def test_refusals_exit_2_in_vietnamese(seeded_var, capsys, argv, message):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Mật khẩu dùng một lần" not in captured.out


def test_invalid_process_exits_2(seeded_var, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"key": "x", "kind": "incoming", "title": "t", "steps": []}))
    assert cli.main(["processes", "deploy", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Định nghĩa quy trình không hợp lệ" in err and "key: sai định dạng" in err


def test_weak_demo_password_exits_2(var_dir, monkeypatch, capsys):
    monkeypatch.setenv("QLVB_DEMO_PASSWORD", "yeu")
    get_settings.cache_clear()
    assert cli.main(["seed"]) == 2
    assert "Mật khẩu chưa đủ mạnh: cần ít nhất 8 ký tự" in capsys.readouterr().err


def test_unknown_role_is_refused_by_the_parser(var_dir, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["users", "create", "moi", "--full-name", "X", "--agency", "000.00.01.H23",
                  "--role", "giam_doc"])
    assert exit_info.value.code == 2
    assert "giá trị không hợp lệ" in capsys.readouterr().err


def test_a_refusal_the_command_does_not_phrase_itself_is_still_vietnamese(seeded_var, capsys):
    """A control character in a name: the web pages' sentence, with the field named, not a bare code."""
    assert cli.main(["users", "create", "tranb", "--full-name", "Trần\x1bB", "--agency", "000.00.02.H23",
                     "--role", "chuyen_vien"]) == 2
    error = capsys.readouterr().err
    assert "invalid_fields" not in error and "ký tự điều khiển" in error
