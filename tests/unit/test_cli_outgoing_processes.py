"""Deploying outgoing process definitions: a new version for new drafts, clear refusals otherwise."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

import cli
from models.db import transaction
from models.processes.repo import outgoing_process_for
from models.processes.schema import DEFAULT_OUTGOING
from models.processes.tables import ProcessDefinition
from tests.unit.test_cli import _engine


def _write(tmp_path, body: dict, name: str = "outgoing.json"):
    path = tmp_path / name
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def _versions(folder, key: str) -> list[int]:
    engine = _engine(folder)
    with transaction(engine) as session:
        versions = session.exec(select(ProcessDefinition.version).where(ProcessDefinition.key == key)).all()
    engine.dispose()
    return sorted(versions)


def test_a_new_outgoing_version_serves_new_drafts_of_its_agency_and_type(seeded_var, tmp_path, capsys):
    body = DEFAULT_OUTGOING.model_dump(mode="json")
    body["steps"] = [step for step in body["steps"] if step["kind"] != "format_check"]
    assert cli.main(["processes", "deploy", str(_write(tmp_path, body))]) == 0
    assert "phiên bản 2" in capsys.readouterr().out

    special = {**body, "key": "outgoing-snv-quyet-dinh", "agencies": ["000.00.02.H23"], "doc_types": ["Quyết định"]}
    assert cli.main(["processes", "deploy", str(_write(tmp_path, special, "snv.json"))]) == 0
    engine = _engine(seeded_var)
    with transaction(engine) as session:
        chosen = {(agency, kind): outgoing_process_for(session, agency, kind).key
                  for agency in ("000.00.01.H23", "000.00.02.H23") for kind in ("Quyết định", "Công văn")}
    engine.dispose()
    assert chosen == {("000.00.01.H23", "Quyết định"): "outgoing-standard",
                      ("000.00.01.H23", "Công văn"): "outgoing-standard",
                      ("000.00.02.H23", "Quyết định"): "outgoing-snv-quyet-dinh",
                      ("000.00.02.H23", "Công văn"): "outgoing-standard"}


@pytest.mark.parametrize(("change", "message"), [
    (lambda b: b["steps"][2].update(next="kiem_tra_noi_dung"),
     "quy trình có vòng lặp: kiem_tra_noi_dung → kiem_tra_the_thuc → kiem_tra_noi_dung"),
    (lambda b: b["steps"][1].update(candidate_role="giam_doc"), "vai trò 'giam_doc' không tồn tại"),
    (lambda b: b["steps"][1].update(next="khong_co"), "chuyển tới bước 'khong_co' không tồn tại"),
    (lambda b: b["steps"].pop(), "phải kết thúc bằng một bước 'sign' rồi một bước 'issue'"),
    (lambda b: b["steps"][2].update(return_to="ky_so"), "chỉ có thể trả lại người soạn thảo"),
])
def test_a_bad_outgoing_definition_is_refused_and_nothing_changes(seeded_var, tmp_path, capsys, change, message):
    body = DEFAULT_OUTGOING.model_dump(mode="json")
    change(body)
    assert cli.main(["processes", "deploy", str(_write(tmp_path, body))]) == 2
    assert message in capsys.readouterr().err
    assert _versions(seeded_var, "outgoing-standard") == [1]
