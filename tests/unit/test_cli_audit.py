"""``qlvb audit verify`` and ``qlvb audit sign-days`` on a migrated, seeded SQLite installation."""

from __future__ import annotations

from sqlalchemy import text

import cli
from models.db import make_engine


def _tamper(var_dir, statement: str) -> None:
    engine = make_engine(f"sqlite:///{var_dir / 'qlvb.db'}")
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def test_verify_says_the_trail_is_intact_then_names_the_edited_event(seeded_var, capsys):
    assert cli.main(["audit", "sign-days"]) == 0
    assert "Không có ngày nào cần ký" in capsys.readouterr().out  # seeded today: no day is over
    assert cli.main(["audit", "verify"]) == 0
    assert "Nhật ký nguyên vẹn" in capsys.readouterr().out

    _tamper(seeded_var, "UPDATE auditevent SET data = '{\"forged\": true}' WHERE seq = 1")
    assert cli.main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "Mắt xích hỏng đầu tiên: Sự kiện số 1 (mã 1" in err and "đã bị sửa" in err


def test_verify_names_a_deleted_event(seeded_var, capsys):
    _tamper(seeded_var, "DELETE FROM auditevent WHERE seq = 1")
    assert cli.main(["audit", "verify"]) == 1
    assert "Thiếu sự kiện số 1 ngay trước sự kiện số 2" in capsys.readouterr().err
