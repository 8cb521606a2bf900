"""two-factor login: TOTP secrets (encrypted) and one-time recovery codes

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 07:10:00

Administrators must log in with a second factor and anyone may turn it on
(models/org/two_factor.py): the secret is stored encrypted with the installation key, with the
time step of the last accepted code; recovery codes are stored as keyed hashes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'twofactor',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=300), nullable=False),
        sa.Column('last_step', sa.Integer(), nullable=False),
        sa.Column('enabled_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_table(
        'recoverycode',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', models.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'code_hash'),
    )
    op.create_index(op.f('ix_recoverycode_user_id'), 'recoverycode', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_recoverycode_user_id'), table_name='recoverycode')
    op.drop_table('recoverycode')
    op.drop_table('twofactor')
