"""Crypto addresses: TRON, Ethereum and Bitcoin, each only when its checksum holds.

Canonical values: TRON and Base58 Bitcoin exactly as written; Ethereum in EIP-55 form (all-lower
or all-upper input is converted, mixed case must already be EIP-55); bech32/bech32m Bitcoin
lower-cased. Candidates glued to other letters or digits are not addresses. A TRON address
written in chunks (``TR7N HqjeK QxGT …``, single spaces or line breaks) is joined when the
chunks make exactly 34 characters that pass the checksum. A 64-hex transaction hash, with or
without ``0x``, is nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from watchlist.extract.checksums import b58check_decode, eip55, segwit_decode
from watchlist.extract.model import Handle

_B58 = "1-9A-HJ-NP-Za-km-z"
# Literal first, look-behind after it: the engine skips to candidate first characters in C.
# One scan for TRON: a "T" word of Base58 characters and the chunks after it; a plain address is
# a chunk of exactly 34 (see _tron). Base58 runs are possessive: what follows is never Base58.
_TRON_RUN = re.compile(
    rf"T(?<![A-Za-z0-9]T)[{_B58}]{{1,33}}+(?:(?: |\r?\n)[{_B58}]{{1,33}}+){{0,16}}+", re.ASCII
)
_TRON_TOKEN = re.compile(rf"T(?<![A-Za-z0-9]T)[{_B58}]{{33}}(?![A-Za-z0-9])", re.ASCII)
# One scan from each "1" for P2PKH and bech32 ("bc1…", "BC1…"; the match starts at the "1"),
# one from each "3" for P2SH.
_BTC_ONE = re.compile(
    rf"1(?:(?<![A-Za-z0-9]1)(?P<base58>[{_B58}]{{25,34}}+)"
    r"|(?<=bc1)[02-9ac-hj-np-z]{6,87}+|(?<=BC1)[02-9AC-HJ-NP-Z]{6,87}+)(?![A-Za-z0-9])",
    re.ASCII,
)
_BTC_THREE = re.compile(rf"3(?<![A-Za-z0-9]3)[{_B58}]{{25,34}}+(?![A-Za-z0-9])", re.ASCII)
_CHUNK_BREAK = re.compile(r" |\r?\n")
# From the "x": rarer than the "0".
_ETH = re.compile(r"x(?<=0x)[0-9a-fA-F]{40}(?![A-Za-z0-9])", re.ASCII)
_ETH_UPPER = re.compile(r"X(?<=0X)[0-9a-fA-F]{40}(?![A-Za-z0-9])", re.ASCII)
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _glued(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] in _ALNUM


@lru_cache(maxsize=4096)
def tron_address(candidate: str) -> str | None:
    """``candidate`` when it is a Base58Check TRON address (version byte 0x41), else None."""
    payload = b58check_decode(candidate)
    return candidate if payload is not None and len(payload) == 21 and payload[0] == 0x41 else None


@lru_cache(maxsize=4096)
def btc_address(candidate: str) -> str | None:
    """The canonical form of a P2PKH/P2SH or bech32/bech32m mainnet address, else None."""
    if candidate[:3].lower() == "bc1":
        decoded = segwit_decode(candidate)
        return candidate.lower() if decoded is not None and decoded[0] == "bc" else None
    payload = b58check_decode(candidate)
    if payload is not None and len(payload) == 21 and payload[0] in (0x00, 0x05):
        return candidate
    return None


@lru_cache(maxsize=4096)
def eth_address(candidate: str) -> str | None:
    """The EIP-55 form of a ``0x`` + 40-hex address whose case is consistent, else None."""
    body = candidate[2:]
    checksummed = eip55(body)
    if body == body.lower() or body == body.upper() or "0x" + body == checksummed:
        return checksummed
    return None


def find_crypto(text: str) -> list[Handle]:
    """Every checksum-valid TRON, Ethereum and Bitcoin address in ``text`` (already folded)."""
    found: list[Handle] = []
    if "T" in text:
        for match in _TRON_RUN.finditer(text):
            start, end = match.span()
            if end - start < 34:  # neither a token nor chunks of 34
                continue
            run = match.group()
            if " " in run or "\n" in run:
                _tron(text, match, found)
            elif not _glued_after(text, end) and tron_address(run) is not None:
                # One chunk of 34 (the most a chunk holds): the token itself.
                found.append(Handle("tron", run, start, end))
    for match in _BTC_ONE.finditer(text):
        start = match.start() if match.group("base58") is not None else match.start() - 2
        if start != match.start() and _glued(text, start):
            continue
        value = btc_address(text[start : match.end()])
        if value is not None:
            found.append(Handle("btc", value, start, match.end()))
    for match in _BTC_THREE.finditer(text):
        value = btc_address(match.group())
        if value is not None:
            found.append(Handle("btc", value, match.start(), match.end()))
    for pattern in (_ETH, _ETH_UPPER) if "0X" in text else (_ETH,):
        for match in pattern.finditer(text):
            start = match.start() - 1
            if _glued(text, start):
                continue
            value = eth_address(text[start : match.end()])
            if value is not None:
                found.append(Handle("eth", value, start, match.end()))
    return found


def _tron(text: str, match: re.Match[str], found: list[Handle]) -> None:
    """The TRON addresses of one run: each chunk starting a 34-character token, and the run's
    chunks joined when they make exactly 34 characters (``TR7N HqjeK QxGT …``)."""
    start, run = match.start(), match.group()
    _tron_token(text, start, found)
    if " " not in run and "\n" not in run:
        return
    joined, position, done = "", start, False
    for index, chunk in enumerate(_CHUNK_BREAK.split(run)):
        if index > 0 and chunk[0] == "T":
            _tron_token(text, position, found)
        joined += chunk
        end = position + len(chunk)
        position = end + 1 + (text[end : end + 2] == "\r\n")
        if done or len(joined) < 34:
            continue
        done = True
        if (
            len(joined) == 34
            and index > 0
            and not _glued_after(text, end)
            and tron_address(joined) is not None
        ):
            found.append(Handle("tron", joined, start, end))


def _tron_token(text: str, start: int, found: list[Handle]) -> None:
    token = _TRON_TOKEN.match(text, start)
    if token is not None and tron_address(token.group()) is not None:
        found.append(Handle("tron", token.group(), start, token.end()))


def _glued_after(text: str, end: int) -> bool:
    return end < len(text) and text[end] in _ALNUM
