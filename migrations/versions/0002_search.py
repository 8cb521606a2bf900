"""full-text search index and saved searches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 13:00:00.000000

Creates ``document_search`` and ``saved_search``, the full-text objects SQLModel cannot
declare (SQLite: FTS5 table and triggers; PostgreSQL: pg_trgm and a GIN index over
``to_tsvector``, see ``models/documents/search.py``), then indexes the documents that already exist.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db
from models.documents.search import FTS_PREFIX, POSTGRES_EXTENSIONS, index_values, search_ddl

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == 'postgresql':
        for statement in POSTGRES_EXTENSIONS:
            op.execute(statement)
    op.create_table('document_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('folded', sa.Text(), nullable=False),
    sa.Column('so_ky_hieu', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
    sa.Column('text_content', sa.Text(), nullable=False),
    sa.Column('updated_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id')
    )
    with op.batch_alter_table('document_search', schema=None) as batch_op:
        batch_op.create_index('ix_document_search_so_ky_hieu', ['so_ky_hieu'], unique=False,
                              postgresql_using='gin', postgresql_ops={'so_ky_hieu': 'gin_trgm_ops'})

    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('query', sa.JSON(), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'name')
    )
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_user_id'), ['user_id'], unique=False)

    for statement in search_ddl(dialect):
        op.execute(statement)
    _index_existing_documents(bind)


def _index_existing_documents(bind) -> None:
    """Index the documents registered before this revision (the triggers fill FTS5)."""
    document = sa.table('document', *(sa.column(name) for name in (
        'id', 'code_number', 'code_notation', 'subject', 'organ_name', 'type_name',
        'signer_full_name', 'signer_position', 'description')))
    index = sa.table('document_search', sa.column('document_id'), sa.column('folded'),
                     sa.column('so_ky_hieu'), sa.column('text_content'),
                     sa.column('updated_at', models.db.UTCDateTime()))
    now = models.db.utcnow()
    rows = [{'document_id': row.id, **index_values(row, ''), 'updated_at': now}
            for row in bind.execute(sa.select(document))]
    if rows:
        bind.execute(index.insert(), rows)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute(f'DROP TABLE IF EXISTS {FTS_PREFIX}')
    else:
        op.execute(f'DROP INDEX IF EXISTS {FTS_PREFIX}_gin')
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_user_id'))

    op.drop_table('saved_search')
    with op.batch_alter_table('document_search', schema=None) as batch_op:
        batch_op.drop_index('ix_document_search_so_ky_hieu')

    op.drop_table('document_search')
