"""``watchlist sync``, ``watchlist reconcile`` and ``watchlist receiver`` (docs/sync.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console, err_console, inert, json_line, plural
from watchlist.errors import UsageError

if TYPE_CHECKING:
    from watchlist.sync.preview import DryRun, Status
    from watchlist.sync.reconcile import Drift
    from watchlist.sync.run import TargetReport

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="The targets file (default: watchlist.toml here)."),
]
TargetOption = Annotated[
    str | None, typer.Option("--target", help="Only this target of watchlist.toml.")
]
PROGRESS_FROM = 5_000  # a progress bar for backlogs at least this long (on a terminal)
SHOWN = 10


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("sync")(sync_command)
    app.command("reconcile")(reconcile_command)
    app.command("receiver")(receiver_command)


def sync_command(
    target: TargetOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send and store nothing.")
    ] = False,
    status: Annotated[
        bool,
        typer.Option("--status", help="Per target: cursor, backlog, last success and error."),
    ] = False,
    enable: Annotated[
        bool, typer.Option("--enable", help="Enable a target a 410 disabled, then sync it.")
    ] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Push the confirmed list's changes to the enforcement targets in watchlist.toml.

    Signed batches (Standard Webhooks), each stored before it is sent and sent again with the
    same id until the target acknowledges it; the cursor moves only with the 2xx. Exit 1 when a
    target fails (named, with where its cursor stays).

    Example:

        watchlist sync --dry-run

        watchlist sync --target risk-control

        watchlist sync --status
    """
    from watchlist.sync.config import load_targets, pick

    if dry_run and status:
        raise UsageError("--dry-run and --status: choose one")
    targets = pick(load_targets(config), target, config)
    store = store_for(db)
    if status:
        from watchlist.sync.preview import status as status_of

        for each in targets:
            _print_status(status_of(store, each))
        return
    if dry_run:
        from watchlist.sync.preview import dry_run as preview

        for each in targets:
            _print_dry_run(preview(store, each, SHOWN))
        return
    from watchlist.store.sync_state import enable as enable_target
    from watchlist.sync.run import SyncFailed, sync

    if enable:
        for each in targets:
            enable_target(store, each.name)
    with _progress() as update:
        try:
            reports = sync(store, targets, update)
        except SyncFailed as exc:
            _print_summary(exc.reports)
            raise
    _print_summary(reports)


def reconcile_command(
    target: Annotated[str, typer.Option("--target", help="The target to compare with.")],
    fix: Annotated[
        bool, typer.Option("--fix", help="Queue the changes that close the drift (sent by sync).")
    ] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Compare what a target holds with the confirmed list, both ways.

    Reads the target's list (signed, paged GET) and reports ours confirmed and not there, and
    theirs and not confirmed here. --fix appends upserts and removes to the change log: the
    next `watchlist sync` sends them.

    Example:

        watchlist reconcile --target risk-control

        watchlist reconcile --target risk-control --fix
    """
    from watchlist.sync.config import load_targets, pick
    from watchlist.sync.reconcile import reconcile

    (chosen,) = pick(load_targets(config), target, config)
    drift = reconcile(store_for(db), chosen, fix=fix)
    _print_drift(drift, fix)


def receiver_command(
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0: any free one).")],
    secret_env: Annotated[
        str,
        typer.Option(
            "--secret-env", help="Env var holding the whsec_… secret(s), space-separated."
        ),
    ],
    db: Annotated[Path, typer.Option("--db", help="The receiver's own SQLite file.")] = Path(
        "receiver.db"
    ),
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    faults: Annotated[
        str | None,
        typer.Option(
            "--faults",
            help="Test fault mode: shares of batches answered 5xx, timed out, reset: 0.3,0.1,0.05.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the fault mode.")] = 1,
    fault_sleep: Annotated[
        float, typer.Option("--fault-sleep", help="Seconds a timed-out batch waits.")
    ] = 2.0,
) -> None:
    """Run the reference enforcement-side receiver (what docs/sync.md specifies).

    POST / takes signed batches (verified with the standardwebhooks library, deduped by batch
    id, applied to its SQLite in one transaction) and replies with per-entry results; GET /
    answers reconcile. Ctrl-C stops it.

    Example:

        watchlist receiver --port 8600 --secret-env WATCHLIST_SYNC_SECRET
    """
    from watchlist import settings
    from watchlist.errors import ConfigError
    from watchlist.receiver.server import Faults, serve
    from watchlist.sync.config import parse_secrets

    raw = settings.named_secret(secret_env)
    if raw is None:
        raise ConfigError(f"--secret-env: the environment variable {secret_env} is not set")
    secrets = parse_secrets(raw, f"--secret-env: {secret_env}")
    if not 0 <= port <= 65535:
        raise UsageError("--port: must be 0–65535")
    try:
        fault_mode = Faults.parse(faults, seed, fault_sleep)
    except ValueError as exc:
        raise UsageError(f"--faults: {exc}") from exc

    def ready(url: str) -> None:
        console.print(f"receiver listening on {url}", markup=False)
        console.file.flush()

    try:
        serve(host, port, secrets, db, fault_mode, ready)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None] | None]:
    if not err_console.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err_console, transient=True) as bars:
        tasks: dict[str, object] = {}

        def update(name: str, done: int, total: int) -> None:
            if total < PROGRESS_FROM:
                return
            if name not in tasks:
                tasks[name] = bars.add_task(inert(name, keep_newlines=False).plain, total=total)
            bars.update(tasks[name], completed=min(done, total))  # type: ignore[arg-type]

        yield update


def _print_summary(reports: list[TargetReport]) -> None:
    for r in reports:
        name = inert(r.name, keep_newlines=False).plain
        if r.skipped:
            console.print(f"{name}: skipped, {r.skipped}", markup=False)
            continue
        results = ", ".join(f"{n} {k}" for k, n in sorted(r.results.items())) or "none"
        line = (
            f"{name}: {plural(r.batches, 'batch', 'batches')} sent, "
            f"{plural(r.changes, 'change')}, {plural(r.retries, 'retry', 'retries')}, "
            f"results: {results}; cursor {r.cursor}"
        )
        if r.error:
            line += " — FAILED"
        console.print(line, markup=False)


def _when(moment: object) -> str:
    return "never" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _print_status(s: Status) -> None:
    console.print(inert(f"{s.name}  {s.endpoint}", keep_newlines=False))
    state = f"DISABLED since {_when(s.disabled_at)} (410 Gone)" if s.disabled_at else "enabled"
    lines = [
        f"  state:           {state}",
        f"  cursor:          {s.cursor}",
        f"  pending changes: {s.pending}",
        f"  pending batch:   {s.pending_batch or 'none'}"
        + (f" ({plural(s.pending_attempts, 'attempt')})" if s.pending_batch else ""),
        f"  last success:    {_when(s.last_success_at)}",
        "  last error:      "
        + (f"{_when(s.last_error_at)}: {s.last_error}" if s.last_error else "none"),
        f"  sent so far:     {plural(s.batches_sent, 'batch', 'batches')}, "
        f"{plural(s.changes_sent, 'change')}",
        "  results:         "
        + (", ".join(f"{n} {k}" for k, n in sorted(s.results.items())) or "none"),
    ]
    for line in lines:
        console.print(inert(line, keep_newlines=False))


def _print_dry_run(d: DryRun) -> None:
    ops = ", ".join(f"{n} {op}" for op, n in sorted(d.ops.items())) or "nothing"
    batches = plural(d.batches, "batch", "batches")
    head = f"{d.name}: would send {batches} from cursor {d.cursor}: {ops}"
    if d.disabled:
        head += " (the target is disabled: `sync --enable` first)"
    if d.pending_batch:
        head += f"; the stored batch {d.pending_batch} first"
    console.print(inert(head, keep_newlines=False))
    for change in d.first:
        console.print(inert("  " + json_line(change), keep_newlines=False))
    more = sum(d.ops.values()) - len(d.first)
    if more > 0:
        console.print(f"  … and {plural(more, 'more change')}", markup=False)


def _print_drift(d: Drift, fix: bool) -> None:
    console.print(
        f"{inert(d.name, keep_newlines=False).plain}: ours {d.ours} confirmed, theirs {d.theirs} "
        f"({plural(d.pages, 'page')}); missing there {len(d.missing)}, extra there "
        f"{len(d.extra)}",
        markup=False,
    )
    for label, keys in (("missing there", d.missing), ("extra there", d.extra)):
        for kind, value in keys[:SHOWN]:
            console.print(inert(f"  {label}: {kind} {value}", keep_newlines=False))
        if len(keys) > SHOWN:
            console.print(f"  … and {len(keys) - SHOWN} more {label}", markup=False)
    if d.unknown:
        console.print(
            f"  {len(d.unknown)} extra there are unknown to the watchlist: no change can remove "
            "them (remove them on the target's side)",
            markup=False,
        )
    if d.pending:
        console.print(
            f"  note: {plural(d.pending, 'change')} not sent yet (run `watchlist sync`): part of "
            "the drift may be that",
            markup=False,
        )
    if fix:
        console.print(
            f"queued {plural(d.queued, 'change')}: `watchlist sync --target {d.name}` sends them",
            markup=False,
        )
