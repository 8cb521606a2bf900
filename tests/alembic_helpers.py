"""Migration tests: an empty database on either backend and the Alembic configuration for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from models.db import make_engine
from tests.conftest import _postgres_dsn, postgres_test_url

ROOT = Path(__file__).resolve().parents[1]


def empty_database(backend: str, tmp_path: Path) -> tuple[str, Engine]:
    """The URL and engine of an empty database: a new SQLite file, or the test PostgreSQL database
    with its schema dropped (skipped when TEST_DATABASE_URL is not set)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        if not postgres_test_url():
            pytest.skip("TEST_DATABASE_URL is not set")
        url = _postgres_dsn(postgres_test_url())
    engine = make_engine(url)
    if backend == "postgres":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    return url, engine


def alembic_config(url: str) -> Config:
    """The project's Alembic configuration pointed at ``url``."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    return config


def migrate(url: str, revision: str) -> Config:
    """Upgrade the database at ``url`` to ``revision``; the configuration, for later upgrades."""
    config = alembic_config(url)
    command.upgrade(config, revision)
    return config
