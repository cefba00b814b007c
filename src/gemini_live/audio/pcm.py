"""Raw PCM16 helpers: the formats the Live API speaks, validation, chunking and levels.

The service takes 16-bit little-endian mono PCM in and sends 24 kHz PCM16 out (§11). Audio must
always be labelled with its rate (``audio/pcm;rate=16000``): a wrong or missing rate does not
fail, it silently hangs the conversation (§16.32). Everything here is pure and stdlib-only.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable, Iterator

__all__ = [
    "BYTES_PER_SAMPLE",
    "CHANNELS",
    "INPUT_RATE",
    "OUTPUT_RATE",
    "audio_mime_type",
    "chunk_pcm16",
    "decode_pcm16",
    "duration_seconds",
    "encode_pcm16",
    "is_jpeg",
    "is_png",
    "parse_audio_mime_rate",
    "rms_dbfs",
    "silence",
    "stereo_to_mono",
    "validate_pcm16",
]

INPUT_RATE = 16_000
OUTPUT_RATE = 24_000
BYTES_PER_SAMPLE = 2
CHANNELS = 1

_BIG_ENDIAN_HOST = sys.byteorder == "big"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8\xff"
_BytesLike = bytes | bytearray | memoryview


def _check_rate(rate: int, name: str = "rate") -> int:
    if isinstance(rate, bool) or not isinstance(rate, int):
        raise TypeError(f"{name} must be an int in Hz, got {type(rate).__name__}")
    if rate <= 0:
        raise ValueError(f"{name} must be a positive number of Hz, got {rate}")
    return rate


def audio_mime_type(rate: int) -> str:
    """The MIME type of PCM16 at ``rate``, e.g. ``"audio/pcm;rate=16000"``."""
    return f"audio/pcm;rate={_check_rate(rate)}"


def parse_audio_mime_rate(mime: str) -> int | None:
    """The ``rate`` parameter of an ``audio/*`` MIME type, or ``None`` if absent or invalid.

    Parameter names and the media type are case-insensitive and spaces are tolerated
    (``"Audio/PCM; Rate=24000"`` gives 24000).
    """
    media, _, params = mime.partition(";")
    if not media.strip().lower().startswith("audio/"):
        return None
    for param in params.split(";"):
        name, sep, value = param.partition("=")
        if sep and name.strip().lower() == "rate":
            value = value.strip().strip('"')
            if value.isdigit() and int(value) > 0:
                return int(value)
            return None
    return None


def _nbytes(data: object, what: str) -> int:
    if isinstance(data, bytes | bytearray):
        return len(data)
    if isinstance(data, memoryview):
        return data.nbytes
    raise TypeError(
        f"{what} must be bytes, bytearray or memoryview of PCM16, got {type(data).__name__}"
    )


def validate_pcm16(data: _BytesLike) -> None:
    """Raise unless ``data`` is bytes-like PCM16: whole 2-byte samples."""
    size = _nbytes(data, "audio")
    if size % BYTES_PER_SAMPLE:
        raise ValueError(
            f"PCM16 audio must have an even number of bytes (2 per sample), got {size} bytes"
        )


def decode_pcm16(data: _BytesLike) -> array[int]:
    """Samples of little-endian PCM16 as a signed ``array('h')`` (any host byte order)."""
    validate_pcm16(data)
    samples = array("h")
    samples.frombytes(bytes(data) if isinstance(data, memoryview) else data)
    if _BIG_ENDIAN_HOST:
        samples.byteswap()
    return samples


def encode_pcm16(samples: Iterable[int]) -> bytes:
    """Little-endian PCM16 bytes from integer samples; values are clipped to the int16 range."""
    out = array("h", (min(32767, max(-32768, s)) for s in samples))
    if _BIG_ENDIAN_HOST:
        out.byteswap()
    return out.tobytes()


def chunk_pcm16(data: _BytesLike, rate: int, chunk_ms: float = 20) -> Iterator[bytes]:
    """Split PCM16 into chunks of ``chunk_ms`` (the last one may be shorter).

    Vertex recommends 20-40 ms chunks and other clients use up to 100 ms (§11). The chunk size is
    rounded to whole samples (at least one).
    """
    validate_pcm16(data)
    _check_rate(rate)
    if isinstance(chunk_ms, bool) or not isinstance(chunk_ms, int | float):
        raise TypeError(f"chunk_ms must be a number, got {type(chunk_ms).__name__}")
    if not math.isfinite(chunk_ms) or chunk_ms <= 0:
        raise ValueError(f"chunk_ms must be a positive number of milliseconds, got {chunk_ms!r}")
    step = max(1, round(rate * chunk_ms / 1000)) * BYTES_PER_SAMPLE
    view = memoryview(data).cast("B")
    for start in range(0, len(view), step):
        yield bytes(view[start : start + step])


def duration_seconds(nbytes: int, rate: int) -> float:
    """How long ``nbytes`` of mono PCM16 at ``rate`` plays."""
    if isinstance(nbytes, bool) or not isinstance(nbytes, int):
        raise TypeError(f"nbytes must be an int, got {type(nbytes).__name__}")
    if nbytes < 0:
        raise ValueError(f"nbytes must be >= 0, got {nbytes}")
    return nbytes / (BYTES_PER_SAMPLE * _check_rate(rate))


def rms_dbfs(pcm: _BytesLike) -> float:
    """RMS level in dBFS (full scale = 32768); ``-inf`` for silence or no samples.

    A full-scale sine reads about -3.01 dBFS, a full-scale square wave 0 dBFS.
    """
    samples = decode_pcm16(pcm)
    if not samples:
        return -math.inf
    power = math.fsum(s * s for s in samples) / len(samples)
    if power == 0:
        return -math.inf
    return 10.0 * math.log10(power / (32768.0 * 32768.0))


def stereo_to_mono(data: _BytesLike) -> bytes:
    """Average interleaved stereo PCM16 (L, R, L, R...) into mono PCM16."""
    size = _nbytes(data, "audio")
    if size % (2 * BYTES_PER_SAMPLE):
        raise ValueError(f"stereo PCM16 needs whole frames of 4 bytes (L+R), got {size} bytes")
    samples = decode_pcm16(data)
    left, right = samples[0::2], samples[1::2]
    # The (floored) mean of two int16 values always fits in int16: nothing can clip.
    return encode_pcm16((a + b) >> 1 for a, b in zip(left, right, strict=True))


def silence(ms: float, rate: int) -> bytes:
    """``ms`` milliseconds of PCM16 silence at ``rate`` (rounded to whole samples)."""
    _check_rate(rate)
    if isinstance(ms, bool) or not isinstance(ms, int | float):
        raise TypeError(f"ms must be a number, got {type(ms).__name__}")
    if not math.isfinite(ms) or ms < 0:
        raise ValueError(f"ms must be a finite number >= 0, got {ms!r}")
    return bytes(round(rate * ms / 1000) * BYTES_PER_SAMPLE)


def is_jpeg(data: _BytesLike) -> bool:
    """Whether ``data`` starts like a JPEG image (SOI marker ``FF D8 FF``)."""
    return _head(data, 3) == _JPEG_SOI


def is_png(data: _BytesLike) -> bool:
    """Whether ``data`` starts with the PNG signature."""
    return _head(data, 8) == _PNG_SIGNATURE


def _head(data: _BytesLike, n: int) -> bytes:
    if isinstance(data, memoryview):
        return data.cast("B")[:n].tobytes() if data.c_contiguous else data.tobytes()[:n]
    _nbytes(data, "image")
    return bytes(data[:n])
