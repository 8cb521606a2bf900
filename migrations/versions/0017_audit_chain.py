"""audit chain: every audit event hash-chained to the previous one, each day's head signed

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 06:00:00

The audit trail becomes tamper-evident (ND30 PL VI III.5.a, III.6.l): ``auditevent`` gets
``seq``, ``prev_hash`` and ``hash`` (``models.audit``), the one-row ``audit_chain_head`` holds the
last link, and ``audit_day_head`` the signed head of each day. Existing rows are chained in id
order with the same hash function, and the head row is written after them. New indexes serve the
administrator's search (time, person, action).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.audit import GENESIS_HASH, event_hash

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_audit_seq', ['seq'], unique=False)
        batch_op.create_index('ix_audit_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_actor', ['actor_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_code', ['code', 'at'], unique=False)
    head = op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'audit_day_head',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.Column('signature', sa.String(length=128), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )
    seq, prev_hash = _backfill(op.get_bind())
    op.bulk_insert(head, [{'id': 1, 'seq': seq, 'hash': prev_hash}])


def _backfill(connection) -> tuple[int, str]:
    from models.db import UTCDateTime

    event = sa.table('auditevent', sa.column('id', sa.Integer), sa.column('at', UTCDateTime()),
                     sa.column('actor_id', sa.Integer), sa.column('code', sa.String),
                     sa.column('subject_type', sa.String), sa.column('subject_id', sa.String),
                     sa.column('data', sa.JSON), sa.column('seq', sa.BigInteger),
                     sa.column('prev_hash', sa.String), sa.column('hash', sa.String))
    seq, prev_hash, last_id = 0, GENESIS_HASH, 0
    while True:
        rows = connection.execute(
            sa.select(event.c.id, event.c.at, event.c.actor_id, event.c.code, event.c.subject_type,
                      event.c.subject_id, event.c.data)
            .where(event.c.id > last_id).order_by(event.c.id).limit(BATCH)).all()
        if not rows:
            return seq, prev_hash
        for row in rows:
            seq += 1
            digest = event_hash(seq, row.id, row.at, row.actor_id, row.code, row.subject_type, row.subject_id,
                                row.data, prev_hash)
            connection.execute(event.update().where(event.c.id == row.id)
                               .values(seq=seq, prev_hash=prev_hash, hash=digest))
            prev_hash = digest
        last_id = rows[-1].id


def downgrade() -> None:
    op.drop_table('audit_day_head')
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_code')
        batch_op.drop_index('ix_audit_actor')
        batch_op.drop_index('ix_audit_at')
        batch_op.drop_index('ix_audit_seq')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
