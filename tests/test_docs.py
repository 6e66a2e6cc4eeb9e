"""The documentation keeps up with the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from watchlist.cli import full_app

app = full_app()

ROOT = Path(__file__).resolve().parent.parent


def test_every_command_is_documented_in_docs_cli_and_the_readme() -> None:
    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = list(get_command(app).commands)  # type: ignore[attr-defined]
    assert names, "the CLI has no commands"
    # "watchlist NAME" as a command is written, not the bare word: "show" or "export" appear in
    # any README's prose.
    undocumented = [n for n in names if f"`watchlist {n}" not in cli_doc]
    not_in_readme = [n for n in names if not re.search(rf"\bwatchlist {re.escape(n)}\b", readme)]
    assert undocumented == [] and not_in_readme == []


def test_the_readme_names_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme


def test_docs_architecture_keeps_every_line_of_the_shared_contract() -> None:
    shared = ROOT.parent / "shared" / "ARCHITECTURE.md"
    if not shared.exists():
        pytest.skip(f"{shared} is not beside this checkout")
    twin = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines()
    missing = [line for line in shared.read_text(encoding="utf-8").splitlines() if line not in twin]
    assert missing == []
