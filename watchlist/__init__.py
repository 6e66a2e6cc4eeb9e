"""OTC Watchlist: find, review and hand over the payment handles OTC sellers publish."""

__version__ = "0.1.0"
