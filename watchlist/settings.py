"""Runtime settings. This is the only module that reads environment variables.

- ``WATCHLIST_DB``: SQLAlchemy URL of the store; default ``sqlite:///watchlist.db`` in the
  working directory.
- ``WATCHLIST_SEEDS``: a folder laid out like ``seeds/`` (site configs in ``sites/``); default
  ``./seeds``.
- ``WATCHLIST_REQUIRE_SERVICES``: ``1`` makes tests fail instead of skip when PostgreSQL is
  unreachable.
- ``WATCHLIST_FOUR_EYES``: ``1`` (or ``true``, ``yes``, ``on``) turns on four-eyes review: an
  entry becomes ``confirmed`` only when a second, different reviewer confirms it.
- ``WATCHLIST_HASH_SALT``: the salt of ``--hashed`` exports (salted SHA-256 values); never
  written to any output.
- ``WATCHLIST_REDIS_URL``: a Redis URL (``redis://host:6379/0``); set, ``watchlist worker`` crawls
  share their frontier there (docs/workers.md). ``WATCHLIST_REDIS_PREFIX``: the prefix of its
  keys, default ``watchlist``.
- ``WATCHLIST_READERS``: threads that read a SQLite store for an export (CSV, JSON, NDJSON), each
  on its own core; default 2 (1 on a one-core machine).
- ``CHROMIUM_PATH``: the Chromium (or Chrome) to launch for ``render: browser`` sites; without
  it, ``watchlist.chromium`` looks in the usual system places and Playwright's cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = "sqlite:///watchlist.db"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """The environment, read once."""

    database_url: str
    seeds_dir: Path
    require_services: bool
    chromium_path: str | None  # CHROMIUM_PATH: the browser for `render: browser` sites
    four_eyes: bool = False  # WATCHLIST_FOUR_EYES=1: confirmations need two reviewers
    hash_salt: str | None = None  # WATCHLIST_HASH_SALT: the salt of hashed exports
    redis_url: str | None = None  # WATCHLIST_REDIS_URL: the workers' shared frontier
    redis_prefix: str = "watchlist"  # WATCHLIST_REDIS_PREFIX: the prefix of its keys
    readers: int = 2  # WATCHLIST_READERS: threads reading a SQLite export


def load() -> Settings:
    """Read the settings from the environment."""
    return Settings(
        database_url=os.environ.get("WATCHLIST_DB") or DEFAULT_DB,
        seeds_dir=Path(os.environ.get("WATCHLIST_SEEDS") or "seeds"),
        require_services=os.environ.get("WATCHLIST_REQUIRE_SERVICES", "") == "1",
        chromium_path=os.environ.get("CHROMIUM_PATH") or None,
        four_eyes=os.environ.get("WATCHLIST_FOUR_EYES", "").strip().lower() in _TRUE,
        hash_salt=os.environ.get("WATCHLIST_HASH_SALT") or None,
        redis_url=os.environ.get("WATCHLIST_REDIS_URL") or None,
        redis_prefix=os.environ.get("WATCHLIST_REDIS_PREFIX") or "watchlist",
        readers=_readers(os.environ.get("WATCHLIST_READERS", "")),
    )


def _readers(value: str) -> int:
    """``WATCHLIST_READERS`` as a count of threads: 1 to 16; unset or not a number: 2, or 1 on
    a one-core machine."""
    if value.strip().isdigit():
        return max(1, min(16, int(value)))
    return min(2, os.cpu_count() or 1)


def disable_suffix_list_download() -> None:
    """Make tldextract (ours and Scrapy's cookie middleware) use its bundled suffix list.

    A default ``TLDExtract()`` fetches the Public Suffix List with no timeout; the empty URL list
    makes every instance use the snapshot shipped in the package, with no network attempt.
    """
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""


def named_secret(variable: str) -> str | None:
    """The value of the environment variable ``variable`` (a sync target's ``secret_env``), or
    None when it is unset or blank. The value is a secret: never log or print it."""
    value = os.environ.get(variable, "").strip()
    return value or None
