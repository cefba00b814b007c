"""Client messages: one class per kind of frame the client sends.

Each message becomes exactly one JSON frame with one top-level key (see ``encode``). Realtime
input is split into one class per field because the service takes one field per
``realtimeInput`` message. :func:`message_kind` names the kind for the layers that treat kinds
differently (e.g. replaying text but dropping stale audio after a reconnect).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from gemini_live.protocol._shared_methods import share_methods
from gemini_live.protocol.config import LiveConfig, Platform
from gemini_live.protocol.types import (
    Content,
    FunctionResponse,
    Scheduling,
    Tool,
    as_bytes,
    as_tuple,
    type_name,
)

__all__ = [
    "ActivityEnd",
    "ActivityStart",
    "AudioStreamEnd",
    "ClientContent",
    "ClientMessage",
    "ContextUpdate",
    "MessageKind",
    "RealtimeAudio",
    "RealtimeText",
    "RealtimeVideo",
    "Setup",
    "ToolResponse",
    "message_kind",
    "validate_function_responses",
]


def _need_str(value: object, where: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where} must be a non-empty str; got {value!r}")


@dataclass(frozen=True, slots=True)
class Setup:
    """The first message. ``model`` is the resolved resource name (``models/...`` or
    ``projects/.../publishers/google/models/...``)."""

    model: str
    config: LiveConfig = field(default_factory=LiveConfig)

    def __post_init__(self) -> None:
        _need_str(self.model, "Setup.model")
        if not isinstance(self.config, LiveConfig):
            raise TypeError(f"Setup.config must be LiveConfig; got {type_name(self.config)}")


@dataclass(frozen=True, slots=True)
class ClientContent:
    """Turns appended to the history; ``turn_complete=True`` starts generation. Interrupts any
    generation in progress."""

    turns: tuple[Content, ...] = ()
    turn_complete: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "turns", as_tuple(self.turns, Content, "ClientContent.turns"))
        if not isinstance(self.turn_complete, bool):
            raise TypeError(
                f"ClientContent.turn_complete must be bool; got {type_name(self.turn_complete)}"
            )


@dataclass(frozen=True, slots=True)
class RealtimeAudio:
    """A chunk of audio; PCM16 with the rate in the MIME type (``audio/pcm;rate=16000``)."""

    data: bytes
    mime_type: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", as_bytes(self.data, "RealtimeAudio.data"))
        _need_str(self.mime_type, "RealtimeAudio.mime_type")

    def __repr__(self) -> str:
        return f"RealtimeAudio(data=<{len(self.data)} bytes>, mime_type={self.mime_type!r})"


@dataclass(frozen=True, slots=True)
class RealtimeVideo:
    """One video frame: a single JPEG (or PNG) image."""

    data: bytes
    mime_type: str = "image/jpeg"

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", as_bytes(self.data, "RealtimeVideo.data"))
        _need_str(self.mime_type, "RealtimeVideo.mime_type")

    def __repr__(self) -> str:
        return f"RealtimeVideo(data=<{len(self.data)} bytes>, mime_type={self.mime_type!r})"


@dataclass(frozen=True, slots=True)
class RealtimeText:
    """Streamed user text (realtime input, not history)."""

    text: str

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"RealtimeText.text must be str; got {type_name(self.text)}")


@dataclass(frozen=True, slots=True)
class ActivityStart:
    """The user started speaking (manual activity detection only)."""


@dataclass(frozen=True, slots=True)
class ActivityEnd:
    """The user stopped speaking (manual activity detection only)."""


@dataclass(frozen=True, slots=True)
class AudioStreamEnd:
    """The audio stream paused (e.g. mic muted); flushes cached audio. Automatic VAD only."""


@dataclass(frozen=True, slots=True)
class ToolResponse:
    """Answers to one or more function calls."""

    function_responses: tuple[FunctionResponse, ...]

    def __post_init__(self) -> None:
        where = "ToolResponse.function_responses"
        responses = as_tuple(self.function_responses, FunctionResponse, where)
        if not responses:
            raise ValueError(f"{where} needs at least one FunctionResponse")
        object.__setattr__(self, "function_responses", responses)


@dataclass(frozen=True, slots=True)
class ContextUpdate:
    """Mid-session replacement of the system instruction and/or the tools. ``tools=None``
    leaves them unchanged; ``tools=()`` clears them."""

    system_instruction: Content | None = None
    tools: tuple[Tool, ...] | None = None

    def __post_init__(self) -> None:
        if self.system_instruction is None and self.tools is None:
            raise ValueError("ContextUpdate needs system_instruction or tools (or both)")
        if self.system_instruction is not None and not isinstance(self.system_instruction, Content):
            raise TypeError(
                "ContextUpdate.system_instruction must be Content; "
                f"got {type_name(self.system_instruction)}"
            )
        if self.tools is not None:
            object.__setattr__(self, "tools", as_tuple(self.tools, Tool, "ContextUpdate.tools"))


ClientMessage = (
    Setup
    | ClientContent
    | RealtimeAudio
    | RealtimeVideo
    | RealtimeText
    | ActivityStart
    | ActivityEnd
    | AudioStreamEnd
    | ToolResponse
    | ContextUpdate
)

MessageKind = Literal[
    "setup",
    "client_content",
    "audio",
    "video",
    "text",
    "activity_start",
    "activity_end",
    "audio_stream_end",
    "tool_response",
    "context_update",
]

_KINDS: dict[type, MessageKind] = {
    Setup: "setup",
    ClientContent: "client_content",
    RealtimeAudio: "audio",
    RealtimeVideo: "video",
    RealtimeText: "text",
    ActivityStart: "activity_start",
    ActivityEnd: "activity_end",
    AudioStreamEnd: "audio_stream_end",
    ToolResponse: "tool_response",
    ContextUpdate: "context_update",
}


def message_kind(msg: ClientMessage) -> MessageKind:
    """The kind of a client message, e.g. ``"audio"`` for RealtimeAudio."""
    try:
        return _KINDS[type(msg)]
    except KeyError:
        raise TypeError(f"not a client message: {type_name(msg)}") from None


_SCHEDULING = tuple(s.value for s in Scheduling)


def validate_function_responses(
    responses: Sequence[FunctionResponse],
    platform: Platform,
    *,
    where: str = "send_tool_response: responses",
) -> None:
    """Reject responses ``platform`` would refuse, before anything is sent.

    The Gemini API needs the id of the call being answered. Vertex closes the session with 1007
    (``Unknown name "scheduling"``) for ``scheduling`` and does not support ``willContinue``.
    """
    for i, response in enumerate(responses):
        path = f"{where}[{i}] ({response.name!r})"
        if platform is Platform.GOOGLE_AI and response.id is None:
            raise ValueError(
                f"{path} has no id; the Gemini API requires the id of the function call it answers"
            )
        if platform is Platform.VERTEX:
            for attr, wire in (("scheduling", "scheduling"), ("will_continue", "willContinue")):
                if getattr(response, attr) is not None:
                    raise ValueError(
                        f"{path}: {attr} is not supported on Vertex (the service closes the "
                        f'session with 1007 Unknown name "{wire}"); leave it unset'
                    )
        scheduling = response.scheduling
        if scheduling is not None and scheduling not in _SCHEDULING:
            hint = " (did you mean 'INTERRUPT'?)" if scheduling == "INTERRUPTED" else ""
            raise ValueError(
                f"{path}: scheduling must be one of {', '.join(_SCHEDULING)}; "
                f"got {scheduling!r}{hint}"
            )


# One copy of the methods dataclasses compiles per class (see _shared_methods): import-time memory.
share_methods(globals().values(), module=__name__)
