"""Peer cases: iocextract's email and defanged-URL tests, restated as our contract.

Source of the facts (inputs and what the peer expects, not its code): GitHub
``InQuest/iocextract`` (formerly ``InQuest/python-iocextract``), file ``tests.py`` (the email
extraction and email refang tests, the URL refang and punctuation tests) and
``test_data/valid.txt`` / ``test_data/invalid.txt``.

Mapping (ARCHITECTURE.md, "Entry kinds and canonical values"): an email is the whole address
lower-cased after refanging (``[.]``, ``(.)``, ``[dot]``, ``[at]``, ``(at)``, ``[@]``, spaces
around the tokens); a defanged URL (``hxxp``, ``[.]``, ``(.)``, ``[dot]``, ``[/]``) yields our
``domain`` kind with the registered domain. The peer's ``.tld`` placeholder is not a public
suffix, so its refang cases are restated on ``.co.uk``. Where we deliberately answer otherwise
than the peer, the case says why.
"""

from __future__ import annotations

import pytest

from watchlist.extract import extract


def values(text: str, kind: str) -> set[str]:
    return {h.value for h in extract(text).handles if h.kind == kind}


PLAIN = "myuser@example.com"
UK = "myuser@example.co.uk"

# (text, kind, exactly these values of that kind).
EXACT = [
    # Plain addresses the peer extracts as they are.
    pytest.param("myuser@example.com", "email", {PLAIN}, id="plain"),
    pytest.param("myuser+some@example.com", "email", {"myuser+some@example.com"}, id="plus-tag"),
    pytest.param("my.user@example.com", "email", {"my.user@example.com"}, id="dot-in-local"),
    pytest.param("my.user.24@example.com", "email", {"my.user.24@example.com"}, id="two-dots"),
    pytest.param("my.u+ser24@example.com", "email", {"my.u+ser24@example.com"}, id="dot-plus"),
    pytest.param("myuser@exam.ple.com", "email", {"myuser@exam.ple.com"}, id="subdomain"),
    pytest.param(
        "my.u+ser24@exa.mple24.tl", "email", {"my.u+ser24@exa.mple24.tl"}, id="two-letter-tld"
    ),
    pytest.param("my_user@example.co", "email", {"my_user@example.co"}, id="underscore-local"),
    pytest.param("a@a.co", "email", {"a@a.co"}, id="shortest"),
    pytest.param("test@example.com", "domain", set(), id="email-domain-is-not-a-domain"),
    # Whitespace around the address, as the peer wraps every case.
    pytest.param("  myuser@example.com  ", "email", {PLAIN}, id="wrapped-in-spaces"),
    pytest.param("\t\tmyuser@example.com\t\t", "email", {PLAIN}, id="wrapped-in-tabs"),
    pytest.param("\r\nmyuser@example.com\r\n", "email", {PLAIN}, id="wrapped-in-crlf"),
    # Defanged dots, with and without spaces around the at sign and the token.
    pytest.param("myuser @example[.]com", "email", {PLAIN}, id="space-before-at-bracket-dot"),
    pytest.param("myuser@ example[.]com", "email", {PLAIN}, id="space-after-at-bracket-dot"),
    pytest.param("myuser @ example[.]com", "email", {PLAIN}, id="spaces-around-at-bracket-dot"),
    pytest.param("myuser@example [.] com", "email", {PLAIN}, id="spaced-bracket-dot"),
    pytest.param("myuser @ example [ . ] com", "email", {PLAIN}, id="spaces-inside-brackets"),
    pytest.param("myuser@example  [  .  ]   com", "email", {PLAIN}, id="wide-spaced-bracket-dot"),
    pytest.param("\t\tmyuser @ example[.]com\t\t", "email", {PLAIN}, id="defanged-in-tabs"),
    pytest.param("\r\nmyuser@example [.] com\r\n", "email", {PLAIN}, id="defanged-in-crlf"),
    pytest.param("myuser@example[.]co[.]uk", "email", {UK}, id="two-bracket-dots"),
    pytest.param("myuser @example[.]co[.]uk", "email", {UK}, id="two-bracket-dots-space-at"),
    pytest.param("myuser@example(.)co[.]uk", "email", {UK}, id="paren-dot-then-bracket-dot"),
    pytest.param("myuser@example[.]co.uk", "email", {UK}, id="bracket-dot-then-plain-dot"),
    pytest.param("myuser@example [.] co.uk", "email", {UK}, id="spaced-bracket-then-plain"),
    pytest.param("myuser@example [.] co [.] uk", "email", {UK}, id="two-spaced-bracket-dots"),
    # The peer's "partial" cases: the address ends where the text stops being an address.
    pytest.param("myuser@example [.] com. tld", "email", {PLAIN}, id="sentence-after-address"),
    pytest.param("myuser@example [.] com!!!???", "email", {PLAIN}, id="punctuation-after"),
    # At-sign tokens (the peer's refang handles these too).
    pytest.param("myuser[at]example[.]com", "email", {PLAIN}, id="bracket-at"),
    pytest.param("myuser(at)example(dot)com", "email", {PLAIN}, id="paren-at-paren-dot"),
    pytest.param("myuser[@]example[.]com", "email", {PLAIN}, id="bracketed-at-sign"),
    pytest.param("myuser [at] example [dot] com", "email", {PLAIN}, id="spaced-word-tokens"),
    pytest.param("MyUser@Example.COM", "email", {PLAIN}, id="lower-cased"),
    # Not addresses, as the peer also says.
    pytest.param("@a.co", "email", set(), id="no-local-part"),
    pytest.param("myuser@", "email", set(), id="no-domain"),
    pytest.param("@", "email", set(), id="at-sign-alone"),
    pytest.param("a@a", "email", set(), id="domain-without-suffix"),
    pytest.param("myuser @ word more words", "email", set(), id="at-then-words"),
    pytest.param("myuser @ word more words.period", "email", set(), id="at-then-words-period"),
    pytest.param("myuser @ words. Sentence", "email", set(), id="at-then-sentence"),
    # Defanged URLs give the registered domain.
    pytest.param("example[.]com", "domain", {"example.com"}, id="domain-bracket-dot"),
    pytest.param("example [.] com", "domain", {"example.com"}, id="domain-spaced-bracket-dot"),
    pytest.param("a [.] b [.] example [.] com", "domain", {"example.com"}, id="spaced-subdomains"),
    pytest.param("a[.]b[.]example[.]com", "domain", {"example.com"}, id="bracketed-subdomains"),
    pytest.param("a[.]b [.] example[.]com", "domain", {"example.com"}, id="mixed-spacing"),
    pytest.param("example(.)com/test", "domain", {"example.com"}, id="paren-dot-with-path"),
    pytest.param("hxxp://example.com/test", "domain", {"example.com"}, id="hxxp-scheme"),
    pytest.param("hxxp://example[.]com/test", "domain", {"example.com"}, id="hxxp-bracket-dot"),
    pytest.param("hxxps://example[.]com/", "domain", {"example.com"}, id="hxxps-bracket-dot"),
    pytest.param("http://example[.]com[/]test", "domain", {"example.com"}, id="bracket-slash"),
    pytest.param("http://example(.)com(/)test", "domain", {"example.com"}, id="paren-slash"),
    pytest.param("http://example[dot]com/test", "domain", {"example.com"}, id="bracket-word-dot"),
    pytest.param("hxxp://example[dot]com/", "domain", {"example.com"}, id="hxxp-word-dot"),
    pytest.param("http://example[.]com/test[.]htm", "domain", {"example.com"}, id="defanged-path"),
    pytest.param("http://example.com!", "domain", {"example.com"}, id="url-then-bang"),
    pytest.param("http://example.com/?q=test???", "domain", {"example.com"}, id="url-then-qmarks"),
    pytest.param("example[.]com!!!!", "domain", {"example.com"}, id="defanged-then-bangs"),
    pytest.param("example[.]com/ ...", "domain", {"example.com"}, id="defanged-then-ellipsis"),
    pytest.param("short[.]is", "domain", {"short.is"}, id="short-defanged-domain"),
    pytest.param("tcp://example[.]com:80/", "domain", {"example.com"}, id="tcp-scheme-port"),
    # Not domains, as the peer also says.
    pytest.param("AAAAA", "domain", set(), id="word"),
    pytest.param("+example.tld+", "domain", set(), id="unknown-tld-in-pluses"),
    pytest.param("x.x.x.x", "domain", set(), id="single-letter-labels"),
    pytest.param("_____.tld", "domain", set(), id="underscores-unknown-tld"),
    pytest.param("tooshor.t", "domain", set(), id="one-letter-tld"),
    pytest.param("ship_Element", "domain", set(), id="identifier"),
    pytest.param("192[.]168[.]0[.]1", "domain", set(), id="defanged-ipv4"),
]

# (text, kind, our values, why we differ from the peer's answer).
DISAGREE = [
    pytest.param(
        "Selling USDT @ 1.02",
        "email",
        set(),
        "an at sign between words is a price, not an address; the peer glues 'sellingusdt@1.02'",
        id="price-after-at-is-not-an-email",
    ),
    pytest.param(
        "USDT @abc.com",
        "email",
        set(),
        "a bare at sign never joins the previous word across a space; the peer returns "
        "usdt@abc.com",
        id="previous-word-not-glued",
    ),
    pytest.param(
        "myuser@example . com",
        "email",
        {PLAIN},
        "the contract refangs spaces around the dot; the peer rejects it",
        id="spaces-around-plain-dot",
    ),
    pytest.param(
        "myuser＠example．com",
        "email",
        {PLAIN},
        "full-width at sign and dot are refanged; the peer finds nothing",
        id="full-width-at-and-dot",
    ),
    pytest.param(
        "a@127.0.0.1",
        "email",
        set(),
        "an IP host has no registered domain, so no account provider; the peer's test expects "
        "an address",
        id="ip-host-is-not-an-email",
    ),
    pytest.param(
        "domain.com",
        "domain",
        {"domain.com"},
        "a bare domain is a domain for us; the peer finds URLs only and skips it",
        id="bare-domain-is-a-domain",
    ),
    pytest.param(
        "myuser[at]example[.]com",
        "domain",
        set(),
        "an address is not a website; the peer's URL pass returns myuseratexample.com",
        id="defanged-address-is-not-a-url",
    ),
]

# (text, kind, a value that must never be among ours, why).
NEVER = [
    pytest.param(
        "myuser@example[.]com[.]tld",
        "email",
        "myuser@example.com.tld",
        "tld is not a public suffix, so that address cannot exist",
        id="placeholder-tld-address",
    ),
    pytest.param(
        "myuser@example [.] com [.] tld",
        "email",
        "myuser@example.com.tld",
        "tld is not a public suffix",
        id="placeholder-tld-address-spaced",
    ),
    pytest.param(
        "myuser[at]example[.]com",
        "domain",
        "myuseratexample.com",
        "the at token is not part of a host name",
        id="at-token-glued-into-a-host",
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


@pytest.mark.parametrize(("text", "kind", "value", "why"), NEVER)
def test_peer_case_never_yields_value(text: str, kind: str, value: str, why: str) -> None:
    assert value not in values(text, kind), why
