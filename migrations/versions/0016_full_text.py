"""full text of PDFs in the search index: which file the text was read from, and what waits

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 05:30:00

``document_search.text_file_id`` names the current file whose text layer (with the
attachments') ``text_content`` holds; ``text_pending`` marks the rows whose current file has not
been read yet, with a partial index over them alone. Every document that has a file is marked
pending here: the ``Reconcile`` round (or ``qlvb search index-text``) reads them, a batch at a
time. Declared in ``models/documents/search.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.documents.search import FTS_PREFIX, FTS_UPDATE_TRIGGER

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy: on SQLite a copy of document_search would drop the
    # triggers that keep its FTS5 index in step.
    op.add_column('document_search', sa.Column('text_file_id', sa.Integer(), nullable=True))
    op.add_column('document_search', sa.Column('text_pending', sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    op.create_index('ix_document_search_text_pending', 'document_search', ['id'], unique=False,
                    sqlite_where=sa.text('text_pending'), postgresql_where=sa.text('text_pending'))
    if op.get_bind().dialect.name == 'sqlite':
        # The FTS5 entry follows ``folded`` only: marking a row pending rewrites no index entry.
        op.execute(f'DROP TRIGGER IF EXISTS {FTS_PREFIX}_au')
        op.execute(FTS_UPDATE_TRIGGER)
    op.execute(sa.text(
        'UPDATE document_search SET text_pending = true WHERE document_id IN '
        '(SELECT id FROM document WHERE file_id IS NOT NULL)'))


def downgrade() -> None:
    op.drop_index('ix_document_search_text_pending', table_name='document_search')
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch copy that would lose the triggers.
    op.drop_column('document_search', 'text_pending')
    op.drop_column('document_search', 'text_file_id')
