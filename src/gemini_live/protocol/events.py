"""Frozen, typed events: what the application sees of the session.

One server frame becomes zero or more events (see ``gemini_live.protocol.decode``); the client
layer adds connection-level events (``PhaseChanged``, ``Disconnected``, ``Reconnecting``,
``Resumed``, ``InputDropped``). Applications pattern-match on them::

    match event:
        case TextDelta(text=text): ...
        case AudioChunk(data=pcm, sample_rate=rate): ...
        case TurnComplete(): ...

Every event is an immutable slotted dataclass; containers are tuples, JSON payloads are plain
``dict``/``list`` values that must be treated as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar, dataclass_transform

# Not an event, but handed out with them (Session.unconfirmed()); defined beside SessionBroken,
# which carries it, so that the error module imports nothing.
from gemini_live.errors import ClosedBy, UnconfirmedMessage
from gemini_live.protocol._shared_methods import share_methods
from gemini_live.protocol.phases import Phase

__all__ = [
    "AudioChunk",
    "CodeExecutionResult",
    "Disconnected",
    "Event",
    "ExecutableCode",
    "FunctionCall",
    "GenerationComplete",
    "GoAway",
    "GroundingMetadata",
    "InputDropped",
    "InputTranscription",
    "InterimInputTranscription",
    "Interrupted",
    "ModalityTokens",
    "OutputTranscription",
    "PhaseChanged",
    "ProtocolViolation",
    "Reconnecting",
    "Resumed",
    "ResumptionUpdate",
    "SessionWarning",
    "SetupComplete",
    "TextDelta",
    "Thought",
    "ToolCall",
    "ToolCallCancellation",
    "TurnComplete",
    "UnconfirmedMessage",
    "UnknownMessage",
    "UrlContextMetadata",
    "Usage",
    "VadSignal",
    "VoiceActivity",
    "WaitingForInput",
]

_T = TypeVar("_T")


# A bare alias ``_frozen = dataclass(...)`` is invisible to mypy (every constructor call then
# fails type-checking); dataclass_transform makes the decorator's effect known.
@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def _frozen(cls: type[_T]) -> type[_T]:
    return dataclass(frozen=True, slots=True)(cls)


# --- setup ---------------------------------------------------------------------------------


@_frozen
class SetupComplete:
    """The service accepted ``setup``; ``session_id`` is set when the service sends one."""

    session_id: str | None = None


# --- model output (serverContent) ----------------------------------------------------------


@_frozen
class TextDelta:
    """A text part of the model's turn (TEXT modality, or text alongside audio)."""

    text: str


@_frozen
class AudioChunk:
    """PCM16 little-endian mono audio from the model."""

    data: bytes
    sample_rate: int = 24_000
    mime_type: str = "audio/pcm;rate=24000"


@_frozen
class Thought:
    """A thought summary part (``"thought": true``), only with ``includeThoughts``."""

    text: str


@_frozen
class ExecutableCode:
    """Code the model wrote (code execution tool); informational, cannot be answered."""

    language: str
    code: str


@_frozen
class CodeExecutionResult:
    """The result of code the model ran (``outcome`` as sent, e.g. ``OUTCOME_OK``)."""

    outcome: str
    output: str


@_frozen
class InputTranscription:
    """Transcript of the user's audio. ``finished`` is unreliable on the service; see docs.

    ``language_code`` is the BCP-47 code the service detected, when it says.
    """

    text: str
    finished: bool | None = None
    language_code: str | None = None


@_frozen
class InterimInputTranscription:
    """A provisional transcript of the user's audio, replaced by later ones (not appended)."""

    text: str
    finished: bool | None = None
    language_code: str | None = None


@_frozen
class OutputTranscription:
    """Transcript of the model's audio. It may run ahead of the audio actually received."""

    text: str
    finished: bool | None = None
    language_code: str | None = None


@_frozen
class Interrupted:
    """The model's generation was cut off (barge-in or client content). Stop playback now."""


@_frozen
class GenerationComplete:
    """The model produced its last output for this generation: close output streams."""


@_frozen
class TurnComplete:
    """The model's turn is over. ``reason`` is ``turnCompleteReason`` when sent;
    ``interaction_status`` is ``IN_PROGRESS``/``IDLE`` when sent."""

    reason: str | None = None
    interaction_status: str | None = None


@_frozen
class WaitingForInput:
    """The model expects the user to keep talking (``waitingForInput``)."""

    waiting: bool = True


@_frozen
class GroundingMetadata:
    """Google Search grounding information, as sent (read-only JSON)."""

    data: dict[str, Any]


@_frozen
class UrlContextMetadata:
    """What the URL-context tool retrieved, as sent (read-only JSON)."""

    data: dict[str, Any]


# --- tools ---------------------------------------------------------------------------------


@_frozen
class FunctionCall:
    """One function call. ``id`` is ``None`` when the platform sent none (reported on Vertex)."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    id: str | None = None


@_frozen
class ToolCall:
    """The model asks the application to run these functions and answer with their ids."""

    calls: tuple[FunctionCall, ...]


@_frozen
class ToolCallCancellation:
    """These pending calls should not have run; drop their results."""

    ids: tuple[str, ...]


# --- session management --------------------------------------------------------------------


@_frozen
class GoAway:
    """The service will end this connection after ``time_left``."""

    time_left: timedelta


@_frozen
class ResumptionUpdate:
    """A session-resumption checkpoint. ``handle`` is ``None`` when not resumable."""

    handle: str | None
    resumable: bool
    last_consumed_index: int | None = None


@_frozen
class VoiceActivity:
    """Server-side speech start/end (``voiceActivity``): ``kind`` is ``ACTIVITY_START`` or
    ``ACTIVITY_END`` (unknown values kept as sent)."""

    kind: str
    audio_offset: timedelta | None = None


@_frozen
class VadSignal:
    """``voiceActivityDetectionSignal``: ``VAD_SIGNAL_TYPE_SOS`` / ``VAD_SIGNAL_TYPE_EOS``."""

    signal_type: str


@_frozen
class ModalityTokens:
    """Tokens of one modality in a :class:`Usage` breakdown."""

    modality: str
    token_count: int


@_frozen
class Usage:
    """Token usage, normalised across the Google AI and Vertex spellings
    (``responseTokenCount`` and ``candidatesTokenCount`` both land in ``response_tokens``)."""

    prompt_tokens: int = 0
    response_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    tool_use_prompt_tokens: int = 0
    thoughts_tokens: int = 0
    prompt_details: tuple[ModalityTokens, ...] = ()
    response_details: tuple[ModalityTokens, ...] = ()


@_frozen
class UnknownMessage:
    """A server frame (or top-level key) this version does not know; kept, never fatal."""

    keys: tuple[str, ...]
    payload: dict[str, Any]


@_frozen
class ProtocolViolation:
    """A frame that could not be understood (e.g. not JSON). The reader keeps going."""

    detail: str
    excerpt: str = ""


# --- connection-level events (emitted by the client layer) ---------------------------------


@_frozen
class PhaseChanged:
    """The session moved from phase ``old`` to phase ``new``."""

    old: Phase
    new: Phase


@_frozen
class Disconnected:
    """The WebSocket ended. ``closed_by`` (:data:`~gemini_live.ClosedBy`) is ``"client"``
    (this library closed or dropped it), ``"server"`` (the peer's close frame) or ``"network"``
    (no close frame); ``will_reconnect`` says whether the session is about to resume on a new
    connection."""

    code: int | None
    reason: str
    closed_by: ClosedBy
    will_reconnect: bool = False


@_frozen
class Reconnecting:
    """About to open connection attempt ``attempt`` after sleeping ``delay`` seconds."""

    attempt: int
    delay: float
    cause: str


@_frozen
class Resumed:
    """A new connection carries the session on. ``handle_used`` is ``None`` for a fresh start.

    Published once the replay is written; what the new connection sent together with or after
    ``setupComplete`` (a ``ToolCall`` included) comes after it, so every call published after
    ``Resumed`` belongs to the new connection."""

    handle_used: str | None
    replayed_count: int
    dropped_count: int
    fresh_session: bool = False


@_frozen
class InputDropped:
    """Client input that was deliberately not delivered (e.g. stale real-time audio)."""

    kind: str
    count: int
    reason: str


@_frozen
class SessionWarning:
    """Something the application should know about (e.g. an approaching session limit)."""

    message: str


Event = (
    SetupComplete
    | TextDelta
    | AudioChunk
    | Thought
    | ExecutableCode
    | CodeExecutionResult
    | InputTranscription
    | InterimInputTranscription
    | OutputTranscription
    | Interrupted
    | GenerationComplete
    | TurnComplete
    | WaitingForInput
    | GroundingMetadata
    | UrlContextMetadata
    | ToolCall
    | ToolCallCancellation
    | GoAway
    | ResumptionUpdate
    | VoiceActivity
    | VadSignal
    | Usage
    | UnknownMessage
    | ProtocolViolation
    | PhaseChanged
    | Disconnected
    | Reconnecting
    | Resumed
    | InputDropped
    | SessionWarning
)


# One copy of the methods dataclasses compiles per class (see _shared_methods): import-time memory.
share_methods(globals().values(), module=__name__)
