"""organisation history: former agency names and the focal văn thư

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-04 06:45:00

Administrators now edit the organisation tree (rename, move, close, aliases). A rename keeps the
former name and place name with the dates they were in force (``agencyname``), so letterheads of
documents issued before it keep the old name; each agency may name its focal văn thư.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'agencyname',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('place_name', sa.String(length=100), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_agencyname_agency_id'), 'agencyname', ['agency_id'], unique=False)
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('focal_user_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('focal_user_id')
    op.drop_index(op.f('ix_agencyname_agency_id'), table_name='agencyname')
    op.drop_table('agencyname')
