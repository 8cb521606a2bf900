"""``qlvb org reorganise FILE [--dry-run]``: a YAML or JSON change set, all or nothing, in Vietnamese."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select

import cli
from models.db import make_engine, transaction
from models.documents.tables import Document
from models.org.tables import Agency, AgencyCode, OrgUnit, User
from models.tasks.tables import Task
from tests.factories import Org, make_document, make_task

CHANGE_SET = """
effective: 2025-07-01
changes:
  - successor:
      code: 000.00.04.H42
      qd20_code: H42.04
      name: Sở Tư pháp tỉnh Ninh Bình
      abbreviation: STP
      kind: so_nganh
      place_name: Ninh Bình
    predecessors: [000.00.04.H23]
"""


def _agencies(var_dir) -> dict[str, Agency]:
    engine = make_engine(f"sqlite:///{var_dir / 'qlvb.db'}")
    with transaction(engine) as session:
        found = {a.code: a for a in session.exec(select(Agency))}
    engine.dispose()
    return found


def test_a_yaml_change_set_is_tried_then_applied(seeded_var, tmp_path, capsys):
    path = tmp_path / "sap-xep.yaml"
    path.write_text(CHANGE_SET, encoding="utf-8")
    assert cli.main(["org", "reorganise", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Chạy thử: không có thay đổi nào được lưu." in out and "Thêm Sở Tư pháp tỉnh Ninh Bình" in out
    assert "000.00.04.H42" not in _agencies(seeded_var)

    assert cli.main(["org", "reorganise", str(path)]) == 0
    assert "Đóng Sở Tư pháp tỉnh Hà Nam (000.00.04.H23) sau ngày 30/06/2025" in capsys.readouterr().out
    agencies = _agencies(seeded_var)
    assert agencies["000.00.04.H23"].valid_to == date(2025, 6, 30)
    assert agencies["000.00.04.H42"].valid_from == date(2025, 7, 1)
    engine = make_engine(f"sqlite:///{seeded_var / 'qlvb.db'}")
    with transaction(engine) as session:
        alias = session.exec(select(AgencyCode).where(AgencyCode.code == "000.00.04.H23",
                                                      AgencyCode.agency_id == agencies["000.00.04.H42"].id)).one()
        assert alias.valid_from == date(2025, 7, 1)
    engine.dispose()


def test_people_move_with_their_agency_and_a_code_in_the_wrong_form_exits_2_in_vietnamese(seeded_var, tmp_path, capsys):
    path = tmp_path / "sap-xep.json"
    path.write_text(json.dumps({"effective": "2025-07-01", "changes": [
        {"successor": {"code": "000.00.02.H42", "name": "Sở Nội vụ tỉnh Ninh Bình", "abbreviation": "SNV",
                       "kind": "so_nganh"}, "predecessors": ["000.00.02.H23", "000.00.03.H23"]}]}), encoding="utf-8")
    assert cli.main(["org", "reorganise", str(path)]) == 0  # people move with their agencies
    wrong = tmp_path / "sai.json"
    wrong.write_text(json.dumps({"effective": "2025-07-01", "changes": [
        {"successor": {"code": "H42.09"}, "predecessors": ["000.00.09.H23"]}]}), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["org", "reorganise", str(wrong)]) == 2
    assert "không đúng dạng QCVN 102" in capsys.readouterr().err
    assert _agencies(seeded_var)["000.00.09.H23"].valid_to is None


MERGE_INTO_EXISTING = """
id: QĐ 12/2025
effective: 2025-07-01
changes:
  - successor: {code: 000.00.02.H23}
    predecessors: [000.00.03.H23]
    units: {000.00.03.H23: {NS: TCBM}}
"""


def test_open_work_is_listed_by_the_dry_run_then_handed_to_the_mapped_unit(seeded_var, tmp_path, capsys):
    engine = make_engine(f"sqlite:///{seeded_var / 'qlvb.db'}")
    agencies = _agencies(seeded_var)
    with transaction(engine) as session:
        units = {(u.agency_id, u.abbreviation): u.id for u in session.exec(select(OrgUnit))}
        stc = Org(agency_id=agencies["000.00.03.H23"].id)
        stc.units["NS"] = units[(stc.agency_id, "NS")]
        stc.users["clerk"] = session.exec(select(User).where(User.username == "vanthu.stc")).one()
        document = make_document(session, stc)
        task_id = make_task(session, stc, document, task_key="assign:1", unit="NS").id
        document_id = document.id
    path = tmp_path / "sap-nhap.yaml"
    path.write_text(MERGE_INTO_EXISTING, encoding="utf-8")
    assert cli.main(["org", "reorganise", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Bộ thay đổi QĐ 12/2025." in out
    assert "Bàn giao cho Sở Nội vụ tỉnh Hà Nam: 1 việc đang xử lý, 1 văn bản đang giải quyết, 0 hồ sơ đang mở." in out
    assert "Đơn vị nhận công việc: Phòng Quản lý ngân sách (NS) → Phòng Tổ chức, biên chế (TCBM); " \
           "Văn phòng Sở (VP) → Văn phòng Sở (VP)." in out  # named in the map, or by the same abbreviation
    assert cli.main(["org", "reorganise", str(path)]) == 0
    with transaction(engine) as session:
        task, moved = session.get(Task, task_id), session.get(Document, document_id)
        snv = agencies["000.00.02.H23"].id
        assert (task.agency_id, task.unit_id) == (snv, units[(snv, "TCBM")]) and moved.agency_id == snv
        clerk = session.exec(select(User).where(User.username == "vanthu.stc")).one()
        assert (clerk.agency_id, clerk.unit_id) == (snv, units[(snv, "VP")])
    engine.dispose()
