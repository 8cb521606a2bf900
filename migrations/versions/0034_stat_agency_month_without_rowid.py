"""stat_agency_month without rowid

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04 15:20:00

On SQLite, ``stat_agency_month`` stored clustered on its key (agency, month) without a rowid, as
``stat_agency_day`` is: the province dashboard sums every agency's months, and a rowid table
reads each of those rows twice (the key's index, then the table). The rows are copied as they
are. PostgreSQL has no such option and is left unchanged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0034'
down_revision: str | None = '0033'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = 'stat_agency_month'


def _rebuild(with_rowid: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    current = sa.Table(TABLE, sa.MetaData(), autoload_with=bind)
    rebuilt = sa.Table(f'{TABLE}_rebuilt', sa.MetaData(), *(column._copy() for column in current.columns),
                       sqlite_with_rowid=with_rowid)
    rebuilt.create(bind)
    names = ', '.join(f'"{column.name}"' for column in current.columns)
    op.execute(f'INSERT INTO {TABLE}_rebuilt ({names}) SELECT {names} FROM {TABLE}')
    op.drop_table(TABLE)
    op.rename_table(f'{TABLE}_rebuilt', TABLE)


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
