"""push notifications: a person's devices and the push outbox

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04 17:30:00

Urgent documents raise a browser push notification (Web Push with VAPID, models/push/): each
browser a person turned it on in is a ``push_subscription`` (its endpoint unique, its keys, the
last success, failures counted, revoked rather than deleted); ``push_message`` is the outbox filled
in the notification's transaction, one row per notification and device, drained by the worker.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db

revision: str = '0036'
down_revision: str | None = '0035'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'push_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('endpoint', sa.String(length=1000), nullable=False),
        sa.Column('p256dh', sa.String(length=200), nullable=False),
        sa.Column('auth', sa.String(length=50), nullable=False),
        sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_success_at', models.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('revoked_at', models.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_reason', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('endpoint'),
    )
    op.create_index(op.f('ix_push_subscription_user_id'), 'push_subscription', ['user_id'], unique=False)
    op.create_table(
        'push_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=10), nullable=False),
        sa.Column('done_at', models.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_until', models.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id']),
        sa.ForeignKeyConstraint(['subscription_id'], ['push_subscription.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('notification_id', 'subscription_id'),
    )
    op.create_index(op.f('ix_push_message_subscription_id'), 'push_message', ['subscription_id'], unique=False)
    op.create_index(op.f('ix_push_message_outcome'), 'push_message', ['outcome'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_push_message_outcome'), table_name='push_message')
    op.drop_index(op.f('ix_push_message_subscription_id'), table_name='push_message')
    op.drop_table('push_message')
    op.drop_index(op.f('ix_push_subscription_user_id'), table_name='push_subscription')
    op.drop_table('push_subscription')
