"""delegation: a leader's signing or direction passed to a deputy for a scope and a period

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 06:55:00

ND30 Điều 13 (KT., TL., TUQ., Q.): who may sign or direct in a leader's place, for which document
types and units, from when until when. Checked by date at each use; revoked rows are kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.db import UTCDateTime

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'delegation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('delegator_id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('form', sa.String(length=5), nullable=False),
        sa.Column('doc_type_ids', sa.JSON(), nullable=False),
        sa.Column('unit_ids', sa.JSON(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.Column('revoked_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.ForeignKeyConstraint(['delegator_id'], ['user.id']),
        sa.ForeignKeyConstraint(['deputy_id'], ['user.id']),
        sa.ForeignKeyConstraint(['created_by'], ['user.id']),
        sa.ForeignKeyConstraint(['revoked_by'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_delegation_agency_id'), 'delegation', ['agency_id'], unique=False)
    op.create_index(op.f('ix_delegation_delegator_id'), 'delegation', ['delegator_id'], unique=False)
    op.create_index(op.f('ix_delegation_deputy_id'), 'delegation', ['deputy_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_delegation_deputy_id'), table_name='delegation')
    op.drop_index(op.f('ix_delegation_delegator_id'), table_name='delegation')
    op.drop_index(op.f('ix_delegation_agency_id'), table_name='delegation')
    op.drop_table('delegation')
