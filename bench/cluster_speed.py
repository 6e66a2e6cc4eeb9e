"""Cluster maintenance: linking a crawl's new sightings into the operator clusters of a big store.

Run from the project root with the project's venv::

    .venv/bin/python bench/cluster_speed.py        # 100,000 entries, 1,000,000 sightings
    .venv/bin/python bench/cluster_speed.py --entries 10000 --sightings 100000 --new 2000
    .venv/bin/python bench/cluster_speed.py --db postgresql+psycopg://127.0.0.1:5432/test

What it measures. A store is generated that looks like a crawled watchlist of operators: each
operator has 1 to 8 handles and a couple of accounts, and posts ads naming a few of its handles
(now and then beside one of 60 values everyone quotes: escrow sites, exchange wallets); other
users mention single handles. Rows go in by ``executemany`` (not the ingest path; PostgreSQL
then gets the ``ANALYZE`` autovacuum would give it), then the clusters are built once from
scratch (``clustering.rebuild``, printed: the one-off cost). Then a
crawl of ``--new`` new sightings (ads of known operators, some with new handles, some joining
two operators' clusters) is saved through the real ingest path, ``save_posts``, in batches of
500 posts as the crawl's store pipeline writes them. The figure is the time spent in the cluster
step of those saves (``sighting_hooks.on_sightings_saved``: re-review flags and cluster links,
summed over the batches), beside the saves' total. Target: < 2 s for 10,000 new sightings on a
store of 100,000 entries and 1,000,000 sightings (the exit code is 0 either way).
"""

from __future__ import annotations

import argparse
import platform
import random
import tempfile
import time
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlmodel import Session, SQLModel

from watchlist.extract.model import Handle
from watchlist.store import Found, PostRecord, Store, clustering, open_store, save_posts, upserts
from watchlist.store.tables import Cluster, Hub

TARGET_SECONDS = 2.0
BATCH = 500
CHUNK = 5_000
HUBS = 60
SITES = tuple(f"site-{n:02d}" for n in range(12))
KINDS = ("phone", "wechat", "alipay", "qq", "telegram", "tron", "eth", "bank_card", "domain")
TEXT = "出U 收U 长期承兑，支付宝 微信 银行卡 秒到，量大从优，联系方式见下。HANDLE"


def value_of(kind: str, n: int) -> str:
    """A distinct value of ``kind`` (shaped like one; the ingest path does not validate)."""
    shapes = {
        "phone": f"+86138{n:08d}",
        "wechat": f"wx_seller{n}",
        "alipay": f"2088{n:012d}",
        "qq": str(10_000 + n),
        "telegram": f"tg_seller{n}",
        "tron": f"T{n:033d}",
        "eth": f"0x{n:040x}",
        "bank_card": f"6222{n:015d}",
    }
    return shapes.get(kind, f"shop{n}.example")


class World:
    """Operators, their handles and accounts, and the hub values everyone quotes."""

    def __init__(self, entries: int, rng: random.Random) -> None:
        self.rng = rng
        self.handles: list[list[int]] = []  # operator -> entry ids
        self.accounts: list[list[str]] = []
        self.hubs = list(range(1, HUBS + 1))
        next_id = HUBS + 1
        while next_id <= entries:
            size = min(rng.choice((1, 1, 2, 3, 3, 4, 4, 5, 6, 8)), entries - next_id + 1)
            self.handles.append(list(range(next_id, next_id + size)))
            self.accounts.append([f"op{len(self.accounts)}-{a}" for a in range(rng.randint(1, 3))])
            next_id += size
        self.entries = next_id - 1

    def post(self, operator: int) -> tuple[str, list[int]]:
        """One ad of ``operator``: its author and the entries it names."""
        rng, own = self.rng, self.handles[operator]
        named = rng.sample(own, rng.randint(1, min(4, len(own))))
        if rng.random() < 0.15:
            named.append(rng.choice(self.hubs))
        return rng.choice(self.accounts[operator]), named


def generate(store: Store, entries: int, sightings: int, rng: random.Random) -> World:
    """Fill ``store`` with operators' posts until ``sightings`` sightings."""
    world = World(entries, rng)
    now = datetime.now(UTC)
    posts, rows, seen = [], [], 0
    counts = [0] * (world.entries + 1)
    sites: list[set[str]] = [set() for _ in range(world.entries + 1)]
    while seen < sightings:
        post_id = len(posts) + 1
        site = SITES[post_id % len(SITES)]
        if rng.random() < 0.1:  # someone asking about one handle
            author, named = f"user{rng.randrange(50_000)}", [rng.randrange(1, world.entries + 1)]
            role = "mentioned"
        else:
            author, named = world.post(rng.randrange(len(world.handles)))
            role = "offered"
        posts.append(_post_row(post_id, site, author, now))
        for entry_id in dict.fromkeys(named):
            rows.append(_sighting_row(entry_id, post_id, role, now))
            counts[entry_id] += 1
            sites[entry_id].add(site)
            seen += 1
    with store.engine.begin() as connection:
        _insert(connection, "posts", posts)
        _insert(connection, "entries", [_entry_row(i, now) for i in range(1, world.entries + 1)])
        _insert(connection, "sightings", rows)
        table = SQLModel.metadata.tables["entries"]
        connection.execute(
            table.update()
            .where(table.c.id == bindparam("i"))
            .values(sightings=bindparam("n"), sites=bindparam("s")),
            [
                {"i": i, "n": counts[i], "s": ",".join(sorted(sites[i]))}
                for i in range(1, world.entries + 1)
            ],
        )
        if connection.dialect.name == "postgresql":  # ids were given: move the sequences on
            for name in ("posts", "entries", "sightings"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
    if store.dialect == "postgresql":  # what autovacuum does after a bulk load (if it is on)
        with store.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return world


def _post_row(post_id: int, site: str, author: str, now: datetime) -> dict[str, Any]:
    return {
        "id": post_id,
        "url": f"https://{site}.example/thread-{post_id}.html#p{post_id}",
        "site": site,
        "author": author,
        "posted_at": now - timedelta(minutes=post_id),
        "fetched_at": now,
        "content_hash": f"{post_id:064x}",
        "text": TEXT,
        "otc_score": 0.8,
    }


def _sighting_row(entry_id: int, post_id: int, role: str, now: datetime) -> dict[str, Any]:
    start = TEXT.index("HANDLE")
    return {
        "entry_id": entry_id,
        "post_id": post_id,
        "snippet": TEXT,
        "span_start": start,
        "span_end": start + 6,
        "provider": None,
        "role": role,
        "source": "text",
        "seen_at": now - timedelta(days=1),
    }


def _entry_row(entry_id: int, now: datetime) -> dict[str, Any]:
    kind = "domain" if entry_id <= HUBS else KINDS[entry_id % len(KINDS)]
    return {
        "id": entry_id,
        "kind": kind,
        "value": value_of(kind, entry_id),
        "status": "new",
        "score": 0.8,
        "first_seen": now - timedelta(days=30),
        "last_seen": now - timedelta(days=1),
        "sightings": 0,
        "sites": "",
    }


def _insert(connection: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    statement = SQLModel.metadata.tables[table].insert()
    for i in range(0, len(rows), CHUNK):
        connection.execute(statement, rows[i : i + CHUNK])


def new_crawl(world: World, store: Store, new: int, rng: random.Random) -> list[PostRecord]:
    """Posts that bring ``new`` new sightings: known operators' ads, new handles, a few joins."""
    with store.read() as session:
        kinds = dict(session.execute(select(*_id_kind())).all())
    records, count, fresh = [], 0, world.entries
    now = datetime.now(UTC)
    while count < new:
        operator = rng.randrange(len(world.handles))
        author, named = world.post(operator)
        values = [(kinds[e], value_of(kinds[e], e)) for e in named]
        if rng.random() < 0.2:  # a new handle of the operator
            fresh += 1
            values.append(("telegram", value_of("telegram", fresh)))
        if rng.random() < 0.02:  # one of another operator's handles: two clusters join
            other = rng.choice(world.handles[rng.randrange(len(world.handles))])
            values.append((kinds[other], value_of(kinds[other], other)))
        start = TEXT.index("HANDLE")
        found = tuple(
            Found(Handle(kind, value, start, start + 6, None, "offered"))  # type: ignore[arg-type]
            for kind, value in dict.fromkeys(values)
        )
        site = SITES[len(records) % len(SITES)]
        url = f"https://{site}.example/new-{len(records)}.html"
        records.append(PostRecord(url, site, TEXT, now, author=author, otc_score=0.8, found=found))
        count += len(found)
    return records


def _id_kind() -> tuple[Any, Any]:
    table = SQLModel.metadata.tables["entries"]
    return table.c.id, table.c.kind


class Timed:
    """Wraps the ingest path's cluster step and sums the time spent in it."""

    def __init__(self, inner: Callable[[Session, Collection[int], datetime], None]) -> None:
        self.inner, self.seconds, self.calls = inner, 0.0, 0

    def __call__(self, session: Session, post_ids: Collection[int], now: datetime) -> None:
        started = time.perf_counter()
        self.inner(session, post_ids, now)
        self.seconds += time.perf_counter() - started
        self.calls += 1


def cluster_figures(store: Store) -> tuple[int, int, int]:
    """Clusters of two or more, the largest one's size, and hubs."""
    with store.read() as session:
        live = select(func.count(), func.max(Cluster.size)).where(Cluster.size >= 2)
        clusters, largest = session.execute(live).one()
        hubs = session.execute(select(func.count()).select_from(Hub)).scalar_one()
    return int(clusters), int(largest or 0), int(hubs)


def main() -> None:
    """Generate, build, crawl, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--sightings", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000, help="new sightings in the crawl")
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    rng = random.Random(20261201)
    print(
        f"cluster_speed · {datetime.now(UTC):%Y-%m-%d} · {platform.node()} · "
        f"{platform.processor() or platform.machine()} · Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        store = open_store(args.db or f"sqlite:///{Path(scratch) / 'bench.db'}")
        started = time.perf_counter()
        world = generate(store, args.entries, args.sightings, rng)
        print(
            f"generated {world.entries:,} entries, {args.sightings:,} sightings, "
            f"{len(world.handles):,} operators in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        with store.write() as session:
            clustering.rebuild(session, datetime.now(UTC))
        clusters, largest, hubs = cluster_figures(store)
        print(
            f"built from scratch in {time.perf_counter() - started:.1f} s: {clusters:,} "
            f"clusters (largest {largest}), {hubs} hubs"
        )
        records = new_crawl(world, store, args.new, rng)
        timed = Timed(upserts.on_sightings_saved)
        upserts.on_sightings_saved = timed  # type: ignore[assignment]
        started, new_sightings = time.perf_counter(), 0
        for i in range(0, len(records), BATCH):
            new_sightings += save_posts(store, records[i : i + BATCH]).new_sightings
        total = time.perf_counter() - started
        clusters, largest, hubs = cluster_figures(store)
        print(
            f"crawl: {len(records):,} posts, {new_sightings:,} new sightings, "
            f"{timed.calls} saves in {total:.2f} s"
        )
        verdict = "PASS" if timed.seconds < TARGET_SECONDS else "MISS"
        print(
            f"cluster maintenance: {timed.seconds:.2f} s ({timed.seconds / total:.0%} of the "
            f"saves) · target < {TARGET_SECONDS:.0f} s: {verdict}"
        )
        print(f"after: {clusters:,} clusters (largest {largest}), {hubs} hubs")
        store.close()


if __name__ == "__main__":
    main()
