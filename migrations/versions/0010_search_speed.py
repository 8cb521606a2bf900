"""search and inbox speed: newest-arrival and assignee/status indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 15:00:00

Issue 3's benchmark (1,000,000 documents, 50 users): a search without text sorted every
visible document by arrival to show 50, and the "mine" inbox visited every task a person
ever held. Declared in ``models/documents/search.py`` (``SPEED_INDEXES``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_arrival', ['arrival_date', 'created_at'], unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_assignee_status', ['assignee_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_assignee_status')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_arrival')
