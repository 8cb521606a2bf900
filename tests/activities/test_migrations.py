"""The Alembic migrations build exactly the schema the models declare, on both backends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import models.all  # noqa: F401
from models.db import make_engine
from models.documents.search import include_name
from tests.conftest import _postgres_dsn

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_it_migrates_an_empty_database_to_the_model_schema(backend, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        if not os.environ.get("TEST_DATABASE_URL"):
            pytest.skip("TEST_DATABASE_URL is not set")
        url = _postgres_dsn(os.environ["TEST_DATABASE_URL"])
    engine = make_engine(url)
    if backend == "postgres":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")
    with engine.connect() as connection:
        # Full-text objects SQLModel cannot declare are created by raw SQL and filtered out.
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": include_name})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []
