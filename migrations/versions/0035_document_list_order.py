"""the order the document lists are read in

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04 17:05:00

The lists of văn bản đến and văn bản đi (``models/documents/listing.py``) show an agency's documents
of one direction newest first and page by seeking past the last row shown (created_at, id). An
index in that order lets a page read only its rows, at any depth and at a million documents; a
year or a date range is a range of the same index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0035'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_document_list_order', 'document', ['agency_id', 'direction', 'created_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_document_list_order', table_name='document')
