"""idempotency keys: a retried create answered once

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 06:00:00

Issue 10: every create request may carry an Idempotency-Key; one row per (person, key) keeps its
fingerprint, whether its change committed (written in that change's transaction) and its answer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'idempotent_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=False),
        sa.Column('held_until', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('subject_type', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.String(length=80), nullable=False),
        sa.Column('event_code', sa.String(length=50), nullable=False),
        sa.Column('event_data', sa.JSON(), nullable=False),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('response_headers', sa.JSON(), nullable=False),
        sa.Column('response_body', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'key', name='uq_idempotent_request_user_key'),
    )
    with op.batch_alter_table('idempotent_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotent_request_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idempotent_request_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('idempotent_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotent_request_expires_at'))
        batch_op.drop_index(batch_op.f('ix_idempotent_request_user_id'))
    op.drop_table('idempotent_request')
