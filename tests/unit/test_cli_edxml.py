"""``qlvb edxml validate``: the fields of a good package as JSON, the Vietnamese errors of a bad one."""

from __future__ import annotations

import json

import cli
from models.exchange.edxml.build import build_package
from tests.unit.edxml_fixtures import SAMPLES, sample_bytes, small_package


def _json_block(output: str) -> dict:
    start = output.index("{")
    end = output.index("\n}\n", start) + 2
    return json.loads(output[start:end])


def test_a_good_sample_prints_its_fields_and_exits_zero(var_dir, capsys):
    sample_bytes("all4u1089__edoc_update.edxml")  # skips cleanly without the samples

    code = cli.main(["edxml", "validate", str(SAMPLES / "all4u1089__edoc_update.edxml")])

    output = capsys.readouterr().out
    assert code == 0
    assert "hợp lệ, gói edoc" in output
    fields = _json_block(output)
    assert fields["subject"] == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert fields["business"]["doc_type"] == 2
    [attachment] = fields["attachments"]
    assert attachment["name"] == "1896_QD-TTg_m_294779.doc" and len(attachment["sha256"]) == 64
    assert "data" not in attachment
    assert "Chữ ký phong bì: not_verifiable" in output


def test_a_malformed_sample_exits_non_zero_with_the_vietnamese_error(var_dir, capsys):
    sample_bytes("all4u1089__edoc.edxml")

    code = cli.main(["edxml", "validate", str(SAMPLES / "all4u1089__edoc.edxml")])

    output = capsys.readouterr().out
    assert code == 1
    assert "KHÔNG hợp lệ" in output
    assert "Lỗi: Gói tin không đúng cú pháp XML (dòng 74)" in output


def test_warnings_are_printed_and_outgoing_mode_is_strict(var_dir, tmp_path, capsys):
    path = tmp_path / "goi.edxml"
    path.write_bytes(build_package(small_package(subject="Đ" * 612)))

    received = cli.main(["edxml", "validate", str(path)])
    sent = cli.main(["edxml", "validate", "--outgoing", str(path)])

    output = capsys.readouterr().out
    assert received == 0
    assert "Cảnh báo: Subject: dài 612 ký tự, tối đa 500" in output
    assert sent == 1
    assert "Lỗi: Subject: dài 612 ký tự, tối đa 500" in output


def test_an_unreadable_file_exits_two(var_dir, tmp_path, capsys):
    assert cli.main(["edxml", "validate", str(tmp_path / "khong-co.edxml")]) == 2
    assert "không đọc được tệp" in capsys.readouterr().err
