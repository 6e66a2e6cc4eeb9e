"""``watchlist sites detect | add | check | list``: name a site's engine, add it, dry-run it.

The fetching runs through Scrapy with the project's settings and middlewares
(``crawlers.spiders.probe``); detection and proposals are ``watchlist.engines`` and
``watchlist.proposal``; the config written is ``watchlist.drafts``; the dry run is
``crawlers.dryrun`` (a child process: the reactor starts once per process).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from watchlist import drafts, settings
from watchlist.cli.options import DbOption, WideOption, store_for
from watchlist.cli.render import console, inert, json_line, plural
from watchlist.cli.tables import Cell, Column, print_fitted
from watchlist.errors import ConfigError, CrawlError, MissingStore
from watchlist.sites import all_sites, find_site
from watchlist.store import Store, recent_runs

if TYPE_CHECKING:
    from crawlers.dryrun import DryRun
    from crawlers.spiders.probe import ProbeResult
    from watchlist.engines import Detection
    from watchlist.sites import SiteConfig

sites_app = typer.Typer(
    name="sites",
    help=(
        "Name a site's engine, add it as a config, dry-run it, list the configured sites."
        "\n\nExample:\n\n    watchlist sites add https://forum.example.com/forum-12-1.html"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
UrlArgument = Annotated[str, typer.Argument(metavar="URL", help="A board, blog or channel page.")]
PrivateOption = Annotated[
    bool,
    typer.Option("--allow-private", help="Allow a site on loopback or a private network."),
]
SeedsOption = Annotated[
    Path | None,
    typer.Option("--seeds", help="A folder laid out like seeds/ (configs in DIR/sites/)."),
]
PagesOption = Annotated[
    int, typer.Option("--pages", min=1, max=200, help="Requests the dry run may send.")
]


def register(app: typer.Typer) -> None:
    """Add the ``sites`` command group to ``app``."""
    app.add_typer(sites_app, name="sites")


@sites_app.command("detect")
def detect_command(
    url: UrlArgument,
    allow_private: PrivateOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Fetch a page (as a crawl would) and name the engine behind it, with the evidence.

    Example:

        watchlist sites detect https://forum.example.com/forum-12-1.html
    """
    result = _probe(url, allow_private, propose=False)
    assert result.detection is not None and result.page is not None
    if as_json:
        console.out(json_line(_detection_json(result.page.url, result.detection)), highlight=False)
        return
    _print_detection(result.page.url, result.detection)


@sites_app.command("add")
def add_command(
    url: UrlArgument,
    name: Annotated[
        str | None, typer.Option("--name", help="The config's name (default: from the host).")
    ] = None,
    allow_private: PrivateOption = False,
    seeds: SeedsOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing config.")] = False,
    pages: PagesOption = 10,
) -> None:
    """Detect the site's engine, write seeds/sites/NAME.yaml and dry-run it.

    An engine with a preset gets ``engine:``; any other site gets selectors proposed from the
    page's repeated structure (marked in a comment: check them). The dry run crawls a few
    pages into a throw-away database and shows what a crawl would store.

    Example:

        watchlist sites add https://forum.example.com/forum-12-1.html --name example-otc
    """
    seeds_dir = seeds or settings.load().seeds_dir
    config_name = name or drafts.default_name(url)
    existing = drafts.exists(seeds_dir, config_name)
    if existing is not None and not force:
        raise ConfigError(f"{existing} exists; pass --force to overwrite it")
    result = _probe(url, allow_private, propose=True)
    assert result.detection is not None and result.page is not None
    _print_detection(result.page.url, result.detection)
    written = drafts.draft(
        result.page.url,
        result.detection,
        config_name,
        allow_private=allow_private,
        index=result.index,
        thread=result.thread,
    )
    path = drafts.save(written, seeds_dir, force=force)
    note = (
        " with selectors proposed from the page's structure: check them" if written.proposed else ""
    )
    console.print()
    console.print(inert(f"wrote {path}{note}", keep_newlines=False))
    if written.proposed:
        for key, value in written.site.selectors.model_dump(exclude_none=True).items():
            console.print(inert(f"  {key}: {value}", keep_newlines=False))
    _dry_run(written.site, pages)


@sites_app.command("check")
def check_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A site in seeds/sites/.")],
    seeds: SeedsOption = None,
    pages: PagesOption = 10,
) -> None:
    """Dry-run an existing site config: a few pages, nothing stored; say what looks wrong.

    Exits 1 when the dry run reads no posts.

    Example:

        watchlist sites check example-otc
    """
    site = find_site(name, seeds or settings.load().seeds_dir)
    _dry_run(site, pages)


@sites_app.command("list")
def list_command(seeds: SeedsOption = None, wide: WideOption = False, db: DbOption = None) -> None:
    """List the configured sites with their type, engine, schedule and last crawl.

    The table fits the terminal (columns that do not fit are left out; --wide: all).

    Example:

        watchlist sites list
    """
    sites = all_sites(seeds or settings.load().seeds_dir)
    try:
        store: Store | None = store_for(db)
    except MissingStore:  # nothing crawled yet: every site "never"
        store = None
    cells: list[list[Cell]] = []
    failed: list[str] = []  # the reasons, one line each under the table
    try:
        for site in sites:
            runs = recent_runs(store, site.name, limit=1) if store is not None else []
            last, pages, posts, outcome = "never", "-", "-", ""
            if runs:
                run = runs[0]
                last = f"{run.finished_at:%Y-%m-%d %H:%M}"
                pages, posts = str(run.pages), str(run.posts)
                outcome = "ok" if run.ok else "FAILED"
                if not run.ok:
                    failed.append(f"{site.name}: FAILED: {run.problem or run.finish_reason}")
            engine = site.engine or ("selectors" if site.type != "telegram" else "-")
            cells.append(
                [
                    inert(site.name, keep_newlines=False),
                    site.type,
                    engine,
                    site.schedule or "-",
                    last,
                    pages,
                    posts,
                    outcome,
                ]
            )
    finally:
        if store is not None:
            store.close()
    columns = [
        Column("site", keep=True),
        Column("type", rank=3),
        Column("engine", rank=3),
        Column("schedule", rank=5),
        Column("last crawl", rank=2),
        Column("pages", rank=4, justify="right"),
        Column("posts", rank=4, justify="right"),
        Column("result", keep=True),
    ]
    print_fitted(console, columns, cells, wide=wide)
    for line in failed:
        console.print(inert(line, keep_newlines=False, style="red"), soft_wrap=False)
    console.print(f"{len(sites)} {'site' if len(sites) == 1 else 'sites'}", markup=False)


def _probe(url: str, allow_private: bool, *, propose: bool) -> ProbeResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{url!r} is not an http(s) URL")
    from crawlers.spiders.probe import ProbeTarget, probe  # Scrapy only when fetching

    result = probe(ProbeTarget(url, allow_private=allow_private, propose=propose))
    if result.refused:
        why = (result.error or "").partition(": ")[2].partition("; ")[0]
        raise ConfigError(
            f"{why or f'{parts.hostname} is a private address'}: pass --allow-private for a "
            "site on loopback or a private network"
        )
    if result.error or result.detection is None:
        raise CrawlError(f"cannot fetch {url}: {result.error or 'no answer'}")
    return result


def _detection_json(url: str, detection: Detection) -> dict[str, object]:
    engine = detection.engine
    return {
        "url": url,
        "engine": engine.key if engine else None,
        "name": detection.name,
        "version": detection.version,
        "preset": engine.preset if engine else None,
        "type": ("telegram" if engine.kind == "telegram" else "forum") if engine else None,
        "confidence": detection.confidence,
        "evidence": list(detection.evidence),
        "others": [{"name": n, "confidence": c} for n, c in detection.others],
    }


def _print_detection(url: str, detection: Detection) -> None:
    console.print(inert(f"{url}", keep_newlines=False, style="cyan"))
    console.print(
        inert(
            f"engine: {detection.label} · confidence {detection.confidence:.2f}",
            keep_newlines=False,
            style="bold",
        )
    )
    for line in detection.evidence:
        console.print(inert(f"  - {line}", keep_newlines=False))
    if detection.others and detection.engine is not None:
        others = ", ".join(f"{n} {c:.2f}" for n, c in detection.others[:3])
        console.print(inert(f"  also weighed: {others}", keep_newlines=False))


def _dry_run(site: SiteConfig, pages: int) -> None:
    from crawlers.dryrun import dry_run, problems
    from crawlers.runner import crawl_notes

    console.print()
    console.print(inert(f"dry run of {site.name} ({pages} requests at most, nothing stored)"))
    run = dry_run(site, pages)
    _print_dry_run(run)
    wrong = problems(run)
    for line in crawl_notes(site):
        console.print(inert(f"note: {line}", keep_newlines=False, style="yellow"))
    if wrong:
        console.print(inert("looks wrong:", style="red"))
        for line in wrong:
            console.print(inert(f"  ! {line}", keep_newlines=False, style="red"))
    if not run.posts:
        raise CrawlError(f"the dry run of {site.name} read no posts")


def _print_dry_run(run: DryRun) -> None:
    total = sum(run.handles.values())
    console.print(
        inert(
            f"{plural(len(run.pages), 'page')} fetched, {plural(run.posts, 'post')}, "
            f"{plural(total, 'handle')}",
            style="bold",
        )
    )
    for page in run.pages:
        console.print(
            inert(
                f"  {page.status} {page.posts:>3} {'post ' if page.posts == 1 else 'posts'}"
                f"  {page.url}",
                keep_newlines=False,
            )
        )
    if run.sample:
        console.print(inert("sample:"))
    for post in run.sample:
        who, when = post.author or "(no author)", post.posted_at or "(no date)"
        line = f"  {who} · {when} · {post.first_line}"
        console.print(inert(line, keep_newlines=False))
        if post.handles:
            found = ", ".join(f"{kind} {value}" for kind, value in post.handles)
            console.print(inert(f"      handles: {found}", keep_newlines=False))
    if run.handles:
        kinds = ", ".join(f"{kind} {n}" for kind, n in run.handles.items())
        console.print(inert(f"handles by kind: {kinds}", keep_newlines=False))
