"""Streaming resamplers behind one interface, with ``soxr`` used when it is installed.

The built-in :class:`~gemini_live.audio.resample.StreamingResampler` is pure Python: exact and
dependency-free, but it costs tens of milliseconds of CPU per second of audio.
``soxr`` (the SoX resampler, part of the ``gemini-live[audio]`` extra) is a C library that is
both faster and cleaner (``benchmarks/bench_resample.py`` prints both figures), so
:func:`create_resampler` picks it whenever it can be imported, unless told otherwise.

Every resampler here takes and returns mono PCM16 bytes: :meth:`~Resampler.process` returns what
is ready, :meth:`~Resampler.flush` the tail (and resets), :meth:`~Resampler.reset` forgets the
stream (after a barge-in flush, say).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any, Literal, Protocol

from gemini_live.audio.pcm import validate_pcm16
from gemini_live.audio.resample import StreamingResampler

__all__ = [
    "Resampler",
    "ResamplerBackend",
    "SoxrResampler",
    "create_resampler",
    "soxr_available",
]

ResamplerBackend = Literal["auto", "builtin", "soxr"]


class Resampler(Protocol):
    """A streaming mono PCM16 resampler."""

    @property
    def from_rate(self) -> int:
        """Input sample rate in Hz."""
        ...

    @property
    def to_rate(self) -> int:
        """Output sample rate in Hz."""
        ...

    def process(self, chunk: bytes | bytearray | memoryview) -> bytes:
        """Feed mono PCM16; returns the output that is ready (some is held for the filter)."""
        ...

    def flush(self) -> bytes:
        """End the stream: the remaining output; the resampler is then ready for a new one."""
        ...

    def reset(self) -> None:
        """Forget the stream without producing its tail."""
        ...


@lru_cache(maxsize=1)
def _soxr_module() -> Any:
    try:
        return importlib.import_module("soxr")
    except ImportError:
        return None


def soxr_available() -> bool:
    """Whether the ``soxr`` package (from ``gemini-live[audio]``) can be imported."""
    return _soxr_module() is not None


class SoxrResampler:
    """:class:`Resampler` on ``soxr.ResampleStream`` (high quality, C speed). Needs ``soxr``."""

    __slots__ = ("_from_rate", "_np", "_quality", "_soxr", "_stream", "_to_rate")

    def __init__(self, from_rate: int, to_rate: int, *, quality: str = "HQ") -> None:
        module = _soxr_module()
        if module is None:
            raise ImportError(
                "the soxr resampler needs the 'soxr' package: pip install 'gemini-live[audio]'"
            )
        for name, rate in (("from_rate", from_rate), ("to_rate", to_rate)):
            if isinstance(rate, bool) or not isinstance(rate, int) or rate <= 0:
                raise ValueError(f"{name} must be a positive int in Hz, got {rate!r}")
        self._soxr = module
        self._np = importlib.import_module("numpy")
        self._from_rate = from_rate
        self._to_rate = to_rate
        self._quality = quality
        self._stream = self._new_stream()

    def _new_stream(self) -> Any:
        return self._soxr.ResampleStream(
            self._from_rate, self._to_rate, 1, dtype="int16", quality=self._quality
        )

    @property
    def from_rate(self) -> int:
        """Input sample rate in Hz."""
        return self._from_rate

    @property
    def to_rate(self) -> int:
        """Output sample rate in Hz."""
        return self._to_rate

    def process(self, chunk: bytes | bytearray | memoryview) -> bytes:
        """Feed mono PCM16; returns the output that is ready (soxr holds a few ms back)."""
        validate_pcm16(chunk)
        if self._from_rate == self._to_rate:
            return bytes(chunk)
        samples = self._np.frombuffer(chunk, dtype="<i2")
        out = self._stream.resample_chunk(samples)
        return bytes(out.astype("<i2", copy=False).tobytes())

    def flush(self) -> bytes:
        """End the stream: the remaining output, then a fresh stream."""
        if self._from_rate == self._to_rate:
            return b""
        tail = self._stream.resample_chunk(self._np.zeros(0, dtype="<i2"), last=True)
        self.reset()
        return bytes(tail.astype("<i2", copy=False).tobytes())

    def reset(self) -> None:
        """Forget the stream without producing its tail."""
        # A fresh stream rather than ``clear()``: the flushed state cannot be fed again.
        self._stream = self._new_stream()

    def __repr__(self) -> str:
        return f"SoxrResampler({self._from_rate} -> {self._to_rate} Hz)"


def create_resampler(
    from_rate: int, to_rate: int, *, backend: ResamplerBackend = "auto"
) -> Resampler:
    """A streaming resampler: ``soxr`` when installed (``"auto"``), or the one asked for.

    ``backend="soxr"`` raises ``ImportError`` with an install hint when ``soxr`` is missing.
    """
    if backend not in ("auto", "builtin", "soxr"):
        raise ValueError(f"backend must be 'auto', 'builtin' or 'soxr', got {backend!r}")
    if backend == "soxr" or (backend == "auto" and soxr_available()):
        return SoxrResampler(from_rate, to_rate)
    return StreamingResampler(from_rate, to_rate)
