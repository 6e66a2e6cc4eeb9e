"""A large generated SQLite store for the review benchmarks: entries, posts and sightings.

``generate(store, entries=100_000, sightings=1_000_000)`` fills a migrated, empty store with rows
that look like a crawled watchlist: a dozen sites, posts of a few hundred characters, entries of
every kind with a score, a review status (80 % new) and a role mix, and sightings that pick
their entries with a long tail (a few entries seen hundreds of times, most a handful). It keeps
the columns ingest maintains (``sightings``, ``sites``, ``best_role``, the role mix, the best
sighting, the posts' times) as ingest would (sighting ids follow insertion order).
Deterministic (seeded). Rows go in through the driver's ``executemany`` — a bulk load, not the
ingest path: these benchmarks measure reading and deciding, not crawling. SQLite only.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from watchlist.store import Store

SITES = tuple(f"site-{n:02d}" for n in range(12))
KINDS = ("phone", "wechat", "alipay", "qq", "telegram", "tron", "eth", "bank_card", "domain")
ROLES = ("offered", "offered", "reported", "mentioned", "mentioned")
RANK = {"mentioned": 0, "reported": 1, "offered": 2}
CHUNK = 20_000
POST_TEXT = "出U 收U 长期承兑，支付宝 微信 银行卡 秒到，量大从优，联系方式见下。" * 4


def _value(kind: str, n: int) -> str:
    if kind == "phone":
        return f"+86138{n:08d}"
    if kind in ("wechat", "telegram"):
        return f"{kind[:2]}seller{n}"
    if kind == "alipay":
        return f"2088{n:012d}"
    if kind == "qq":
        return str(10_000 + n)
    if kind == "tron":
        return f"T{n:033d}"
    if kind == "eth":
        return f"0x{n:040x}"
    if kind == "bank_card":
        return f"6222{n:015d}"
    return f"shop{n}.example"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it


def generate(store: Store, entries: int = 100_000, sightings: int = 1_000_000) -> None:
    """Fill ``store`` (SQLite, migrated, empty) with that many entries and sightings."""
    rng = random.Random(10)
    now = datetime.now(UTC)
    posts = max(1, sightings // 4)
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(
            "INSERT INTO posts (id, url, site, author, posted_at, fetched_at, content_hash, text,"
            " otc_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    i,
                    f"https://{SITES[i % len(SITES)]}.example/thread-{i}.html#p{i}",
                    SITES[i % len(SITES)],
                    f"user{i % 5000}",
                    _when(now - timedelta(minutes=i)),
                    _when(now - timedelta(minutes=i // 2)),
                    f"{i:064x}",
                    POST_TEXT,
                    round(rng.random(), 3),
                )
                for i in range(1, posts + 1)
            ),
        )
        first_seen = _when(now - timedelta(days=30))
        cursor.executemany(
            "INSERT INTO entries (id, kind, value, status, score, first_seen, last_seen, "
            "sightings, sites, best_role) VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', 'mentioned')",
            (
                (
                    i,
                    KINDS[i % len(KINDS)],
                    _value(KINDS[i % len(KINDS)], i),
                    rng.choices(("new", "confirmed", "dismissed"), (80, 15, 5))[0],
                    round(rng.random(), 4),
                    first_seen,
                    _when(now - timedelta(minutes=rng.randrange(40_000))),
                )
                for i in range(1, entries + 1)
            ),
        )
        counts = [0] * (entries + 1)
        ranks = [0] * (entries + 1)
        by_role = [[0, 0, 0] for _ in range(entries + 1)]  # mentioned, reported, offered
        best = [0] * (entries + 1)  # the first sighting of the entry's best role
        next_sighting = 1
        sites: list[set[str]] = [set() for _ in range(entries + 1)]
        seen: set[tuple[int, int]] = set()
        seen_at = _when(now)
        batch: list[tuple[object, ...]] = []
        while len(seen) < sightings:
            hub = rng.random() < 0.05  # a few entries are seen very often
            entry_id = min(entries, int(rng.paretovariate(0.6))) if hub else 0
            entry_id = entry_id or rng.randrange(1, entries + 1)
            post_id = rng.randrange(1, posts + 1)
            if (entry_id, post_id) in seen:
                continue
            seen.add((entry_id, post_id))
            role = rng.choice(ROLES)
            counts[entry_id] += 1
            by_role[entry_id][RANK[role]] += 1
            if not best[entry_id] or RANK[role] > ranks[entry_id]:
                best[entry_id] = next_sighting
            next_sighting += 1
            ranks[entry_id] = max(ranks[entry_id], RANK[role])
            sites[entry_id].add(SITES[post_id % len(SITES)])
            start = rng.randrange(0, 80)
            snippet = POST_TEXT[:start] + "HANDLE" + POST_TEXT[start : start + 80]
            batch.append((entry_id, post_id, snippet, start, start + 6, role, seen_at))
            if len(batch) >= CHUNK:
                _sightings(cursor, batch)
                batch = []
        _sightings(cursor, batch)
        role_of = {rank: role for role, rank in RANK.items()}
        cursor.executemany(
            "UPDATE entries SET sightings = ?, sites = ?, best_role = ?, mentioned = ?, "
            "reported = ?, offered = ?, best_sighting_id = ?, first_posted = ?, last_posted = ? "
            "WHERE id = ?",
            (
                (
                    counts[i],
                    ",".join(sorted(sites[i])),
                    role_of[ranks[i]],
                    *by_role[i],
                    best[i] or None,
                    first_seen if counts[i] else None,
                    seen_at if counts[i] else None,
                    i,
                )
                for i in range(1, entries + 1)
            ),
        )
        cursor.execute("COMMIT")
    finally:
        connection.close()


def _sightings(cursor: object, rows: list[tuple[object, ...]]) -> None:
    cursor.executemany(  # type: ignore[attr-defined]
        "INSERT INTO sightings (entry_id, post_id, snippet, span_start, span_end, role, source, "
        "seen_at) VALUES (?, ?, ?, ?, ?, ?, 'text', ?)",
        rows,
    )
