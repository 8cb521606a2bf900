"""indexes for the operations totals

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04 17:00:00

What ``/metrics`` counts at scrape time without reading whole tables (``models/operations/repo.py``):
the signature verdicts from an index on ``signature_check.verdict``; the hub packages still pending
or failed from a partial index that leaves out the sent ones (they grow without bound); the recalls
asked of recipients from a partial index over the few recipients with ``recall_requested_at``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0037'
down_revision: str | None = '0036'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSENT = sa.text("transport_status <> 'sent'")
RECALLED = sa.text('recall_requested_at IS NOT NULL')


def upgrade() -> None:
    op.create_index('ix_signature_check_verdict', 'signature_check', ['verdict'])
    op.create_index('ix_hub_outbox_unsent', 'hub_outbox', ['transport_status'],
                    sqlite_where=UNSENT, postgresql_where=UNSENT)
    op.create_index('ix_recipient_recall_requested', 'recipient', ['recall_requested_at'],
                    sqlite_where=RECALLED, postgresql_where=RECALLED)


def downgrade() -> None:
    op.drop_index('ix_recipient_recall_requested', table_name='recipient')
    op.drop_index('ix_hub_outbox_unsent', table_name='hub_outbox')
    op.drop_index('ix_signature_check_verdict', table_name='signature_check')
