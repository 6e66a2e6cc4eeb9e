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
# Literal first, look-behind after it: the engine skips to candidate first characters.
_TRON = re.compile(rf"T(?<![A-Za-z0-9]T)[{_B58}]{{33}}(?![A-Za-z0-9])", re.ASCII)
_BTC_BASE58 = re.compile(rf"[13](?<![A-Za-z0-9][13])[{_B58}]{{25,34}}(?![A-Za-z0-9])", re.ASCII)
_BTC_BECH32 = re.compile(
    r"(?:bc1[02-9ac-hj-np-z]{6,87}|BC1[02-9AC-HJ-NP-Z]{6,87})(?![A-Za-z0-9])", re.ASCII
)
_TRON_CHUNKED = re.compile(
    rf"T(?<![A-Za-z0-9]T)[{_B58}]{{1,33}}(?:(?: |\r?\n)[{_B58}]{{1,33}}){{1,16}}", re.ASCII
)
_CHUNK_BREAK = re.compile(r" |\r?\n")
_ETH = re.compile(r"0[xX][0-9a-fA-F]{40}(?![A-Za-z0-9])", re.ASCII)
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
    for match in _TRON.finditer(text):
        if tron_address(match.group()) is not None:
            found.append(Handle("tron", match.group(), match.start(), match.end()))
    if "T" in text:
        found.extend(_chunked_tron(text))
    for match in _BTC_BASE58.finditer(text):
        value = btc_address(match.group())
        if value is not None:
            found.append(Handle("btc", value, match.start(), match.end()))
    if "bc1" in text or "BC1" in text:
        for match in _BTC_BECH32.finditer(text):
            if _glued(text, match.start()):
                continue
            value = btc_address(match.group())
            if value is not None:
                found.append(Handle("btc", value, match.start(), match.end()))
    if "0x" in text or "0X" in text:
        for match in _ETH.finditer(text):
            if _glued(text, match.start()):
                continue
            value = eth_address(match.group())
            if value is not None:
                found.append(Handle("eth", value, match.start(), match.end()))
    return found


def _chunked_tron(text: str) -> list[Handle]:
    found: list[Handle] = []
    for match in _TRON_CHUNKED.finditer(text):
        joined = ""
        position = match.start()
        for index, chunk in enumerate(_CHUNK_BREAK.split(match.group())):
            joined += chunk
            end = position + len(chunk)
            position = end + 1 + (text[end : end + 2] == "\r\n")
            if len(joined) < 34:
                continue
            if (
                len(joined) == 34
                and index > 0
                and not _glued_after(text, end)
                and tron_address(joined) is not None
            ):
                found.append(Handle("tron", joined, match.start(), end))
            break
    return found


def _glued_after(text: str, end: int) -> bool:
    return end < len(text) and text[end] in _ALNUM
