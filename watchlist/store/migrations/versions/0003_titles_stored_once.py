"""titles stored once

A thread's title was copied onto every post of the thread (a 500 KB title on 1,000 posts made a
501 MB database). Titles move to a ``titles`` table, one row per distinct title (by its
SHA-256), which ``posts.title_id`` references.

SQLite: the columns are added and dropped with plain ``ALTER TABLE`` (SQLite 3.35+), never by
Alembic's batch mode, which copies ``posts`` into a new table and drops the old one — and with
foreign keys on, dropping ``posts`` would cascade to every sighting. For the same reason the
downgrade leaves ``posts.title_id`` in place on SQLite (SQLite cannot drop a column that holds a
foreign key); the upgrade then reuses it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:55:54.033494
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 500
_FK = "posts_title_id_fkey"  # the name PostgreSQL gives the unnamed key of the model


def upgrade() -> None:
    op.create_table('titles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest', name='uq_titles_digest')
    )
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    columns = {c["name"] for c in sa.inspect(bind).get_columns("posts")}
    if "title_id" not in columns:
        if sqlite:
            op.execute(
                "ALTER TABLE posts ADD COLUMN title_id INTEGER "
                "REFERENCES titles (id)"
            )
        else:
            op.add_column('posts', sa.Column('title_id', sa.Integer(), nullable=True))
            op.create_foreign_key(_FK, 'posts', 'titles', ['title_id'], ['id'])
    op.create_index(op.f('ix_posts_title_id'), 'posts', ['title_id'], unique=False)
    _move_titles(bind)
    if sqlite:
        op.execute("ALTER TABLE posts DROP COLUMN title")
    else:
        op.drop_column('posts', 'title')


def _move_titles(bind: sa.Connection) -> None:
    """One ``titles`` row per distinct post title; each post pointed at its title's row."""
    posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("title", sa.Text),
                     sa.column("title_id", sa.Integer))
    titles = sa.table("titles", sa.column("id", sa.Integer), sa.column("digest", sa.String),
                      sa.column("text", sa.Text))
    ids: dict[str, int] = {}
    last = 0
    while True:
        rows = bind.execute(
            sa.select(posts.c.id, posts.c.title)
            .where(posts.c.id > last, posts.c.title.is_not(None))
            .order_by(posts.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        links = []
        for post_id, title in rows:
            digest = hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()
            if digest not in ids:
                ids[digest] = bind.execute(
                    titles.insert().values(digest=digest, text=title).returning(titles.c.id)
                ).scalar_one()
            links.append({"pid": post_id, "tid": ids[digest]})
        bind.execute(
            posts.update().where(posts.c.id == sa.bindparam("pid"))
            .values(title_id=sa.bindparam("tid")),
            links,
        )


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.add_column('posts', sa.Column('title', sa.TEXT(), nullable=True))
    op.execute(
        "UPDATE posts SET title = (SELECT titles.text FROM titles WHERE titles.id = posts.title_id)"
    )
    op.drop_index(op.f('ix_posts_title_id'), table_name='posts')
    if sqlite:
        op.execute("UPDATE posts SET title_id = NULL")
    else:
        op.drop_constraint(_FK, 'posts', type_='foreignkey')
        op.drop_column('posts', 'title_id')
    op.drop_table('titles')
