"""The console's own wire format between the page and the relay (pure: no I/O, no clock).

Page → relay
    * binary frame: microphone audio, raw PCM16 little-endian mono at 16 kHz, at most
      :attr:`Limits.max_audio_frame` bytes, an even number of bytes;
    * text frame, JSON object with a ``type``:
      ``{"type": "hello", "version": 1, "audio": {"format": "pcm16", "rate": 16000,
      "channels": 1}}`` first (declares what the binary frames carry),
      ``{"type": "text", "text": "..."}`` (typed input),
      ``{"type": "audio_start"}`` / ``{"type": "audio_end"}`` (the talk button was pressed /
      released; with manual activity detection they become ``activityStart``/``activityEnd``,
      with automatic detection ``audio_end`` becomes ``audioStreamEnd``).

Relay → page
    * binary frame: the model's voice, raw PCM16 little-endian mono at 24 kHz;
    * text frame, JSON object with a ``type``: ``ready``, ``state``, ``transcript``,
      ``tool_call``, ``tool_result``, ``tool_cancelled``, ``interrupted``, ``turn_complete``,
      ``turn_record``, ``usage``, ``notice``, ``error`` (see :func:`event_message` and the relay).

Anything else from the page is a :class:`BadInput` with a message meant for the person in front
of the page; the relay sends it as ``{"type": "error", ...}`` and closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from gemini_live.protocol import events as ev

__all__ = [
    "INPUT_RATE",
    "OUTPUT_RATE",
    "PROTOCOL_VERSION",
    "Allowance",
    "AudioEnd",
    "AudioStart",
    "BadInput",
    "Hello",
    "Limits",
    "PageMessage",
    "TextInput",
    "check_audio_frame",
    "dumps",
    "event_message",
    "parse_text_frame",
]

PROTOCOL_VERSION = 1
INPUT_RATE = 16_000
OUTPUT_RATE = 24_000


@dataclass(frozen=True, slots=True)
class Limits:
    """What one page may send; beyond it the relay reports the problem and closes.

    * ``max_audio_frame``: bytes in one audio frame (default 0.5 s of 16 kHz PCM16);
    * ``max_text_frame``: bytes in one JSON frame; ``max_text_chars``: characters of typed text;
    * ``audio_burst``/``audio_rate``: seconds of audio the page may get ahead of real time, and
      how fast that allowance refills (seconds of audio per wall second) — a flood guard. The
      burst is larger than the page's own backlog cap (256 KiB, 8 s), so a page catching up
      after the relay applied backpressure (a long reconnect) is not taken for a flood;
    * ``control_burst``/``control_rate``: the same for JSON frames (frames, frames per second);
    * ``hello_timeout``: seconds the page has to introduce itself;
    * ``send_timeout``: seconds one frame to the page may wait for a slow browser;
    * ``event_queue``: events buffered between the session and a slow page before the relay
      gives up on it (bounded memory, never silent loss).
    """

    max_audio_frame: int = 16_000
    max_text_frame: int = 16 * 1024
    max_text_chars: int = 4_000
    audio_burst: float = 10.0
    audio_rate: float = 1.5
    control_burst: float = 20.0
    control_rate: float = 5.0
    hello_timeout: float = 10.0
    send_timeout: float = 10.0
    event_queue: int = 2_048

    def __post_init__(self) -> None:
        for name in (
            "max_audio_frame",
            "max_text_frame",
            "max_text_chars",
            "audio_burst",
            "audio_rate",
            "control_burst",
            "control_rate",
            "hello_timeout",
            "send_timeout",
            "event_queue",
        ):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"Limits.{name} must be > 0, got {value!r}")


class BadInput(Exception):
    """The page sent something the relay does not accept. ``str()`` is shown to the user;
    ``close_code`` is the WebSocket code the relay closes with (1003: unsupported data,
    1008: policy (flood), 1009: too big)."""

    def __init__(self, message: str, close_code: int = 1003) -> None:
        super().__init__(message)
        self.close_code = close_code


@dataclass(frozen=True, slots=True)
class Hello:
    version: int
    rate: int


@dataclass(frozen=True, slots=True)
class TextInput:
    text: str


@dataclass(frozen=True, slots=True)
class AudioStart:
    pass


@dataclass(frozen=True, slots=True)
class AudioEnd:
    pass


PageMessage = Hello | TextInput | AudioStart | AudioEnd


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(f"{what} must be a JSON object")
    return value


def parse_text_frame(data: str, limits: Limits) -> PageMessage:
    """Decode one JSON frame from the page, or raise :class:`BadInput` saying what was wrong."""
    if len(data) > limits.max_text_frame:
        raise BadInput(
            f"message too large: {len(data)} characters (limit {limits.max_text_frame})", 1009
        )
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BadInput("unreadable message: expected a JSON object") from None
    message = _obj(raw, "a message")
    kind = message.get("type")
    if kind is None:
        raise BadInput('a message needs a "type"')
    if kind == "text":
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadInput('a "text" message needs non-empty "text"')
        if len(text) > limits.max_text_chars:
            raise BadInput(
                f"text too long: {len(text)} characters (limit {limits.max_text_chars})", 1009
            )
        return TextInput(text.strip())
    if kind == "audio_start":
        return AudioStart()
    if kind == "audio_end":
        return AudioEnd()
    if kind == "hello":
        return _parse_hello(message)
    shown = kind if isinstance(kind, str) and len(kind) <= 40 else "?"
    raise BadInput(f"unknown message type {shown!r}")


def _parse_hello(message: dict[str, Any]) -> Hello:
    version = message.get("version")
    if version != PROTOCOL_VERSION:
        raise BadInput(
            f"this page speaks console protocol {version!r}, the server {PROTOCOL_VERSION}: "
            "reload the page"
        )
    audio = _obj(message.get("audio"), '"audio" in hello')
    fmt, rate, channels = audio.get("format"), audio.get("rate"), audio.get("channels")
    if fmt != "pcm16" or rate != INPUT_RATE or channels != 1:
        raise BadInput(
            f"unsupported microphone format {fmt!r} at {rate!r} Hz with {channels!r} channel(s): "
            f"the relay takes pcm16 at {INPUT_RATE} Hz, mono"
        )
    return Hello(version=PROTOCOL_VERSION, rate=INPUT_RATE)


def check_audio_frame(data: bytes, limits: Limits) -> bytes:
    """Validate one binary frame of microphone audio and return it."""
    size = len(data)
    if size > limits.max_audio_frame:
        raise BadInput(
            f"audio frame too large: {size} bytes (limit {limits.max_audio_frame}, "
            f"{limits.max_audio_frame / (2 * INPUT_RATE):.1f} s)",
            1009,
        )
    if size == 0 or size % 2:
        raise BadInput(
            f"wrong audio format: a frame of {size} bytes is not 16-bit PCM "
            f"(expected an even, non-zero number of bytes of pcm16 at {INPUT_RATE} Hz)"
        )
    return data


class Allowance:
    """A token bucket: ``take(amount, now)`` is False once the sender got further ahead than
    ``burst`` at ``rate`` per second. Time is passed in (pure)."""

    __slots__ = ("_at", "_level", "burst", "rate")

    def __init__(self, burst: float, rate: float, now: float) -> None:
        self.burst = burst
        self.rate = rate
        self._level = burst
        self._at = now

    def take(self, amount: float, now: float) -> bool:
        self._level = min(self.burst, self._level + max(0.0, now - self._at) * self.rate)
        self._at = now
        if amount > self._level:
            return False
        self._level -= amount
        return True


def dumps(message: dict[str, Any]) -> str:
    """Encode a relay → page JSON message."""
    return orjson.dumps(message).decode("utf-8")


def event_message(event: ev.Event) -> dict[str, Any] | None:
    """The page's view of one session event, or ``None`` when the page does not need it.

    Audio, connection states and tool calls (reported by the tool runner) are handled by the
    relay itself; this covers the rest.
    """
    match event:
        case ev.InputTranscription(text=text):
            return {"type": "transcript", "role": "user", "text": text, "final": True}
        case ev.InterimInputTranscription(text=text):
            return {"type": "transcript", "role": "user", "text": text, "final": False}
        case ev.OutputTranscription(text=text) | ev.TextDelta(text=text):
            return {"type": "transcript", "role": "model", "text": text, "final": False}
        case ev.Interrupted():
            return {"type": "interrupted"}
        case ev.GenerationComplete():
            return {"type": "generation_complete"}
        case ev.TurnComplete():
            return {"type": "turn_complete"}
        case ev.Usage(prompt_tokens=prompt, response_tokens=response, total_tokens=total):
            return {"type": "usage", "prompt": prompt, "response": response, "total": total}
        case ev.SessionWarning(message=text):
            return {"type": "notice", "text": text}
        case ev.GoAway(time_left=left):
            text = f"The service ends this connection in {left.total_seconds():.0f} s"
            return {"type": "notice", "text": text}
        case ev.InputDropped(kind=kind, count=count, reason=reason):
            return {"type": "notice", "text": f"{count} {kind} message(s) not delivered: {reason}"}
        case ev.VoiceActivity(kind=kind):
            return {"type": "vad", "speaking": kind == "ACTIVITY_START"}
    return None
