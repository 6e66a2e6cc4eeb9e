"""The demo forum's image attachments: sellers' payment QR codes, and two hostile images.

``qr-u<uid>.png`` is seller ``uid``'s collection code (an Alipay ``qr.alipay.com`` link, written
upper-case as QR alphanumeric mode encodes it, or a WeChat Pay ``wxp://`` link);
``broken-<n>.png`` is not an image at all; ``bomb-<n>.png`` is a tiny PNG whose header claims
40,000 × 40,000 pixels. The crawl must decode the first, and count and survive the others.
"""

from __future__ import annotations

import random
import re
import string
import struct
import zlib
from functools import lru_cache

from watchlist.qrcodes import qr_png

ATTACHMENTS = "/data/attachment/forum/"
_NAME = re.compile(r"(qr-u|broken-|bomb-)(\d+)\.png")
_KINDS = ("qr-u", "broken-", "bomb-")


def seller_qr(seed: int, uid: int) -> tuple[str, str]:
    """Seller ``uid``'s QR payload and the canonical payment link it stands for."""
    rng = random.Random(f"{seed}:qr:{uid}")
    if rng.random() < 0.6:
        code = "fkx" + "".join(rng.choices(string.ascii_lowercase + string.digits, k=17))
        return f"HTTPS://QR.ALIPAY.COM/{code.upper()}", f"https://qr.alipay.com/{code}"
    token = "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=22))
    return f"wxp://f2f0{token}", f"wxp://f2f0{token}"


def qr_path(uid: int) -> str:
    """The path of seller ``uid``'s QR attachment."""
    return f"{ATTACHMENTS}qr-u{uid}.png"


def attachment(seed: int, path: str) -> bytes | None:
    """The bytes of the attachment at ``path``, or None when there is none."""
    if not path.startswith(ATTACHMENTS):
        return None
    match = _NAME.fullmatch(path[len(ATTACHMENTS) :])
    if match is None:
        return None
    kind, number = match[1], int(match[2])
    if kind == "qr-u":
        return _qr(seed, number)
    if kind == "broken-":
        return b"\x89PNG\r\n\x1a\n" + random.Random(number).randbytes(300)
    return _pixel_bomb()


@lru_cache(maxsize=256)
def _qr(seed: int, uid: int) -> bytes:
    return qr_png(seller_qr(seed, uid)[0])


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@lru_cache(maxsize=1)
def _pixel_bomb() -> bytes:
    header = struct.pack(">IIBBBBB", 40_000, 40_000, 1, 0, 0, 0, 0)  # 1-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


def attachment_id(path: str) -> int:
    """The number an engine (phpBB, SMF, XenForo) gives the attachment at ``path``: reversible."""
    match = _NAME.fullmatch(path.removeprefix(ATTACHMENTS))
    if match is None:
        raise ValueError(f"not a demo attachment: {path}")
    return 3 * int(match[2]) + _KINDS.index(match[1])


def attachment_path(number: int) -> str:
    """The attachment path behind an engine's attachment number."""
    return f"{ATTACHMENTS}{_KINDS[number % 3]}{number // 3}.png"
