"""Every knob of the emulator, in one frozen dataclass with documented defaults."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["DEFAULT_MODELS", "EmulatorOptions"]

DEFAULT_MODELS: tuple[str, ...] = (
    "gemini-3.8-live",
    "gemini-3.8-live-extended-thinking",
    "gemini-3.5-live-translate-preview",
    "gemini-3.1-flash-live-preview",
    "gemini-2.5-flash-native-audio-preview-12-2025",
    "gemini-2.5-flash-native-audio-preview-09-2025",
    "gemini-live-2.5-flash-native-audio",
    "gemini-live-2.5-flash",
)
"""Model ids the emulator knows (bare ids; the platform prefixes are added/checked per path)."""


@dataclass(frozen=True, slots=True)
class EmulatorOptions:
    """Configuration of an :class:`~.server.Emulator`. Pass fields as keyword arguments.

    Network: ``host`` (default loopback; anything else must be asked for explicitly), ``port`` (0:
    a free port), ``tls`` (serve ``wss://`` with a self-signed certificate for 127.0.0.1; or a
    ``(cert_path, key_path)`` pair), ``max_size`` (largest client frame accepted).

    Access: ``api_keys`` (None: any non-empty credential; else an allow-list; a credential not in
    it is answered with close 1007 "API key not valid..." when ``setup`` arrives), ``models`` (known
    model ids), ``strict_model_names`` (require ``models/X`` on Google AI paths and
    ``[projects/P/locations/L/]publishers/google/models/X`` on Vertex paths; False also accepts a
    bare id).

    Model and pacing: ``audio_pace`` (wall seconds per 40 ms output audio chunk; 0.04 is real
    time), ``text_pace`` (wall seconds per text chunk), ``reply_delay`` (before the first chunk of
    a reply), ``turn_complete_delay`` (between ``generationComplete`` and ``turnComplete``),
    ``interaction_status`` (add ``interactionStatus: "IDLE"`` to ``turnComplete``),
    ``default_tool_behavior`` (None: per model, NON_BLOCKING for the 3.8 family and BLOCKING
    otherwise), ``unknown_tool_response`` ("ignore": log and drop a ``toolResponse`` id that
    matches no pending call; "close": close 1007), ``voice_activity`` (always send
    ``voiceActivity`` messages, not only with ``explicitVadSignal``), ``session_ids`` (send a
    ``sessionId`` in ``setupComplete``), ``combined_events`` (put output transcription and
    ``generationComplete`` in the same ``serverContent`` as the audio/text they go with, as 3.x
    models may; default: one field per event).

    Resumption: ``resumption_update_every`` (also send an update every N client messages; 0: only
    after turns), ``handle_ttl`` (seconds of ``clock`` time a handle stays valid after its session's
    last connection ends), ``reject_concurrent_resume`` (close the new connection 1011 when the
    session's old socket is still open), ``handle_reject_code``/``handle_reject_reason`` (for
    unknown or expired handles).

    Lifetimes: ``connection_lifetime`` (None: unlimited) with ``go_away_before`` (send ``goAway``
    this long before the deadline; None: no goAway), closing with ``lifetime_close_code``/
    ``lifetime_close_reason``; ``audio_session_limit``/``video_session_limit`` (session duration
    limits without ``contextWindowCompression``; None: unlimited), enforced with
    ``session_limit_close_code``/``session_limit_close_reason``.

    Tooling: ``clock`` (seconds, monotonic; used for handle expiry), ``record_to`` (JSONL path),
    ``scenario`` (script used on every connection) and ``scenarios`` (by path prefix: a
    connection to ``/NAME/ws/...`` uses ``scenarios["NAME"]``).
    """

    host: str = "127.0.0.1"
    port: int = 0
    tls: bool | tuple[str, str] = False
    max_size: int | None = 16 * 1024 * 1024
    api_keys: AbstractSet[str] | None = None
    models: tuple[str, ...] = DEFAULT_MODELS
    strict_model_names: bool = True
    audio_pace: float = 0.002
    text_pace: float = 0.002
    reply_delay: float = 0.0
    turn_complete_delay: float = 0.0
    interaction_status: bool = False
    default_tool_behavior: Literal["BLOCKING", "NON_BLOCKING"] | None = None
    unknown_tool_response: Literal["ignore", "close"] = "ignore"
    voice_activity: bool = False
    session_ids: bool = True
    combined_events: bool = False
    resumption_update_every: int = 10
    handle_ttl: float = 7200.0
    reject_concurrent_resume: bool = True
    handle_reject_code: int = 1008
    handle_reject_reason: str = "Requested entity was not found."
    connection_lifetime: float | None = 600.0
    go_away_before: float | None = 60.0
    lifetime_close_code: int = 1000
    lifetime_close_reason: str = "The operation was cancelled."
    audio_session_limit: float | None = 900.0
    video_session_limit: float | None = 120.0
    session_limit_close_code: int = 1011
    session_limit_close_reason: str = "Session duration limit exceeded."
    clock: Callable[[], float] = time.monotonic
    record_to: str | os.PathLike[str] | None = None
    scenario: Scenario | None = None
    scenarios: Mapping[str, Scenario] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("audio_pace", "text_pace", "reply_delay", "turn_complete_delay", "handle_ttl"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.resumption_update_every < 0:
            raise ValueError("resumption_update_every must be >= 0")
        if self.connection_lifetime is not None and self.connection_lifetime <= 0:
            raise ValueError("connection_lifetime must be > 0 or None")
        if self.unknown_tool_response not in ("ignore", "close"):
            raise ValueError('unknown_tool_response must be "ignore" or "close"')
        if self.default_tool_behavior not in (None, "BLOCKING", "NON_BLOCKING"):
            raise ValueError('default_tool_behavior must be None, "BLOCKING" or "NON_BLOCKING"')
        if self.api_keys is not None and not isinstance(self.api_keys, frozenset):
            object.__setattr__(self, "api_keys", frozenset(self.api_keys))
        if not isinstance(self.models, tuple):
            object.__setattr__(self, "models", tuple(self.models))
        if isinstance(self.tls, tuple | list) and len(self.tls) != 2:
            raise ValueError("tls must be a bool or a (cert_path, key_path) pair")
