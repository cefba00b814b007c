"""One video frame to the JPEG the service wants: accept, downsize, encode.

The Live API takes video as a stream of JPEG images, about one per second (§11); a full camera
frame wastes bandwidth and tokens, so frames are downsized to a maximum edge (768 px by default,
the tile size the model sees) and re-encoded. Frames may be:

* JPEG bytes: passed through untouched when already small enough (or when Pillow is missing);
  otherwise decoded, downsized and re-encoded. Other bytes (PNG, raw pixels, garbage) raise
  ``ValueError``: pass a PIL image or an array instead.
* numpy arrays (``uint8``, ``H x W`` grey, ``H x W x 3`` RGB or ``H x W x 4`` RGBA), or anything
  else with ``__array_interface__``: need Pillow.
* PIL images of any mode: need Pillow.

Pillow is the ``gemini-live[video]`` extra, imported only when a frame needs it. Everything here
is CPU-bound and blocking: :class:`~gemini_live.video.feed.VideoFeed` runs it in a worker thread.
"""

from __future__ import annotations

import importlib
import io
import os
import tempfile
from functools import lru_cache
from typing import Any

from gemini_live.audio.pcm import is_jpeg

__all__ = [
    "DEFAULT_MAX_EDGE",
    "DEFAULT_QUALITY",
    "check_frame_bytes",
    "encode_frame",
    "is_frame",
    "pillow_available",
]

DEFAULT_MAX_EDGE = 768
DEFAULT_QUALITY = 80


@lru_cache(maxsize=1)
def _pil() -> Any:
    try:
        return importlib.import_module("PIL.Image")
    except ImportError:
        return None


def pillow_available() -> bool:
    """Whether Pillow (``gemini-live[video]``) can be imported."""
    return _pil() is not None


def _require_pil(what: str) -> Any:
    image = _pil()
    if image is None:
        raise ImportError(f"{what} needs Pillow: pip install 'gemini-live[video]'")
    return image


def is_frame(frame: object) -> bool:
    """Whether ``frame`` is of a kind :func:`encode_frame` accepts (content not checked). Cheap."""
    # Looked up on the type: on a PIL image ``__array_interface__`` is a property that copies
    # every pixel, which must not happen on the event loop.
    return isinstance(frame, bytes | bytearray | memoryview) or hasattr(
        type(frame), "__array_interface__"
    )


def _check_options(max_edge: int, quality: int) -> None:
    if isinstance(max_edge, bool) or not isinstance(max_edge, int) or max_edge < 16:
        raise ValueError(f"max_edge must be an int >= 16 pixels, got {max_edge!r}")
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 95:
        raise ValueError(f"quality must be an int within 1..95, got {quality!r}")


def check_frame_bytes(data: bytes | bytearray | memoryview) -> bytes:
    """``data`` as bytes if it looks like a JPEG; ``ValueError`` otherwise (cheap, no decode)."""
    raw = bytes(data)
    if not is_jpeg(raw):
        kind = "PNG" if raw.startswith(b"\x89PNG") else "not an image" if raw else "empty"
        raise ValueError(
            f"video frames given as bytes must be JPEG (got {kind}, {len(raw)} bytes); "
            "pass a PIL image or a numpy array to have it encoded"
        )
    return raw


def _to_image(frame: object) -> Any:
    loaded = _pil()
    if loaded is not None and isinstance(frame, loaded.Image):  # has __array_interface__ too
        return frame
    if hasattr(frame, "__array_interface__"):
        image = _require_pil("encoding a numpy frame")
        shape = frame.__array_interface__["shape"]
        typestr = frame.__array_interface__["typestr"]
        if typestr not in ("|u1", "<u1", ">u1") or len(shape) not in (2, 3):
            raise ValueError(
                f"array frames must be uint8 H x W (grey) or H x W x 3/4 (RGB/RGBA), "
                f"got shape {shape} of {typestr}"
            )
        if len(shape) == 3 and shape[2] not in (3, 4):
            raise ValueError(f"array frames need 3 (RGB) or 4 (RGBA) channels, got {shape[2]}")
        return image.fromarray(frame)
    raise TypeError(
        "a video frame must be JPEG bytes, a numpy uint8 array or a PIL image, "
        f"got {type(frame).__name__}"
    )


def encode_frame(
    frame: object, *, max_edge: int = DEFAULT_MAX_EDGE, quality: int = DEFAULT_QUALITY
) -> bytes:
    """``frame`` as JPEG bytes whose longer edge is at most ``max_edge`` (aspect kept).

    Blocking (decode/resize/encode): call it in a worker thread from async code. Raises
    ``TypeError`` for an unsupported kind, ``ValueError`` for bad content (non-JPEG bytes, a
    JPEG Pillow cannot read, a wrong array shape), ``ImportError`` when Pillow is needed but
    missing.
    """
    _check_options(max_edge, quality)
    if isinstance(frame, bytes | bytearray | memoryview):
        data = check_frame_bytes(frame)
        image_mod = _pil()
        if image_mod is None:
            return data  # cannot check or resize without Pillow: the service will judge
        try:
            img = image_mod.open(io.BytesIO(data))
            if max(img.size) <= max_edge:
                img.verify()  # a cheap structural check; the bytes go out unchanged
                return data
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers max_edge: far
            # less work than decoding every pixel and throwing most of them away.
            img.draft("RGB", (max_edge, max_edge))
            img.load()
        except Exception as exc:  # Pillow raises several types for corrupt data
            raise ValueError(f"unreadable JPEG frame ({len(data)} bytes): {exc}") from exc
    else:
        img = _to_image(frame)
    width, height = img.size
    if max(width, height) > max_edge:
        scale = max_edge / max(width, height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        # A new image (the caller's is never modified); reducing_gap first shrinks by an
        # integer factor, which is much cheaper than filtering the full frame.
        img = img.resize(size, reducing_gap=2.0)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    return _save_jpeg(img, quality)


def _save_jpeg(img: Any, quality: int) -> bytes:
    # Pillow releases the GIL while it encodes straight into a file descriptor, but holds it
    # between the small blocks it hands to a BytesIO; measured on a loaded machine that stalled
    # the event loop thread by ~7 ms at the median. So encode into an in-memory file (memfd on
    # Linux, an unlinked temporary file elsewhere) and read the bytes back.
    if hasattr(os, "memfd_create"):
        out = os.fdopen(os.memfd_create("gemini-live-frame", os.MFD_CLOEXEC), "w+b")
    else:  # pragma: no cover - not Linux
        out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the with below
    with out:
        img.save(out, "JPEG", quality=quality)
        out.seek(0)
        return out.read()
