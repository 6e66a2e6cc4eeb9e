"""Options shared by several commands, their validation, and the store they open.

``KindOption``, ``StatusOption`` and ``SiteOption`` carry their own checks (Click callbacks): a
value that is not one of the choices is one line, ``error: --kind: 'phones' is not one of
phone, email, …``, exit 2. Case does not matter (``--kind Phone`` is ``phone``). A ``--site``
is checked when the command opens its store with :func:`store_for`: it must have posts in the
store or a config in the seeds folder. :func:`choice` does the same for any other option
(``--format``). This module imports nothing heavy: it is read at every start of the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer._click.globals import get_current_context  # Typer's own copy of Click

from watchlist import settings
from watchlist.errors import NotFound, UsageError
from watchlist.extract.model import ENTRY_KINDS

if TYPE_CHECKING:
    from watchlist.store import Store

KINDS: tuple[str, ...] = ENTRY_KINDS  # the contract's kinds (extract.model)
STATUSES: tuple[str, ...] = ("new", "confirmed", "dismissed")
_SITE_KEY = "watchlist.site"  # ctx.meta: the --site that store_for checks once the store is open


def choice(value: str, choices: Iterable[str], name: str) -> str:
    """``value`` as one of ``choices`` (any case); else :class:`UsageError` listing them.

    ``name`` is the option, as the user typed it: ``choice("XML", FORMATS, "--format")``
    raises ``--format: 'XML' is not one of csv, json, ndjson`` (exit 2).
    """
    options = tuple(choices)
    given = value.strip()
    if given in options:
        return given
    folded = {option.casefold(): option for option in options}
    found = folded.get(given.casefold())
    if found is None:
        raise UsageError(f"{name}: {value!r} is not one of {', '.join(options)}")
    return found


def _kind(value: str | None) -> str | None:
    return None if value is None else choice(value, KINDS, "--kind")


def _status(value: str | None) -> str | None:
    return None if value is None else choice(value, STATUSES, "--status")


def _site(ctx: typer.Context, value: str | None) -> str | None:
    if value is None:
        return None
    site = value.strip().lower()  # site names are lower-case slugs (watchlist.sites)
    if not site:
        raise UsageError("--site: name a site")
    ctx.meta[_SITE_KEY] = site
    return site


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The store: a SQLAlchemy URL or a SQLite file's path "
        "(default: $WATCHLIST_DB or watchlist.db).",
    ),
]
StatusOption = Annotated[
    str | None,
    typer.Option(
        "--status", help=f"Only entries with this status: {', '.join(STATUSES)}.", callback=_status
    ),
]
KindOption = Annotated[
    str | None,
    typer.Option("--kind", help=f"Only entries of this kind: {', '.join(KINDS)}.", callback=_kind),
]
SiteOption = Annotated[
    str | None,
    typer.Option(
        "--site",
        help="Only entries seen on this site (one with posts in the store or a config in seeds/).",
        callback=_site,
    ),
]
WideOption = Annotated[
    bool, typer.Option("--wide", help="Every column, however wide the table (no columns left out).")
]
ClusterOption = Annotated[
    int | None, typer.Option("--cluster", help="Only the members of this operator cluster.")
]


MAX_ID = 2**63 - 1  # the largest id a database can hold (SQLite's and PostgreSQL's bigint)


def checked_ids(ids: list[int]) -> list[int]:
    """``ids``, unless one is outside what any database could hold: :class:`NotFound` then."""
    for entry_id in ids:
        if not 0 < entry_id <= MAX_ID:
            raise NotFound(f"no entry with id {entry_id}")
    return ids


def take_site() -> str | None:
    """The command's ``--site``, for a command that checks it itself (with :func:`check_site`)
    instead of through :func:`store_for`."""
    ctx = get_current_context(silent=True)
    return ctx.meta.pop(_SITE_KEY, None) if ctx is not None else None


def store_for(db: str | None, *, create: bool = False, say_created: bool = True) -> Store:
    """Open the store named by ``--db``, or by the settings; check the command's ``--site``.

    Only ``crawl`` and ``demo`` pass ``create=True``: they create a store that does not exist
    yet (and say where, on stderr, unless ``say_created`` is False: then :func:`say_created`
    when the command has done its work). Every other command fails with one line naming the
    URL and how to create one (:class:`watchlist.errors.MissingStore`, exit 2).
    """
    from watchlist.store import open_store

    store = open_store(db or settings.load().database_url, create=create)
    if say_created:
        announce_created(store)
    ctx = get_current_context(silent=True)
    if ctx is not None:  # closed when the command ends: SQLite folds its WAL into the file
        ctx.call_on_close(store.close)
    site = ctx.meta.pop(_SITE_KEY, None) if ctx is not None else None
    if site is not None:
        check_site(store, site)
    return store


def announce_created(store: Store) -> None:
    """Say on stderr where the store is when this command created it."""
    if store.created:
        from watchlist.cli.render import err_console

        err_console.print(f"created a new store at {store.location}", markup=False)


def check_site(
    store: Store | Callable[[str | None], list[str]], site: str, seeds_dir: Path | None = None
) -> None:
    """:class:`UsageError` unless ``site`` has posts in ``store`` or a config in the seeds.

    ``store`` may be a function instead, ``post_sites(site)`` as ``queries.post_sites`` (the
    review queue's start reads it without the ORM).
    """
    if callable(store):
        post_sites = store
    else:
        from watchlist.store.queries import post_sites as stored_sites

        def post_sites(name: str | None) -> list[str]:
            return stored_sites(store, name)

    folder = (seeds_dir or settings.load().seeds_dir) / "sites"  # sites.sites_dir, lighter
    configured = {p.stem for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")]}
    if site in configured or post_sites(site):
        return
    known = sorted(configured | set(post_sites(None)))
    listed = f"known sites: {', '.join(known)}" if known else "no site is known yet"
    raise UsageError(
        f"--site: no site {site!r} has posts in the store or a config in {folder}; {listed}"
    )
