"""Peer cases: iocsearcher's blockchain address corpus, restated as our contract.

Source of the facts (the addresses and the coin each belongs to, not the peer's code): GitHub
``malicialab/iocsearcher``, file ``tests/blockchain_valid.ioc`` (one ``coin address`` a line).

Our kinds (ARCHITECTURE.md, "Entry kinds and canonical values"): ``btc`` (Base58Check P2PKH and
P2SH as written; bech32/bech32m lower-cased), ``eth`` (the EIP-55 checksummed form) and
``tron`` (Base58Check with version byte 0x41, as written). Every address of another coin in the
peer's corpus must yield none of these three kinds: a look-alike alphabet or length is not
enough. The broken-checksum and obfuscated variants below are ours, built from the peer's
addresses.
"""

from __future__ import annotations

import pytest

from watchlist.extract import extract

CRYPTO_KINDS = frozenset({"btc", "eth", "tron"})


def values(text: str, kind: str) -> set[str]:
    return {h.value for h in extract(text).handles if h.kind == kind}


def crypto_kinds(text: str) -> set[str]:
    return {h.kind for h in extract(text).handles} & CRYPTO_KINDS


# (text, kind, exactly these values of that kind).
EXACT = [
    pytest.param(
        "1FeexV6bAHb8ybZjqQMjJrcCrHGW9sb6uF",
        "btc",
        {"1FeexV6bAHb8ybZjqQMjJrcCrHGW9sb6uF"},
        id="btc-p2pkh",
    ),
    pytest.param(
        "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo",
        "btc",
        {"34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo"},
        id="btc-p2sh",
    ),
    pytest.param(
        "bc1ql49ydapnjafl5t2cp9zqpjwe6pdgmxy98859v2",
        "btc",
        {"bc1ql49ydapnjafl5t2cp9zqpjwe6pdgmxy98859v2"},
        id="btc-p2wpkh",
    ),
    pytest.param(
        "bc1qgdjqv0av3q56jvd82tkdjpy7gdp9ut8tlqmgrpmv24sq90ecnvqqjwvw97",
        "btc",
        {"bc1qgdjqv0av3q56jvd82tkdjpy7gdp9ut8tlqmgrpmv24sq90ecnvqqjwvw97"},
        id="btc-p2wsh",
    ),
    pytest.param(
        "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
        "btc",
        {"bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"},
        id="btc-taproot-bech32m",
    ),
    pytest.param(
        "BC1QL49YDAPNJAFL5T2CP9ZQPJWE6PDGMXY98859V2",
        "btc",
        {"bc1ql49ydapnjafl5t2cp9zqpjwe6pdgmxy98859v2"},
        id="btc-bech32-upper-case-lowered",
    ),
    pytest.param(
        "0x00000000219ab540356cBB839Cbe05303d7705Fa",
        "eth",
        {"0x00000000219ab540356cBB839Cbe05303d7705Fa"},
        id="eth-checksummed-leading-zeros",
    ),
    pytest.param(
        "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        "eth",
        {"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"},
        id="eth-checksummed",
    ),
    pytest.param(
        "0x507877C2E26f1387432D067D2DaAfa7d0420d90a",
        "eth",
        {"0x507877C2E26f1387432D067D2DaAfa7d0420d90a"},
        id="eth-checksummed-2",
    ),
    pytest.param(
        "TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR",
        "tron",
        {"TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR"},
        id="tron-1",
    ),
    pytest.param(
        "TWd4WrZ9wn84f5x1hZhL4DHvk738ns5jwb",
        "tron",
        {"TWd4WrZ9wn84f5x1hZhL4DHvk738ns5jwb"},
        id="tron-2",
    ),
    pytest.param(
        "TWpMnUh9pZS1Mf8yyw9WPiS82WYevKzQo2",
        "tron",
        {"TWpMnUh9pZS1Mf8yyw9WPiS82WYevKzQo2"},
        id="tron-3",
    ),
    # The peer's addresses in the kind of sentence an OTC seller writes.
    pytest.param(
        "USDT-TRC20收款地址：TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR，秒放",
        "tron",
        {"TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR"},
        id="tron-between-chinese-punctuation",
    ),
    pytest.param(
        "ERC20: 0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2 (only USDT)",
        "eth",
        {"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"},
        id="eth-in-a-sentence",
    ),
    pytest.param(
        "BTC地址bc1ql49ydapnjafl5t2cp9zqpjwe6pdgmxy98859v2。",
        "btc",
        {"bc1ql49ydapnjafl5t2cp9zqpjwe6pdgmxy98859v2"},
        id="btc-glued-to-chinese",
    ),
    # Our broken variants: the peer validates checksums too, and so do we.
    pytest.param("1FeexV6bAHb8ybZjqQMjJrcCrHGW9sb6uG", "btc", set(), id="btc-bad-checksum"),
    pytest.param("34xp4vRoCGJym3xR7yCVPFHoCNxv4Twsep", "btc", set(), id="btc-p2sh-bad-checksum"),
    pytest.param(
        "bc1ql49ydapnjafl5t2cp9zqpjwe6pdgmxy98859v3", "btc", set(), id="bech32-bad-checksum"
    ),
    pytest.param(
        "bc1qL49ydapnjafl5t2cp9zqpjwe6pdgmxy98859v2", "btc", set(), id="bech32-mixed-case"
    ),
    pytest.param(
        "0x507877C2E26f1387432D067D2DaAfa7d0420d90A",
        "eth",
        set(),
        id="eth-mixed-case-wrong-checksum",
    ),
    pytest.param("TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFr", "tron", set(), id="tron-bad-checksum"),
    pytest.param(
        "0x507877C2E26f1387432D067D2DaAfa7d0420d90a11",
        "eth",
        set(),
        id="eth-inside-a-longer-hex-run",
    ),
    # Obfuscations the contract undoes for TRON.
    pytest.param(
        "TNUC9Qb1\u200brRpS5CbW\u200bLmNMxXBj\u200byFoydXjWFR",
        "tron",
        {"TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR"},
        id="tron-with-zero-width-spaces",
    ),
    pytest.param(
        "TNUC 9Qb1 rRpS 5CbW LmNM xXBj yFoy dXjW FR",
        "tron",
        {"TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR"},
        id="tron-in-chunks-of-four",
    ),
]

# (text, kind, our values, why we differ from the peer's answer).
DISAGREE = [
    pytest.param(
        "0x507877c2e26f1387432d067d2daafa7d0420d90a",
        "eth",
        {"0x507877C2E26f1387432D067D2DaAfa7d0420d90a"},
        "an all-lower address is accepted and given in EIP-55 form; the peer keeps it lower-case",
        id="eth-all-lower-to-eip55",
    ),
]

# Addresses of coins we do not track: none may come out as btc, eth or tron.
OTHER_COINS = [
    pytest.param("qqeht8vnwag20yv8dvtcrd4ujx09fwxwsqqqw93w88", id="bitcoincash-cashaddr"),
    pytest.param(
        "bitcoincash:qp3wjpa3tjlj042z2wv7hahsldgwhwy0rq9sywjpyy", id="bitcoincash-prefixed"
    ),
    pytest.param("pqvm5jv4zhy38dkzrx0md73c3sujhkmg4yhlmhhmfm", id="bitcoincash-p2sh-1"),
    pytest.param("prh43sha9vu3u4p2q6c5ejf3rkx5w4vwgv29gg3823", id="bitcoincash-p2sh-2"),
    pytest.param(
        "addr1q8cr0g7lxd7n7hsz95nklc9cn6g9x67na6ns3d6da0qhkw4fmeuemujwjujnxmvgz9jc2hrf80p9juc0"
        "tnuemrx7nd6q82h3rx",
        id="cardano-shelley",
    ),
    pytest.param(
        "addr128phkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gtupnz75xxcrtw79hu",
        id="cardano-script",
    ),
    pytest.param(
        "addr1vx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzers66hrl8", id="cardano-enterprise"
    ),
    pytest.param("Ae2tdPwUPEYwFx4dmJheyNPPYXtvHbJLeCaA96o6Y2iiUL18cAt7AizN2zG", id="cardano-byron"),
    pytest.param("XdAUmwtig27HBG6WfYyHAzP8n6XC9jESEw", id="dash-1"),
    pytest.param("Xn8WrRtpNuQoA8SKEcKHLo8ZwLG9ZWatkt", id="dash-2"),
    pytest.param("7qd1hqQqZzMRaJA5drqkpEZL41s3JktRuZ", id="dash-p2sh-1"),
    pytest.param("7h3EgCxQihGp4mAfyQqswoHrvHUfnBCydP", id="dash-p2sh-2"),
    pytest.param("DEgDVFa2DoW1533dxeDVdTxQFhMzs1pMke", id="dogecoin-1"),
    pytest.param("DDogepartyxxxxxxxxxxxxxxxxxxw1dfzr", id="dogecoin-burn"),
    pytest.param("ADNbM5fBujCRBW1vqezNeAWmnsLp19ki3n", id="dogecoin-p2sh-1"),
    pytest.param("9xqCpm3DpUYSzcoQSPb5SEGDwn9NRqwZnH", id="dogecoin-p2sh-2"),
    pytest.param("LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1", id="litecoin-p2pkh"),
    pytest.param("MTf4tP1TCNBn8dNkyxeBVoPrFCcVzxJvvh", id="litecoin-p2sh"),
    pytest.param("ltc1qr07zu594qf63xm7l7x6pu3a2v39m2z6hh5pp4t", id="litecoin-bech32-1"),
    pytest.param("ltc1q29hm7wn047c8vgqeth8d97nn7k5xrtgrek9dzg", id="litecoin-bech32-2"),
    pytest.param(
        "46jECbnrkJTUks7Fg5YtwShdUCiwUwEEZJtJBhKLK4GBWfBX7PLrYBuWR9zhzos5uQ1uXGUgFpGCSBR5o651pL5E"
        "RxmwqHu",
        id="monero-1",
    ),
    pytest.param(
        "496ePyKvPBRWEoQiqFEaL8frWuR9XuxNj98p69ZQRxmdZZHd5KVSS24bkYY93ASAxKPXn9XmnmeCxHz9NUdvvs8e"
        "E5BP24A",
        id="monero-2",
    ),
    pytest.param(
        "44N9sqiizwFYX7ciXSdzycT7uBJpWLXv8Enief4ictiS5fdpmwwgAYFScjfB8nZRFVj2ZDzWdJdEVi5uMDvTrYbH"
        "3Mr4DYH",
        id="monero-3",
    ),
    pytest.param(
        "42NCdZTvv3WDjVJTd4ny51SXQiKhUyprE9zrP5BsjqJu9aeWqwunHK7aHFR9ya8gJf2REyYwBMDxMjiAVPMBqsVH"
        "QqJe91y",
        id="monero-4",
    ),
    pytest.param("rMQ98K56yXJbDGv49ZSmW51sLn94Xe1mu1", id="ripple-1"),
    pytest.param("rKveEyR1SrkWbJX214xcfH43ZsoGMb3PEv", id="ripple-2"),
    pytest.param("rDxJNbV23mu9xsWoQHoBqZQvc77YcbJXwb", id="ripple-3"),
    pytest.param("rUeDDFNp2q7Ymvyv75hFGC8DAcygVyJbNF", id="ripple-4"),
    pytest.param("tz1Lc2qBKEWCBeDU8npG6zCeCqpmaegRi6Jg", id="tezos-tz1"),
    pytest.param("tz2BFTyPeYRzxd5aiBchbXN3WCZhx7BqbMBq", id="tezos-tz2"),
    pytest.param("tz3h7UCrLoFih8nrStVy8GcChtZiVuu1mDYD", id="tezos-tz3"),
    pytest.param("KT1KLbEeEgW5h1QLkPuPvqdgurHx6v4hGyic", id="tezos-contract"),
    pytest.param("t1TFPJkun5SAEVPgRsT5fbVv7uinBPux49h", id="zcash-t1-1"),
    pytest.param("t1gsuUBuJeShVJ2ZTmWn9ybymyf89b6KLvJ", id="zcash-t1-2"),
    pytest.param("t3Sk98eMdExVc47gqvq6dgfK6ZXdjsS4QYD", id="zcash-t3-1"),
    pytest.param("t3dfdEUN9KzENYVa63uv9imhQj2QrqcGWrE", id="zcash-t3-2"),
]


@pytest.mark.parametrize(("text", "kind", "expected"), EXACT)
def test_peer_address_gives_exactly_these_values(text: str, kind: str, expected: set[str]) -> None:
    assert values(text, kind) == expected


@pytest.mark.parametrize(("text", "kind", "expected", "why"), DISAGREE)
def test_deliberate_disagreement_with_the_peer(
    text: str, kind: str, expected: set[str], why: str
) -> None:
    assert values(text, kind) == expected, why


@pytest.mark.parametrize("text", OTHER_COINS)
def test_other_coins_are_not_btc_eth_or_tron(text: str) -> None:
    assert crypto_kinds(text) == set()
