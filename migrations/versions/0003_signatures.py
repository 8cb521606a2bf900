"""signature checks before acceptance (QĐ44 Điều 10.1)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('signature_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('file_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('for_reference_only', sa.Boolean(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('checked_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'file_sha256')
    )
    with op.batch_alter_table('signature_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_check_document_id'), ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signature_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_check_document_id'))

    op.drop_table('signature_check')
