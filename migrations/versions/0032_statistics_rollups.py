"""statistics rollups

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 13:34:34

The rollups of the statistics (issue 13, QĐ44 Điều 16): counters per day and agency
(``stat_agency_day``), per month and agency (``stat_agency_month``) and per day, agency, unit and
person (``stat_person_day``); documents issued per type (``stat_agency_issued_type``,
``stat_agency_month_type``, ``stat_issued_type``); when each agency's rows were last rebuilt
(``stat_refresh``). Indexes for the oldest overdue work province-wide: ``document (closed_at,
due_date)`` and ``workassignment (status, due_at)``. The rows are filled by the first round of the
``qlvb-statistics`` schedule.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0032'
down_revision: str | None = '0031'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stat_agency_day',
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('received_hub', sa.Integer(), nullable=False),
    sa.Column('received_internal', sa.Integer(), nullable=False),
    sa.Column('received_upload', sa.Integer(), nullable=False),
    sa.Column('received_paper', sa.Integer(), nullable=False),
    sa.Column('received_thuong', sa.Integer(), nullable=False),
    sa.Column('received_khan', sa.Integer(), nullable=False),
    sa.Column('received_thuong_khan', sa.Integer(), nullable=False),
    sa.Column('received_hoa_toc', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('issued_late', sa.Integer(), nullable=False),
    sa.Column('finished_on_time', sa.Integer(), nullable=False),
    sa.Column('finished_late', sa.Integer(), nullable=False),
    sa.Column('handling_days', sa.Integer(), nullable=False),
    sa.Column('overdue_began', sa.Integer(), nullable=False),
    sa.Column('overdue_ended', sa.Integer(), nullable=False),
    sa.Column('unacknowledged', sa.Integer(), nullable=False),
    sa.Column('extension_requests', sa.Integer(), nullable=False),
    sa.Column('assignments_began', sa.Integer(), nullable=False),
    sa.Column('assignments_ended', sa.Integer(), nullable=False),
    sa.Column('assignments_overdue_began', sa.Integer(), nullable=False),
    sa.Column('assignments_overdue_ended', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'agency_id'),
    sqlite_with_rowid=False
    )

    op.create_table('stat_agency_issued_type',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('type_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agency_id', 'day', 'type_name')
    )
    with op.batch_alter_table('stat_agency_issued_type', schema=None) as batch_op:
        batch_op.create_index('ix_stat_agency_issued_type_day', ['day', 'agency_id'], unique=False)

    op.create_table('stat_agency_month',
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('received_hub', sa.Integer(), nullable=False),
    sa.Column('received_internal', sa.Integer(), nullable=False),
    sa.Column('received_upload', sa.Integer(), nullable=False),
    sa.Column('received_paper', sa.Integer(), nullable=False),
    sa.Column('received_thuong', sa.Integer(), nullable=False),
    sa.Column('received_khan', sa.Integer(), nullable=False),
    sa.Column('received_thuong_khan', sa.Integer(), nullable=False),
    sa.Column('received_hoa_toc', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('issued_late', sa.Integer(), nullable=False),
    sa.Column('finished_on_time', sa.Integer(), nullable=False),
    sa.Column('finished_late', sa.Integer(), nullable=False),
    sa.Column('handling_days', sa.Integer(), nullable=False),
    sa.Column('overdue_began', sa.Integer(), nullable=False),
    sa.Column('overdue_ended', sa.Integer(), nullable=False),
    sa.Column('unacknowledged', sa.Integer(), nullable=False),
    sa.Column('extension_requests', sa.Integer(), nullable=False),
    sa.Column('assignments_began', sa.Integer(), nullable=False),
    sa.Column('assignments_ended', sa.Integer(), nullable=False),
    sa.Column('assignments_overdue_began', sa.Integer(), nullable=False),
    sa.Column('assignments_overdue_ended', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('agency_id', 'month')
    )
    op.create_table('stat_agency_month_type',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('type_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'type_name', 'agency_id'),
    sqlite_with_rowid=False
    )
    op.create_table('stat_issued_type',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'agency_id', 'unit_id', 'user_id', 'type_name')
    )
    with op.batch_alter_table('stat_issued_type', schema=None) as batch_op:
        batch_op.create_index('ix_stat_issued_type_agency_day', ['agency_id', 'day'], unique=False)

    op.create_table('stat_person_day',
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('received_hub', sa.Integer(), nullable=False),
    sa.Column('received_internal', sa.Integer(), nullable=False),
    sa.Column('received_upload', sa.Integer(), nullable=False),
    sa.Column('received_paper', sa.Integer(), nullable=False),
    sa.Column('received_thuong', sa.Integer(), nullable=False),
    sa.Column('received_khan', sa.Integer(), nullable=False),
    sa.Column('received_thuong_khan', sa.Integer(), nullable=False),
    sa.Column('received_hoa_toc', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('issued_late', sa.Integer(), nullable=False),
    sa.Column('finished_on_time', sa.Integer(), nullable=False),
    sa.Column('finished_late', sa.Integer(), nullable=False),
    sa.Column('handling_days', sa.Integer(), nullable=False),
    sa.Column('overdue_began', sa.Integer(), nullable=False),
    sa.Column('overdue_ended', sa.Integer(), nullable=False),
    sa.Column('unacknowledged', sa.Integer(), nullable=False),
    sa.Column('extension_requests', sa.Integer(), nullable=False),
    sa.Column('assignments_began', sa.Integer(), nullable=False),
    sa.Column('assignments_ended', sa.Integer(), nullable=False),
    sa.Column('assignments_overdue_began', sa.Integer(), nullable=False),
    sa.Column('assignments_overdue_ended', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'agency_id', 'unit_id', 'user_id')
    )
    with op.batch_alter_table('stat_person_day', schema=None) as batch_op:
        batch_op.create_index('ix_stat_person_day_agency_day', ['agency_id', 'day'], unique=False)

    op.create_table('stat_refresh',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('took_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agency_id')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_closed_due', ['closed_at', 'due_date'], unique=False)

    with op.batch_alter_table('workassignment', schema=None) as batch_op:
        batch_op.create_index('ix_workassignment_status_due', ['status', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('workassignment', schema=None) as batch_op:
        batch_op.drop_index('ix_workassignment_status_due')

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_closed_due')

    op.drop_table('stat_refresh')
    with op.batch_alter_table('stat_person_day', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_person_day_agency_day')

    op.drop_table('stat_person_day')
    with op.batch_alter_table('stat_issued_type', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_issued_type_agency_day')

    op.drop_table('stat_issued_type')
    with op.batch_alter_table('stat_agency_issued_type', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_agency_issued_type_day')

    op.drop_table('stat_agency_issued_type')
    op.drop_table('stat_agency_day')
    op.drop_table('stat_agency_month')
    op.drop_table('stat_agency_month_type')
