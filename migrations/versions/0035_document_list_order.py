"""the order the document lists are read in

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04 17:05:00

The lists of văn bản đến and văn bản đi (``models/documents/listing.py``) show an agency's documents
of one direction newest first and page by seeking past the last row shown (created_at, id). An
index in that order lets a page read only its rows, at any depth and at a million documents; a
year or a date range is a range of the same index.

A chuyên viên or a unit head sees the documents routed to them or their unit: PostgreSQL reads
those routing rows once per list (a hashed subplan), which without indexes on ``assignment.user_id``
and ``assignment.unit_id`` is a scan of every routing row of the installation (120 ms at a million
documents, 27 ms with them).
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0035'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_document_list_order', 'document', ['agency_id', 'direction', 'created_at', 'id'])
    op.create_index('ix_assignment_user_id', 'assignment', ['user_id'])
    op.create_index('ix_assignment_unit_id', 'assignment', ['unit_id'])


def downgrade() -> None:
    op.drop_index('ix_assignment_unit_id', table_name='assignment')
    op.drop_index('ix_assignment_user_id', table_name='assignment')
    op.drop_index('ix_document_list_order', table_name='document')
