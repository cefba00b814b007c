"""Sample-rate conversion for mono PCM16, one-shot or streamed, in pure Python.

Microphones commonly run at 44.1/48 kHz while the service wants 16 kHz in and sends 24 kHz out
(§11). The converter is a polyphase windowed-sinc interpolator: every output sample is a weighted
sum of the input samples around its exact (rational) position. The kernel is a Kaiser-windowed
low-pass whose cutoff sits just below the lower of the two Nyquist frequencies, so downsampling
does not fold high frequencies back into the speech band and upsampling does not create images.

Positions are exact integers (output ``k`` sits at input ``k * from_rate / to_rate``, reduced by
the gcd), so :class:`StreamingResampler` fed in chunks of any size produces exactly the same
samples as :func:`resample_pcm16` on the whole signal, once :meth:`StreamingResampler.flush` has
returned the tail. Input before the start and after the end counts as silence. The output length
is ``round(len(input) * to_rate / from_rate)`` samples.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from operator import mul

from gemini_live.audio.pcm import decode_pcm16, encode_pcm16, validate_pcm16

__all__ = ["StreamingResampler", "resample_pcm16"]

# Kernel shape: zero crossings of the sinc on each side, Kaiser beta (about 70 dB stopband) and
# the cutoff as a fraction of the lower Nyquist frequency (the rest is the transition band).
_ZERO_CROSSINGS = 8
_KAISER_BETA = 7.0
_CUTOFF = 0.9


def _check_rate(rate: int, name: str) -> int:
    if isinstance(rate, bool) or not isinstance(rate, int):
        raise TypeError(f"{name} must be an int in Hz, got {type(rate).__name__}")
    if rate <= 0:
        raise ValueError(f"{name} must be a positive number of Hz, got {rate}")
    return rate


def _bessel_i0(x: float) -> float:
    # Power series of the modified Bessel function of order 0; converges fast for x < 20.
    total = term = 1.0
    k = 1
    while term > 1e-12 * total:
        term *= (x / (2.0 * k)) ** 2
        total += term
        k += 1
    return total


@lru_cache(maxsize=64)
def _geometry(up: int, down: int) -> tuple[float, float, int]:
    """(cutoff in cycles per input sample, kernel half-width in input samples, taps per side)."""
    cutoff = 0.5 * min(1.0, up / down) * _CUTOFF
    half_width = _ZERO_CROSSINGS / (2.0 * cutoff)
    return cutoff, half_width, math.ceil(half_width)


@lru_cache(maxsize=8192)
def _phase_weights(up: int, down: int, phase: int) -> tuple[float, ...]:
    """Weights for input offsets ``-taps+1 .. taps`` around a point ``phase/up`` past a sample."""
    cutoff, half_width, taps = _geometry(up, down)
    frac = phase / up
    norm = _bessel_i0(_KAISER_BETA)
    weights = []
    for m in range(-taps + 1, taps + 1):
        t = m - frac
        x = t / half_width
        if abs(x) >= 1.0:
            weights.append(0.0)
            continue
        arg = 2.0 * cutoff * t
        sinc = 1.0 if arg == 0 else math.sin(math.pi * arg) / (math.pi * arg)
        window = _bessel_i0(_KAISER_BETA * math.sqrt(1.0 - x * x)) / norm
        weights.append(2.0 * cutoff * sinc * window)
    # Unit DC gain for every phase, so a constant stays constant whatever the position.
    total = math.fsum(weights)
    return tuple(w / total for w in weights)


def _output_length(n_in: int, up: int, down: int) -> int:
    return round(Fraction(n_in * up, down))


class StreamingResampler:
    """Resamples a mono PCM16 stream chunk by chunk, keeping the state between chunks.

    :meth:`process` returns what can be computed so far (it holds back a few milliseconds that
    need future input); :meth:`flush` ends the stream, returns the rest and resets the resampler
    for a new stream. Concatenating every output equals :func:`resample_pcm16` of the whole input.
    Chunks must hold whole samples (an even number of bytes).
    """

    __slots__ = ("_base", "_buf", "_down", "_from_rate", "_k", "_n_in", "_taps", "_to_rate", "_up")

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self._from_rate = _check_rate(from_rate, "from_rate")
        self._to_rate = _check_rate(to_rate, "to_rate")
        g = math.gcd(from_rate, to_rate)
        self._up = to_rate // g
        self._down = from_rate // g
        self._taps = _geometry(self._up, self._down)[2]
        self._buf: list[int] = []
        self._base = 0  # stream index of self._buf[0]
        self._n_in = 0  # input samples received
        self._k = 0  # next output sample index

    @property
    def from_rate(self) -> int:
        """Input sample rate in Hz."""
        return self._from_rate

    @property
    def to_rate(self) -> int:
        """Output sample rate in Hz."""
        return self._to_rate

    def process(self, chunk: bytes | bytearray | memoryview) -> bytes:
        """Feed the next chunk; returns the output samples that are now complete."""
        validate_pcm16(chunk)
        if self._up == self._down:
            return bytes(chunk)
        samples = decode_pcm16(chunk)
        self._buf.extend(samples)
        self._n_in += len(samples)
        return self._produce(final=False)

    def flush(self) -> bytes:
        """End the stream: returns the remaining output and resets for a new stream."""
        if self._up == self._down:
            return b""
        out = self._produce(final=True)
        self.reset()
        return out

    def reset(self) -> None:
        """Forget the stream so far without producing its tail."""
        self._buf = []
        self._base = 0
        self._n_in = 0
        self._k = 0

    def _produce(self, *, final: bool) -> bytes:
        up, down, taps = self._up, self._down, self._taps
        buf, base, n = self._buf, self._base, self._n_in
        width = 2 * taps
        limit = _output_length(n, up, down)
        out: list[int] = []
        k = self._k
        while k < limit:
            i0, phase = divmod(k * down, up)
            start = i0 - taps + 1
            stop = start + width
            if stop > n and not final:
                break
            lo = start - base
            if start >= 0 and stop <= n:
                segment = buf[lo : lo + width]
            else:  # at either end of the stream: missing samples are silence
                segment = [buf[j - base] if 0 <= j < n else 0 for j in range(start, stop)]
            out.append(round(sum(map(mul, _phase_weights(up, down, phase), segment))))
            k += 1
        self._k = k
        # Drop input that no future output sample can reach.
        drop = min(len(buf), (k * down) // up - taps + 1 - base)
        if drop > 0:
            del buf[:drop]
            self._base = base + drop
        return encode_pcm16(out)

    def __repr__(self) -> str:
        return f"StreamingResampler({self._from_rate} -> {self._to_rate} Hz)"


def resample_pcm16(data: bytes | bytearray | memoryview, from_rate: int, to_rate: int) -> bytes:
    """Resample mono PCM16 from ``from_rate`` to ``to_rate`` Hz.

    Equal rates return the input unchanged. The result has
    ``round(samples * to_rate / from_rate)`` samples.
    """
    validate_pcm16(data)
    _check_rate(from_rate, "from_rate")
    _check_rate(to_rate, "to_rate")
    if from_rate == to_rate:
        return bytes(data)
    resampler = StreamingResampler(from_rate, to_rate)
    return resampler.process(data) + resampler.flush()
