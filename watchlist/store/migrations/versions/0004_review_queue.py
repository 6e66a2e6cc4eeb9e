"""review queue: actions, reasons and batches in reviews; four-eyes; resume cursors

``reviews`` gains ``action`` (what the row records: confirm, dismiss, first-confirm, note,
undo), ``reason`` (a dismissal's reason code) and ``batch`` (the id shared by the rows of one
decision, named again by its undo). Rows written before are confirm or dismiss rows, read from
their ``to_status``. ``entries.first_confirmed_by``: four-eyes mode's first confirmation; ``entries.best_role``:
the strongest role among the entry's sightings (the queue's order), backfilled here.
``review_cursors``: where each reviewer left each queue.

Plain ``ALTER TABLE ... ADD COLUMN`` on SQLite, never Alembic's batch mode (which copies a
table and drops the old one: with foreign keys on, dropping ``entries`` would cascade).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('reviews', sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16),
                                       nullable=False, server_default='confirm'))
    op.execute("UPDATE reviews SET action = 'dismiss' WHERE to_status = 'dismissed'")
    op.add_column('reviews', sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=32),
                                       nullable=True))
    op.add_column('reviews', sa.Column('batch', sqlmodel.sql.sqltypes.AutoString(length=32),
                                       nullable=True))
    op.create_index(op.f('ix_reviews_batch'), 'reviews', ['batch'], unique=False)
    op.add_column('entries', sa.Column('first_confirmed_by',
                                       sqlmodel.sql.sqltypes.AutoString(length=128),
                                       nullable=True))
    op.create_index(op.f('ix_entries_first_confirmed_by'), 'entries', ['first_confirmed_by'],
                    unique=False)
    op.add_column('entries', sa.Column('best_role', sqlmodel.sql.sqltypes.AutoString(length=16),
                                       nullable=False, server_default='mentioned'))
    op.execute(
        "UPDATE entries SET best_role = CASE (SELECT max(CASE s.role WHEN 'offered' THEN 2 "
        "WHEN 'reported' THEN 1 ELSE 0 END) FROM sightings s WHERE s.entry_id = entries.id) "
        "WHEN 2 THEN 'offered' WHEN 1 THEN 'reported' ELSE 'mentioned' END"
    )
    op.create_table('review_cursors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reviewer', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('queue', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reviewer', 'queue', name='uq_review_cursors_queue')
    )


def downgrade() -> None:
    op.drop_table('review_cursors')
    op.drop_column('entries', 'best_role')
    op.drop_index(op.f('ix_entries_first_confirmed_by'), table_name='entries')
    op.drop_column('entries', 'first_confirmed_by')
    op.drop_index(op.f('ix_reviews_batch'), table_name='reviews')
    op.drop_column('reviews', 'batch')
    op.drop_column('reviews', 'reason')
    op.drop_column('reviews', 'action')
