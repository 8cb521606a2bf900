"""visibility by document

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-04 20:30:00

Whether a person may see a document is asked per document inside searches and lists: was the
person or their unit routed it (``assignment``), did the person have a step on it (``task``). Each
of those tables had one index by document and one by person; SQLite, which runs without
statistics, could pick the one by person and read all of the person's routings for every document
of a search (a chuyên viên's search at 200,000 documents ran for minutes). Indexes by document and
person make the per-document question one index lookup on both backends.

The inbox and its badges count and list the steps offered to a person's groups (agency, role,
unit, overdue, in urgency and deadline order). Through ``ix_task_queue`` (agency, status) each
open step of the agency was read from the table: 5–12 ms a count at 200,000 documents, growing
with the backlog. ``ix_task_offered`` holds every column they test, so counts read the index alone.

The probable duplicates of a document (its page, and every intake) are read by agency and
duplicate code, newest first: ``ix_document_duplicate_code`` gains the direction and the date, so
SQLite no longer prefers the list's date index and reads the agency's documents one by one.

A search on PostgreSQL gathers its matches per way of seeing a document; the documents a person
drafted are one of them, read through ``ix_document_drafter`` (a whole scan of 1,000,000 documents
took 136 ms of each search).

The reconciler looks for documents whose workflow start was lost (still NEW) every round: a
partial index of the NEW documents by date replaces reading every document's status.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0040'
down_revision: str | None = '0039'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_STARTED = sa.text("status = 'new'")


def upgrade() -> None:
    op.create_index('ix_assignment_document_user', 'assignment', ['document_id', 'user_id'])
    op.create_index('ix_assignment_document_unit', 'assignment', ['document_id', 'unit_id'])
    op.create_index('ix_task_document_assignee', 'task', ['document_id', 'assignee_id'])
    op.drop_index('ix_document_duplicate_code', table_name='document')
    op.create_index('ix_document_duplicate_code', 'document', ['agency_id', 'duplicate_code', 'direction', 'created_at'])
    op.create_index('ix_document_not_started', 'document', ['created_at'], sqlite_where=NOT_STARTED,
                    postgresql_where=NOT_STARTED)
    op.create_index('ix_document_drafter', 'document', ['created_by', 'direction'])
    op.create_index('ix_task_offered', 'task', ['agency_id', 'status', 'candidate_role', 'unit_id', 'overdue',
                                                'urgency_rank', 'due_at'])


def downgrade() -> None:
    op.drop_index('ix_task_offered', table_name='task')
    op.drop_index('ix_document_not_started', table_name='document')
    op.drop_index('ix_document_drafter', table_name='document')
    op.drop_index('ix_document_duplicate_code', table_name='document')
    op.create_index('ix_document_duplicate_code', 'document', ['agency_id', 'duplicate_code'])
    op.drop_index('ix_task_document_assignee', table_name='task')
    op.drop_index('ix_assignment_document_unit', table_name='assignment')
    op.drop_index('ix_assignment_document_user', table_name='assignment')
