"""Peer cases: ioc-finder's email, domain, URL and bitcoin tests, restated as our contract.

Source of the facts (inputs and what the peer expects, not its code): GitHub
``fhightower/ioc-finder``, files ``tests/find_iocs_cases/{email,domains,urls,coins}.py``,
``tests/test_find_iocs.py``, ``tests/test_edge_cases.py``, ``tests/test_urls.py`` and
``tests/test_unicode_iocs.py``.

How the peer's answers map to ours (ARCHITECTURE.md, "Entry kinds and canonical values"):
a URL yields our ``domain`` kind with the *registered* domain (``code.google.com`` →
``google.com``), lower-case IDNA ASCII; the domain part of an email is never a ``domain``; file
names are not domains; a bitcoin address is a ``btc`` handle only when its checksum holds.
Where we deliberately answer otherwise than the peer, the case says why (``why=``).
"""

from __future__ import annotations

import pytest

from watchlist.extract import extract


def values(text: str, kind: str) -> set[str]:
    return {h.value for h in extract(text).handles if h.kind == kind}


A63 = "a" * 63
BTC_SAMPLE = (
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2.\n"
    "P2SH type starting with the number 3, eg: 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy.\n"
    "Bech32 type starting with bc1, eg: bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
)
MIXED_IOCS = (
    "example.com is a nice domain if you consider http://bad.com/test/bingo.php to be bad. "
    f"{'a' * 32} {'b' * 40} {'c' * 64} 1.2.3.4 192.64.55.61 bad12312@example.org"
)
ENCODED_QUERY_URL = (
    "https://asf.goole.com/mail?url=http%3A%2F%2Ffreasdfuewriter.com%2Fcs%2Fimage%2F"
    "CommerciaE.jpg&t=1575955624&ymreqid=733bc9eb-e8f-34cb-1cb5-120010019e00"
    "&sig=x2Pa2oOYxanG52s4vyCEFg--~Chttp://uniddloos.zddfdd.org/CBA0019_file_00002_pdf.zip"
)
TRACKING_URL = (
    "http://8pretgdl.r.us-east-1.awstrack.me/L0/http:%2F%2Fwww.excelgoodies.com%2F"
    "excel-vba-training-in-virginia%23course-content/1/0100016ed23f4bef-b14931bd-26f6-4130"
)
MONERO = (
    "496aKKdqF1xQSSEzw7wNrkZkDUsCD5cSmNCfVhVgEps52WERBcLDGzdF5Uug"
    "mFoHMm9xRJdewvK2TFfAJNwEV25rTcVF5Vp"
)
MONERO_PAIR = (
    "49Bmp3SfddJRRGNW7GhHyAA2JgcYmZ4EGEix6p3eMNFCd15P2VsK9BHWcZWUNYF3nhf"
    "17MoRTRK4j5b7FUMA9zanSn9D3Nk "
    "498s2XeKWYSEhQHGxdMULWdrpaKvSkDsq4855mCuksNL6ez2dk4mMQm8epbr9xvn5Lg"
    "LPzD5uL9EGeRqWUdEZha1HmZqcyh"
)

# (text, kind, exactly these values of that kind). Agreements with the peer, up to our
# canonical form (registered domain, IDNA ASCII, lower case).
EXACT = [
    # Domains in prose.
    pytest.param(
        "this is just a (google.com) test of example.com",
        "domain",
        {"google.com", "example.com"},
        id="domains-in-parentheses-and-prose",
    ),
    pytest.param("example.com example.com", "domain", {"example.com"}, id="domain-repeated"),
    pytest.param("bar.com", "domain", {"bar.com"}, id="bare-domain"),
    pytest.param('bar.com"', "domain", {"bar.com"}, id="domain-then-double-quote"),
    pytest.param("bar.com'", "domain", {"bar.com"}, id="domain-then-single-quote"),
    pytest.param("bar.com.", "domain", {"bar.com"}, id="domain-ending-a-sentence"),
    pytest.param("foo.com", "domain", {"foo.com"}, id="scheme-less-domain-is-a-domain"),
    pytest.param(
        "Host: dfasdfa (mz-fcb301p.ocn.ad.jp asdfsdafs",
        "domain",
        {"ocn.ad.jp"},  # the peer keeps the full host; we keep the registered domain
        id="host-under-a-two-label-suffix",
    ),
    pytest.param("smtp.mailfrom", "domain", set(), id="dotted-word-without-a-suffix"),
    pytest.param("foo.onion", "domain", {"foo.onion"}, id="onion-name"),
    pytest.param("http://foo.onion/test", "domain", {"foo.onion"}, id="onion-url"),
    pytest.param("see example.com中 now", "domain", {"example.com"}, id="domain-glued-to-chinese"),
    pytest.param("freasdfuewriter.com%2F", "domain", {"freasdfuewriter.com"}, id="domain-then-%2F"),
    # URLs give their registered domain.
    pytest.param("http://foo.com/blah_blah", "domain", {"foo.com"}, id="url-path"),
    pytest.param("http://foo.com/blah_blah/", "domain", {"foo.com"}, id="url-path-slash"),
    pytest.param(
        "http://foo.com/blah_blah_(wikipedia)_(again)", "domain", {"foo.com"}, id="url-parens"
    ),
    pytest.param(
        "http://www.example.com/wpstyle/?p=364", "domain", {"example.com"}, id="url-www-query"
    ),
    pytest.param(
        "https://www.example.com/foo/?bar=baz&inga=42&quux",
        "domain",
        {"example.com"},
        id="url-www-query-flags",
    ),
    pytest.param("http://☺.damowmow.com/", "domain", {"damowmow.com"}, id="url-symbol-subdomain"),
    pytest.param(
        "http://code.google.com/events/#&product=browser",
        "domain",
        {"google.com"},
        id="url-subdomain-fragment",
    ),
    pytest.param("http://j.mp", "domain", {"j.mp"}, id="url-two-letter-domain"),
    pytest.param("ftp://foo.bar/baz", "domain", {"foo.bar"}, id="ftp-url-bar-tld"),
    pytest.param(
        "http://foo.bar/?q=Test%20URL-encoded%20stuff", "domain", {"foo.bar"}, id="url-encoded-q"
    ),
    pytest.param("http://1337.net", "domain", {"1337.net"}, id="url-numeric-label"),
    pytest.param("http://a.b-c.de", "domain", {"b-c.de"}, id="url-hyphenated-label"),
    pytest.param("http://142.42.1.1:8080/", "domain", set(), id="url-ipv4-is-no-domain"),
    pytest.param("http://223.255.255.254", "domain", set(), id="url-ipv4-bare"),
    pytest.param("http://10.1.1.1", "domain", set(), id="url-private-ipv4"),
    pytest.param("http://3628126748", "domain", set(), id="url-integer-host"),
    pytest.param("http://-error-.invalid/", "domain", set(), id="url-invalid-label-and-tld"),
    pytest.param(
        "Foo https://citizenlab.ca/about/), bar", "domain", {"citizenlab.ca"}, id="url-then-paren"
    ),
    pytest.param(
        "url,https://example.com/g/foo,Malicious Google Groups discussion",
        "domain",
        {"example.com"},
        id="url-between-commas",
    ),
    pytest.param("http://example.com//test", "domain", {"example.com"}, id="url-double-slash"),
    pytest.param(
        '<link href="http://fonts.googleapis.com/css?family=Lato:400,700" rel="stylesheet"/>',
        "domain",
        {"googleapis.com"},
        id="url-in-html-attribute",
    ),
    pytest.param(
        '<a href="https://bit.ly/12345#abcd" target="_blank">',
        "domain",
        {"bit.ly"},
        id="short-link-in-anchor",
    ),
    pytest.param(
        '<IMg SRc="https://i.imgur.com/abc.png#4827766048"/><br>',
        "domain",
        {"imgur.com"},
        id="image-url-in-tag",
    ),
    pytest.param(
        "[https://i.imgur.com/abc.png](https://i.imgur.com/abc.png)",
        "domain",
        {"imgur.com"},
        id="markdown-link",
    ),
    pytest.param(
        "DownloadString('https://hacks4all[.]net/rdp.ps1');g $I",
        "domain",
        {"hacks4all.net"},
        id="defanged-url-in-quotes",
    ),
    pytest.param(
        "1.1.1.1/0 foobar.com/test/bingo.php", "domain", {"foobar.com"}, id="cidr-then-url"
    ),
    pytest.param("http://foo.youtube/test.php", "domain", {"foo.youtube"}, id="brand-tld"),
    pytest.param("http://192.64.55.61/test.php", "domain", set(), id="ip-url-with-php-file"),
    pytest.param(
        "http://192.168.0.1/test/bad.html</a><br></div>", "domain", set(), id="ip-url-in-html"
    ),
    pytest.param(
        f"https://a.com https://en.wikipedia.com https://{A63}.com https://{A63}.{A63}.com "
        "https://test-ing.com https://2600.com https://example.com http://example.com "
        "ftp://example.com",
        "domain",
        {"a.com", "wikipedia.com", f"{A63}.com", "test-ing.com", "2600.com", "example.com"},
        id="nine-urls-six-registered-domains",
    ),
    pytest.param(".com abc", "domain", set(), id="suffix-alone-or-word-alone"),
    # Non-ASCII labels come out as IDNA ASCII (the peer needs an opt-in flag for them).
    pytest.param("go to exämple.com now", "domain", {"xn--exmple-cua.com"}, id="idn-latin"),
    pytest.param("go to пример.com now", "domain", {"xn--e1afmkfd.com"}, id="idn-cyrillic"),
    pytest.param("go to δοκιμή.com now", "domain", {"xn--jxalpdlp.com"}, id="idn-greek"),
    pytest.param("go to 中文.com now", "domain", {"xn--fiq228c.com"}, id="idn-chinese"),
    # Emails.
    pytest.param("a@example.com", "email", {"a@example.com"}, id="email-minimal"),
    pytest.param(
        "test@a.com bingo@en.wikipedia.com foo@a.com'.format('a'*63 bar@b.a.com'.format('a'*63 "
        "bad@test-ing.com me@2600.com",
        "email",
        {
            "test@a.com",
            "bingo@en.wikipedia.com",
            "foo@a.com",
            "bar@b.a.com",
            "bad@test-ing.com",
            "me@2600.com",
        },
        id="emails-among-code-fragments",
    ),
    pytest.param(
        'my email is: foo"bar@gmail.com', "email", {"bar@gmail.com"}, id="email-after-quote"
    ),
    pytest.param('foobar@gmail.com"', "email", {"foobar@gmail.com"}, id="email-then-quote"),
    pytest.param('"foobar@gmail.com', "email", {"foobar@gmail.com"}, id="quote-then-email"),
    pytest.param('"foo@bar.com"', "email", {"foo@bar.com"}, id="email-in-quotes"),
    pytest.param("foo@bar.com.", "email", {"foo@bar.com"}, id="email-ending-a-sentence"),
    pytest.param("foobar@gmail.comahhhhhhhh", "email", set(), id="email-glued-to-a-word"),
    pytest.param(
        "smtp.mailfrom=example@example.com",
        "email",
        {"example@example.com"},
        id="email-after-equals",
    ),
    pytest.param(
        "foo-burt@bar.com f-1@bar.com",
        "email",
        {"foo-burt@bar.com", "f-1@bar.com"},
        id="hyphens-in-local-part",
    ),
    pytest.param("foo@abc", "email", set(), id="email-without-a-suffix"),
    pytest.param(f"foo@{'a' * 64}.com", "email", set(), id="email-label-over-63"),
    pytest.param("!@.com", "email", set(), id="at-sign-without-parts"),
    pytest.param(
        MIXED_IOCS, "email", {"bad12312@example.org"}, id="mixed-iocs-email-beside-hashes"
    ),
    # Bitcoin addresses whose checksums hold.
    pytest.param(
        BTC_SAMPLE,
        "btc",
        {
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        },
        id="btc-p2pkh-p2sh-bech32-in-prose",
    ),
    pytest.param(BTC_SAMPLE, "domain", set(), id="btc-prose-has-no-domain"),
    pytest.param(MONERO, "btc", set(), id="monero-is-not-btc"),
    pytest.param(MONERO_PAIR, "btc", set(), id="monero-pair-is-not-btc"),
    pytest.param(MONERO_PAIR, "tron", set(), id="monero-pair-is-not-tron"),
]

# (text, kind, our values, why we differ from the peer's answer).
DISAGREE = [
    pytest.param(
        "readme.md setup.py",
        "domain",
        set(),
        "file names are not domains; the peer returns readme.md and setup.py (.md, .py are TLDs)",
        id="file-names-are-not-domains",
    ),
    pytest.param(
        "https://github.com/StylishThemes/GitHub-Dark/blob/master/tools/authors.sh",
        "domain",
        {"github.com"},
        "a script name in a URL path is no domain; the peer adds authors.sh (.sh is a TLD)",
        id="script-in-url-path-is-not-a-domain",
    ),
    pytest.param(
        "github.com/StylishThemes/GitHub-Dark/blob/master/tools/authors.sh "
        "hightower.space/projects",
        "domain",
        {"github.com", "hightower.space"},
        "same: authors.sh is a file in the path",
        id="scheme-less-urls-without-file-names",
    ),
    pytest.param(
        "8866123#qq.com",
        "domain",
        set(),
        "'#' written for '@' hides a QQ mail address, not a website; the peer returns qq.com",
        id="hash-for-at-is-not-a-domain",
    ),
    pytest.param(
        MIXED_IOCS,
        "domain",
        {"example.com", "bad.com"},
        "the domain part of an email is not a domain; the peer adds example.org",
        id="mixed-iocs-email-domain-not-a-domain",
    ),
    pytest.param(
        'my email is: foo"bar@gmail.com',
        "domain",
        set(),
        "the domain part of an email is not a domain; the peer returns gmail.com",
        id="email-domain-not-a-domain",
    ),
    pytest.param(
        "foo@swissjabber.de bar@jabber.zone bom@jabber.sow.as me@example.com",
        "email",
        {"foo@swissjabber.de", "bar@jabber.zone", "bom@jabber.sow.as", "me@example.com"},
        "a jabber-looking host is still an address someone reads; the peer files three as XMPP",
        id="jabber-hosts-are-emails",
    ),
    pytest.param(
        "foo@swissjabber.de bar@jabber.zone bom@jabber.sow.as me@example.com",
        "domain",
        set(),
        "the domain part of an address is not a domain; the peer returns four domains",
        id="jabber-hosts-are-not-domains",
    ),
    pytest.param(
        "test@[192.168.0.1]",
        "email",
        set(),
        "an IP-literal address has no registered domain, so no account provider",
        id="ip-literal-address-is-not-an-email",
    ),
    pytest.param(
        "-----foo@bar.com",
        "email",
        {"foo@bar.com"},
        "a run of dashes is a rule line; the peer's complete form keeps it in the local part",
        id="rule-line-before-an-email",
    ),
    pytest.param(
        "ȩxample.com",
        "domain",
        {"xn--xample-9oc.com"},
        "the whole label, in IDNA ASCII; by default the peer cuts it to xample.com",
        id="idn-label-kept-whole",
    ),
    pytest.param(
        "warrıors.com",
        "domain",
        {"xn--warrors-ufb.com"},
        "the whole label (dotless i), in IDNA ASCII; by default the peer returns ors.com",
        id="dotless-i-label-kept-whole",
    ),
    pytest.param(
        "föö.com.invalid",
        "domain",
        set(),
        "the host ends in a name that is no public suffix; the peer walks back to föö.com",
        id="host-under-an-unknown-tld",
    ),
    pytest.param(
        "%2Ffreasdfuewriter.com",
        "domain",
        {"freasdfuewriter.com"},
        "%2F is an encoded slash; the peer glues its hex into 2ffreasdfuewriter.com",
        id="percent-encoded-slash-before-domain",
    ),
    pytest.param(
        ENCODED_QUERY_URL,
        "domain",
        {"goole.com", "freasdfuewriter.com", "zddfdd.org"},
        "registered domains only, and cba0019_file_00002_pdf.zip is a file name (with "
        "underscores, not even a host name) that the peer returns as a domain",
        id="encoded-query-url-and-zip-file",
    ),
    pytest.param(
        TRACKING_URL,
        "domain",
        {"awstrack.me", "excelgoodies.com"},
        "registered domains; the peer returns the full hosts",
        id="tracking-redirect-url",
    ),
    pytest.param(
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",
        "btc",
        set(),
        "last character changed, so the Base58Check checksum fails; the peer still returns it",
        id="btc-p2pkh-bad-checksum",
    ),
    pytest.param(
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz",
        "btc",
        set(),
        "P2SH with a failing checksum; the peer still returns it",
        id="btc-p2sh-bad-checksum",
    ),
    pytest.param(
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp",
        "btc",
        set(),
        "bech32 with a failing checksum; the peer still returns it",
        id="btc-bech32-bad-checksum",
    ),
    pytest.param(
        "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
        "btc",
        {"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"},
        "all-upper bech32 is valid (QR codes write it so) and is lower-cased; the peer misses it",
        id="btc-bech32-upper-case",
    ),
    pytest.param(
        "bc1QAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "btc",
        set(),
        "bech32 forbids mixed case",
        id="btc-bech32-mixed-case",
    ),
]

# (text, kind, a value that must be among ours) where the rest of the answer is left open.
INCLUDES = [
    pytest.param(
        "https://example.com/test%20page/foo.com/bingo.php?q=bar.com",
        "domain",
        "example.com",
        id="url-host-among-path-names",
    ),
]

# (text, kind, a value that must never be among ours, why).
NEVER = [
    pytest.param(
        "https://example.com/test%20page/foo.com/bingo.php?q=bar.com",
        "domain",
        "bingo.php",
        "a script name, not a domain",
        id="php-file-in-path",
    ),
    pytest.param(
        "https://i.imgur.com/abc.png#4827766048",
        "domain",
        "abc.png",
        "an image file name",
        id="png-file-in-path",
    ),
    pytest.param(
        "DownloadString('https://hacks4all[.]net/rdp.ps1');g $I",
        "domain",
        "rdp.ps1",
        "a script file name",
        id="ps1-file-in-path",
    ),
]


@pytest.mark.parametrize(("text", "kind", "expected"), EXACT)
def test_peer_case_gives_exactly_these_values(text: str, kind: str, expected: set[str]) -> None:
    assert values(text, kind) == expected


@pytest.mark.parametrize(("text", "kind", "expected", "why"), DISAGREE)
def test_deliberate_disagreement_with_the_peer(
    text: str, kind: str, expected: set[str], why: str
) -> None:
    assert values(text, kind) == expected, why


@pytest.mark.parametrize(("text", "kind", "value"), INCLUDES)
def test_peer_case_includes_value(text: str, kind: str, value: str) -> None:
    assert value in values(text, kind)


@pytest.mark.parametrize(("text", "kind", "value", "why"), NEVER)
def test_peer_case_never_yields_value(text: str, kind: str, value: str, why: str) -> None:
    assert value not in values(text, kind), why
