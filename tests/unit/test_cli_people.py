"""``qlvb people …`` and ``qlvb delegation …``: the operator runs the product's own commands, in Vietnamese.

Each change is audited without a person (the operator on the server); a refusal exits with status
2, says what was wrong and which option to use, and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import cli
from models.audit import AuditEvent
from models.db import make_engine, reading, transaction
from models.delegation import repo as delegation_repo
from models.delegation.tables import Delegation
from models.org.tables import OrgUnit, User
from models.tasks.tables import Task
from models.vocab import Role, TaskStatus
from tests.factories import Org, make_document, make_task

OFFICE = "000.00.01.H23"


@pytest.fixture
def engine(seeded_var):
    engine = make_engine(f"sqlite:///{seeded_var / 'qlvb.db'}")
    yield engine
    engine.dispose()


def _user(engine, username: str) -> User:
    with transaction(engine) as session:
        return session.exec(select(User).where(User.username == username)).one()


def _events(engine, code: str) -> list[AuditEvent]:
    with transaction(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.code == code)))


def _ok(argv: list[str], capsys) -> str:
    assert cli.main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def _refused(argv: list[str], capsys) -> str:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert not captured.out
    return captured.err


def test_the_operator_creates_lists_locks_unlocks_and_resets_a_person(engine, capsys):
    out = _ok(["people", "create", "chuyenvien2", "--full-name", "Ngô Thị Hoa", "--agency", OFFICE, "--unit", "TH",
               "--role", "chuyen_vien", "--position", "Chuyên viên"], capsys)
    assert "Đã tạo tài khoản «chuyenvien2» (Ngô Thị Hoa, Văn phòng" in out
    assert "Mật khẩu dùng một lần: " in out and _user(engine, "chuyenvien2").must_change_password
    assert [event.actor_id for event in _events(engine, "user.created")][-1] is None

    listed = _ok(["people", "list", "--agency", OFFICE], capsys)
    assert "chuyenvien2" in listed and "Ngô Thị Hoa" in listed and "Chuyên viên" in listed
    assert "vanthu.snv" not in listed and "chờ đổi mật khẩu" in listed

    assert "Đã khóa tài khoản «chuyenvien2»" in _ok(["people", "lock", "chuyenvien2", "--reason", "Nghỉ phép"],
                                                    capsys)
    assert _user(engine, "chuyenvien2").disabled
    assert "đã khóa" in _ok(["people", "list", "--agency", OFFICE], capsys)
    assert "Đã mở khóa" in _ok(["people", "unlock", "chuyenvien2"], capsys)
    assert not _user(engine, "chuyenvien2").disabled
    assert "không bị khóa" in _refused(["people", "unlock", "chuyenvien2"], capsys)

    before = _user(engine, "chuyenvien").password_hash
    out = _ok(["people", "reset", "chuyenvien"], capsys)
    assert "Đã đặt lại mật khẩu cho «chuyenvien»" in out and "Mật khẩu dùng một lần: " in out
    after = _user(engine, "chuyenvien")
    assert after.password_hash != before and after.must_change_password


def test_bad_people_input_is_refused_in_vietnamese_and_changes_nothing(engine, capsys):
    audited = len(_events(engine, "user.created"))
    assert "«nobody»" in _refused(["people", "lock", "nobody", "--reason", "Thử"], capsys)
    assert "--full-name" in _refused(["people", "create", "moi", "--full-name", " ", "--agency", OFFICE], capsys)
    assert "ký tự điều khiển" in _refused(["people", "create", "moi", "--full-name", "Trần\x1bB", "--agency",
                                           OFFICE], capsys)
    assert "--agency: giá trị không hợp lệ" in _refused(["people", "create", "moi", "--full-name", "Mới", "--agency",
                                                         "H23"], capsys)
    with pytest.raises(SystemExit) as parsed:
        cli.main(["people", "create", "moi", "--full-name", "Mới", "--agency", OFFICE, "--role", "giam_doc"])
    assert parsed.value.code == 2 and "giá trị không hợp lệ" in capsys.readouterr().err
    assert len(_events(engine, "user.created")) == audited
    with reading(engine) as session:
        assert session.exec(select(User).where(User.username == "moi")).first() is None


def test_a_move_hands_open_work_to_the_successor_and_ends_the_persons_delegations(engine, capsys):
    _ok(["people", "create", "chuyenvien2", "--full-name", "Ngô Thị Hoa", "--agency", OFFICE, "--unit", "TH",
         "--role", "chuyen_vien"], capsys)
    mover = _user(engine, "chuyenvien")
    with transaction(engine) as session:
        office = Org(agency_id=mover.agency_id, users={"clerk": _user(engine, "vanthu")})
        office.units["TH"] = mover.unit_id
        task = make_task(session, office, make_document(session, office), task_key="handle:1", role=Role.OFFICER,
                         unit="TH")
        task.status, task.assignee_id = TaskStatus.CLAIMED, mover.id
        task_id = task.id
    today = delegation_repo.today()
    _ok(["delegation", "create", "--leader", "lanhdao", "--deputy", "chuyenvien", "--kind", "chi_dao", "--form",
         "KT.", "--from", today.isoformat(), "--to", (today + timedelta(days=3)).isoformat()], capsys)

    # Open work and no successor: refused, naming the option; an unknown unit: refused; nothing moved.
    assert "--successor" in _refused(["people", "move", "chuyenvien", "--unit", "HCTC"], capsys)
    assert "đơn vị viết tắt «XX»" in _refused(["people", "move", "chuyenvien", "--unit", "XX",
                                              "--successor", "chuyenvien2"], capsys)
    assert _user(engine, "chuyenvien").unit_id == mover.unit_id

    out = _ok(["people", "move", "chuyenvien", "--unit", "HCTC", "--position", "Chuyên viên HCTC",
               "--successor", "chuyenvien2"], capsys)
    assert "Đã chuyển «chuyenvien» sang Phòng Hành chính" in out
    assert "Đã bàn giao cho «chuyenvien2»: 1 công việc đang xử lý, 0 hồ sơ đang mở." in out
    with reading(engine) as session:
        moved = session.exec(select(User).where(User.username == "chuyenvien")).one()
        hctc = session.get(OrgUnit, moved.unit_id)
        assert (hctc.abbreviation, moved.position) == ("HCTC", "Chuyên viên HCTC")
        assert session.get(Task, task_id).assignee_id == _user(engine, "chuyenvien2").id
        assert session.exec(select(Delegation)).one().revoked_at is not None
    assert _events(engine, "user.moved")[-1].actor_id is None


def test_the_operator_records_lists_and_revokes_a_delegation(engine, capsys):
    today = delegation_repo.today()
    week = ["--from", today.isoformat(), "--to", (today + timedelta(days=6)).isoformat()]
    out = _ok(["delegation", "create", "--leader", "lanhdao", "--deputy", "truongphong", "--kind", "ky",
               "--form", "KT.", *week, "--note", "Quyết định số 12/QĐ-VP"], capsys)
    row = next(iter(_rows(engine)))
    assert f"Đã ghi nhận ủy quyền số {row.id}: «lanhdao» ủy quyền cho «truongphong» (ký văn bản, KT.)" in out
    created = _events(engine, "delegation.created")[-1]
    assert created.actor_id is None and created.data["deputy_id"] == _user(engine, "truongphong").id

    listed = _ok(["delegation", "list"], capsys)
    assert "Trần Văn Minh" in listed and "Lê Thị Hồng" in listed and "Đang hiệu lực" in listed
    assert "Ký văn bản (toàn bộ)" in listed

    # The same scope to a second deputy, oneself, a bad date, an unknown person: refused, nothing recorded.
    assert "Lê Thị Hồng" in _refused(["delegation", "create", "--leader", "lanhdao", "--deputy", "chuyenvien",
                                      "--kind", "ky", "--form", "TL.", *week], capsys)
    assert "chính mình" in _refused(["delegation", "create", "--leader", "lanhdao", "--deputy", "lanhdao",
                                     "--kind", "chi_dao", "--form", "KT.", *week], capsys)
    assert "--from: ngày không hợp lệ" in _refused(["delegation", "create", "--leader", "lanhdao", "--deputy",
                                                   "chuyenvien", "--kind", "chi_dao", "--form", "KT.", "--from",
                                                   "31/12/2026", "--to", "2027-01-02"], capsys)
    assert "vượt quá thẩm quyền" in _refused(["delegation", "create", "--leader", "chuyenvien", "--deputy",
                                              "vanthu", "--kind", "ky", "--form", "KT.", *week], capsys)
    assert len(_rows(engine)) == 1

    assert f"Đã thu hồi ủy quyền số {row.id}" in _ok(["delegation", "revoke", str(row.id), "--reason",
                                                       "Trở lại công tác"], capsys)
    assert "Đã thu hồi" in _ok(["delegation", "list"], capsys)
    assert "đã được thu hồi" in _refused(["delegation", "revoke", str(row.id)], capsys)
    assert "qlvb delegation list" in _refused(["delegation", "revoke", "999"], capsys)
    assert _events(engine, "delegation.revoked")[-1].data["reason"] == "Trở lại công tác"


def _rows(engine) -> list[Delegation]:
    with transaction(engine) as session:
        return list(session.exec(select(Delegation)))
