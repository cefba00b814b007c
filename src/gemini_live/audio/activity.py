"""Client-side voice activity: turn microphone chunks into activity windows, with pre-roll.

With the service's automatic activity detection disabled
(``RealtimeInputConfig(automatic_activity_detection=AutomaticActivityDetection(disabled=True))``)
the client must say when the user speaks, with ``signal_activity_start``/``signal_activity_end``.
:class:`ActivityGate` decides that from a VAD and returns *actions* to perform in order:
``"start"``, audio chunks (``bytes``) and ``"end"``:

* Pre-roll: while nobody speaks, the last chunks are kept; at speech onset they are sent right
  after ``"start"``, from at least ``pre_roll_ms`` before the onset the VAD reports, so first
  syllables (which a VAD confirms only after a few frames) are not lost.
* Hangover: the window stays open through pauses shorter than ``hangover_ms`` (the default
  energy VAD's ``silence_duration_ms``); the trailing silence is sent before ``"end"``.
* Between activity windows no audio is sent (``send_idle_audio=False``), which saves bandwidth
  and keeps the model from hearing room noise.

Pure and clock-free (time is samples fed). Any detector with ``feed(pcm, rate)`` returning
``VadEvent``s and ``flush()`` works (the energy VAD, the optional neural one, your own).
:func:`gemini_live.media.stream_microphone` performs the actions on a session.
"""

from __future__ import annotations

from collections import deque
from typing import Literal, Protocol

from gemini_live.audio.pcm import INPUT_RATE, validate_pcm16
from gemini_live.audio.vad import EnergyVad, VadConfig, VadEvent

__all__ = ["Action", "ActivityGate", "VoiceDetector"]

Action = Literal["start", "end"] | bytes

# Beyond the pre-roll, how much idle audio to remember: covers the detector's confirmation delay.
_LOOKBACK_S = 1.0


class VoiceDetector(Protocol):
    """What :class:`ActivityGate` needs from a VAD (``EnergyVad`` is one)."""

    def feed(self, pcm: bytes, sample_rate: int) -> tuple[VadEvent, ...]:
        """Analyse mono PCM16 at ``sample_rate``; returns the decisions it committed."""
        ...

    def flush(self) -> tuple[VadEvent, ...]:
        """End of stream: end speech in progress."""
        ...


class ActivityGate:
    """Frames speech into activity windows; see the module docstring.

    ``detector`` defaults to an :class:`~gemini_live.audio.vad.EnergyVad` whose
    ``silence_duration_ms`` is ``hangover_ms``, confirming speech after 30 ms, with noise floor
    tracking (``noise_adaptive``) so steady background noise is not taken for speech.
    Not thread-safe: one per microphone stream.
    """

    def __init__(
        self,
        detector: VoiceDetector | None = None,
        *,
        sample_rate: int = INPUT_RATE,
        pre_roll_ms: float = 300.0,
        hangover_ms: int = 600,
        send_idle_audio: bool = False,
    ) -> None:
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
            raise ValueError(f"sample_rate must be a positive int in Hz, got {sample_rate!r}")
        if not 0 <= pre_roll_ms <= 5000:
            raise ValueError(f"pre_roll_ms must be within 0..5000, got {pre_roll_ms!r}")
        if isinstance(hangover_ms, bool) or not isinstance(hangover_ms, int) or hangover_ms < 0:
            raise ValueError(f"hangover_ms must be an int >= 0, got {hangover_ms!r}")
        self._detector: VoiceDetector = detector or EnergyVad(
            VadConfig(silence_duration_ms=hangover_ms, prefix_padding_ms=30, noise_adaptive=True)
        )
        self._rate = sample_rate
        self._pre_roll = pre_roll_ms / 1000.0
        self._send_idle = send_idle_audio
        self._ring: deque[tuple[float, float, bytes]] = deque()  # (start, end, chunk)
        self._pos = 0.0  # seconds fed
        self._active = False
        self._windows = 0
        self._last_onset: float | None = None

    @property
    def active(self) -> bool:
        """True inside an activity window (between ``"start"`` and ``"end"``)."""
        return self._active

    @property
    def windows(self) -> int:
        """Activity windows opened so far."""
        return self._windows

    @property
    def last_onset(self) -> float | None:
        """Seconds (since the first chunk) of the latest speech onset the detector reported."""
        return self._last_onset

    def feed(self, chunk: bytes) -> list[Action]:
        """Analyse the next mono PCM16 chunk (at ``sample_rate``); returns actions in order."""
        validate_pcm16(chunk)
        chunk = bytes(chunk)
        start = self._pos
        self._pos = end = start + len(chunk) / (2 * self._rate)
        events = self._detector.feed(chunk, self._rate)
        actions: list[Action] = []
        sent = False
        if not self._active:
            self._ring.append((start, end, chunk))
        for event in events:
            if event.kind == "start" and not self._active:
                self._last_onset = event.offset
                actions.append("start")
                cutoff = event.offset - self._pre_roll
                actions.extend(c for _s, e, c in self._ring if e > cutoff)
                sent = True  # the current chunk was in the ring
                self._ring.clear()
                self._active = True
                self._windows += 1
            elif event.kind == "end" and self._active:
                if not sent:
                    actions.append(chunk)
                    sent = True
                actions.append("end")
                self._active = False
        if self._active and not sent:
            actions.append(chunk)
        elif not self._active:
            if self._send_idle and not sent:
                actions.append(chunk)
            keep_from = self._pos - self._pre_roll - _LOOKBACK_S
            while self._ring and self._ring[0][1] < keep_from:
                self._ring.popleft()
        return actions

    def finish(self) -> list[Action]:
        """End of stream: ``["end"]`` if a window is open (the detector is flushed too)."""
        self._detector.flush()
        self._ring.clear()
        if self._active:
            self._active = False
            return ["end"]
        return []
