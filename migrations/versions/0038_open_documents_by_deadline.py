"""open documents by deadline

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-04 18:10:00

The oldest overdue documents (the statistics pages, the province supervision) are read from a
partial index of the open documents only, ``(direction, due_date, id, agency_id) WHERE closed_at IS
NULL``: in deadline order, so twenty items are twenty index entries, and an agency's filter is
checked in the index. It replaces 0032's ``(closed_at, due_date)``, with which PostgreSQL sorted
every open document (about 0.5 s at 1,000,000 documents; 2 ms with this one).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0038'
down_revision: str | None = '0037'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text('closed_at IS NULL')


def upgrade() -> None:
    op.drop_index('ix_document_closed_due', table_name='document')
    op.create_index('ix_document_open_due', 'document', ['direction', 'due_date', 'id', 'agency_id'],
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index('ix_document_open_due', table_name='document')
    op.create_index('ix_document_closed_due', 'document', ['closed_at', 'due_date'])
