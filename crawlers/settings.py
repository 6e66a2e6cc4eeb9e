"""Scrapy settings of the project; per-site politeness comes from each site config."""

BOT_NAME = "otc-watchlist"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "Mozilla/5.0 (compatible; otc-watchlist/0.1; risk-team crawler)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0  # each site's `delay` sets its spider's download_delay
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 2
# Items of one response processed in parallel. Scrapy's default of 100 starts 100 asyncio
# tasks per response; a forum page holds 10-40 posts (measured: 85k needless tasks per 1,000
# pages, ~7% of the crawl's CPU).
CONCURRENT_ITEMS = 8
TELNETCONSOLE_ENABLED = False
# Scrapy's duplicate filter with each fingerprint kept as 8 bytes (crawlers/dupefilter.py).
DUPEFILTER_CLASS = "crawlers.dupefilter.CompactDupeFilter"
# The image pipeline awaits asyncio tasks.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Names are resolved once, by a resolver that hands out only the answers a name may use
# (no private address unless a site with allow_private covers the name): crawlers/resolver.py.
TWISTED_DNS_RESOLVER = "crawlers.resolver.PublicAnswersResolver"

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's off-site filter, which also keeps post images on the site's image hosts.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawlers.middlewares.SiteOffsiteMiddleware": 50,
    "crawlers.middlewares.PrivateAddressMiddleware": 60,
    # Above the retry middleware (550): a name refused at connect time is not retried.
    "crawlers.middlewares.PrivateAnswerMiddleware": 560,
    "crawlers.middlewares.ConditionalRequestMiddleware": 580,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    # Last to see a request, first to see its answer (before the retry middleware).
    "crawlers.middlewares.RequestDeadlineMiddleware": 990,
}
# A request's tries share one deadline (a site's `request_deadline` overrides this); each try
# is also bounded by DOWNLOAD_TIMEOUT.
WATCHLIST_REQUEST_DEADLINE = 60.0
# Retries wait WATCHLIST_RETRY_BACKOFF * 2^(attempt-1) seconds, at most the _MAX.
WATCHLIST_RETRY_BACKOFF = 0.5
WATCHLIST_RETRY_BACKOFF_MAX = 30.0

ITEM_PIPELINES = {
    "crawlers.images.ImagePipeline": 50,
    "crawlers.pipelines.ExtractPipeline": 100,
    "crawlers.pipelines.StorePipeline": 800,
}
# Images: at most this many per post, this many bytes each, this many pixels each.
WATCHLIST_IMAGES_PER_POST = 8
WATCHLIST_IMAGE_MAX_BYTES = 5 * 1024 * 1024
WATCHLIST_IMAGE_MAX_PIXELS = 16_000_000
# Per process (all sites together): images fetched or waiting to be decoded at once (their
# bodies are held), and threads decoding them (each holds ~120 MB for 16 megapixels and keeps
# it: see crawlers/images.py).
WATCHLIST_IMAGES_IN_FLIGHT = 8
WATCHLIST_IMAGE_DECODERS = 1
# Posts are written to the store in one transaction per WATCHLIST_STORE_BATCH posts, or at the
# first post after WATCHLIST_STORE_INTERVAL seconds, whichever comes first.
WATCHLIST_STORE_BATCH = 500
WATCHLIST_STORE_INTERVAL = 1.0
