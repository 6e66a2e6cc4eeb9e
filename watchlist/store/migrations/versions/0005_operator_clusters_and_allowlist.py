"""operator clusters, the allowlist, re-review flags

New tables only: ``clusters`` / ``cluster_members`` (operator clusters, kept up to date as
sightings are stored), ``hubs`` (values too common to link anything) and ``hub_checks``
(the author counts that decide it), ``allowlist`` with its
append-only ``allowlist_events``, and ``rereview_flags`` (dismissed entries seen again).

Posts stored before this revision are queued in ``cluster_backlog``: the next saves link them a
few thousand at a time, or ``watchlist clusters --rebuild`` links them all at once. (No cluster
code runs here: a migration must not depend on application code that later changes.)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:06:01.445818
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('allowlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'value', name='uq_allowlist_kind_value')
    )
    op.create_table('allowlist_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('op', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_allowlist_events_kind_value', 'allowlist_events', ['kind', 'value'],
                    unique=False)
    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('merged_into', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_clusters_merged_into'), 'clusters', ['merged_into'], unique=False)
    op.create_table('cluster_members',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id')
    )
    op.create_index(op.f('ix_cluster_members_cluster_id'), 'cluster_members', ['cluster_id'],
                    unique=False)
    op.create_table('hubs',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('authors', sa.Integer(), nullable=False),
    sa.Column('since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id')
    )
    op.create_table('hub_checks',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('authors', sa.Integer(), nullable=False),
    sa.Column('sightings', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id')
    )
    op.create_table('cluster_backlog',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id')
    )
    op.create_table('rereview_flags',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('otc_score', sa.Float(), nullable=False),
    sa.Column('flagged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id')
    )
    op.execute(
        "INSERT INTO cluster_backlog (post_id) SELECT DISTINCT post_id FROM sightings"
    )


def downgrade() -> None:
    op.drop_table('rereview_flags')
    op.drop_table('cluster_backlog')
    op.drop_table('hub_checks')
    op.drop_table('hubs')
    op.drop_index(op.f('ix_cluster_members_cluster_id'), table_name='cluster_members')
    op.drop_table('cluster_members')
    op.drop_index(op.f('ix_clusters_merged_into'), table_name='clusters')
    op.drop_table('clusters')
    op.drop_index('ix_allowlist_events_kind_value', table_name='allowlist_events')
    op.drop_table('allowlist_events')
    op.drop_table('allowlist')
