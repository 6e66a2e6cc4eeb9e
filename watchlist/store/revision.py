"""Generate a migration from the difference between ``tables.py`` and the newest schema.

Usage: ``python -m watchlist.store.revision "what changed"``. It migrates a scratch SQLite
database to head, compares it with the models, and writes ``migrations/versions/NNNN_*.py``.
Review the file before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from watchlist.store.engine import MIGRATIONS, _alembic_config, _create_engine, migrate


def main(argv: list[str] | None = None) -> None:
    """Write the next migration, named by the message in ``argv``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit('usage: python -m watchlist.store.revision "what changed"')
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    number = max((int(h) for h in heads if h.isdigit()), default=0) + 1
    with tempfile.TemporaryDirectory() as scratch:
        engine = _create_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        migrate(engine)
        with engine.begin() as connection:
            command.revision(
                _alembic_config(connection),
                message=args[0],
                autogenerate=True,
                rev_id=f"{number:04d}",
            )
        engine.dispose()


if __name__ == "__main__":
    main()
