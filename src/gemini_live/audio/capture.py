"""Microphone blocks to the service's input format, and half-duplex gating. Pure, no devices.

A microphone delivers blocks of whatever size its driver likes, at the device's rate (44.1 or
48 kHz typically), in its sample format, with one or more channels. The service wants mono PCM16
at the session's input rate (16 kHz by default) in chunks of 20-40 ms (§11).
:class:`CaptureConverter` does that conversion: decode the sample format, average the channels,
resample (:func:`~gemini_live.audio.backends.create_resampler`: ``soxr`` when installed) and cut
exact ``chunk_ms`` chunks.

:class:`HalfDuplex` is for setups without echo cancellation (laptop speakers and microphone): it
replaces the microphone's audio with silence while the model speaks and for ``release_ms`` after,
so the model does not hear itself and interrupt itself. Silence, not nothing, so the stream's
timing (and a VAD's sense of time) stays intact.
"""

from __future__ import annotations

import importlib
import sys
from array import array
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

from gemini_live.audio.backends import Resampler, ResamplerBackend, create_resampler
from gemini_live.audio.pcm import INPUT_RATE

__all__ = ["SAMPLE_FORMATS", "CaptureConverter", "HalfDuplex", "SampleFormat", "to_mono_pcm16"]

SampleFormat = Literal["int16", "int32", "float32", "int8", "uint8"]
SAMPLE_FORMATS: dict[str, int] = {"int16": 2, "int32": 4, "float32": 4, "int8": 1, "uint8": 1}
"""Sample formats :class:`CaptureConverter` accepts (``sounddevice``'s names), with their sizes."""

_BIG_ENDIAN_HOST = sys.byteorder == "big"
_BufferLike = bytes | bytearray | memoryview


@lru_cache(maxsize=1)
def _numpy() -> Any:
    try:
        return importlib.import_module("numpy")
    except ImportError:
        return None


# numpy dtypes of the device formats, host byte order (as PortAudio delivers them).
_NP_DTYPES = {"int16": "=i2", "int32": "=i4", "float32": "=f4", "int8": "i1", "uint8": "u1"}


def to_mono_pcm16(raw: bytes, sample_format: str, channels: int, *, fast: bool = True) -> bytes:
    """Interleaved device samples to mono little-endian PCM16 (channels averaged, floored).

    Floats are clipped to [-1, 1] and scaled by 32767 (truncated); wider integers keep their
    top 16 bits; 8-bit samples are widened. With ``fast`` and numpy importable (it comes with
    the ``[audio]`` extra) the work is vectorised; the result is identical either way.
    """
    np = _numpy() if fast else None
    if np is None:
        samples = _native(sample_format, raw)
        if channels > 1:
            lanes = [samples[c::channels] for c in range(channels)]
            samples = array("h", [sum(f) // channels for f in zip(*lanes, strict=True)])
        if _BIG_ENDIAN_HOST:  # pragma: no cover - the wire is little-endian
            samples.byteswap()
        return samples.tobytes()
    a = np.frombuffer(raw, dtype=_NP_DTYPES[sample_format]).reshape(-1, channels)
    if sample_format == "float32":
        wide = np.trunc(np.clip(a.astype(np.float64), -1.0, 1.0) * 32767.0).astype(np.int64)
    elif sample_format == "int32":
        wide = a.astype(np.int64) >> 16
    elif sample_format == "uint8":
        wide = (a.astype(np.int64) - 128) << 8
    elif sample_format == "int8":
        wide = a.astype(np.int64) << 8
    else:
        wide = a.astype(np.int64)
    mono = wide.sum(axis=1) // channels if channels > 1 else wide[:, 0]
    return bytes(mono.astype("<i2").tobytes())


def _native(fmt: str, raw: bytes) -> array[int] | array[float]:
    """Device samples (host byte order, as PortAudio delivers them) as an array."""
    if fmt == "int16":
        return array("h", raw)
    if fmt == "int32":
        code = "i" if array("i").itemsize == 4 else "l"
        wide = array(code, raw)
        return array("h", [s >> 16 for s in wide])
    if fmt == "float32":
        floats = array("f", raw)
        # Clip: float devices can exceed [-1, 1] and the service wants int16.
        return array("h", [int(max(-1.0, min(1.0, x)) * 32767.0) for x in floats])
    if fmt == "int8":
        return array("h", [b << 8 for b in array("b", raw)])
    return array("h", [(b - 128) << 8 for b in raw])


class CaptureConverter:
    """Device blocks in, exact mono PCM16 chunks at ``target_rate`` out.

    ``device_rate``, ``channels`` and ``sample_format`` describe what the device delivers
    (interleaved, host byte order). :meth:`push` accepts any buffer (bytes, a ``sounddevice``
    CFFI buffer, a numpy array) holding whole frames and returns the chunks completed so far;
    a block that is not whole frames raises ``ValueError`` (nothing is half-consumed).
    Not thread-safe: call it from one thread (the event loop, in :class:`Microphone`).
    """

    def __init__(
        self,
        device_rate: int,
        *,
        channels: int = 1,
        sample_format: SampleFormat = "int16",
        target_rate: int = INPUT_RATE,
        chunk_ms: float = 20.0,
        resampler: ResamplerBackend = "auto",
    ) -> None:
        for name, value in (
            ("device_rate", device_rate),
            ("channels", channels),
            ("target_rate", target_rate),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if sample_format not in SAMPLE_FORMATS:
            raise ValueError(
                f"sample_format must be one of {sorted(SAMPLE_FORMATS)}, got {sample_format!r}"
            )
        if not 5 <= chunk_ms <= 1000:
            raise ValueError(f"chunk_ms must be within 5..1000 ms, got {chunk_ms!r}")
        self._fmt = sample_format
        self._channels = channels
        self._frame_bytes = SAMPLE_FORMATS[sample_format] * channels
        self._device_rate = device_rate
        self._target_rate = target_rate
        self._chunk_bytes = max(1, round(target_rate * chunk_ms / 1000)) * 2
        self._resampler: Resampler | None = (
            create_resampler(device_rate, target_rate, backend=resampler)
            if device_rate != target_rate
            else None
        )
        self._pending = bytearray()
        self._frames_in = 0

    @property
    def chunk_bytes(self) -> int:
        """Size of every chunk :meth:`push` returns."""
        return self._chunk_bytes

    @property
    def frames_in(self) -> int:
        """Device frames converted so far."""
        return self._frames_in

    def push(self, block: _BufferLike | object) -> list[bytes]:
        """Convert one device block; returns the whole chunks now complete (maybe none)."""
        try:
            view = memoryview(block)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(
                f"a capture block must be a buffer (bytes, array, numpy array), "
                f"got {type(block).__name__}"
            ) from None
        raw = view.cast("B").tobytes() if view.c_contiguous else view.tobytes()
        if len(raw) % self._frame_bytes:
            raise ValueError(
                f"a capture block must hold whole frames of {self._frame_bytes} bytes "
                f"({self._channels} x {self._fmt}), got {len(raw)} bytes"
            )
        self._frames_in += len(raw) // self._frame_bytes
        pcm = to_mono_pcm16(raw, self._fmt, self._channels)
        if self._resampler is not None:
            pcm = self._resampler.process(pcm)
        self._pending += pcm
        return self._cut()

    def flush(self) -> list[bytes]:
        """End of stream: the remaining audio, the last chunk padded with silence."""
        if self._resampler is not None:
            self._pending += self._resampler.flush()
        chunks = self._cut()
        if self._pending:
            chunks.append(bytes(self._pending) + bytes(self._chunk_bytes - len(self._pending)))
            self._pending.clear()
        return chunks

    def _cut(self) -> list[bytes]:
        size = self._chunk_bytes
        whole = len(self._pending) - len(self._pending) % size
        chunks = [bytes(self._pending[i : i + size]) for i in range(0, whole, size)]
        del self._pending[:whole]
        return chunks


class HalfDuplex:
    """Mutes the microphone while ``is_speaking()`` and for ``release_ms`` after.

    ``is_speaking`` is typically ``lambda: buffer.position().playing`` for a
    :class:`~gemini_live.audio.playback.PlaybackBuffer`. Clock-free: the release is counted in
    microphone audio. :meth:`admit` returns the chunk, or silence of the same size.
    """

    def __init__(
        self, is_speaking: Callable[[], bool], *, release_ms: float = 250.0, rate: int = INPUT_RATE
    ) -> None:
        if not 0 <= release_ms <= 10_000:
            raise ValueError(f"release_ms must be within 0..10000, got {release_ms!r}")
        self._is_speaking = is_speaking
        self._release_bytes = round(release_ms * rate / 1000) * 2
        self._left = 0  # bytes still muted after speech stopped
        self.muted_chunks = 0

    def admit(self, chunk: bytes) -> bytes:
        """The chunk to send: itself, or silence while the model speaks (or just spoke)."""
        if self._is_speaking():
            self._left = self._release_bytes
        elif self._left > 0:
            self._left -= len(chunk)
        else:
            return chunk
        self.muted_chunks += 1
        return bytes(len(chunk))
