"""records: the Danh mục hồ sơ, the hồ sơ lifecycle, tasks about a hồ sơ or a Danh mục

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 10:17:27

The yearly Danh mục hồ sơ (``recordplan`` with its headings and entries), the columns a hồ sơ
needs as a durable workflow (``recordfile``: workflow id, status, totals from the listing,
transfer dates, freeze, provenance), who filed a document, and task rows whose subject is a hồ sơ
or a Danh mục instead of a document (``task.document_id`` becomes optional).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recordplan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('numbering', sa.String(length=12), nullable=False),
    sa.Column('approval_round', sa.Integer(), nullable=False),
    sa.Column('workflow_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('issued_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['approved_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agency_id', 'year')
    )
    with op.batch_alter_table('recordplan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordplan_agency_id'), ['agency_id'], unique=False)

    op.create_table('recordplanheading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('abbreviation', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['recordplanheading.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['recordplan.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['orgunit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recordplanheading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordplanheading_plan_id'), ['plan_id'], unique=False)

    op.create_table('recordplanentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('file_notation', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('maintenance', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('creator_unit_id', sa.Integer(), nullable=True),
    sa.Column('creator_user_id', sa.Integer(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('added_in_round', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['creator_unit_id'], ['orgunit.id'], ),
    sa.ForeignKeyConstraint(['creator_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['heading_id'], ['recordplanheading.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['recordplan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'file_notation')
    )
    with op.batch_alter_table('recordplanentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordplanentry_heading_id'), ['heading_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordplanentry_plan_id'), ['plan_id'], unique=False)

    with op.batch_alter_table('recordfile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workflow_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False, server_default='dang_lap'))
        batch_op.add_column(sa.Column('plan_entry_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('doc_total', sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch_op.add_column(sa.Column('page_total', sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch_op.add_column(sa.Column('closed_at', models.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('construction', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('final_settlement', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('transfer_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('kept_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('archived_at', models.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('disposed_at', models.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('frozen', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('formed_by_agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text("1")))
        batch_op.create_index(batch_op.f('ix_recordfile_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordfile_workflow_id'), ['workflow_id'], unique=False)
        batch_op.create_foreign_key('fk_recordfile_formed_by_agency_id', 'agency', ['formed_by_agency_id'], ['id'])
        batch_op.create_foreign_key('fk_recordfile_unit_id', 'orgunit', ['unit_id'], ['id'])
        batch_op.create_foreign_key('fk_recordfile_plan_entry_id', 'recordplanentry', ['plan_entry_id'], ['id'])
    # A hồ sơ closed before the lifecycle existed is closed now.
    op.execute("UPDATE recordfile SET status = 'da_dong' WHERE closed")

    with op.batch_alter_table('recorditem', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filed_by', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_recorditem_document_id'), ['document_id'], unique=False)
        batch_op.create_foreign_key('fk_recorditem_filed_by', 'user', ['filed_by'], ['id'])

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('record_plan_id', sa.Integer(), nullable=True))
        batch_op.alter_column('document_id', existing_type=sa.VARCHAR(), nullable=True)
        batch_op.create_index(batch_op.f('ix_task_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_record_plan_id'), ['record_plan_id'], unique=False)
        batch_op.create_foreign_key('fk_task_record_plan_id', 'recordplan', ['record_plan_id'], ['id'])
        batch_op.create_foreign_key('fk_task_record_id', 'recordfile', ['record_id'], ['id'])



def downgrade() -> None:
    op.execute("DELETE FROM task WHERE document_id IS NULL")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint('fk_task_record_id', type_='foreignkey')
        batch_op.drop_constraint('fk_task_record_plan_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_task_record_plan_id'))
        batch_op.drop_index(batch_op.f('ix_task_record_id'))
        batch_op.alter_column('document_id', existing_type=sa.VARCHAR(), nullable=False)
        batch_op.drop_column('record_plan_id')
        batch_op.drop_column('record_id')

    with op.batch_alter_table('recorditem', schema=None) as batch_op:
        batch_op.drop_constraint('fk_recorditem_filed_by', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_recorditem_document_id'))
        batch_op.drop_column('filed_by')

    with op.batch_alter_table('recordfile', schema=None) as batch_op:
        batch_op.drop_constraint('fk_recordfile_formed_by_agency_id', type_='foreignkey')
        batch_op.drop_constraint('fk_recordfile_unit_id', type_='foreignkey')
        batch_op.drop_constraint('fk_recordfile_plan_entry_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_recordfile_workflow_id'))
        batch_op.drop_index(batch_op.f('ix_recordfile_status'))
        batch_op.drop_column('version')
        batch_op.drop_column('formed_by_agency_id')
        batch_op.drop_column('frozen')
        batch_op.drop_column('disposed_at')
        batch_op.drop_column('archived_at')
        batch_op.drop_column('kept_until')
        batch_op.drop_column('transfer_due')
        batch_op.drop_column('final_settlement')
        batch_op.drop_column('construction')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('page_total')
        batch_op.drop_column('doc_total')
        batch_op.drop_column('unit_id')
        batch_op.drop_column('plan_entry_id')
        batch_op.drop_column('status')
        batch_op.drop_column('workflow_id')

    with op.batch_alter_table('recordplanentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordplanentry_plan_id'))
        batch_op.drop_index(batch_op.f('ix_recordplanentry_heading_id'))

    op.drop_table('recordplanentry')
    with op.batch_alter_table('recordplanheading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordplanheading_plan_id'))

    op.drop_table('recordplanheading')
    with op.batch_alter_table('recordplan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordplan_agency_id'))

    op.drop_table('recordplan')
