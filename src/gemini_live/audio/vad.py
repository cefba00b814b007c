"""A small energy-based voice activity detector (VAD).

Pure and deterministic: it never reads a clock. Time is the number of samples fed so far, so a test
can push ten seconds of audio in one call and the decisions are exactly what real time would give.

The audio is cut into frames of ``frame_ms`` (10 ms). A frame is *voiced* when its RMS level, as a
fraction of full scale, is at least the threshold in force: ``start_threshold`` while waiting for
speech and ``end_threshold`` (defaults to half of it: hysteresis) while speech is in progress.

* Start: once voiced frames have lasted ``prefix_padding_ms`` without an unvoiced frame between
  them, a ``start`` event is emitted whose ``offset`` is the start of the first of those frames.
* End: once unvoiced frames have lasted ``silence_duration_ms`` in a row, an ``end`` event is
  emitted whose ``offset`` is the start of the first silent frame (where speech stopped).
* :meth:`EnergyVad.flush` ends speech in progress at the current position (e.g. end of stream).
* Noise floor (``noise_adaptive=True``, off by default): a fixed threshold hears steady background
  noise (a fan, a car) as endless speech. When enabled, the level of unvoiced frames is tracked
  (falls fast, rises slowly: about 9 dB per second) and both thresholds are raised to
  ``noise_margin_db`` above that floor (the end threshold to half of it), never below the fixed
  ones. The floor is frozen during speech, so a long utterance does not become the floor.

Offsets are seconds since the first sample fed (across sample-rate changes). A partial frame at the
end of a chunk is kept and completed by the next chunk of the same rate.
"""

from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass
from typing import Literal

__all__ = ["EnergyVad", "VadConfig", "VadEvent", "rms"]


@dataclass(frozen=True, slots=True)
class VadConfig:
    """Thresholds are RMS levels as fractions of full scale (0.01 is about -40 dBFS)."""

    start_threshold: float = 0.01
    end_threshold: float | None = None
    prefix_padding_ms: int = 20
    silence_duration_ms: int = 800
    frame_ms: int = 10
    noise_adaptive: bool = False
    noise_margin_db: float = 10.0

    def __post_init__(self) -> None:
        if not 0.0 < self.start_threshold < 1.0:
            raise ValueError(f"start_threshold must be in (0, 1), got {self.start_threshold!r}")
        if self.end_threshold is not None and not 0.0 < self.end_threshold < 1.0:
            raise ValueError(f"end_threshold must be in (0, 1), got {self.end_threshold!r}")
        if self.prefix_padding_ms < 0 or self.silence_duration_ms < 0:
            raise ValueError("prefix_padding_ms and silence_duration_ms must be >= 0")
        if self.frame_ms <= 0:
            raise ValueError(f"frame_ms must be > 0, got {self.frame_ms!r}")
        if not 0.0 <= self.noise_margin_db <= 60.0:
            raise ValueError(f"noise_margin_db must be within 0..60, got {self.noise_margin_db!r}")

    @property
    def effective_end_threshold(self) -> float:
        """The threshold used while speech is in progress."""
        return self.end_threshold if self.end_threshold is not None else self.start_threshold / 2


@dataclass(frozen=True, slots=True)
class VadEvent:
    """A committed decision: speech started or ended at ``offset`` seconds of audio."""

    kind: Literal["start", "end"]
    offset: float


def rms(pcm: bytes) -> float:
    """RMS level of PCM16 (LE) audio as a fraction of full scale (0.0 for empty input)."""
    samples = _samples(pcm)
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768.0


def _samples(pcm: bytes) -> array[int]:
    if len(pcm) % 2:
        raise ValueError("PCM16 data must have an even number of bytes")
    out = array("h")
    out.frombytes(pcm)
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        out.byteswap()
    return out


class EnergyVad:
    """Energy VAD fed with PCM16 chunks; see the module docstring for the rules.

    Not thread-safe; one instance per audio stream. Copyable with :func:`copy.deepcopy`.
    """

    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()
        self._clear()

    def _clear(self) -> None:
        self._rate = 0
        self._base = 0.0  # seconds banked from earlier sample rates
        self._samples = 0  # samples consumed at the current rate (whole frames only)
        self._pending = array("h")  # partial frame carried over
        self._in_speech = False
        self._voiced_run = 0.0  # seconds of consecutive voiced frames (before start)
        self._run_start = 0.0
        self._silence_run = 0.0  # seconds of consecutive unvoiced frames (during speech)
        self._silence_start = 0.0
        self._speech_start = 0.0
        self._floor: float | None = None  # noise floor (RMS fraction), noise_adaptive only

    @property
    def in_speech(self) -> bool:
        """True between a ``start`` and the following ``end``."""
        return self._in_speech

    @property
    def position(self) -> float:
        """Seconds of audio analysed so far (whole frames only)."""
        return self._now()

    @property
    def speech_start(self) -> float | None:
        """Offset of the current speech's start, or None when not in speech."""
        return self._speech_start if self._in_speech else None

    def _now(self) -> float:
        return self._base + (self._samples / self._rate if self._rate else 0.0)

    def feed(self, pcm: bytes, sample_rate: int) -> tuple[VadEvent, ...]:
        """Analyse a chunk of PCM16 (LE, mono) at ``sample_rate`` and return committed events."""
        if sample_rate <= 0:
            raise ValueError(f"sample_rate must be > 0, got {sample_rate!r}")
        samples = _samples(pcm)
        if sample_rate != self._rate:
            # Bank the time spent at the old rate; a partial frame at the old rate is dropped.
            self._base = self._now()
            self._samples = 0
            self._pending = array("h")
            self._rate = sample_rate
        frame_len = max(1, sample_rate * self.config.frame_ms // 1000)
        data = self._pending + samples if self._pending else samples
        events: list[VadEvent] = []
        full = len(data) - len(data) % frame_len
        for start in range(0, full, frame_len):
            frame = data[start : start + frame_len]
            level = math.sqrt(sum(s * s for s in frame) / frame_len) / 32768.0
            event = self._step(level, frame_len / sample_rate)
            if event is not None:
                events.append(event)
        self._pending = data[full:]
        return tuple(events)

    def _step(self, level: float, frame_seconds: float) -> VadEvent | None:
        now = self._now()
        self._samples += round(frame_seconds * self._rate)
        cfg = self.config
        start_threshold, end_threshold = cfg.start_threshold, cfg.effective_end_threshold
        if cfg.noise_adaptive:
            if not self._in_speech:
                self._track_floor(level)
            assert self._floor is not None
            margin = self._floor * 10.0 ** (cfg.noise_margin_db / 20.0)
            start_threshold = max(start_threshold, margin)
            end_threshold = max(end_threshold, margin / 2.0)
        if not self._in_speech:
            if level >= start_threshold:
                if self._voiced_run == 0.0:
                    self._run_start = now
                self._voiced_run += frame_seconds
                if self._voiced_run * 1000.0 >= max(cfg.prefix_padding_ms, 1e-9) - 1e-6:
                    self._in_speech = True
                    self._speech_start = self._run_start
                    self._voiced_run = 0.0
                    self._silence_run = 0.0
                    return VadEvent("start", self._run_start)
            else:
                self._voiced_run = 0.0
            return None
        if level >= end_threshold:
            self._silence_run = 0.0
            return None
        if self._silence_run == 0.0:
            self._silence_start = now
        self._silence_run += frame_seconds
        if self._silence_run * 1000.0 >= cfg.silence_duration_ms - 1e-6:
            self._in_speech = False
            self._silence_run = 0.0
            return VadEvent("end", self._silence_start)
        return None

    def _track_floor(self, level: float) -> None:
        floor = self._floor
        if floor is None:
            self._floor = level
        elif level < floor:
            self._floor = 0.8 * floor + 0.2 * level  # quiet: follow down quickly
        else:
            # Louder: creep up (about 1 % per frame), so speech onsets barely move the floor
            # while a noise that really got louder is followed within a second or two.
            self._floor = min(level, floor * 1.01 + 1e-6)

    def flush(self) -> tuple[VadEvent, ...]:
        """End speech in progress now (end of stream); returns the ``end`` event if any."""
        self._voiced_run = 0.0
        if not self._in_speech:
            return ()
        self._in_speech = False
        end = self._silence_start if self._silence_run > 0.0 else self._now()
        self._silence_run = 0.0
        return (VadEvent("end", end),)

    def reset(self) -> None:
        """Forget all state, including the time base."""
        self._clear()
