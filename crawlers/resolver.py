"""The crawl's DNS resolver: Scrapy's caching resolver, refusing private answers at connect time.

Twisted's ``HostnameEndpoint`` (which Scrapy's HTTP download handler connects through) asks the
reactor's name resolver for a host's addresses and connects to what it is given.
:class:`PublicAnswersResolver` is that resolver (``TWISTED_DNS_RESOLVER``): Scrapy's
:class:`~scrapy.resolver.CachingHostnameResolver` (IPv4 and IPv6, answers cached in Scrapy's DNS
cache) that hands the endpoint only the answers that are not private addresses (by
:func:`watchlist.addresses.is_private_address`). The check and the connection use the same
answer, so a name cannot pass a check with a public address and then connect to a private one
(DNS rebinding). A name whose answers were all refused fails like a name that does not
resolve (``CannotResolveHostError``); :data:`PRIVATE_NAMES` remembers it, and the download
middleware turns that failure into a counted refusal with its reason.

The resolver is process-wide and several sites crawl in one process, so which names may
resolve privately is decided per name, by :data:`PRIVATE_NAMES`:

- a name that is, or is under, an ``allowed_domains`` or ``image_domains`` entry of a site
  with ``allow_private: true`` running in this process (registered when the site's crawler
  starts, before its first request: ``PrivateAddressMiddleware.from_crawler``);
- the host name of any site's ``proxy`` (the operator's own proxy is often on a private network).

Every other name gets its public answers only. IP literals are not judged here: the download
middleware refuses private literals and ``localhost`` names with the site's own config, before
anything is sent. The browser (Chromium) resolves names itself; its blocker judges host names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy.resolver import CachingHostnameResolver
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer  # type: ignore[import-untyped]

from watchlist.addresses import is_private_address, normalize_host, parse_ip
from watchlist.sites import SiteConfig


class PrivateNames:
    """Which host names may resolve to private addresses, and the answers refused so far."""

    def __init__(self) -> None:
        self.domains: set[str] = set()  # the names and every name under them
        self.hosts: set[str] = set()  # these exact names
        self.refused: dict[str, str] = {}  # name -> the first private answer refused

    def allow_site(self, site: SiteConfig) -> None:
        """Register a site that starts crawling: its domains if it allows private, its proxy."""
        if site.allow_private:
            self.allow_domains([*site.allowed_domains, *site.image_domains])
        if site.proxy:
            self.hosts.add(normalize_host(urlsplit(site.proxy).hostname or ""))

    def allow_domains(self, domains: Iterable[str]) -> None:
        """Let ``domains`` and every name under them resolve to private addresses."""
        self.domains.update(normalize_host(d) for d in domains if d)

    def may_resolve_privately(self, host: str) -> bool:
        """Whether ``host`` may be connected to at a private address."""
        name = normalize_host(host)
        if name in self.hosts:
            return True
        return any(name == d or name.endswith("." + d) for d in self.domains)

    def refusal(self, host: str) -> str | None:
        """The private answer refused for ``host``, or None if none was."""
        return self.refused.get(normalize_host(host))


PRIVATE_NAMES = PrivateNames()


@implementer(IResolutionReceiver)
class _PublicAnswersReceiver:
    """Passes a resolution on to ``receiver`` without the private answers ``names`` refuses."""

    def __init__(self, receiver: IResolutionReceiver, host: str, names: PrivateNames) -> None:
        self.receiver: Any = receiver  # a zope interface: mypy cannot type its methods
        self.host = normalize_host(host)
        self.names = names

    def resolutionBegan(self, resolutionInProgress: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolutionInProgress)

    def addressResolved(self, address: IAddress) -> None:
        ip = getattr(address, "host", None)
        private = isinstance(ip, str) and is_private_address(ip)
        if private and not self.names.may_resolve_privately(self.host):
            self.names.refused.setdefault(self.host, str(ip))
            return
        self.receiver.addressResolved(address)

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class PublicAnswersResolver(CachingHostnameResolver):
    """Scrapy's caching host-name resolver that hands out only the answers a name may use.

    The cache keeps every answer; the rule is applied on each resolution, cached or not, so a
    name registered later (a site starting later) is judged by the rule in force.
    """

    names: PrivateNames = PRIVATE_NAMES

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        receiver: Any = resolutionReceiver
        if parse_ip(hostName) is None:  # a name, not a literal
            receiver = _PublicAnswersReceiver(resolutionReceiver, hostName, self.names)
        return super().resolveHostName(
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )
