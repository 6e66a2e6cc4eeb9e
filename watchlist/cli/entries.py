"""``watchlist entries`` and ``watchlist show``."""

from __future__ import annotations

from typing import Annotated

import typer

from watchlist.cli.clusters import operator_lines
from watchlist.cli.options import (
    MAX_ID,
    ClusterOption,
    DbOption,
    KindOption,
    SiteOption,
    StatusOption,
    WideOption,
    checked_ids,
    choice,
    store_for,
)
from watchlist.cli.render import console, highlighted, inert, json_line, plural
from watchlist.cli.tables import Column, print_fitted
from watchlist.export import entry_rows
from watchlist.store import EntryFilter, Store, get_entry
from watchlist.store.rereview import standing_flags
from watchlist.store.tables import Entry

EnforcedOption = Annotated[
    str | None,
    typer.Option(
        "--enforced",
        help="Only entries a sync target last answered with this result: accepted, restricted, "
        "rejected, known.",
    ),
]
TargetOption = Annotated[
    str | None, typer.Option("--target", help="With --enforced: only this sync target's results.")
]
RereviewOption = Annotated[
    bool, typer.Option("--rereview", help="Only dismissed entries flagged for re-review.")
]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("entries")(entries_command)
    app.command("show")(show_command)


def entries_command(
    status: StatusOption = None,
    kind: KindOption = None,
    site: SiteOption = None,
    limit: Annotated[
        int | None, typer.Option(help="At most this many entries.", min=0, max=MAX_ID)
    ] = None,
    cluster: ClusterOption = None,
    rereview: RereviewOption = False,
    enforced: EnforcedOption = None,
    target: TargetOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    wide: WideOption = False,
    db: DbOption = None,
) -> None:
    """List the watchlist's entries, highest score first (allowlisted values left out).

    The table fits the terminal: columns that do not fit are left out, values are never
    split; `--wide` shows every column (sightings, all sites, last seen).

    A dismissed entry seen again in a seller's ad or a warning shows as `dismissed*`: it is
    flagged for re-review (`--rereview` lists only those).

    `--enforced restricted --target risk-control`: what a sync target said it did (its latest
    reply per entry; `--target` alone: any result from that target).

    Example:

        watchlist entries --status new --kind phone
    """
    store = store_for(db)
    picked = _enforced(store, enforced, target)
    where = EntryFilter(
        status=status,
        kind=kind,
        site=site,
        limit=limit if picked is None else None,
        cluster=cluster,
        rereview=rereview,
    )
    rows = entry_rows(store, where)
    if picked is not None:
        rows = [row for row in rows if row["id"] in picked][:limit]
    flagged = standing_flags(store, [row["id"] for row in rows if row["status"] == "dismissed"])
    if as_json:
        for row in rows:
            console.out(json_line(row | {"rereview": row["id"] in flagged}), highlight=False)
        return
    columns = [
        Column("id", keep=True, justify="right"),
        Column("kind", keep=True),
        Column("value", keep=True),
        Column("status", rank=2),
        Column("score", rank=3, justify="right"),
        Column("seen", rank=5, justify="right"),
        Column("sites", rank=4),
        Column("last seen", rank=6),
    ]
    cells = [
        [
            str(row["id"]),
            row["kind"],
            inert(row["value"], keep_newlines=False),
            row["status"] + ("*" if row["id"] in flagged else ""),
            f"{row['score']:.2f}",
            str(row["sightings"]),
            inert(", ".join(row["sites"]) if wide else _sites(row["sites"]), keep_newlines=False),
            str(row["last_seen"])[:10],
        ]
        for row in rows
    ]
    print_fitted(console, columns, cells, wide=wide)
    console.print(plural(len(rows), "entry", "entries"), markup=False)
    if flagged:
        console.print("* dismissed, seen again: flagged for re-review", markup=False)


def _enforced(store: Store, result: str | None, target: str | None) -> set[int] | None:
    """The ids ``--enforced``/``--target`` keep (None: no such filter)."""
    from watchlist.store.sync_state import RESULT_NAMES, enforced_ids

    if result is None and target is None:
        return None
    if result is None:
        return set().union(*(enforced_ids(store, name, target) for name in RESULT_NAMES))
    return enforced_ids(store, choice(result, RESULT_NAMES, "--enforced"), target)


def _sites(sites: list[str]) -> str:
    """The first site, and how many more (``--wide`` lists them all)."""
    return sites[0] + (f" +{len(sites) - 1}" if len(sites) > 1 else "") if sites else "-"


def awaiting_status(entry: Entry) -> str:
    """The status, marked when four-eyes review awaits a second reviewer."""
    if entry.first_confirmed_by is not None and entry.status != "confirmed":
        return f"{entry.status} (awaiting a second review; confirmed by {entry.first_confirmed_by})"
    return entry.status


def _enforcement_lines(store: Store, entry_id: int) -> list[str]:
    """What each sync target last said about the entry (``enforcement  risk: restricted …``)."""
    from watchlist.store.sync_state import enforcement_for

    lines = []
    for e in enforcement_for(store, [entry_id]).get(entry_id, []):
        reason = f" ({e.reason})" if e.reason else ""
        lines.append(f"  {'enforcement':<11} {e.target}: {e.result}{reason} at {str(e.at)[:19]}")
    return lines


def show_command(
    entry_id: Annotated[int, typer.Argument(metavar="ID", help="The entry's id.")],
    db: DbOption = None,
) -> None:
    """Show one entry with all the evidence behind it.

    Example:

        watchlist show 12
    """
    (entry_id,) = checked_ids([entry_id])
    store = store_for(db)
    detail = get_entry(store, entry_id)
    entry = detail.entry
    console.print(inert(f"#{entry.id} {entry.kind} {entry.value}", style="bold"))
    for label, value in (
        ("status", awaiting_status(entry)),
        ("score", f"{entry.score:.2f}"),
        ("first seen", str(entry.first_seen)[:19]),
        ("last seen", str(entry.last_seen)[:19]),
        ("sightings", str(entry.sightings)),
        ("sites", entry.sites),
        (
            "reviewed",
            f"{entry.reviewed_by} at {str(entry.reviewed_at)[:19]}" if entry.reviewed_by else "-",
        ),
        ("note", entry.note or "-"),
    ):
        console.print(inert(f"  {label:<11} {value}", keep_newlines=False))
    for said in _enforcement_lines(store, entry_id):
        console.print(inert(said, keep_newlines=False))
    for line in operator_lines(store, entry):
        console.print(line)
    for evidence in detail.evidence:
        sighting, post = evidence.sighting, evidence.post
        console.print()
        console.print(inert(post.url, style="cyan"))
        meta = f"  {post.site} · {post.author or '?'} · {str(post.posted_at or '')[:16]} · "
        meta += f"{sighting.role} · provider {sighting.provider or '-'} · from {sighting.source}"
        console.print(inert(meta, keep_newlines=False))
        if post.title:
            console.print(inert(f"  {post.title}", keep_newlines=False))
        start, end = evidence.highlight
        line = highlighted(sighting.snippet, start, end)
        line.pad_left(2)
        console.print(line)
