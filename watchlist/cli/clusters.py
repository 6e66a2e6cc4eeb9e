"""``watchlist clusters``: operator clusters, largest first."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.text import Text

from watchlist.cli.options import DbOption, SiteOption, WideOption, store_for
from watchlist.cli.render import console, inert, json_line, neutralize, plural
from watchlist.store import Store
from watchlist.store.allowlist import allowed_row
from watchlist.store.clusters import (
    ClusterFilter,
    ClusterSummary,
    backlog_size,
    cluster_entries,
    entry_cluster,
    list_clusters,
    list_hubs,
    rebuild_clusters,
)
from watchlist.store.rereview import standing_flags
from watchlist.store.tables import Entry

SHOWN_MEMBERS = 10


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("clusters")(clusters_command)


def clusters_command(
    site: SiteOption = None,
    min_size: Annotated[int, typer.Option("--min-size", min=2, help="At least this many.")] = 2,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    hubs: Annotated[
        bool, typer.Option("--hubs", help="List the values too common to link anything.")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Link every stored post again (new ids).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    wide: WideOption = False,
    db: DbOption = None,
) -> None:
    """List operator clusters: entries linked by appearing in the same posts, largest first.

    Each cluster shows its id, size, review state, kinds, sites and best-scoring values;
    `watchlist entries --cluster ID` lists all its members. Kinds and sites that do not fit
    the terminal's width are counted ("… 3 more sites"); `--wide` lists them all.

    Example:

        watchlist clusters --site demo-discuz --limit 10
    """
    store = store_for(db)
    if rebuild:
        count = rebuild_clusters(store)
        console.print(f"{count} {_plural(count, 'cluster')} after linking every post", markup=False)
    if hubs:
        _print_hubs(list_hubs(store), as_json)
        return
    found = list_clusters(store, ClusterFilter(site=site, min_size=min_size, limit=limit))
    if as_json:
        for summary in found:
            console.out(json_line(_json(summary)), highlight=False)
        return
    for summary in found:
        _print_cluster(summary, console.width, wide)
    console.print(f"{len(found)} {_plural(len(found), 'cluster')}", markup=False)
    waiting = backlog_size(store)
    if waiting:
        console.print(
            f"{waiting} {_plural(waiting, 'post')} stored before clusters existed are not "
            "linked yet: the next crawls link them, or run `watchlist clusters --rebuild`",
            markup=False,
        )


def _plural(count: int, word: str) -> str:
    return plural(count, word).partition(" ")[2]


def _print_cluster(summary: ClusterSummary, width: int, wide: bool) -> None:
    states = ", ".join(f"{n} {status}" for status, n in sorted(summary.statuses.items()))
    head = f"cluster #{summary.id} · {summary.size} entries ({states}) · best {summary.score:.2f}"
    console.print(Text(head, style="bold"))
    kinds = [f"{kind} {n}" for kind, n in summary.kinds.items()]
    sites = [neutralize(site, keep_newlines=False) for site in summary.sites] or ["-"]
    whole = f"  {', '.join(kinds)} · on {', '.join(sites)}"
    if wide or cell_len(whole) <= width:
        console.print(Text(whole), soft_wrap=True)
    else:  # kinds on one line, sites on the next: each as many as fit, then how many more
        console.print(Text(listing("  ", kinds, "kind", width)), soft_wrap=True)
        console.print(Text(listing("  on ", sites, "site", width)), soft_wrap=True)
    for entry in summary.top:
        mark = "" if entry.status == "new" else f" ({entry.status})"
        console.print(inert(f"  #{entry.id} {entry.kind} {entry.value}{mark}"))


def listing(lead: str, items: list[str], noun: str, width: int) -> str:
    """``lead`` and ``items`` joined by commas in ``width`` cells: those that do not fit are
    counted (``… 3 more sites``); an item is never split (the first is shown, however long).
    """
    for shown in range(len(items), 0, -1):
        rest = len(items) - shown
        more = f", … {rest} more {noun if rest == 1 else noun + 's'}" if rest else ""
        line = lead + ", ".join(items[:shown]) + more
        if cell_len(line) <= width or shown == 1:
            return line
    return lead


def _json(summary: ClusterSummary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "size": summary.size,
        "kinds": summary.kinds,
        "sites": summary.sites,
        "statuses": summary.statuses,
        "confirmed": summary.confirmed,
        "score": summary.score,
        "last_seen": summary.last_seen,
        "top": [
            {"id": e.id, "kind": e.kind, "value": e.value, "status": e.status, "score": e.score}
            for e in summary.top
        ],
    }


def _print_hubs(hubs: list[tuple[Any, int]], as_json: bool) -> None:
    for entry, authors in hubs:
        if as_json:
            row = {"id": entry.id, "kind": entry.kind, "value": entry.value, "authors": authors}
            console.out(json_line(row), highlight=False)
        else:
            console.print(
                inert(f"#{entry.id} {entry.kind} {entry.value} · {_plural(authors, 'author')}")
            )
    if not as_json:
        console.print(f"{len(hubs)} {_plural(len(hubs), 'hub')}", markup=False)


def operator_lines(store: Store, entry: Entry) -> list[Text]:
    """What ``show`` says of an entry beyond its row: its cluster, a re-review flag, allowlist."""
    lines = []
    allowed = allowed_row(store, entry.kind, entry.value)
    if allowed is not None:
        note = f" · {allowed.note}" if allowed.note else ""
        when = str(allowed.added_at)[:19]
        lines.append(f"  {'allowlisted':<11} by {allowed.added_by} at {when}{note}")
    flag = standing_flags(store, [entry.id]).get(entry.id) if entry.id is not None else None
    if flag is not None:
        seen = f"seen again {flag.role} (OTC score {flag.otc_score:.2f})"
        lines.append(f"  {'re-review':<11} {seen} at {str(flag.flagged_at)[:19]}")
    cluster_id = entry_cluster(store, entry.id) if entry.id is not None else None
    if cluster_id is not None:
        members = cluster_entries(store, cluster_id)
        others = [m for m in members if m.id != entry.id]
        confirmed = sum(m.status == "confirmed" for m in members)
        lines.append(
            f"  {'cluster':<11} #{cluster_id} · {len(members)} entries, {confirmed} confirmed"
        )
        for member in others[:SHOWN_MEMBERS]:
            mark = "" if member.status == "new" else f" ({member.status})"
            lines.append(f"{'':14}#{member.id} {member.kind} {member.value}{mark}")
        if len(others) > SHOWN_MEMBERS:
            more = len(others) - SHOWN_MEMBERS
            lines.append(f"{'':14}… {more} more: watchlist entries --cluster {cluster_id}")
    return [inert(line, keep_newlines=False) for line in lines]
