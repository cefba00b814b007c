"""Server frames: wire -> typed messages -> events, and typed messages -> wire.

* :func:`decode_events` is the session's hot path: one call per received frame, never raises.
* :func:`parse_server_frame` and :func:`to_events` are its two halves, for tools and tests.
* :func:`encode_server_frame` writes a frame the way the service does (for the emulator).

Event order within a frame is fixed: ``setupComplete``; ``voiceActivity``;
``voiceActivityDetectionSignal``; ``usageMetadata`` (before the content, so that a consumer that
stops at TurnComplete has seen the turn's usage); ``serverContent`` (Interrupted, model-turn parts
in order, InputTranscription, OutputTranscription, GroundingMetadata, UrlContextMetadata,
WaitingForInput, GenerationComplete, TurnComplete); ``toolCall``; ``toolCallCancellation``;
``sessionResumptionUpdate``; ``goAway``; then one ``UnknownMessage`` for all unknown top-level
keys. Model-turn parts with no event type (non-audio ``inlineData``, unknown
part kinds) surface, in their place among the parts, as
``UnknownMessage(keys=("serverContent",), payload={"serverContent": {"modelTurn": {"parts":
[part]}}})``. ``interimInputTranscription`` becomes ``InterimInputTranscription``.

Pure: no asyncio, no sockets, no clock.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import orjson

from gemini_live.protocol._server_encode import frame_to_wire, part_to_wire
from gemini_live.protocol._server_parse import frame_from_object
from gemini_live.protocol._wire import WireValueError, as_bytes, audio_rate
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
    ProtocolViolation,
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
    "EXCERPT_LIMIT",
    "FrameDecodeError",
    "decode_events",
    "encode_server_frame",
    "parse_server_frame",
    "server_frame_to_wire",
    "to_events",
]

logger = logging.getLogger("gemini_live.protocol")

EXCERPT_LIMIT = 200


class FrameDecodeError(ValueError):
    """A server frame that is not a JSON object, or whose known fields have the wrong types."""


# --- parsing -------------------------------------------------------------------------------


def parse_server_frame(frame: str | bytes) -> ServerFrame:
    """Parse one text or binary (UTF-8) frame. Raises :class:`FrameDecodeError`."""
    return _typed(_load(frame))


def _typed(obj: dict[str, Any]) -> ServerFrame:
    try:
        return frame_from_object(obj)
    except WireValueError as exc:
        raise FrameDecodeError(str(exc)) from None


def _load(frame: str | bytes) -> dict[str, Any]:
    obj = _load_json(frame)
    if type(obj) is not dict:
        raise _not_an_object(obj)
    return obj


def _load_json(frame: str | bytes) -> Any:
    if isinstance(frame, bytearray | memoryview):
        frame = bytes(frame)
    try:
        if (
            _GUARD_DEPTH
            and isinstance(frame, str | bytes)
            and len(frame) > _SHORT_FRAME
            and _brackets(frame) > _MANY_BRACKETS
        ):
            return _load_json_stdlib(frame)
        return orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        raise FrameDecodeError(f"frame is not valid JSON: {exc}") from None


# orjson before 3.9.15 (CVE-2024-27454) recurses without limit and overflows the C stack on a
# frame such as "[" * 1_000_000, killing the process. Nesting depth is bounded by the length and
# by the number of brackets, so only long frames with many brackets can be deep; those go through
# the stdlib parser, which raises RecursionError instead. Newer orjson stops at depth 1024 itself.
# A frame of _SHORT_FRAME characters nests at most that deep, which needs well under 1 MiB of C
# stack; not counting brackets in such frames keeps the check off the audio hot path.
_SHORT_FRAME = 8192
_MANY_BRACKETS = 1000


def _orjson_limits_depth() -> bool:
    try:
        version = tuple(int(n) for n in orjson.__version__.split(".")[:3])
    except ValueError:
        return False
    return version >= (3, 9, 15)


_GUARD_DEPTH = not _orjson_limits_depth()


def _brackets(frame: str | bytes) -> int:
    if isinstance(frame, str):
        return frame.count("[") + frame.count("{")
    return frame.count(b"[") + frame.count(b"{")


def _load_json_stdlib(frame: str | bytes) -> Any:
    try:
        text = frame.decode("utf-8") if isinstance(frame, bytes) else frame
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise FrameDecodeError("frame is not valid JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise FrameDecodeError(f"frame is not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _not_an_object(obj: object) -> FrameDecodeError:
    return FrameDecodeError(f"frame is not a JSON object (got {type(obj).__name__})")


# --- events --------------------------------------------------------------------------------


def to_events(frame: ServerFrame) -> list[Event]:
    """The events for one parsed frame, in the fixed order given in the module docstring."""
    events: list[Event] = []
    if frame.setup_complete is not None:
        events.append(SetupComplete(frame.setup_complete.session_id))
    if frame.voice_activity is not None:
        activity = frame.voice_activity
        events.append(VoiceActivity(activity.type, activity.audio_offset))
    if frame.voice_activity_detection_signal is not None:
        events.append(VadSignal(frame.voice_activity_detection_signal.vad_signal_type))
    # Usage rides along with other keys; it goes before the content so that a consumer that
    # stops reading at TurnComplete still sees the usage of that turn.
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
    # The order is the documented processing order (interrupted -> content -> transcriptions ->
    # grounding -> generationComplete -> turnComplete), whatever order the keys arrived in.
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


# --- the hot path --------------------------------------------------------------------------


def decode_events(frame: str | bytes) -> list[Event]:
    """Decode one received frame into events. Never raises.

    Equal to ``to_events(parse_server_frame(frame))``; a frame that cannot be decoded becomes
    ``[ProtocolViolation(detail, excerpt)]`` with at most ``EXCERPT_LIMIT`` characters of it.
    The two most frequent frames (one audio part, one text part) skip the intermediate typed
    message.
    """
    try:
        obj = _load_json(frame)
        if type(obj) is not dict:
            raise _not_an_object(obj)
        fast = _fast_path(obj)
        if fast is not None:
            return fast
        return to_events(_typed(obj))
    except FrameDecodeError as exc:
        return [_violation(str(exc), frame)]
    except Exception as exc:  # never let one frame kill the session's reader
        logger.exception("unexpected error decoding a server frame")
        return [_violation(f"internal decoder error: {type(exc).__name__}: {exc}", frame)]


def _fast_path(obj: dict[str, Any]) -> list[Event] | None:
    # Only exact camelCase shapes with nothing else in them; anything else (extra keys, other
    # spellings, bad values) takes the general path, which produces the same events or the error.
    if len(obj) != 1:
        return None
    content = obj.get("serverContent")
    if type(content) is not dict or len(content) != 1:
        return None
    turn = content.get("modelTurn")
    if type(turn) is not dict or len(turn) != 1:
        return None
    parts = turn.get("parts")
    if type(parts) is not list or len(parts) != 1:
        return None
    part = parts[0]
    if type(part) is not dict or len(part) != 1:
        return None
    text = part.get("text")
    if type(text) is str:
        return [TextDelta(text)]
    blob = part.get("inlineData")
    if type(blob) is not dict or len(blob) != 2:
        return None
    data = blob.get("data")
    mime = blob.get("mimeType")
    if type(data) is not str or type(mime) is not str:
        return None
    rate = audio_rate(mime)
    if rate is None:
        return None
    try:
        payload = as_bytes(data, "data")
    except ValueError:
        return None
    return [AudioChunk(payload, rate, mime)]


def _violation(detail: str, frame: object) -> ProtocolViolation:
    try:
        if isinstance(frame, str):
            excerpt = frame[:EXCERPT_LIMIT]
        elif isinstance(frame, bytes | bytearray | memoryview):
            excerpt = bytes(frame[:EXCERPT_LIMIT]).decode("utf-8", "replace")
        else:
            excerpt = repr(frame)[:EXCERPT_LIMIT]
    except Exception:
        excerpt = ""
    # DEBUG only: the violation reaches the application as an event, which decides what to log.
    logger.debug("undecodable server frame: %s", detail)
    return ProtocolViolation(detail[:1000], excerpt)


# --- encoding ------------------------------------------------------------------------------


def server_frame_to_wire(frame: ServerFrame) -> dict[str, Any]:
    """The JSON object the service would send for ``frame`` (see :func:`encode_server_frame`)."""
    return frame_to_wire(frame)


def encode_server_frame(frame: ServerFrame) -> str:
    """Encode ``frame`` as the service does: camelCase keys, standard padded base64, int64 as
    decimal strings, Durations as ``"Ns"``, usage in the spelling ``vertex_spelling`` says.
    Raises ``TypeError`` if a JSON payload (args, metadata, unknown keys) is not serialisable."""
    return orjson.dumps(frame_to_wire(frame)).decode()
