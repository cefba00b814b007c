"""Deterministic, speech-like PCM16 synthesis from text.

This is not a text-to-speech engine: it turns text into audio that *behaves* like speech for the
purposes of a pipeline (voiced, pitch-varying, harmonic-rich, with short pauses between words, and
energy far above any voice-activity threshold), and whose length is a simple function of the text,
so tests can predict it exactly.

Timing rule (the whole contract): every non-space character of every word lasts one *unit* of
:data:`UNIT_SECONDS` (50 ms) and every gap between two words lasts one unit of silence. A unit is
``round(sample_rate * UNIT_SECONDS)`` samples, so::

    units   = sum(len(word) for word in text.split()) + max(0, len(text.split()) - 1)
    samples = units * round(sample_rate * UNIT_SECONDS)

Output is raw little-endian signed 16-bit mono PCM. The same text and rate always produce the same
bytes (results are cached). The pitch of each character's segment is derived from the character,
and a word's segments glide into each other, so different texts give different audio.
"""

from __future__ import annotations

import math
import sys
from array import array
from functools import lru_cache

__all__ = [
    "DEFAULT_AMPLITUDE",
    "UNIT_SECONDS",
    "silence",
    "speech_duration",
    "synth_samples",
    "synthesize",
    "tone",
]

UNIT_SECONDS = 0.05
"""Duration of one character (or one inter-word gap) in seconds."""

DEFAULT_AMPLITUDE = 0.3
"""Peak amplitude as a fraction of full scale; RMS of voiced audio is roughly a third of it."""

_TABLE_BITS = 12
_TABLE_SIZE = 1 << _TABLE_BITS
_TABLE_MASK = _TABLE_SIZE - 1
# Relative amplitudes of the first harmonics: a crude glottal-source spectrum.
_HARMONICS = (1.0, 0.55, 0.35, 0.2)
# One period of the voiced waveform (harmonics of f0 share its period, so one table serves all).
_WAVE = [
    sum(a * math.sin(2.0 * math.pi * k * i / _TABLE_SIZE) for k, a in enumerate(_HARMONICS, 1))
    / sum(_HARMONICS)
    for i in range(_TABLE_SIZE)
]
# Attack/release of each word, so words start and end without clicks.
_RAMP_SECONDS = 0.01


def _check_rate(sample_rate: int) -> None:
    if not isinstance(sample_rate, int) or isinstance(sample_rate, bool) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive int, got {sample_rate!r}")


def _unit_samples(sample_rate: int) -> int:
    return max(1, round(sample_rate * UNIT_SECONDS))


def synth_samples(text: str, sample_rate: int = 24000) -> int:
    """Number of samples :func:`synthesize` returns for ``text`` at ``sample_rate``."""
    _check_rate(sample_rate)
    words = text.split()
    units = sum(len(w) for w in words) + max(0, len(words) - 1)
    return units * _unit_samples(sample_rate)


def speech_duration(text: str, sample_rate: int = 24000) -> float:
    """Duration in seconds of :func:`synthesize` output for ``text`` at ``sample_rate``."""
    return synth_samples(text, sample_rate) / sample_rate


def _pitch(char: str) -> float:
    # A deterministic pitch per character, within a typical speaking range (105..195 Hz).
    return 105.0 + float((ord(char) * 37) % 91)


def _to_bytes(samples: array[int]) -> bytes:
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        samples.byteswap()
    return samples.tobytes()


@lru_cache(maxsize=256)
def _synthesize_cached(text: str, sample_rate: int, amplitude: float) -> bytes:
    unit = _unit_samples(sample_rate)
    peak = amplitude * 32767.0
    ramp = max(1, int(sample_rate * _RAMP_SECONDS))
    # Syllable-like amplitude modulation over each character, never dropping to silence.
    shape = [0.75 + 0.25 * math.cos(math.pi * pos / unit) for pos in range(unit)]
    out = array("h")
    phase = 0  # fixed point: _TABLE_SIZE << 16 per cycle
    scale = (_TABLE_SIZE << 16) / sample_rate
    words = text.split()
    for w_index, word in enumerate(words):
        if w_index:
            out.extend([0] * unit)
        pitches = [_pitch(c) for c in word]
        total = unit * len(word)
        start_len = len(out)
        for seg, f0 in enumerate(pitches):
            # Glide from this character's pitch toward the next one over the segment.
            nxt = pitches[seg + 1] if seg + 1 < len(pitches) else f0
            step = f0 * scale
            dstep = (nxt - f0) * scale / unit
            for pos in range(unit):
                phase = (phase + int(step)) & 0xFFFFFFF
                step += dstep
                out.append(int(peak * shape[pos] * _WAVE[(phase >> 16) & _TABLE_MASK]))
        for i in range(min(ramp, total)):
            gain = i / ramp
            out[start_len + i] = int(out[start_len + i] * gain)
            out[start_len + total - 1 - i] = int(out[start_len + total - 1 - i] * gain)
    return _to_bytes(out)


def synthesize(
    text: str, sample_rate: int = 24000, *, amplitude: float = DEFAULT_AMPLITUDE
) -> bytes:
    """Return deterministic speech-like PCM16 (LE, mono) for ``text`` at ``sample_rate``.

    The length is exactly :func:`synth_samples` samples. ``amplitude`` is the peak level as a
    fraction of full scale (0 < amplitude <= 1). Empty or blank text gives ``b""``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    _check_rate(sample_rate)
    if not 0.0 < amplitude <= 1.0:
        raise ValueError(f"amplitude must be in (0, 1], got {amplitude!r}")
    return _synthesize_cached(text, sample_rate, float(amplitude))


def silence(seconds: float, sample_rate: int = 16000) -> bytes:
    """Return ``seconds`` of digital silence as PCM16 (``round(seconds * sample_rate)`` samples)."""
    _check_rate(sample_rate)
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds!r}")
    return bytes(2 * round(seconds * sample_rate))


def tone(
    seconds: float, sample_rate: int = 16000, *, frequency: float = 440.0, amplitude: float = 0.3
) -> bytes:
    """Return a pure sine tone as PCM16: a simple loud signal for VAD tests."""
    _check_rate(sample_rate)
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds!r}")
    n = round(seconds * sample_rate)
    peak = amplitude * 32767.0
    step = frequency / sample_rate
    out = array("h", (int(peak * math.sin(2.0 * math.pi * step * i)) for i in range(n)))
    return _to_bytes(out)
