"""encode_frame: JPEG bytes / numpy arrays / PIL images to a downsized JPEG; bad input typed."""

from __future__ import annotations

import io

import pytest

from gemini_live.video.frames import encode_frame
from tests.lazy import Lazy, require

# Imported when a test runs, not when each xdist worker collects this module.
require("PIL.Image")
require("numpy")
Image = Lazy("PIL.Image")
np = Lazy("numpy")


def jpeg(width: int, height: int, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG")
    return out.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    assert data[:3] == b"\xff\xd8\xff"
    return tuple(Image.open(io.BytesIO(data)).size)  # type: ignore[return-value]


def test_small_jpeg_passes_through_unchanged() -> None:
    data = jpeg(640, 480)
    assert encode_frame(data) is not None
    assert encode_frame(data) == data


def test_large_jpeg_is_downsized_to_the_max_edge_keeping_aspect() -> None:
    assert size_of(encode_frame(jpeg(1920, 1080))) == (768, 432)
    assert size_of(encode_frame(jpeg(1000, 3000), max_edge=300)) == (100, 300)


def test_numpy_arrays_grey_rgb_and_rgba() -> None:
    rgb = np.zeros((1080, 1920, 3), dtype=np.uint8)
    rgb[..., 1] = 255
    out = Image.open(io.BytesIO(encode_frame(rgb)))
    assert out.size == (768, 432)
    assert out.getpixel((10, 10))[1] > 240
    assert size_of(encode_frame(np.zeros((100, 50), dtype=np.uint8))) == (50, 100)
    assert size_of(encode_frame(np.zeros((10, 20, 4), dtype=np.uint8))) == (20, 10)
    assert rgb[..., 1].min() == 255  # the caller's array is untouched


def test_pil_images_of_any_mode_and_the_original_is_not_modified() -> None:
    img = Image.new("RGBA", (2000, 1000), (0, 0, 255, 128))
    assert size_of(encode_frame(img)) == (768, 384)
    assert img.size == (2000, 1000)
    assert size_of(encode_frame(Image.new("P", (10, 10)))) == (10, 10)


@pytest.mark.parametrize(
    ("frame", "error", "match"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, ValueError, "must be JPEG \\(got PNG"),
        (b"", ValueError, "got empty"),
        (b"\xff\xd8\xff" + b"garbage", ValueError, "unreadable JPEG"),
        ("frame.jpg", TypeError, "got str"),
        (lambda: np.zeros((4, 4), dtype=np.float32), ValueError, "uint8"),
        (lambda: np.zeros((4, 4, 2), dtype=np.uint8), ValueError, "3 \\(RGB\\) or 4"),
    ],
)
def test_bad_frames_are_typed_errors(frame: object, error: type[Exception], match: str) -> None:
    if callable(frame):  # an array, made when the test runs (numpy is imported then)
        frame = frame()
    with pytest.raises(error, match=match):
        encode_frame(frame)


def test_bad_options() -> None:
    with pytest.raises(ValueError):
        encode_frame(jpeg(8, 8), max_edge=0)
    with pytest.raises(ValueError):
        encode_frame(jpeg(8, 8), quality=100)
