"""The errors of the watchlist library.

```
WatchlistError                 every error we raise on purpose
├── ConfigError                a site config that cannot be used (file and field named)
├── UsageError                 a value given on the command line that cannot be used
│   └── InvalidValue           a handle value that is not valid for its kind (named)
├── StoreError                 the database cannot be opened, migrated or written
│   ├── MissingStore           a read found no watchlist store at the URL (none is created)
│   └── NotFound               an entry, cluster or allowlist row that does not exist
├── CrawlError                 a crawl that failed or fell short of its site's expectations
├── Interrupted                a crawl stopped by Ctrl-C (SIGINT) or SIGTERM: exit 130
└── NotAvailable               a command whose capability has not landed yet
```

The CLI turns each into one clear line on stderr and a non-zero exit (2 for usage and config
problems and a missing store, 1 for failures at run time, 130 for an interruption).
"""

from __future__ import annotations


class WatchlistError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1


class ConfigError(WatchlistError):
    """A site config is missing, not YAML, or fails validation."""

    exit_code = 2


class UsageError(WatchlistError):
    """A value given by the user that cannot be used (an unknown reason code, say)."""

    exit_code = 2


class StoreError(WatchlistError):
    """The store cannot be opened, migrated or written."""


class MissingStore(StoreError):
    """No watchlist store at the URL a command that only reads was given; none is created."""

    exit_code = 2


class NotFound(StoreError):
    """An entry id that does not exist."""


class InvalidValue(UsageError):
    """A handle value, typed or read from a file, that is not valid for its kind."""


class CrawlError(WatchlistError):
    """A crawl failed, or fell short of what its site config expects."""


class Interrupted(WatchlistError):
    """A crawl stopped by the user (Ctrl-C) or by SIGTERM before it finished."""

    exit_code = 130


class NotAvailable(WatchlistError):
    """A command whose capability has not landed yet."""

    exit_code = 2
