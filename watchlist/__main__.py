"""``python -m watchlist`` runs the CLI."""

from watchlist.cli import main

main()
