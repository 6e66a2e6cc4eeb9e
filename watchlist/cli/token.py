"""``watchlist token create | list | revoke``: bearer tokens of the API feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from watchlist.cli.options import KINDS, STATUSES, DbOption, choice, store_for
from watchlist.cli.render import console, err_console, inert, json_line, plural

token_app = typer.Typer(
    name="token",
    help=(
        "Bearer tokens of the API feed (`watchlist serve`): shown once, stored only as a hash."
        "\n\nExample:\n\n    watchlist token create risk-team --status confirmed"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
NameArgument = Annotated[
    str, typer.Argument(metavar="NAME", help="Who the token is for (letters, digits, . _ -).")
]


def register(app: typer.Typer) -> None:
    """Add the ``token`` command group to ``app``."""
    app.add_typer(token_app, name="token")


@token_app.command("create")
def create_command(
    name: NameArgument,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help=f"Only entries with this status (repeat for more): {', '.join(STATUSES)}.",
        ),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help=f"Only entries of this kind (repeat): {', '.join(KINDS)}."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a token and print it: this is the only time it is shown.

    Without --status or --kind the token reads every entry the feed serves.

    Example:

        watchlist token create risk-team --status confirmed --kind phone --kind alipay
    """
    from watchlist.store.tokens import create_token

    statuses = [choice(s, STATUSES, "--status") for s in status or ()]
    kinds = [choice(k, KINDS, "--kind") for k in kind or ()]
    token = create_token(store_for(db), name, statuses, kinds)
    console.out(token, highlight=False)
    err_console.print(
        f"token {name.strip()!r} created: it is shown only this once, and only its hash is kept",
        markup=False,
    )


@token_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    db: DbOption = None,
) -> None:
    """List the tokens (names, scopes, when used; never the tokens themselves).

    Example:

        watchlist token list
    """
    from watchlist.store.tokens import list_tokens

    tokens = list_tokens(store_for(db))
    for t in tokens:
        if as_json:
            row: dict[str, object] = {
                "name": t.name,
                "statuses": list(t.statuses),
                "kinds": list(t.kinds),
            }
            row |= {"created_at": t.created_at, "revoked_at": t.revoked_at}
            row |= {"last_used_at": t.last_used_at}
            console.out(json_line(row), highlight=False)
            continue
        scope = f"statuses {','.join(t.statuses) or 'all'} · kinds {','.join(t.kinds) or 'all'}"
        state = f"revoked {_when(t.revoked_at)}" if t.revoked_at else "active"
        used = f"last used {_when(t.last_used_at)}" if t.last_used_at else "never used"
        line = f"{t.name} · {state} · {scope} · created {_when(t.created_at)} · {used}"
        console.print(inert(line, keep_newlines=False))
    if not as_json:
        console.print(plural(len(tokens), "token"), markup=False)


@token_app.command("revoke")
def revoke_command(name: NameArgument, db: DbOption = None) -> None:
    """Revoke a token: from now on every request with it gets 401.

    Example:

        watchlist token revoke risk-team
    """
    from watchlist.store.tokens import revoke_token

    revoked = revoke_token(store_for(db), name)
    verb = "revoked" if revoked else "was revoked already"
    console.print(inert(f"token {name.strip()!r} {verb}", keep_newlines=False))


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at is not None else "-"
