"""Typed server messages: what the service sends, one class per message of the wire protocol.

These mirror the wire (``BidiGenerateContentServerMessage``) rather than the application's view.
They serve the emulator, tests and tools (``gemini_live.protocol.server_codec`` parses frames into
a :class:`ServerFrame` and writes them back); the session's decoder (``decode.decode_events``)
goes from the parsed JSON straight to events without building them. Field names are the
snake_case spelling of the wire's camelCase names; values are already decoded (bytes for base64,
``int`` for int64 strings, ``timedelta`` for Duration strings).

Enum-valued fields are plain strings so that values this version does not know survive intact.
JSON payloads kept as sent (grounding metadata, unknown parts and keys) are plain ``dict`` values
that must be treated as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from gemini_live.protocol._wire import DEFAULT_OUTPUT_MIME_TYPE, DEFAULT_OUTPUT_SAMPLE_RATE
from gemini_live.protocol.events import FunctionCall, ModalityTokens

__all__ = [
    "DEFAULT_OUTPUT_MIME_TYPE",
    "DEFAULT_OUTPUT_SAMPLE_RATE",
    "AudioPart",
    "BlobPart",
    "CodeExecutionResultPart",
    "ExecutableCodePart",
    "FunctionCall",
    "GoAwayMessage",
    "ModalityTokens",
    "ModelPart",
    "ServerContent",
    "ServerFrame",
    "SessionResumptionUpdate",
    "SetupCompleteMessage",
    "TextPart",
    "ThoughtPart",
    "ToolCallCancellationMessage",
    "ToolCallMessage",
    "Transcription",
    "UnknownPart",
    "UsageMetadata",
    "VoiceActivityDetectionSignal",
    "VoiceActivityMessage",
]

# --- setupComplete -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetupCompleteMessage:
    """``setupComplete``; ``session_id`` when the service sends ``sessionId``."""

    session_id: str | None = None


# --- serverContent.modelTurn parts ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str


@dataclass(frozen=True, slots=True)
class ThoughtPart:
    """A text part flagged ``"thought": true`` (thought summary)."""

    text: str


@dataclass(frozen=True, slots=True)
class AudioPart:
    """``inlineData`` with an ``audio/*`` MIME type (or none, which the service never omits for
    output audio; it is taken as the documented 24 kHz PCM). ``sample_rate`` comes from the
    ``rate=`` parameter of the MIME type, 24000 when absent or unreadable."""

    data: bytes
    mime_type: str = DEFAULT_OUTPUT_MIME_TYPE
    sample_rate: int = DEFAULT_OUTPUT_SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class BlobPart:
    """``inlineData`` that is not audio (e.g. an image); no event type exists for it, so the
    decoder surfaces it as ``UnknownMessage``."""

    data: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class ExecutableCodePart:
    language: str
    code: str


@dataclass(frozen=True, slots=True)
class CodeExecutionResultPart:
    outcome: str
    output: str


@dataclass(frozen=True, slots=True)
class UnknownPart:
    """A part of a kind this version does not know, kept exactly as received."""

    data: dict[str, Any]


ModelPart = (
    TextPart
    | ThoughtPart
    | AudioPart
    | BlobPart
    | ExecutableCodePart
    | CodeExecutionResultPart
    | UnknownPart
)


# --- serverContent -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transcription:
    """``inputTranscription`` / ``outputTranscription`` / ``interimInputTranscription``.

    ``languageCode`` is kept; newer fields (``words``, offsets...) are ignored.
    """

    text: str = ""
    finished: bool | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class ServerContent:
    """``serverContent``. The fields are not mutually exclusive; see ``server_codec.to_events``
    for the order in which they are reported.

    ``model_turn`` is ``None`` when the frame has no ``modelTurn`` and a (possibly empty) tuple of
    parts when it has one. ``waiting_for_input`` is ``None`` when absent, so that an explicit
    ``false`` is not lost.
    """

    model_turn: tuple[ModelPart, ...] | None = None
    turn_complete: bool = False
    generation_complete: bool = False
    interrupted: bool = False
    input_transcription: Transcription | None = None
    output_transcription: Transcription | None = None
    interim_input_transcription: Transcription | None = None
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    waiting_for_input: bool | None = None
    turn_complete_reason: str | None = None
    interaction_status: str | None = None


# --- tools ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToolCallMessage:
    """``toolCall``. A call's ``id`` is ``None`` when the platform sent none (Vertex)."""

    function_calls: tuple[FunctionCall, ...] = ()


@dataclass(frozen=True, slots=True)
class ToolCallCancellationMessage:
    ids: tuple[str, ...] = ()


# --- session management --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoAwayMessage:
    """``goAway``; an absent ``timeLeft`` reads as zero (proto3 default)."""

    time_left: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class SessionResumptionUpdate:
    """``sessionResumptionUpdate``. ``new_handle`` is ``""`` when the service sent none."""

    new_handle: str = ""
    resumable: bool = False
    last_consumed_client_message_index: int | None = None


@dataclass(frozen=True, slots=True)
class UsageMetadata:
    """``usageMetadata``, normalised across spellings.

    The Gemini Developer API sends ``responseTokenCount`` / ``responseTokensDetails``; Vertex
    sends ``candidatesTokenCount`` / ``candidatesTokensDetails``. Both land in ``response_*``;
    ``vertex_spelling`` records which one was read so that re-encoding reproduces it.
    """

    prompt_token_count: int = 0
    response_token_count: int = 0
    total_token_count: int = 0
    cached_content_token_count: int = 0
    tool_use_prompt_token_count: int = 0
    thoughts_token_count: int = 0
    prompt_tokens_details: tuple[ModalityTokens, ...] = ()
    response_tokens_details: tuple[ModalityTokens, ...] = ()
    cache_tokens_details: tuple[ModalityTokens, ...] = ()
    tool_use_prompt_tokens_details: tuple[ModalityTokens, ...] = ()
    traffic_type: str | None = None
    service_tier: str | None = None
    vertex_spelling: bool = False


@dataclass(frozen=True, slots=True)
class VoiceActivityMessage:
    """``voiceActivity``: ``type`` is ``ACTIVITY_START`` / ``ACTIVITY_END`` (others kept)."""

    type: str = "TYPE_UNSPECIFIED"
    audio_offset: timedelta | None = None


@dataclass(frozen=True, slots=True)
class VoiceActivityDetectionSignal:
    """``voiceActivityDetectionSignal``: ``VAD_SIGNAL_TYPE_SOS`` / ``VAD_SIGNAL_TYPE_EOS``."""

    vad_signal_type: str = "VAD_SIGNAL_TYPE_UNSPECIFIED"


# --- the frame -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerFrame:
    """One server frame: one attribute per known top-level key (``None`` when absent).

    A frame normally carries one key, sometimes with ``usage_metadata`` alongside. Top-level keys
    this version does not know are kept in ``unknown`` exactly as received. ``ServerFrame()`` is
    the empty frame ``{}``, which means nothing.
    """

    setup_complete: SetupCompleteMessage | None = None
    server_content: ServerContent | None = None
    tool_call: ToolCallMessage | None = None
    tool_call_cancellation: ToolCallCancellationMessage | None = None
    go_away: GoAwayMessage | None = None
    session_resumption_update: SessionResumptionUpdate | None = None
    usage_metadata: UsageMetadata | None = None
    voice_activity: VoiceActivityMessage | None = None
    voice_activity_detection_signal: VoiceActivityDetectionSignal | None = None
    unknown: dict[str, Any] = field(default_factory=dict)
