"""The Scrapy project: spiders turn pages into items; pipelines extract and store them."""

from watchlist.settings import disable_suffix_list_download

# Before Scrapy's cookie middleware builds its TLDExtract: use the bundled suffix list, never
# the network.
disable_suffix_list_download()
