"""decision nonce: a retried decision resumes or returns the first one

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 00:55:00

Issue 10: a decision whose answer was lost (the call failed in flight, the web process died
after the commit) is sent again with the same nonce; the task row keeps the nonce of the decision
it carries so the retry resumes it or returns its outcome instead of being refused.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_nonce', sa.String(length=80), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('decision_nonce')
