"""QR decoding of hostile images: payloads out, broken and oversized images refused cleanly."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from PIL import Image

from watchlist.demo.images import attachment
from watchlist.qrcodes import ImageError, decode_qr, qr_png

PAYLOADS = [
    "HTTPS://QR.ALIPAY.COM/FKX12345ABCDEFGHIJK",
    "wxp://f2f0AbCdEfGhIjKlMnOpQrStUv",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "出U 微信 yunqw520",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_qr_code_round_trips_exactly(payload: str) -> None:
    assert decode_qr(qr_png(payload)) == [payload]


def test_qr_codes_in_jpeg_and_gif_and_inside_a_bigger_picture_are_found() -> None:
    code = Image.open(io.BytesIO(qr_png(PAYLOADS[0], scale=3)))
    canvas = Image.new("RGB", (900, 600), "white")
    canvas.paste(code.convert("RGB"), (400, 200))
    for fmt in ("JPEG", "GIF", "WEBP"):
        out = io.BytesIO()
        canvas.save(out, fmt)
        assert decode_qr(out.getvalue()) == [PAYLOADS[0]], fmt


def test_an_image_without_a_qr_code_gives_no_payload() -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(out, "PNG")
    assert decode_qr(out.getvalue()) == []


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, qr_png("x")[:120]],
    ids=["empty", "text", "header-only", "truncated"],
)
def test_broken_images_raise_image_error(data: bytes) -> None:
    with pytest.raises(ImageError, match="not a readable image"):
        decode_qr(data)


def test_a_pixel_bomb_is_refused_from_its_header_without_allocating_it() -> None:
    bomb = attachment(7, "/data/attachment/forum/bomb-3.png")
    assert bomb is not None and len(bomb) < 200
    tracemalloc.start()
    with pytest.raises(ImageError, match="over the pixel cap"):
        decode_qr(bomb)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10_000_000  # decoding it would take 200 MB


def test_the_pixel_cap_is_a_parameter() -> None:
    with pytest.raises(ImageError, match=r"over the pixel cap \(100\)"):
        decode_qr(qr_png("x"), max_pixels=100)
