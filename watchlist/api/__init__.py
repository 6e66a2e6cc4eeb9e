"""The read-only API feed (``watchlist serve``): :func:`create_app` builds it for a store."""

from watchlist.api.app import create_app

__all__ = ["create_app"]
