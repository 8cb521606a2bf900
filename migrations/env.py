"""Alembic environment: migrates the database the settings (or the caller) point at."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import models.all  # noqa: F401  (registers every table on the metadata)
from config.settings import get_settings
from models.db import make_engine
from models.documents.search import include_name

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run migrations on a live connection (the only mode QLVB uses)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        include_name=include_name,  # keep autogenerate away from the full-text objects
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


run_migrations_online()
