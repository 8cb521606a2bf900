"""mail claims: a sender claims a message before sending it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 23:59:00

Issue 9: the mail sender runs as scheduled work any worker may pick up; ``claimed_until`` lets
one sender hold a message while it sends it, so two never send it twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', models.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
