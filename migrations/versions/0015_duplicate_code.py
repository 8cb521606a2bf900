"""duplicate code: the folded số/ký hiệu probable duplicates are found by

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 05:40:00

Issue 10: the duplicate warning compared số, ký hiệu and agency with the database's ``upper()``
and ``lower()``, which on SQLite fold ASCII only ("Ủ" and "ủ" differed). The key is now folded
in Python (``models.documents.duplicates.code_key``) and stored; existing rows are backfilled
with the same function, so both backends hold the same keys.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.documents.duplicates import DUPLICATE_CODE_LENGTH, code_key

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_code', sa.String(length=DUPLICATE_CODE_LENGTH),
                                      nullable=False, server_default=''))
        batch_op.drop_index('ix_document_dup_key')
        batch_op.create_index('ix_document_duplicate_code', ['agency_id', 'duplicate_code'], unique=False)
    connection = op.get_bind()
    document = sa.table('document', sa.column('id', sa.String), sa.column('code_number', sa.String),
                        sa.column('code_notation', sa.String), sa.column('duplicate_code', sa.String))
    last_id = ''
    while True:
        rows = connection.execute(
            sa.select(document.c.id, document.c.code_number, document.c.code_notation)
            .where(document.c.id > last_id).order_by(document.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            connection.execute(document.update().where(document.c.id == row.id).values(
                duplicate_code=code_key(row.code_number or '', row.code_notation or '')))
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_duplicate_code')
        batch_op.create_index('ix_document_dup_key', ['code_number', 'code_notation', 'organ_name'], unique=False)
        batch_op.drop_column('duplicate_code')
