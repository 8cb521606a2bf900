"""replies by document

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-04 20:20:00

An incoming document's page lists the outgoing documents that answer it (``in_reply_to_id``). The
column had no index, so each page view read every document: the page's server time grew with the
province (291 ms at 200,000 documents, 746 ms at 1,000,000). A partial index holds the replies
only, in the page's order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0039'
down_revision: str | None = '0038'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPLYING = sa.text('in_reply_to_id IS NOT NULL')


def upgrade() -> None:
    op.create_index('ix_document_in_reply_to', 'document', ['in_reply_to_id', 'created_at'],
                    sqlite_where=REPLYING, postgresql_where=REPLYING)


def downgrade() -> None:
    op.drop_index('ix_document_in_reply_to', table_name='document')
