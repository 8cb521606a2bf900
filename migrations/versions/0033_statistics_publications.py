"""statistics publications

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 13:55:00

Published reports of the province's figures (QĐ44 Điều 16.2): ``statistics_publication``, one row
per report, its per-agency figures frozen as JSON when published. Rows are never updated; a
correction is a new row whose ``supersedes_id`` (unique) names the report it replaces.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0033'
down_revision: str | None = '0032'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('statistics_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('period_kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('totals', sa.JSON(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('published_by', sa.Integer(), nullable=False),
    sa.Column('published_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['published_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['statistics_publication.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supersedes_id')
    )
    with op.batch_alter_table('statistics_publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statistics_publication_published_at'), ['published_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('statistics_publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statistics_publication_published_at'))
    op.drop_table('statistics_publication')
