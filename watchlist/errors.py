"""The errors of the watchlist library.

```
WatchlistError                 every error we raise on purpose
├── ConfigError                a site config that cannot be used (file and field named)
├── UsageError                 a value given on the command line that cannot be used
│   └── InvalidValue           a handle value that is not valid for its kind (named)
├── StoreError                 the database cannot be opened, migrated or written
│   └── NotFound               an entry, cluster or allowlist row that does not exist
├── CrawlError                 a crawl that failed or fell short of its site's expectations
└── NotAvailable               a command whose capability has not landed yet
```

The CLI turns each into one clear line on stderr and a non-zero exit (2 for usage and config
problems, 1 for failures at run time).
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


class NotFound(StoreError):
    """An entry id that does not exist."""


class InvalidValue(UsageError):
    """A handle value, typed or read from a file, that is not valid for its kind."""


class CrawlError(WatchlistError):
    """A crawl failed, or fell short of what its site config expects."""


class NotAvailable(WatchlistError):
    """A command whose capability has not landed yet."""

    exit_code = 2
