"""Crypto addresses: checksums decide, canonical forms, and glued or corrupted strings."""

from __future__ import annotations

import hashlib

import pytest

from watchlist.extract import extract
from watchlist.extract.checksums import b58check_encode, eip55, segwit_encode
from watchlist.extract.known import is_public_contract

TRON = b58check_encode(bytes([0x41]) + hashlib.sha256(b"tron").digest()[:20])
P2PKH = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
P2SH = b58check_encode(bytes([0x05]) + hashlib.sha256(b"p2sh").digest()[:20])
BECH32 = segwit_encode("bc", 0, hashlib.sha256(b"v0").digest()[:20])
BECH32M = segwit_encode("bc", 1, hashlib.sha256(b"v1").digest())
ETH = eip55(hashlib.sha256(b"eth").hexdigest()[:40])


def kinds_values(text: str) -> list[tuple[str, str]]:
    return [(h.kind, h.value) for h in extract(text).handles]


def corrupt(address: str) -> str:
    """The address with one character changed (still in the alphabet)."""
    index = len(address) // 2
    replacement = "2" if address[index] != "2" else "3"
    return address[:index] + replacement + address[index + 1 :]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"USDT-TRC20 地址 {TRON}", ("tron", TRON)),
        (P2PKH, ("btc", P2PKH)),
        (P2SH, ("btc", P2SH)),
        (BECH32, ("btc", BECH32)),
        (BECH32.upper(), ("btc", BECH32)),
        (BECH32M, ("btc", BECH32M)),
        (ETH, ("eth", ETH)),
        (ETH.lower(), ("eth", ETH)),
        ("0x" + ETH[2:].upper(), ("eth", ETH)),
        (f"钱包：{ETH}。", ("eth", ETH)),
    ],
)
def test_checksum_valid_addresses_give_their_canonical_form(
    text: str, expected: tuple[str, str]
) -> None:
    assert kinds_values(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        corrupt(TRON),
        corrupt(P2PKH),
        corrupt(P2SH),
        corrupt(BECH32),
        BECH32[:5] + BECH32[5:].upper(),
        segwit_encode("tb", 0, hashlib.sha256(b"v0").digest()[:20]),
        "0x" + ETH[2:].swapcase(),
        "x" + TRON,
        TRON + "9",
        "a" + ETH,
        ETH + "f",
        b58check_encode(bytes([0x42]) + hashlib.sha256(b"tron").digest()[:20]),
    ],
)
def test_corrupted_glued_or_foreign_strings_are_not_addresses(text: str) -> None:
    assert kinds_values(text) == []


def test_tron_written_in_chunks_or_with_zero_width_characters_is_joined() -> None:
    chunked = " ".join(TRON[i : i + 5] for i in range(0, 34, 5))
    assert kinds_values(f"TRC20 {chunked} 秒放") == [("tron", TRON)]
    assert kinds_values("\n".join(TRON[i : i + 6] for i in range(0, 34, 6))) == [("tron", TRON)]
    assert kinds_values(TRON[:10] + "\u200b" + TRON[10:]) == [("tron", TRON)]


@pytest.mark.parametrize(
    "text",
    [
        hashlib.sha256(b"tx").hexdigest(),
        "0x" + hashlib.sha256(b"tx").hexdigest(),
        "txid: " + hashlib.sha256(b"tx").hexdigest(),
    ],
)
def test_transaction_hashes_are_nothing(text: str) -> None:
    assert kinds_values(text) == []


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        ("eth", "0xdAC17F958D2ee523a2206206994597C13D831ec7"),
        ("eth", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
    ],
)
def test_public_contracts_are_extracted_and_recognisable(kind: str, value: str) -> None:
    assert kinds_values(f"USDT 合约 {value.lower() if kind == 'eth' else value}") == [(kind, value)]
    assert is_public_contract(kind, value)


def test_a_seller_address_is_not_a_public_contract() -> None:
    assert not is_public_contract("tron", TRON)
    assert not is_public_contract("eth", ETH)
