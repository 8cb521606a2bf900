"""``qlvb org reorganise FILE [--dry-run]``: a YAML or JSON change set, all or nothing, in Vietnamese."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select

import cli
from models.db import make_engine, transaction
from models.org.tables import Agency, AgencyCode

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
