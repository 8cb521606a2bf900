"""login throttle: failed logins counted per client, per account name and per pair

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 05:40:00

Hardening: growing delays after failed logins, kept in the database so every web worker and a
restart see the same counts (models/org/throttle.py). Keys are hashes; no names or addresses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'loginthrottle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.String(length=20), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('blocked_until', models.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('loginthrottle')
