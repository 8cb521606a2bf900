"""exchange hub: packages received (hub_inbound) and to send (hub_outbox)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 14:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('hub_inbound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_doc_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('message_type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('dedup_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('sender_code', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('document_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('business_type', sa.Integer(), nullable=True),
    sa.Column('status_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('package_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('received_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acked_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedup_key')
    )
    with op.batch_alter_table('hub_inbound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hub_inbound_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hub_inbound_hub_doc_id'), ['hub_doc_id'], unique=False)

    op.create_table('hub_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('message_type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('dedup_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('from_code', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('to_code', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('status_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('staff_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('status_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('package_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('transport_status', sa.String(length=10), nullable=False),
    sa.Column('hub_doc_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedup_key'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('hub_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hub_outbox_document_id'), ['document_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hub_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hub_outbox_document_id'))

    op.drop_table('hub_outbox')
    with op.batch_alter_table('hub_inbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hub_inbound_hub_doc_id'))
        batch_op.drop_index(batch_op.f('ix_hub_inbound_document_id'))

    op.drop_table('hub_inbound')
