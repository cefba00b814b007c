"""Client messages -> wire JSON (strict, canonical): the session's send path.

Writing follows what the service documents: one text frame, one top-level key, camelCase keys,
standard padded base64, int64 as decimal strings, and only the fields that are set. Output is
deterministic (insertion-ordered dicts, orjson), so equal messages give identical frames.

Setup config objects are serialised from their dataclass fields (see ``config``): field
``foo_bar`` is wire key ``fooBar``, ``metadata`` marks int64 and local-only fields. The reverse
direction (what the service reads) is ``client_decode``.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

import orjson

from gemini_live.protocol._base64 import encode_standard
from gemini_live.protocol.config import SessionResumptionConfig, SpeechConfig
from gemini_live.protocol.messages import (
    ActivityEnd,
    ActivityStart,
    AudioStreamEnd,
    ClientContent,
    ClientMessage,
    ContextUpdate,
    RealtimeAudio,
    RealtimeText,
    RealtimeVideo,
    Setup,
    ToolResponse,
)
from gemini_live.protocol.types import Blob, Content, Part, Tool, camel, type_name

__all__ = ["encode", "encode_audio", "encode_video", "to_wire"]

# --- encoding ---------------------------------------------------------------------------------


def _blob(blob: Blob) -> dict[str, Any]:
    return {"mimeType": blob.mime_type, "data": encode_standard(blob.data)}


def _part(part: Part) -> dict[str, Any]:
    out: dict[str, Any] = {"text": part.text} if part.inline_data is None else {}
    if part.inline_data is not None:
        out["inlineData"] = _blob(part.inline_data)
    if part.thought is not None:
        out["thought"] = part.thought
    return out


def _content(content: Content) -> dict[str, Any]:
    out: dict[str, Any] = {} if content.role is None else {"role": content.role}
    out["parts"] = [_part(p) for p in content.parts]
    return out


def _tools(tools: tuple[Tool, ...]) -> list[dict[str, Any]]:
    # The wire Tool is a oneof in practice: one object per kind.
    out: list[dict[str, Any]] = []
    for tool in tools:
        if tool.function_declarations:
            out.append({"functionDeclarations": [_fields(d) for d in tool.function_declarations]})
        for attr in ("google_search", "code_execution", "url_context", "google_maps"):
            if getattr(tool, attr):
                out.append({camel(attr): {}})
    return out


def _speech(speech: SpeechConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if speech.voice_name is not None:
        out["voiceConfig"] = {"prebuiltVoiceConfig": {"voiceName": speech.voice_name}}
    if speech.language_code is not None:
        out["languageCode"] = speech.language_code
    if speech.multi_speaker_voice_config is not None:
        out["multiSpeakerVoiceConfig"] = speech.multi_speaker_voice_config
    return out


def _fields(obj: Any) -> dict[str, Any]:
    """A config dataclass (or declaration/response) as a wire object: set fields only."""
    if isinstance(obj, SpeechConfig):
        return _speech(obj)
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is None or value == () or f.metadata.get("local"):
            continue
        if isinstance(value, SessionResumptionConfig) and not value.enabled:
            continue
        out[camel(f.name)] = _value(value, f.metadata.get("int64", False))
    return out


def _value(value: Any, int64: bool = False) -> Any:
    if isinstance(value, bool | str | float | dict):  # StrEnum members are str
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, int):
        return str(value) if int64 else value
    if isinstance(value, bytes):
        return encode_standard(value)
    if isinstance(value, Content):
        return _content(value)
    if isinstance(value, tuple):
        if value and isinstance(value[0], Tool):
            return _tools(value)
        return [_value(v) for v in value]
    return _fields(value)


def to_wire(msg: ClientMessage) -> dict[str, Any]:
    """The wire object (before JSON) of a client message."""
    match msg:
        case Setup(model=model, config=config):
            return {"setup": {"model": model, **_fields(config)}}
        case ClientContent(turns=turns, turn_complete=complete):
            body: dict[str, Any] = {"turns": [_content(c) for c in turns]} if turns else {}
            body["turnComplete"] = complete
            return {"clientContent": body}
        case RealtimeAudio(data=data, mime_type=mime):
            return {"realtimeInput": {"audio": {"mimeType": mime, "data": encode_standard(data)}}}
        case RealtimeVideo(data=data, mime_type=mime):
            return {"realtimeInput": {"video": {"mimeType": mime, "data": encode_standard(data)}}}
        case RealtimeText(text=text):
            return {"realtimeInput": {"text": text}}
        case ActivityStart():
            return {"realtimeInput": {"activityStart": {}}}
        case ActivityEnd():
            return {"realtimeInput": {"activityEnd": {}}}
        case AudioStreamEnd():
            return {"realtimeInput": {"audioStreamEnd": True}}
        case ToolResponse(function_responses=responses):
            return {"toolResponse": {"functionResponses": [_fields(r) for r in responses]}}
        case ContextUpdate(system_instruction=instruction, tools=tools):
            update: dict[str, Any] = {}
            if instruction is not None:
                update["systemInstruction"] = _content(instruction)
            if tools is not None:
                update["tools"] = {"tools": _tools(tools)}  # doubly nested on the wire
            return {"contextUpdate": update}
    raise TypeError(f"not a client message: {type_name(msg)}")


def encode(msg: ClientMessage) -> str:
    """One JSON text frame for ``msg``. ``TypeError`` if a user payload (a function response,
    a schema, labels) holds something JSON cannot represent."""
    try:
        return orjson.dumps(to_wire(msg)).decode()
    except orjson.JSONEncodeError as exc:
        raise TypeError(f"{type_name(msg)} is not JSON-serializable: {exc}") from None


# The hot path: a frame per 20-100 ms of audio. Building the JSON around the base64 text by hand
# skips the dict and the serializer; tests pin it to encode(RealtimeAudio(...)) byte for byte.
_HEADS: dict[tuple[str, str], str] = {}


def _head(field_name: str, mime_type: str) -> str:
    head = _HEADS.get((field_name, mime_type))
    if head is None:
        quoted = orjson.dumps(mime_type).decode()
        head = f'{{"realtimeInput":{{"{field_name}":{{"mimeType":{quoted},"data":"'
        if len(_HEADS) < 64:  # a session uses one or two MIME types; stay bounded regardless
            _HEADS[(field_name, mime_type)] = head
    return head


def encode_audio(data: bytes, mime_type: str) -> str:
    """``encode(RealtimeAudio(data, mime_type))``, faster. The caller validates the arguments."""
    head = _HEADS.get(("audio", mime_type)) or _head("audio", mime_type)
    # One f-string: the frame is built in one allocation instead of two concatenations.
    return f'{head}{encode_standard(data)}"}}}}}}'


def encode_video(data: bytes, mime_type: str = "image/jpeg") -> str:
    """``encode(RealtimeVideo(data, mime_type))``, faster. The caller validates the arguments."""
    return _head("video", mime_type) + encode_standard(data) + '"}}}'
