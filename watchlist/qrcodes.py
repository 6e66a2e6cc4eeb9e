"""Decode the QR codes in an image: bytes in, payload strings out, within hard caps.

Images come from hostile pages: the byte size is capped by the downloader, and the pixel count
is checked from the image header before any pixel is decoded (a 100-byte PNG can claim to be
50,000 × 50,000). Broken images raise :class:`ImageError`; they never crash a crawl.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

from watchlist.errors import WatchlistError

MAX_PIXELS = 16_000_000
MAX_PAYLOADS = 8
# Only QR codes: 8× faster than searching for every format (PITFALLS.md).
_QR_ONLY = zxingcpp.barcode_formats_from_str("QRCode")


class ImageError(WatchlistError):
    """An image that cannot be decoded, or that is larger than allowed."""


def decode_qr(data: bytes, max_pixels: int = MAX_PIXELS) -> list[str]:
    """The text payloads of the QR codes in the image ``data`` (PNG, JPEG, GIF, WebP, BMP)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageError(
                        f"{width}×{height} pixels is over the pixel cap ({max_pixels:,})"
                    )
                image.seek(0)  # the first frame of an animation
                gray = image.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageError(f"not a readable image: {exc}") from exc
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageError(f"over the pixel cap: {exc}") from exc
    results = zxingcpp.read_barcodes(gray, formats=_QR_ONLY)
    payloads = [r.text for r in results if r.valid and r.text]
    return list(dict.fromkeys(payloads))[:MAX_PAYLOADS]


def qr_png(payload: str, scale: int = 4) -> bytes:
    """A PNG of a QR code holding ``payload`` (for the demo world and tests)."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode)
    pixels = zxingcpp.write_barcode_to_image(barcode, scale=scale)
    height, width = pixels.shape
    image = Image.frombytes("L", (width, height), bytes(memoryview(pixels)))  # type: ignore[arg-type]
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
