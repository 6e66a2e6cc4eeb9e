"""Operator clusters, kept up to date as sightings are stored (the reads are in ``clusters``).

Entries seen in the same post are *linked*; a cluster is a set of two or more entries connected
by links — the same seller's Alipay, WeChat, phone and TRON address, ad after ad. Values that
would glue every seller into one cluster link nothing (*hubs*):

- public token contracts (``watchlist.extract.known``) and allowlisted values;
- values that more than :data:`HUB_AUTHORS` different authors posted together with other
  values, offered or mentioned (an author is a name, whichever site it posts on; a post
  without one is its own author). One operator posts from a few accounts, on many sites; a
  value many people put beside their own handles — an exchange, an escrow bot, the platform's
  own domain — is no one's contact. Reports do not count: a value reported by many victims
  still belongs to one operator.

A post naming more than :data:`POST_LINK_LIMIT` values is a list (a blacklist, a directory),
not one operator's ad: it links nothing.

Maintenance is incremental: each save links only the posts that gained sightings — union-find
over their entries and the clusters those already belong to — inside the save's transaction.
Ids are stable: a growing cluster keeps its id; when clusters merge, the largest keeps its id
(the oldest on a tie) and the others are marked ``merged_into`` it. When a member turns into a
hub or is allowlisted it leaves its cluster, which is split again from the remaining members'
posts: the largest part keeps the id, the other parts get new ones. Posts stored before
clusters existed wait in ``cluster_backlog``: each save links :data:`BACKLOG_PER_SAVE` of them.
On PostgreSQL an advisory lock makes concurrent saves take turns at this step, so that each one
sees the clusters the others committed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    Table,
    bindparam,
    cast,
    delete,
    distinct,
    exists,
    func,
    literal,
    select,
    text,
)
from sqlmodel import Session, SQLModel

from watchlist.extract.known import is_public_contract
from watchlist.store.engine import upsert_into
from watchlist.store.tables import (
    Allowed,
    Cluster,
    ClusterBacklog,
    ClusterMember,
    Entry,
    Hub,
    HubCheck,
    Post,
    Sighting,
)

HUB_AUTHORS = 10
POST_LINK_LIMIT = 12
BACKLOG_PER_SAVE = 2_000
CHUNK = 500
# Any constant works: with the schema's hash, it names the advisory lock that serializes cluster
# upkeep on PostgreSQL (two int4 keys: the constant must fit in 32 bits).
PG_CLUSTER_LOCK = 7_360_222

ENTRIES: Table = SQLModel.metadata.tables[Entry.__tablename__]
POSTS: Table = SQLModel.metadata.tables[Post.__tablename__]
SIGHTINGS: Table = SQLModel.metadata.tables[Sighting.__tablename__]
CLUSTERS: Table = SQLModel.metadata.tables[Cluster.__tablename__]
MEMBERS: Table = SQLModel.metadata.tables[ClusterMember.__tablename__]
HUBS: Table = SQLModel.metadata.tables[Hub.__tablename__]
BACKLOG: Table = SQLModel.metadata.tables[ClusterBacklog.__tablename__]
CHECKS: Table = SQLModel.metadata.tables[HubCheck.__tablename__]
ALLOWED: Table = SQLModel.metadata.tables[Allowed.__tablename__]


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def lock(session: Session) -> None:
    """Take the cluster lock for the rest of the transaction (PostgreSQL; SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":  # one lock per schema, not per database
        key = text("SELECT pg_advisory_xact_lock(CAST(:k AS integer), hashtext(current_schema()))")
        session.execute(key, {"k": PG_CLUSTER_LOCK})


def defer(session: Session, post_ids: Collection[int]) -> None:
    """Queue ``post_ids`` in the backlog, to be linked by a later save."""
    rows = [{"post_id": post_id} for post_id in sorted(post_ids)]
    statement = upsert_into(session, BACKLOG).on_conflict_do_nothing(index_elements=["post_id"])
    for chunk in chunks(rows):
        session.execute(statement, list(chunk))


def link_saved(session: Session, post_ids: Collection[int], now: datetime) -> None:
    """Link the posts among ``post_ids`` that gained sightings at ``now``, and some backlog."""
    posts, gained = _post_entries(session, sorted(post_ids), now)
    if gained:
        _link(session, {p: posts[p] for p, _ in gained}, now, {e for _, e in gained})
    backlog = list(session.execute(select(BACKLOG.c.post_id).limit(BACKLOG_PER_SAVE)).scalars())
    if backlog:
        for chunk in chunks(backlog):
            session.execute(delete(BACKLOG).where(BACKLOG.c.post_id.in_(chunk)))
        link_posts(session, backlog, now)


@dataclass(slots=True)
class _Node:
    """An entry of the posts being linked, as the store has it now."""

    kind: str
    value: str
    sightings: int
    cluster: int | None
    excluded: bool  # a hub, an allowlisted value or a public contract


def link_posts(
    session: Session, post_ids: Iterable[int], now: datetime, gained: set[int] | None = None
) -> None:
    """Link the entries of each of ``post_ids`` (all their sightings) into clusters.

    ``gained``: the entries whose sightings just grew, the only ones that can have turned into
    hubs (None: check every entry of the posts).
    """
    posts, _ = _post_entries(session, sorted(set(post_ids)))
    _link(session, posts, now, gained)


def _link(
    session: Session, posts: dict[int, list[int]], now: datetime, gained: set[int] | None
) -> None:
    entry_ids = sorted({e for members in posts.values() for e in members})
    nodes = _nodes(session, entry_ids)
    if _new_hubs(session, nodes, gained, now):
        nodes = _nodes(session, entry_ids)  # hubs now, and their clusters split
    groups = _UnionFind()
    for members in posts.values():
        if len(members) > POST_LINK_LIMIT:
            continue
        keys = [_key(entry_id, nodes[entry_id]) for entry_id in members]
        linked = [key for key in keys if key is not None]
        for key in linked[1:]:
            groups.union(linked[0], key)
    _apply(session, groups.groups(), now)


def _key(entry_id: int, node: _Node) -> tuple[str, int] | None:
    if node.excluded:
        return None
    return ("c", node.cluster) if node.cluster is not None else ("e", entry_id)


def _post_entries(
    session: Session, post_ids: Sequence[int], now: datetime | None = None
) -> tuple[dict[int, list[int]], list[tuple[int, int]]]:
    """The entries of each post, and the (post, entry) sightings stored at ``now``."""
    posts: dict[int, list[int]] = {}
    gained: list[tuple[int, int]] = []
    new = SIGHTINGS.c.seen_at == now if now is not None else literal(False)
    for chunk in chunks(post_ids):
        query = select(SIGHTINGS.c.post_id, SIGHTINGS.c.entry_id, new).where(
            SIGHTINGS.c.post_id.in_(chunk)
        )
        for post_id, entry_id, is_new in session.execute(query):
            posts.setdefault(post_id, []).append(entry_id)
            if is_new:
                gained.append((post_id, entry_id))
    return posts, gained


def _nodes(session: Session, entry_ids: Sequence[int]) -> dict[int, _Node]:
    # Three lookups by key, not one join: PostgreSQL would hash-join all of cluster_members.
    allowed = {(k, v) for k, v in session.execute(select(ALLOWED.c.kind, ALLOWED.c.value))}
    clusters: dict[int, int] = {}
    hubs: set[int] = set()
    rows: list[tuple[int, str, str, int]] = []
    for chunk in chunks(entry_ids):
        query = select(MEMBERS.c.entry_id, MEMBERS.c.cluster_id).where(
            MEMBERS.c.entry_id.in_(chunk)
        )
        clusters.update((e, c) for e, c in session.execute(query))
        query = select(HUBS.c.entry_id).where(HUBS.c.entry_id.in_(chunk))
        hubs.update(session.execute(query).scalars())
        query = select(ENTRIES.c.id, ENTRIES.c.kind, ENTRIES.c.value, ENTRIES.c.sightings).where(
            ENTRIES.c.id.in_(chunk)
        )
        rows.extend((i, k, v, n) for i, k, v, n in session.execute(query))
    nodes: dict[int, _Node] = {}
    for entry_id, kind, value, sightings in rows:
        excluded = entry_id in hubs or (kind, value) in allowed or is_public_contract(kind, value)
        nodes[entry_id] = _Node(kind, value, sightings, clusters.get(entry_id), excluded)
    return nodes


def author_counts(session: Session, entry_ids: Sequence[int]) -> dict[int, int]:
    """How many authors posted each entry together with other values (offered or mentioned)."""
    other = SIGHTINGS.alias("other")
    beside_others = exists().where(
        other.c.post_id == SIGHTINGS.c.post_id, other.c.entry_id != SIGHTINGS.c.entry_id
    )
    author = func.coalesce(POSTS.c.author, literal("\x1f#") + cast(POSTS.c.id, String))
    counts: dict[int, int] = {}
    for chunk in chunks(entry_ids):
        query = (
            select(SIGHTINGS.c.entry_id, func.count(distinct(author)))
            .join(POSTS, POSTS.c.id == SIGHTINGS.c.post_id)
            .where(SIGHTINGS.c.entry_id.in_(chunk), SIGHTINGS.c.role != "reported", beside_others)
            .group_by(SIGHTINGS.c.entry_id)
        )
        counts.update((entry_id, n) for entry_id, n in session.execute(query))
    return counts


def _new_hubs(
    session: Session, nodes: dict[int, _Node], gained: set[int] | None, now: datetime
) -> list[int]:
    """The entries that have just become hubs: recorded in ``hubs``, taken out of clusters.

    An entry seen in HUB_AUTHORS posts or fewer cannot have more authors than that; one counted
    before is counted again only when its sightings since could take it past the threshold.
    """
    candidates = sorted(
        entry_id
        for entry_id, node in nodes.items()
        if not node.excluded
        and node.sightings > HUB_AUTHORS
        and (gained is None or entry_id in gained)
    )
    if not candidates:
        return []
    checked: dict[int, tuple[int, int]] = {}
    for chunk in chunks(candidates):
        query = select(CHECKS.c.entry_id, CHECKS.c.authors, CHECKS.c.sightings).where(
            CHECKS.c.entry_id.in_(chunk)
        )
        checked.update((e, (a, n)) for e, a, n in session.execute(query))
    due = [
        entry_id
        for entry_id in candidates
        if entry_id not in checked
        or checked[entry_id][0] + nodes[entry_id].sightings - checked[entry_id][1] > HUB_AUTHORS
    ]
    counts = author_counts(session, due)
    hubs = [entry_id for entry_id in due if counts.get(entry_id, 0) > HUB_AUTHORS]
    if hubs:
        session.execute(
            HUBS.insert(), [{"entry_id": i, "authors": counts[i], "since": now} for i in hubs]
        )
        detach(session, hubs, now)
    rows = [
        {"entry_id": i, "authors": counts.get(i, 0), "sightings": nodes[i].sightings} for i in due
    ]
    if rows:
        insert = upsert_into(session, CHECKS)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["entry_id"],
                set_={"authors": insert.excluded.authors, "sightings": insert.excluded.sightings},
            ),
            rows,
        )
    return hubs


class _UnionFind:
    """Disjoint sets of ``("c", cluster id)`` and ``("e", entry id)`` keys (by size, halving)."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}
        self.size: dict[tuple[str, int], int] = {}

    def find(self, key: tuple[str, int]) -> tuple[str, int]:
        parent = self.parent
        if key not in parent:
            parent[key], self.size[key] = key, 1
            return key
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(self, a: tuple[str, int], b: tuple[str, int]) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        if self.size[root_a] < self.size[root_b]:
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        self.size[root_a] += self.size[root_b]

    def groups(self) -> list[list[tuple[str, int]]]:
        """The sets of two keys or more."""
        by_root: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for key in list(self.parent):
            by_root.setdefault(self.find(key), []).append(key)
        return [keys for keys in by_root.values() if len(keys) > 1]


@dataclass(slots=True)
class _Plan:
    """The writes that turn linked groups into clusters."""

    new: list[list[int]] = field(default_factory=list)  # members of each new cluster
    joins: list[tuple[int, int]] = field(default_factory=list)  # (entry, cluster)
    merges: list[tuple[int, int]] = field(default_factory=list)  # (merged, survivor)
    growth: dict[int, int] = field(default_factory=dict)  # cluster: members gained


def _apply(session: Session, groups: list[list[tuple[str, int]]], now: datetime) -> None:
    cluster_ids = sorted({key[1] for keys in groups for key in keys if key[0] == "c"})
    sizes: dict[int, int] = {}
    for chunk in chunks(cluster_ids):
        query = select(CLUSTERS.c.id, CLUSTERS.c.size).where(CLUSTERS.c.id.in_(chunk))
        sizes.update((cluster_id, size) for cluster_id, size in session.execute(query))
    plan = _Plan()
    for keys in groups:
        clusters = [key[1] for key in keys if key[0] == "c"]
        loose = sorted(key[1] for key in keys if key[0] == "e")
        if not clusters:
            plan.new.append(loose)
            continue
        survivor = max(clusters, key=lambda c: (sizes[c], -c))
        merged = [c for c in clusters if c != survivor]
        plan.merges.extend((c, survivor) for c in merged)
        plan.joins.extend((entry_id, survivor) for entry_id in loose)
        plan.growth[survivor] = sum(sizes[c] for c in merged) + len(loose)
    write_plan(session, plan, now)


def write_plan(session: Session, plan: _Plan, now: datetime) -> None:
    """Create, join and merge clusters as ``plan`` says."""
    if plan.new:
        created = new_clusters(session, [len(members) for members in plan.new], now)
        for cluster_id, members in zip(created, plan.new, strict=True):
            plan.joins.extend((entry_id, cluster_id) for entry_id in members)
    if plan.merges:
        params = [{"m": merged, "s": survivor} for merged, survivor in plan.merges]
        session.execute(
            MEMBERS.update()
            .where(MEMBERS.c.cluster_id == bindparam("m"))
            .values(cluster_id=bindparam("s")),
            params,
        )
        session.execute(
            CLUSTERS.update()
            .where(CLUSTERS.c.merged_into == bindparam("m"))
            .values(merged_into=bindparam("s")),
            params,
        )
        session.execute(
            CLUSTERS.update()
            .where(CLUSTERS.c.id == bindparam("m"))
            .values(merged_into=bindparam("s"), size=0, updated_at=now),
            params,
        )
    if plan.joins:
        rows = [{"entry_id": e, "cluster_id": c} for e, c in sorted(plan.joins)]
        for chunk in chunks(rows):
            session.execute(MEMBERS.insert(), list(chunk))
    if plan.growth:
        session.execute(
            CLUSTERS.update()
            .where(CLUSTERS.c.id == bindparam("c"))
            .values(size=CLUSTERS.c.size + bindparam("n"), updated_at=now),
            [{"c": c, "n": n} for c, n in sorted(plan.growth.items())],
        )


def new_clusters(session: Session, sizes: Sequence[int], now: datetime) -> list[int]:
    """Insert one cluster per size; their ids, in order."""
    rows = [{"size": n, "created_at": now, "updated_at": now} for n in sizes]
    statement = CLUSTERS.insert().returning(CLUSTERS.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


def detach(session: Session, entry_ids: Collection[int], now: datetime) -> None:
    """Take ``entry_ids`` out of their clusters and split what is left of those clusters."""
    affected: set[int] = set()
    for chunk in chunks(sorted(entry_ids)):
        query = select(MEMBERS.c.cluster_id).where(MEMBERS.c.entry_id.in_(chunk))
        affected.update(session.execute(query).scalars())
        session.execute(delete(MEMBERS).where(MEMBERS.c.entry_id.in_(chunk)))
    for cluster_id in sorted(affected):
        split(session, cluster_id, now)


def split(session: Session, cluster_id: int, now: datetime) -> None:
    """Recompute cluster ``cluster_id`` from its members' posts: its largest part keeps the id."""
    query = select(MEMBERS.c.entry_id).where(MEMBERS.c.cluster_id == cluster_id)
    members = sorted(session.execute(query).scalars())
    groups = _UnionFind()
    if len(members) > 1:
        posts = _member_posts(session, members)
        for post_members in posts.values():
            for entry_id in post_members[1:]:
                groups.union(("e", post_members[0]), ("e", entry_id))
    parts = sorted(
        (sorted(key[1] for key in keys) for keys in groups.groups()),
        key=lambda part: (-len(part), part[0]),
    )
    kept = parts[0] if parts else []
    gone = sorted(set(members) - {e for part in parts for e in part})
    for chunk in chunks(gone):
        session.execute(delete(MEMBERS).where(MEMBERS.c.entry_id.in_(chunk)))
    moved = [e for part in parts[1:] for e in part]
    for chunk in chunks(moved):
        session.execute(delete(MEMBERS).where(MEMBERS.c.entry_id.in_(chunk)))
    session.execute(
        CLUSTERS.update().where(CLUSTERS.c.id == cluster_id).values(size=len(kept), updated_at=now)
    )
    if parts[1:]:
        write_plan(session, _Plan(new=parts[1:]), now)


def _member_posts(session: Session, members: Sequence[int]) -> dict[int, list[int]]:
    """For each post that links members (not a list post), the members it names."""
    posts: dict[int, list[int]] = {}
    for chunk in chunks(members):
        query = select(SIGHTINGS.c.post_id, SIGHTINGS.c.entry_id).where(
            SIGHTINGS.c.entry_id.in_(chunk)
        )
        for post_id, entry_id in session.execute(query):
            posts.setdefault(post_id, []).append(entry_id)
    linking = [post_id for post_id, found in posts.items() if len(found) > 1]
    sizes: dict[int, int] = {}
    for chunk in chunks(sorted(linking)):
        query = (
            select(SIGHTINGS.c.post_id, func.count())
            .where(SIGHTINGS.c.post_id.in_(chunk))
            .group_by(SIGHTINGS.c.post_id)
        )
        sizes.update((post_id, n) for post_id, n in session.execute(query))
    return {p: sorted(posts[p]) for p in linking if sizes.get(p, 0) <= POST_LINK_LIMIT}


def rebuild(session: Session, now: datetime) -> None:
    """Forget every cluster and hub and link every post again (ids start afresh)."""
    lock(session)
    for table in (MEMBERS, CLUSTERS, HUBS, CHECKS, BACKLOG):
        session.execute(delete(table))
    post_ids = sorted(session.execute(select(SIGHTINGS.c.post_id).distinct()).scalars())
    link_posts(session, post_ids, now)
