"""agency configuration: own document types and choices, process bindings, hub identity

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 09:00:00

An agency's administrator configures the agency in the product (commands/configuration_*.py):
``document_type.agency_id`` marks a type of one agency (NULL: the province-wide list),
``agency_document_type`` records which province types an agency turned off, ``process_binding``
the process version an agency's new workflows of one direction start with, and ``hub_identity``
the contact fields of the ``From`` of the packages an agency sends through the hub.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('document_type', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_document_type_agency_id'), ['agency_id'], unique=False)
        batch_op.create_foreign_key('fk_document_type_agency_id_agency', 'agency', ['agency_id'], ['id'])
    op.create_table(
        'agency_document_type',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('document_type_id', sa.Integer(), nullable=False),
        sa.Column('offered', sa.Boolean(), nullable=False),
        sa.Column('changed_by', sa.Integer(), nullable=True),
        sa.Column('changed_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.ForeignKeyConstraint(['changed_by'], ['user.id']),
        sa.ForeignKeyConstraint(['document_type_id'], ['document_type.id']),
        sa.PrimaryKeyConstraint('agency_id', 'document_type_id'),
    )
    op.create_table(
        'process_binding',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('bound_by', sa.Integer(), nullable=True),
        sa.Column('bound_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.ForeignKeyConstraint(['bound_by'], ['user.id']),
        sa.PrimaryKeyConstraint('agency_id', 'direction'),
    )
    op.create_table(
        'hub_identity',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('organization_in_charge', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('organ_add', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('telephone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('fax', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.ForeignKeyConstraint(['updated_by'], ['user.id']),
        sa.PrimaryKeyConstraint('agency_id'),
    )


def downgrade() -> None:
    op.drop_table('hub_identity')
    op.drop_table('process_binding')
    op.drop_table('agency_document_type')
    with op.batch_alter_table('document_type', schema=None) as batch_op:
        batch_op.drop_constraint('fk_document_type_agency_id_agency', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_document_type_agency_id'))
        batch_op.drop_column('agency_id')
