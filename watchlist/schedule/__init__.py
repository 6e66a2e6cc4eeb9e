"""Crawls on each site's cron, unattended (``watchlist schedule``), and their health
(``watchlist runs``): ``timing`` (crons, what is due), ``child`` (one command in its own
process), ``sync_hook`` (the sync after crawls that found changes), ``runner`` (the scheduler),
``health`` (overdue and degraded sites). No Scrapy here: each crawl is a ``watchlist crawl``
subprocess.
"""
