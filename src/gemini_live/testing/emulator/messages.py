"""Validation of client messages after ``setup`` into small typed values.

Each frame must set exactly one top-level field (``clientContent``, ``realtimeInput``,
``toolResponse`` or ``contextUpdate``); ``realtimeInput`` must set exactly one of its fields.
Rejections (all 1007) follow the service where its behaviour is known: unknown names,
``mediaChunks`` (deprecated), ``role: "system"`` on Google AI paths, ``scheduling`` on Vertex paths,
activity signals while automatic activity detection is on, function-call parts in ``clientContent``
and turns without a role (as reported for 3.x models).

Audio without a ``rate`` in its MIME type is taken as 16 kHz. Audio in another format than
``audio/pcm`` is accepted and ignored (heard as silence), as the service is reported to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .schema import (
    ToolSet,
    check_enum,
    check_keys,
    content_parts,
    content_text,
    parse_tools,
    require_dict,
    require_list,
)
from .setup_config import Platform
from .wire import INVALID_ARGUMENT, Reject, b64decode, normalize, parse_bool

__all__ = [
    "ActivitySignal",
    "AudioChunk",
    "AudioStreamEnd",
    "ClientContent",
    "ContentTurn",
    "ContextUpdate",
    "FunctionResult",
    "ParsedMessage",
    "TextInput",
    "ToolResponse",
    "VideoFrame",
    "parse_client_message",
]

KINDS = ("setup", "clientContent", "realtimeInput", "toolResponse", "contextUpdate")
REALTIME_FIELDS = (
    "audio",
    "video",
    "text",
    "activityStart",
    "activityEnd",
    "audioStreamEnd",
    "mediaChunks",
)
SCHEDULING = ("SCHEDULING_UNSPECIFIED", "SILENT", "WHEN_IDLE", "INTERRUPT")
MEDIA_CHUNKS_REASON = (
    "realtime_input.media_chunks is deprecated. Use audio, video, or text instead."
)
_RATE = re.compile(r"rate\s*=\s*(\d+)")


@dataclass(frozen=True, slots=True)
class ContentTurn:
    """One ``Content`` of a ``clientContent`` message, reduced to its role and text."""

    role: str
    text: str


@dataclass(frozen=True, slots=True)
class ClientContent:
    turns: tuple[ContentTurn, ...]
    turn_complete: bool


@dataclass(frozen=True, slots=True)
class AudioChunk:
    pcm: bytes
    rate: int
    mime_type: str
    supported: bool


@dataclass(frozen=True, slots=True)
class VideoFrame:
    data: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class TextInput:
    text: str


@dataclass(frozen=True, slots=True)
class ActivitySignal:
    start: bool


@dataclass(frozen=True, slots=True)
class AudioStreamEnd:
    pass


@dataclass(frozen=True, slots=True)
class FunctionResult:
    id: str | None
    name: str | None
    response: dict[str, Any]
    scheduling: str | None
    will_continue: bool


@dataclass(frozen=True, slots=True)
class ToolResponse:
    results: tuple[FunctionResult, ...]


@dataclass(frozen=True, slots=True)
class ContextUpdate:
    system_instruction: str | None
    tools: ToolSet | None


Body = (
    ClientContent
    | AudioChunk
    | VideoFrame
    | TextInput
    | ActivitySignal
    | AudioStreamEnd
    | ToolResponse
    | ContextUpdate
    | dict[str, Any]
)


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """A validated client message: top-level ``kind``, ``field`` (for realtimeInput), the
    normalised ``payload`` (camelCase; blob ``data`` decoded to bytes) and the typed ``body``."""

    kind: str
    field: str | None
    payload: dict[str, Any]
    body: Body


def split_kind(message: dict[str, Any]) -> tuple[str, Any]:
    """Return the single top-level (kind, value) of a normalised message or reject."""
    for key in message:
        if key not in KINDS:
            raise Reject(
                1007, f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.'
            )
    keys = list(message)
    if not keys:
        raise Reject(1007, f"{INVALID_ARGUMENT} The message is empty.")
    if len(keys) > 1:
        raise Reject(
            1007,
            "Invalid JSON payload received. Oneof field 'message_type' is already set. "
            f"Cannot set '{keys[1]}'",
        )
    return keys[0], message[keys[0]]


def parse_client_message(raw: dict[str, Any], platform: Platform, auto_vad: bool) -> ParsedMessage:
    """Validate one parsed JSON frame received after ``setup``."""
    message = normalize(raw)
    kind, value = split_kind(message)
    if kind == "setup":
        raise Reject(1007, f"{INVALID_ARGUMENT} setup must be the first and only setup message.")
    body_dict = require_dict(value, kind)
    if kind == "clientContent":
        return ParsedMessage(kind, None, body_dict, _client_content(body_dict, platform))
    if kind == "realtimeInput":
        return _realtime(body_dict, auto_vad)
    if kind == "toolResponse":
        return ParsedMessage(kind, None, body_dict, _tool_response(body_dict, platform))
    check_keys(body_dict, ("systemInstruction", "tools"), "contextUpdate")
    instruction = None
    tools = None
    if "systemInstruction" in body_dict:
        si = require_dict(body_dict["systemInstruction"], "contextUpdate.systemInstruction")
        instruction = content_text(si, "contextUpdate.systemInstruction")
    if "tools" in body_dict:
        wrapper = require_dict(body_dict["tools"], "contextUpdate.tools")
        check_keys(wrapper, ("tools",), "contextUpdate.tools")
        tools = parse_tools(wrapper.get("tools", []), "contextUpdate.tools.tools")
    return ParsedMessage(kind, None, body_dict, ContextUpdate(instruction, tools))


def _client_content(body: dict[str, Any], platform: Platform) -> ClientContent:
    check_keys(body, ("turns", "turnComplete"), "clientContent")
    turns: list[ContentTurn] = []
    for i, turn in enumerate(require_list(body.get("turns", []), "clientContent.turns")):
        path = f"clientContent.turns[{i}]"
        turn = require_dict(turn, path)
        parts = content_parts(turn, path)
        role = turn.get("role")
        if not role:
            raise Reject(1007, f"{INVALID_ARGUMENT} Please use a valid role: user, model.")
        if role not in ("user", "model", "system") or (role == "system" and platform != "vertex"):
            raise Reject(1007, f"{INVALID_ARGUMENT} Please use a valid role: user, model.")
        pieces: list[str] = []
        for j, part in enumerate(parts):
            if "functionCall" in part or "functionResponse" in part:
                raise Reject(1007, f"{INVALID_ARGUMENT} Function parts are not supported here.")
            if isinstance(part.get("text"), str):
                pieces.append(part["text"])
            elif "inlineData" in part:
                blob = require_dict(part["inlineData"], f"{path}.parts[{j}].inlineData")
                data = b64decode(blob.get("data", ""), path=f"{path}.parts[{j}].inline_data.data")
                blob["data"] = data
                pieces.append(
                    f"<{blob.get('mimeType', 'application/octet-stream')} {len(data)} bytes>"
                )
        turns.append(ContentTurn(role=role, text=" ".join(pieces)))
    complete = parse_bool(body.get("turnComplete", False), path="client_content.turn_complete")
    return ClientContent(turns=tuple(turns), turn_complete=complete)


def _blob(value: Any, path: str) -> tuple[dict[str, Any], bytes, str]:
    blob = require_dict(value, path)
    check_keys(blob, ("mimeType", "data"), path)
    mime = blob.get("mimeType", "")
    if not isinstance(mime, str):
        raise Reject(1007, f"Invalid value at '{path}.mime_type', {mime!r}")
    data = b64decode(blob.get("data", ""), path=f"{path}.data")
    blob["data"] = data
    return blob, data, mime


def _realtime(body: dict[str, Any], auto_vad: bool) -> ParsedMessage:
    check_keys(body, REALTIME_FIELDS, "realtimeInput")
    if "mediaChunks" in body:
        raise Reject(1007, MEDIA_CHUNKS_REASON)
    fields = list(body)
    if len(fields) != 1:
        raise Reject(
            1007,
            f"{INVALID_ARGUMENT} realtime_input must set exactly one of audio, video, text, "
            "activity_start, activity_end, audio_stream_end.",
        )
    name = fields[0]
    value = body[name]
    parsed: Body
    if name == "audio":
        _, data, mime = _blob(value, "realtimeInput.audio")
        match = _RATE.search(mime)
        rate = int(match.group(1)) if match else 16000
        supported = mime.split(";")[0].strip().lower() in ("audio/pcm", "audio/l16") and rate > 0
        parsed = AudioChunk(
            pcm=data[: len(data) - len(data) % 2],
            rate=rate or 16000,
            mime_type=mime,
            supported=supported,
        )
    elif name == "video":
        _, data, mime = _blob(value, "realtimeInput.video")
        parsed = VideoFrame(data=data, mime_type=mime)
    elif name == "text":
        if not isinstance(value, str):
            raise Reject(1007, f"Invalid value at 'realtime_input.text' (TYPE_STRING), {value!r}")
        parsed = TextInput(value)
    elif name in ("activityStart", "activityEnd"):
        require_dict(value, f"realtimeInput.{name}")
        if auto_vad:
            raise Reject(
                1007,
                f"{INVALID_ARGUMENT} Explicit activity control is not supported when automatic "
                "activity detection is enabled.",
            )
        parsed = ActivitySignal(start=name == "activityStart")
    else:
        parse_bool(value, path="realtime_input.audio_stream_end")
        parsed = AudioStreamEnd()
    return ParsedMessage("realtimeInput", name, body, parsed)


def _tool_response(body: dict[str, Any], platform: Platform) -> ToolResponse:
    check_keys(body, ("functionResponses",), "toolResponse")
    results: list[FunctionResult] = []
    items = require_list(body.get("functionResponses", []), "toolResponse.functionResponses")
    for i, item in enumerate(items):
        path = f"toolResponse.functionResponses[{i}]"
        item = require_dict(item, path)
        allowed = ["id", "name", "response", "willContinue", "parts"]
        if platform != "vertex":
            allowed.append("scheduling")
        check_keys(item, allowed, path)
        fid = item.get("id")
        name = item.get("name")
        if fid is not None and not isinstance(fid, str):
            raise Reject(1007, f"Invalid value at '{path}.id' (TYPE_STRING), {fid!r}")
        if name is not None and not isinstance(name, str):
            raise Reject(1007, f"Invalid value at '{path}.name' (TYPE_STRING), {name!r}")
        response = require_dict(item.get("response", {}), f"{path}.response")
        scheduling = None
        if "scheduling" in item:
            scheduling = check_enum(item["scheduling"], SCHEDULING, f"{path}.scheduling")
        will_continue = parse_bool(item.get("willContinue", False), path=f"{path}.will_continue")
        results.append(
            FunctionResult(fid or None, name or None, response, scheduling, will_continue)
        )
    return ToolResponse(tuple(results))
