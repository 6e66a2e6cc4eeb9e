"""One private-address rule (``watchlist.addresses``), asked by every part that guards a crawl.

A table of hosts and what they are, then the config loader, the download middleware, the
browser's blocker and the DNS resolver's name rule, each shown to give the table's answer.
"""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path

import pytest
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawlers.middlewares import PrivateAddressMiddleware, PrivateAddressRefused
from crawlers.playwright_pages import ResourceBlocker
from crawlers.resolver import PrivateNames
from crawlers.spiders.forum import ForumSpider
from watchlist.addresses import is_private_address, is_private_host, parse_ip
from watchlist.errors import ConfigError
from watchlist.sites import SiteConfig, load_site

# (host as a URL gives it, private?, the address it spells or None for a name)
HOSTS: list[tuple[str, bool, str | None]] = [
    # names
    ("localhost", True, None),
    ("LOCALHOST.", True, None),
    ("api.localhost", True, None),
    ("localhost.localdomain", True, None),
    ("ip6-localhost", True, None),
    ("ｌｏｃａｌｈｏｓｔ", True, None),  # full-width: IDNA maps it to localhost
    ("example.com", False, None),
    ("localhost.example.com", False, None),
    ("1e100.net", False, None),
    ("", False, None),
    # IPv4, dotted
    ("127.0.0.1", True, "127.0.0.1"),
    ("127.255.255.254", True, "127.255.255.254"),
    ("10.0.0.7", True, "10.0.0.7"),
    ("172.16.0.1", True, "172.16.0.1"),
    ("172.32.0.1", False, "172.32.0.1"),
    ("192.168.1.1", True, "192.168.1.1"),
    ("169.254.169.254", True, "169.254.169.254"),  # cloud metadata
    ("100.64.0.1", True, "100.64.0.1"),  # shared (carrier-grade NAT) space
    ("0.0.0.0", True, "0.0.0.0"),
    ("192.0.2.1", True, "192.0.2.1"),  # documentation
    ("198.18.0.1", True, "198.18.0.1"),  # benchmarking
    ("224.0.0.1", True, "224.0.0.1"),  # multicast
    ("240.0.0.1", True, "240.0.0.1"),  # reserved
    ("255.255.255.255", True, "255.255.255.255"),
    ("8.8.8.8", False, "8.8.8.8"),
    ("93.184.215.14", False, "93.184.215.14"),
    # IPv4, the other spellings inet_aton (and so getaddrinfo) accepts
    ("2130706433", True, "127.0.0.1"),  # decimal
    ("0177.0.0.1", True, "127.0.0.1"),  # octal
    ("0x7f.0.0.1", True, "127.0.0.1"),  # hex
    ("0x7F000001", True, "127.0.0.1"),
    ("127.1", True, "127.0.0.1"),  # shortened
    ("10.1", True, "10.0.0.1"),
    ("0", True, "0.0.0.0"),
    ("１２７。０。０。１", True, "127.0.0.1"),  # full-width digits, ideographic dots
    ("134744072", False, "8.8.8.8"),
    ("08.8.8.8", False, None),  # not octal: a name (that no resolver finds)
    ("1.2.3.4.5", False, None),
    ("1_0.0.0.1", False, None),
    # IPv6
    ("::1", True, "::1"),
    ("[::1]", True, "::1"),
    ("::", True, "::"),
    ("fe80::1", True, "fe80::1"),
    ("fe80::1%eth0", True, "fe80::1%eth0"),  # scoped
    ("fe80::1%25eth0", True, "fe80::1%eth0"),  # scoped, as a URL writes it
    ("fd00::1", True, "fd00::1"),  # unique local
    ("fec0::1", True, "fec0::1"),  # site-local
    ("ff02::1", True, "ff02::1"),  # multicast
    ("2001:db8::1", True, "2001:db8::1"),  # documentation
    ("2001:4860:4860::8888", False, "2001:4860:4860::8888"),
    # IPv6 forms carrying an IPv4 address: judged by that address
    ("::ffff:127.0.0.1", True, "::ffff:127.0.0.1"),  # IPv4-mapped
    ("::ffff:10.0.0.1", True, "::ffff:10.0.0.1"),
    ("::ffff:8.8.8.8", False, "::ffff:8.8.8.8"),
    ("2002:7f00:1::", True, "2002:7f00:1::"),  # 6to4 of 127.0.0.1
    ("2002:a00:1::", True, "2002:a00:1::"),  # 6to4 of 10.0.0.1
    ("2002:808:808::", False, "2002:808:808::"),  # 6to4 of 8.8.8.8
    ("64:ff9b::7f00:1", True, "64:ff9b::7f00:1"),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", True, "64:ff9b::a9fe:a9fe"),  # NAT64 of 169.254.169.254
    ("64:ff9b::808:808", False, "64:ff9b::808:808"),  # NAT64 of 8.8.8.8 (DNS64 answers so)
    ("64:ff9b:1::808:808", True, "64:ff9b:1::808:808"),  # local-use NAT64 prefix
    ("::127.0.0.1", True, "::127.0.0.1"),  # IPv4-compatible (deprecated)
    ("::8.8.8.8", True, "::8.8.8.8"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True, "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
]


@pytest.mark.parametrize(("host", "private", "address"), HOSTS)
def test_host_is_private_exactly_when_the_table_says(
    host: str, private: bool, address: str | None
) -> None:
    assert is_private_host(host) is private
    parsed = parse_ip(host)
    assert (None if parsed is None else parsed) == (
        None if address is None else ip_address(address)
    )
    if parsed is not None:
        assert is_private_address(host) is private
        assert is_private_address(parsed) is private


def test_a_name_is_never_a_private_address_by_itself() -> None:
    assert not is_private_address("localhost")  # a name: the resolver judges its answers
    assert not is_private_address("intranet.example")


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f.1:8080/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1%25eth0]/",
    ],
)
def test_the_config_loader_refuses_private_start_urls_in_any_spelling(url: str) -> None:
    with pytest.raises(ValueError, match="private address; set allow_private: true"):
        SiteConfig(name="s", type="forum", engine="discuz", start_urls=[url])
    allowed = SiteConfig(
        name="s", type="forum", engine="discuz", start_urls=[url], allow_private=True
    )
    assert allowed.start_urls == [url]


def test_the_config_loader_accepts_a_public_ipv4_mapped_start_url() -> None:
    # It used to call this private (reserved) while the middleware called it public.
    config = SiteConfig(
        name="s", type="forum", engine="discuz", start_urls=["http://[::ffff:8.8.8.8]/"]
    )
    assert config.allowed_domains == ["::ffff:8.8.8.8"]


def refused_by_middleware(url: str) -> bool:
    config = SiteConfig(
        name="public", type="forum", engine="discuz", start_urls=["http://example.com/"]
    )
    crawler = get_crawler(ForumSpider)
    crawler.spider = ForumSpider(config=config)
    middleware = PrivateAddressMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    try:
        middleware.process_request(Request(url))
    except PrivateAddressRefused:
        assert crawler.stats.get_value("watchlist/private_address_refused") == 1
        return True
    return False


@pytest.mark.parametrize(("host", "private", "address"), [h for h in HOSTS if h[0]])
def test_the_download_middleware_refuses_exactly_the_private_hosts(
    host: str, private: bool, address: str | None
) -> None:
    netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
    try:
        Request(f"http://{netloc}/page")
    except ValueError:
        pytest.skip(f"Scrapy does not build a request for host {host!r}")
    assert refused_by_middleware(f"http://{netloc}/page") is private


def test_the_middleware_names_the_address_a_spelling_stands_for() -> None:
    config = SiteConfig(
        name="public", type="forum", engine="discuz", start_urls=["http://example.com/"]
    )
    crawler = get_crawler(ForumSpider)
    crawler.spider = ForumSpider(config=config)
    middleware = PrivateAddressMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    with pytest.raises(
        PrivateAddressRefused, match=r"0x7f\.1 is a private address \(127\.0\.0\.1\)"
    ):
        middleware.process_request(Request("http://0x7f.1/"))


@pytest.mark.parametrize(("host", "private", "address"), [h for h in HOSTS if h[0]])
def test_the_browser_blocks_exactly_the_private_hosts(
    host: str, private: bool, address: str | None
) -> None:
    site = SiteConfig(
        name="ads",
        type="ads",
        start_urls=["http://ads.example.com/"],
        render="browser",
        selectors={"thread_links": "a", "post_body": "p"},
    )
    netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
    reason = ResourceBlocker(site).reason(f"http://{netloc}/api", "fetch")
    assert (reason == "private_address") is private


def site(name: str, url: str, allow_private: bool, **changes: object) -> SiteConfig:
    return SiteConfig(
        name=name,
        type="forum",
        engine="discuz",
        start_urls=[url],
        allow_private=allow_private,
        **changes,  # type: ignore[arg-type]
    )


def test_only_names_of_sites_that_allow_private_may_resolve_privately() -> None:
    names = PrivateNames()
    names.allow_site(site("lan", "http://forum.lan.example/", True))
    names.allow_site(site("public", "https://otc.example.net/", False))
    names.allow_site(
        site("cover", "https://cover.example.org/", True, allowed_domains=["example.org"])
    )

    assert names.may_resolve_privately("forum.lan.example")
    assert names.may_resolve_privately("FORUM.LAN.EXAMPLE.")
    assert names.may_resolve_privately("img.cover.example.org")  # under an allowed domain
    assert not names.may_resolve_privately("otc.example.net")
    assert not names.may_resolve_privately("lan.example")  # above it, not under it
    assert not names.may_resolve_privately("evilforum.lan.example.com")


def test_a_sites_proxy_host_may_resolve_privately_but_not_its_domains() -> None:
    names = PrivateNames()
    names.allow_site(site("p", "https://otc.example.net/", False, proxy="http://squid.corp:3128"))

    assert names.may_resolve_privately("squid.corp")
    assert not names.may_resolve_privately("otc.example.net")
    assert not names.may_resolve_privately("a.squid.corp")


def test_a_config_error_names_the_private_spelling(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("type: forum\nengine: discuz\nstart_urls: ['http://017700000001/']\n")
    with pytest.raises(ConfigError, match="'017700000001' is a private address"):
        load_site(path)
