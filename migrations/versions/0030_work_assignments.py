"""work assignments (giao việc): the assignment, its people and units, its linked documents

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 11:30:00

Work a leader hands out that is not tied to an incoming document (issue 13): ``workassignment``
keeps what statistics count (status, deadline, finish, on time), ``assignmentparty`` the lead and
the supporting people and units with their contributions, ``assignmentdocument`` the linked
documents; task rows whose subject is an assignment (``task.work_assignment_id``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workassignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workflow_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('assigner_id', sa.Integer(), nullable=False),
    sa.Column('assigner_unit_id', sa.Integer(), nullable=True),
    sa.Column('assigner_role', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('lead_user_id', sa.Integer(), nullable=True),
    sa.Column('lead_unit_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.Column('due_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.Column('progress_percent', sa.Integer(), nullable=True),
    sa.Column('progress_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('progress_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('result_document_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('submitted_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('cancelled_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['assigner_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['assigner_unit_id'], ['orgunit.id'], ),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['orgunit.id'], ),
    sa.ForeignKeyConstraint(['lead_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['result_document_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workflow_id')
    )
    with op.batch_alter_table('workassignment', schema=None) as batch_op:
        batch_op.create_index('ix_workassignment_agency_status_due', ['agency_id', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_workassignment_assigner_id'), ['assigner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workassignment_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workassignment_lead_user_id'), ['lead_user_id'], unique=False)

    op.create_table('assignmentparty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('contribution', sa.Text(), nullable=False),
    sa.Column('contributed_by', sa.Integer(), nullable=True),
    sa.Column('contributed_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['workassignment.id'], ),
    sa.ForeignKeyConstraint(['contributed_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['orgunit.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assignmentparty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignmentparty_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignmentparty_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignmentparty_user_id'), ['user_id'], unique=False)

    op.create_table('assignmentdocument',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['workassignment.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('assignment_id', 'document_id')
    )
    with op.batch_alter_table('assignmentdocument', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignmentdocument_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_assignment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_task_work_assignment_id'), ['work_assignment_id'], unique=False)
        batch_op.create_foreign_key('fk_task_work_assignment_id', 'workassignment', ['work_assignment_id'], ['id'])


def downgrade() -> None:
    op.execute("DELETE FROM task WHERE work_assignment_id IS NOT NULL")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint('fk_task_work_assignment_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_task_work_assignment_id'))
        batch_op.drop_column('work_assignment_id')
    with op.batch_alter_table('assignmentdocument', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignmentdocument_document_id'))
    op.drop_table('assignmentdocument')
    with op.batch_alter_table('assignmentparty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignmentparty_user_id'))
        batch_op.drop_index(batch_op.f('ix_assignmentparty_unit_id'))
        batch_op.drop_index(batch_op.f('ix_assignmentparty_assignment_id'))
    op.drop_table('assignmentparty')
    with op.batch_alter_table('workassignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workassignment_lead_user_id'))
        batch_op.drop_index(batch_op.f('ix_workassignment_lead_unit_id'))
        batch_op.drop_index(batch_op.f('ix_workassignment_assigner_id'))
        batch_op.drop_index('ix_workassignment_agency_status_due')
    op.drop_table('workassignment')
