"""Compact sets of what a crawl has seen: 64-bit digests in one flat array, not Python objects.

A crawl remembers every URL it asked for (:attr:`crawlers.spiders.base.SiteSpider.requested_urls`)
and every request fingerprint the scheduler let through (:mod:`crawlers.dupefilter`). As Python
sets of strings or bytes those cost ~100-150 bytes an entry and grow with the crawl (~250 bytes
a page together); :class:`DigestSet` keeps an 8-byte digest per entry in an open-addressing
table (``array('Q')``, linear probing, at most 70% full, doubled when it fills): 11-23 bytes an
entry.

A digest is 64 bits of a cryptographic hash (BLAKE2b of the URL; the first 8 bytes of Scrapy's
SHA-1 request fingerprint). Two different entries sharing a digest would make the second look
seen (a page not requested, a request filtered): the chance that any two of 10 million entries
collide is about n² / 2⁶⁵ ≈ 3 × 10⁻⁶.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from hashlib import blake2b

_EMPTY = 0  # a free slot; a digest of 0 is stored as 1
_MIN_SLOTS = 1024
_MAX_LOAD = 0.7


def url_digest(url: str) -> int:
    """The 64-bit digest of ``url`` (its exact text: canonicalize it first)."""
    return int.from_bytes(blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest())


def fingerprint_digest(fingerprint: bytes) -> int:
    """The 64-bit digest of a request fingerprint (already a hash: its first 8 bytes)."""
    return int.from_bytes(fingerprint[:8])


class DigestSet:
    """A set of 64-bit integers (digests) in one flat table: ``add``, ``in``, ``len``."""

    __slots__ = ("_count", "_limit", "_mask", "_table")

    def __init__(self, digests: Iterable[int] = ()) -> None:
        self._table = array("Q", bytes(8 * _MIN_SLOTS))
        self._mask = _MIN_SLOTS - 1
        self._limit = int(_MIN_SLOTS * _MAX_LOAD)
        self._count = 0
        for digest in digests:
            self.add(digest)

    def add(self, digest: int) -> bool:
        """Add ``digest``; True if it was not in the set yet."""
        digest = digest or 1
        slot = self._slot(digest)
        if self._table[slot] == digest:
            return False
        self._table[slot] = digest
        self._count += 1
        if self._count > self._limit:
            self._grow()
        return True

    def __contains__(self, digest: object) -> bool:
        if not isinstance(digest, int):
            return False
        digest = digest or 1
        return self._table[self._slot(digest)] == digest

    def _slot(self, digest: int) -> int:
        """Where ``digest`` is in the table, or the free slot where it would go."""
        table, mask = self._table, self._mask
        slot = digest & mask
        while (held := table[slot]) != _EMPTY and held != digest:
            slot = (slot + 1) & mask
        return slot

    def __len__(self) -> int:
        return self._count

    def _grow(self) -> None:
        old = self._table
        size = 2 * len(old)
        table = array("Q", bytes(8 * size))
        mask = size - 1
        for digest in old:
            if digest != _EMPTY:
                slot = digest & mask
                while table[slot] != _EMPTY:
                    slot = (slot + 1) & mask
                table[slot] = digest
        self._table, self._mask, self._limit = table, mask, int(size * _MAX_LOAD)

    def __repr__(self) -> str:
        return f"DigestSet({self._count} digests, {len(self._table)} slots)"


class UrlSet:
    """A set of URLs kept as their digests (:func:`url_digest`): ``add``, ``update``, ``in``."""

    __slots__ = ("_digests",)

    def __init__(self, urls: Iterable[str] = ()) -> None:
        self._digests = DigestSet(url_digest(url) for url in urls)

    def add(self, url: str) -> bool:
        """Add ``url``; True if it was not in the set yet."""
        return self._digests.add(url_digest(url))

    def update(self, urls: Iterable[str]) -> None:
        """Add each of ``urls``."""
        for url in urls:
            self._digests.add(url_digest(url))

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and url_digest(url) in self._digests

    def __len__(self) -> int:
        return len(self._digests)

    def __repr__(self) -> str:
        return f"UrlSet({len(self)} URLs)"
