"""The Alembic migrations build exactly the schema the models declare, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models.all  # noqa: F401
from models.documents.search import include_name
from tests.alembic_helpers import empty_database, migrate


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_it_migrates_an_empty_database_to_the_model_schema(backend, tmp_path):
    url, engine = empty_database(backend, tmp_path)
    migrate(url, "head")
    with engine.connect() as connection:
        # Full-text objects SQLModel cannot declare are created by raw SQL and filtered out.
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": include_name})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []
