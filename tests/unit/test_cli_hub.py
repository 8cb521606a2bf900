"""``qlvb hub``: Vietnamese help, the demo systems and their secrets file (0600)."""

from __future__ import annotations

import json
import stat

import pytest

import cli
from config.settings import get_settings
from devservers.hub.store import HubStore
from devservers.hub.systems import OUTSIDE_ORGAN_CODE, OUTSIDE_SYSTEM_ID
from models.exchange.hub_systems import client_secret
from models.seed.data import AGENCIES


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QLVB_VAR_DIR", str(tmp_path / "var"))
    for name in ("QLVB_HUB_SECRET", "QLVB_HUB_SYSTEM_ID", "QLVB_HUB_SIMULATOR_DB", "QLVB_HUB_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def test_help_is_in_vietnamese(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps to the terminal width
    with pytest.raises(SystemExit) as done:
        cli.main(["hub", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("Cách dùng: qlvb hub")
    assert "trục liên thông văn bản mô phỏng" in text
    assert "--system MÃ:KHÓA:MÃ_CƠ_QUAN[,MÃ_CƠ_QUAN]" in text and "đăng ký một hệ thống kết nối" in text
    assert "tùy chọn" in text and "hiện hướng dẫn này rồi thoát" in text


def test_demo_systems_are_created_once_with_private_secrets(var_dir, capsys):
    assert cli.main(["hub", "--prepare-only"]) == 0
    assert "2 hệ thống" in capsys.readouterr().out
    path = var_dir / "hub" / "systems.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    systems = {row["id"]: row for row in json.loads(path.read_text(encoding="utf-8"))["systems"]}
    hosted = [row[0] for row in AGENCIES if row[8]]
    assert systems["qlvb-dev"]["organs"] == hosted
    assert systems[OUTSIDE_SYSTEM_ID]["organs"] == [OUTSIDE_ORGAN_CODE]
    assert len(systems["qlvb-dev"]["secret"]) >= 32

    assert cli.main(["hub", "--prepare-only"]) == 0  # a second start keeps the secrets
    again = {row["id"]: row for row in json.loads(path.read_text(encoding="utf-8"))["systems"]}
    assert again == systems
    assert client_secret(get_settings()) == systems["qlvb-dev"]["secret"]

    assert stat.S_IMODE((var_dir / "hub" / "hub.db").stat().st_mode) == 0o600  # it holds the secrets too
    store = HubStore(var_dir / "hub" / "hub.db")
    assert store.secret_for(OUTSIDE_SYSTEM_ID) == systems[OUTSIDE_SYSTEM_ID]["secret"]
    assert {r["code102"] for r in store.agencies()} >= set(hosted) | {"000.00.44.H23"}


def test_systems_from_the_command_line_and_a_seed_file(var_dir, tmp_path, capsys):
    seed = tmp_path / "systems.toml"
    seed.write_text('[[systems]]\nid = "tinh-b"\nsecret = "khoa-b"\norgans = ["000.00.00.H42"]\n', encoding="utf-8")
    assert cli.main(["hub", "--prepare-only", "--no-demo", "--seed", str(seed),
                     "--system", "so-a:khoa-a:000.00.02.H23,000.00.03.H23"]) == 0
    store = HubStore(var_dir / "hub" / "hub.db")
    assert store.secret_for("tinh-b") == "khoa-b"
    assert store.organ_codes_of("so-a") == {"000.00.02.H23", "000.00.03.H23"}
    assert not (var_dir / "hub" / "systems.json").exists()


def test_a_malformed_system_pair_is_explained(var_dir, capsys):
    assert cli.main(["hub", "--prepare-only", "--system", "chi-co-ma"]) == 2
    assert "không đúng dạng MÃ:KHÓA_BÍ_MẬT:MÃ_CƠ_QUAN" in capsys.readouterr().err
