"""Fixtures of the ``qlvb`` command tests: a ``var/`` of their own, empty or seeded."""

from __future__ import annotations

import pytest

import cli
from config.settings import get_settings
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    """Point the settings at an empty ``var/`` of our own."""
    monkeypatch.setenv("QLVB_VAR_DIR", str(tmp_path / "var"))
    for name in ("DATABASE_URL", "QLVB_DATABASE_URL", "QLVB_DEMO_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


@pytest.fixture
def seeded_var(var_dir, monkeypatch, capsys):
    """Migrated and seeded with a known demo password."""
    monkeypatch.setenv("QLVB_DEMO_PASSWORD", DEMO_PASSWORD)
    get_settings.cache_clear()
    assert cli.main(["seed", "--profile", "province"]) == 0  # the Hà Nam 2024 tree the tests name
    capsys.readouterr()
    return var_dir
