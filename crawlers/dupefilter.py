"""Scrapy's duplicate filter, remembering 8 bytes a request instead of a 20-byte ``bytes`` object.

:class:`CompactDupeFilter` is ``scrapy.dupefilters.RFPDupeFilter`` (``DUPEFILTER_CLASS``) with
its fingerprint set swapped for a :class:`crawlers.digests.DigestSet` of the fingerprints'
first 8 bytes (collision odds: :mod:`crawlers.digests`). Everything else is Scrapy's: the
request fingerprinter (``REQUEST_FINGERPRINTER_CLASS``), ``DUPEFILTER_DEBUG``, the one
"Filtered duplicate request" log line and the ``dupefilter/filtered`` counter, and with
``JOBDIR`` the ``requests.seen`` file, still written with the full fingerprints (a resumed job
reads them back). Only Scrapy's deprecated ``fingerprints`` property is left empty: a digest
cannot be turned back into its fingerprint. A distributed crawl does not use this filter: its
scheduler filters on the shared fingerprint set in Redis (:mod:`crawlers.shared_scheduler`).
"""

from __future__ import annotations

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request
from scrapy.utils.request import RequestFingerprinterProtocol

from crawlers.digests import DigestSet, fingerprint_digest

_SIZE_BYTES = 2  # requests.seen: each fingerprint's length, big-endian, then the fingerprint


class CompactDupeFilter(RFPDupeFilter):
    """Filters requests Scrapy's way, with the fingerprints kept as 64-bit digests."""

    def __init__(
        self,
        path: str | None = None,
        debug: bool = False,
        *,
        fingerprinter: RequestFingerprinterProtocol | None = None,
    ) -> None:
        super().__init__(path, debug, fingerprinter=fingerprinter)
        # Scrapy's set holds what a JOBDIR's requests.seen held; from now on only digests.
        self.digests = DigestSet(fingerprint_digest(fp) for fp in self._fingerprints)
        self._fingerprints = set()

    def request_seen(self, request: Request) -> bool:
        fp = self._fingerprint(request)
        if not self.digests.add(fingerprint_digest(fp)):
            return True
        if self.file:
            self.file.write(len(fp).to_bytes(_SIZE_BYTES, "big") + fp)
        return False

    def __len__(self) -> int:
        return len(self.digests)
