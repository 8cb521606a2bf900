"""record lifecycle: the archive's collection lists, access requests, disposal decisions

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 10:40:00

What the hồ sơ workflow keeps beside ``recordfile``: the date the archive announced the list of
hồ sơ it collects in a year (``record_collection``; the 30-day transfer warning counts from it),
requests to read a restricted hồ sơ of the archive (``record_access``), and each disposal
decision with the stored files it removed (``record_disposal``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('record_collection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('announced_on', sa.Date(), nullable=False),
    sa.Column('announced_by', sa.Integer(), nullable=True),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['announced_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agency_id', 'year')
    )
    with op.batch_alter_table('record_collection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_collection_agency_id'), ['agency_id'], unique=False)

    op.create_table('record_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('requested_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['recordfile.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_access_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_access_user_id'), ['user_id'], unique=False)

    op.create_table('record_disposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('decided_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('blobs', sa.JSON(), nullable=False),
    sa.Column('removed_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['recordfile.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id')
    )


def downgrade() -> None:
    op.drop_table('record_disposal')
    with op.batch_alter_table('record_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_access_user_id'))
        batch_op.drop_index(batch_op.f('ix_record_access_record_id'))

    op.drop_table('record_access')
    with op.batch_alter_table('record_collection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_collection_agency_id'))

    op.drop_table('record_collection')
