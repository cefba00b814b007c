"""The typed server-frame tree, both ways: wire -> :class:`ServerFrame` -> events, and back.

For the emulator, tests and tools. The session does not use it: its receive path is
:func:`gemini_live.protocol.decode.decode_events`, which goes from the parsed JSON straight to the
same events and is pinned to ``to_events(parse_server_frame(frame))`` by the golden table and a
fuzz test.

* :func:`parse_server_frame` reads a frame as the service may write it (camelCase or snake_case,
  either base64 alphabet...) and raises :class:`FrameDecodeError` naming the bad field.
* :func:`to_events` gives a parsed frame's events, in the order documented in ``decode``.
* :func:`encode_server_frame` / :func:`server_frame_to_wire` write a frame as the service does.

Pure: no asyncio, no sockets, no clock.
"""

from __future__ import annotations

from typing import Any

import orjson

from gemini_live.protocol._server_encode import frame_to_wire, part_to_wire
from gemini_live.protocol._server_parse import frame_from_object
from gemini_live.protocol._wire import FrameDecodeError, WireValueError, load_object
from gemini_live.protocol.events import (
    AudioChunk,
    CodeExecutionResult,
    Event,
    ExecutableCode,
    GenerationComplete,
    GoAway,
    GroundingMetadata,
    InputTranscription,
    InterimInputTranscription,
    Interrupted,
    OutputTranscription,
    ResumptionUpdate,
    SetupComplete,
    TextDelta,
    Thought,
    ToolCall,
    ToolCallCancellation,
    TurnComplete,
    UnknownMessage,
    UrlContextMetadata,
    Usage,
    VadSignal,
    VoiceActivity,
    WaitingForInput,
)
from gemini_live.protocol.server import (
    AudioPart,
    CodeExecutionResultPart,
    ExecutableCodePart,
    ModelPart,
    ServerContent,
    ServerFrame,
    TextPart,
    ThoughtPart,
    UnknownPart,
)

__all__ = [
    "FrameDecodeError",
    "encode_server_frame",
    "parse_server_frame",
    "server_frame_to_wire",
    "to_events",
]


def parse_server_frame(frame: str | bytes) -> ServerFrame:
    """Parse one text or binary (UTF-8) frame. Raises :class:`FrameDecodeError`."""
    obj = load_object(frame)
    try:
        return frame_from_object(obj)
    except WireValueError as exc:
        raise FrameDecodeError(str(exc)) from None


def to_events(frame: ServerFrame) -> list[Event]:
    """The events for one parsed frame, in the fixed order documented in ``decode``."""
    events: list[Event] = []
    if frame.setup_complete is not None:
        events.append(SetupComplete(frame.setup_complete.session_id))
    if frame.voice_activity is not None:
        activity = frame.voice_activity
        events.append(VoiceActivity(activity.type, activity.audio_offset))
    if frame.voice_activity_detection_signal is not None:
        events.append(VadSignal(frame.voice_activity_detection_signal.vad_signal_type))
    if frame.usage_metadata is not None:
        u = frame.usage_metadata
        events.append(
            Usage(
                prompt_tokens=u.prompt_token_count,
                response_tokens=u.response_token_count,
                total_tokens=u.total_token_count,
                cached_tokens=u.cached_content_token_count,
                tool_use_prompt_tokens=u.tool_use_prompt_token_count,
                thoughts_tokens=u.thoughts_token_count,
                prompt_details=u.prompt_tokens_details,
                response_details=u.response_tokens_details,
            )
        )
    if frame.server_content is not None:
        _content_events(frame.server_content, events)
    if frame.tool_call is not None:
        events.append(ToolCall(frame.tool_call.function_calls))
    if frame.tool_call_cancellation is not None:
        events.append(ToolCallCancellation(frame.tool_call_cancellation.ids))
    if frame.session_resumption_update is not None:
        update = frame.session_resumption_update
        handle = update.new_handle if update.resumable and update.new_handle else None
        events.append(
            ResumptionUpdate(handle, update.resumable, update.last_consumed_client_message_index)
        )
    if frame.go_away is not None:
        events.append(GoAway(frame.go_away.time_left))
    if frame.unknown:
        events.append(UnknownMessage(tuple(frame.unknown), dict(frame.unknown)))
    return events


def _content_events(content: ServerContent, events: list[Event]) -> None:
    if content.interrupted:
        events.append(Interrupted())
    if content.model_turn:
        for part in content.model_turn:
            events.append(_part_event(part))
    if content.input_transcription is not None:
        t = content.input_transcription
        events.append(InputTranscription(t.text, t.finished, t.language_code))
    if content.interim_input_transcription is not None:
        t = content.interim_input_transcription
        events.append(InterimInputTranscription(t.text, t.finished, t.language_code))
    if content.output_transcription is not None:
        t = content.output_transcription
        events.append(OutputTranscription(t.text, t.finished, t.language_code))
    if content.grounding_metadata is not None:
        events.append(GroundingMetadata(content.grounding_metadata))
    if content.url_context_metadata is not None:
        events.append(UrlContextMetadata(content.url_context_metadata))
    if content.waiting_for_input is not None:
        events.append(WaitingForInput(content.waiting_for_input))
    if content.generation_complete:
        events.append(GenerationComplete())
    if content.turn_complete:
        events.append(TurnComplete(content.turn_complete_reason, content.interaction_status))


def _part_event(part: ModelPart) -> Event:
    if isinstance(part, AudioPart):
        return AudioChunk(part.data, part.sample_rate, part.mime_type)
    if isinstance(part, TextPart):
        return TextDelta(part.text)
    if isinstance(part, ThoughtPart):
        return Thought(part.text)
    if isinstance(part, ExecutableCodePart):
        return ExecutableCode(part.language, part.code)
    if isinstance(part, CodeExecutionResultPart):
        return CodeExecutionResult(part.outcome, part.output)
    raw = part.data if isinstance(part, UnknownPart) else part_to_wire(part)
    return UnknownMessage(("serverContent",), {"serverContent": {"modelTurn": {"parts": [raw]}}})


def server_frame_to_wire(frame: ServerFrame) -> dict[str, Any]:
    """The JSON object the service would send for ``frame`` (see :func:`encode_server_frame`)."""
    return frame_to_wire(frame)


def encode_server_frame(frame: ServerFrame) -> str:
    """Encode ``frame`` as the service does: camelCase keys, standard padded base64, int64 as
    decimal strings, Durations as ``"Ns"``, usage in the spelling ``vertex_spelling`` says.
    Raises ``TypeError`` if a JSON payload (args, metadata, unknown keys) is not serialisable."""
    return orjson.dumps(frame_to_wire(frame)).decode()
