"""record exports, preservation copies, fixity

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 10:45:14

Exports of hồ sơ (``record_export``: one row per package asked for, with its progress), the PDF/A-2b
preservation copy of each distinct stored PDF (``preservation_copy``, by the original's SHA-256),
and the fixity pass over the file store (``fixity_cursor``: where the pass stands, one row;
``fixity_problem``: files found changed or missing, until found whole again).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fixity_cursor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pass_number', sa.Integer(), nullable=False),
    sa.Column('after_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pass_started_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_in_pass', sa.Integer(), nullable=False),
    sa.Column('last_pass_finished_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('fixity_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('actual_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('found_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fixity_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fixity_problem_sha256'), ['sha256'], unique=False)

    op.create_table('preservation_copy',
    sa.Column('source_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('conformance', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('tool', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('made_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['storedfile.id'], ),
    sa.PrimaryKeyConstraint('source_sha256')
    )
    op.create_table('record_export',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('preservation_failed', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['recordfile.id'], ),
    sa.ForeignKeyConstraint(['requested_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_export_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('record_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_export_record_id'))

    op.drop_table('record_export')
    op.drop_table('preservation_copy')
    with op.batch_alter_table('fixity_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fixity_problem_sha256'))

    op.drop_table('fixity_problem')
    op.drop_table('fixity_cursor')
