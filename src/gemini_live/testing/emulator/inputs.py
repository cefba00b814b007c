"""User-input tracking: automatic activity detection (energy VAD) and manual activity windows.

Automatic mode: audio is fed to :class:`~gemini_live.audio.vad.EnergyVad` configured from
``realtimeInputConfig.automaticActivityDetection``: ``START_SENSITIVITY_HIGH`` (the default) starts
on an RMS of 1 % of full scale (about -40 dBFS) and ``LOW`` on 3 %; the end threshold is 80 %
(``END_SENSITIVITY_HIGH``, default: ends more readily) or 30 % (``LOW``) of the start threshold;
``prefixPaddingMs`` defaults to 20 and ``silenceDurationMs`` to 800, both in audio time (samples).
A speech segment becomes the user text ``"<speech N.NNs>"`` (start to end of speech).

Manual mode: text and audio between ``activityStart`` and ``activityEnd`` form the turn. Its text
is the pieces in arrival order joined by spaces, where consecutive audio chunks form one
``"<speech N.NNs>"`` piece (total audio duration). Audio outside an activity window is ignored; an
empty window produces no turn.
"""

from __future__ import annotations

from dataclasses import dataclass

from gemini_live.audio.vad import EnergyVad, VadConfig, VadEvent

from .messages import AudioChunk
from .model import speech_text
from .setup_config import SessionConfig

__all__ = ["InputTracker", "UserSpeech", "vad_config"]

_START = {"START_SENSITIVITY_HIGH": 0.01, "START_SENSITIVITY_LOW": 0.03}
_END_RATIO = {"END_SENSITIVITY_HIGH": 0.8, "END_SENSITIVITY_LOW": 0.3}


def vad_config(config: SessionConfig) -> VadConfig:
    """The VAD settings for a session's ``realtimeInputConfig``."""
    start = _START.get(config.start_sensitivity, 0.01)
    return VadConfig(
        start_threshold=start,
        end_threshold=start * _END_RATIO.get(config.end_sensitivity, 0.8),
        prefix_padding_ms=20 if config.prefix_padding_ms is None else config.prefix_padding_ms,
        silence_duration_ms=800
        if config.silence_duration_ms is None
        else config.silence_duration_ms,
    )


@dataclass(frozen=True, slots=True)
class UserSpeech:
    """A finished user utterance: its text and the seconds of audio it contained."""

    text: str
    audio_seconds: float


class InputTracker:
    """Tracks the user's activity on one connection."""

    def __init__(self, config: SessionConfig) -> None:
        self.automatic = config.automatic_activity_detection
        self.vad = EnergyVad(vad_config(config))
        self.activity_open = False
        self._pieces: list[str | float] = []

    @property
    def speaking(self) -> bool:
        """User speech (automatic) or an activity window (manual) is in progress."""
        return self.vad.in_speech if self.automatic else self.activity_open

    def audio(self, chunk: AudioChunk) -> tuple[VadEvent, ...]:
        """Handle an audio chunk; in automatic mode returns the VAD's committed events."""
        if not chunk.supported or not chunk.pcm:
            return ()
        if self.automatic:
            return self.vad.feed(chunk.pcm, chunk.rate)
        if self.activity_open:
            seconds = len(chunk.pcm) / 2 / chunk.rate
            if self._pieces and isinstance(self._pieces[-1], float):
                self._pieces[-1] += seconds
            else:
                self._pieces.append(seconds)
        return ()

    def stream_end(self) -> tuple[VadEvent, ...]:
        """``audioStreamEnd``: flush (ends speech in progress)."""
        return self.vad.flush() if self.automatic else ()

    def text(self, text: str) -> bool:
        """Text during an open manual activity is buffered (True); otherwise it is a turn."""
        if not self.automatic and self.activity_open:
            self._pieces.append(text)
            return True
        return False

    def activity_start(self) -> None:
        """Open a manual activity window."""
        self.activity_open = True
        self._pieces = []

    def activity_end(self) -> UserSpeech | None:
        """Close the window; the utterance, or None if nothing was received."""
        if not self.activity_open:
            return None
        self.activity_open = False
        pieces, self._pieces = self._pieces, []
        if not pieces:
            return None
        audio = sum(p for p in pieces if isinstance(p, float))
        words = [speech_text(p) if isinstance(p, float) else p for p in pieces]
        return UserSpeech(" ".join(words), audio)
