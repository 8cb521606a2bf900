"""outgoing documents: draft revisions, comments, recipients and their statuses, remote signing

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('draft_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('task_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['orgunit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('draft_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_comment_document_id'), ['document_id'], unique=False)

    op.create_table('draft_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('form', sa.JSON(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['file_id'], ['storedfile.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'number')
    )
    with op.batch_alter_table('draft_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_revision_document_id'), ['document_id'], unique=False)

    op.create_table('recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('organ_id', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('organ_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kinh_gui', sa.Boolean(), nullable=False),
    sa.Column('transport_status', sa.String(length=10), nullable=False),
    sa.Column('business_status', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('status_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('incoming_document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('delivered_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('not_received_alert_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recall_requested_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['incoming_document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['orgunit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'position'),
    sa.UniqueConstraint('incoming_document_id')
    )
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipient_document_id'), ['document_id'], unique=False)

    op.create_table('recipient_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('by_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recipient_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipient_event_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('remote_signing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('prepared_file_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['prepared_file_id'], ['storedfile.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('remote_signing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_signing_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_competence', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('drafting_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('doc_type_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('file_copy_holder', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signed_at', models.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('issued_at', models.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('issued_late', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('recall_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))
        batch_op.create_foreign_key('fk_document_doc_type_id', 'document_type', ['doc_type_id'], ['id'])
        batch_op.create_foreign_key('fk_document_signer_id', 'user', ['signer_id'], ['id'])
        batch_op.create_foreign_key('fk_document_drafting_unit_id', 'orgunit', ['drafting_unit_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        for name in ('fk_document_doc_type_id', 'fk_document_signer_id', 'fk_document_drafting_unit_id'):
            batch_op.drop_constraint(name, type_='foreignkey')
        batch_op.drop_column('recall_reason')
        batch_op.drop_column('issued_late')
        batch_op.drop_column('issued_at')
        batch_op.drop_column('signed_at')
        batch_op.drop_column('file_copy_holder')
        batch_op.drop_column('doc_type_id')
        batch_op.drop_column('drafting_unit_id')
        batch_op.drop_column('signer_id')
        batch_op.drop_column('signer_competence')

    with op.batch_alter_table('remote_signing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_signing_document_id'))

    op.drop_table('remote_signing')
    with op.batch_alter_table('recipient_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipient_event_recipient_id'))

    op.drop_table('recipient_event')
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipient_document_id'))

    op.drop_table('recipient')
    with op.batch_alter_table('draft_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_revision_document_id'))

    op.drop_table('draft_revision')
    with op.batch_alter_table('draft_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_comment_document_id'))

    op.drop_table('draft_comment')
