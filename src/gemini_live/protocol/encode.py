"""Client messages to wire JSON (strict, canonical) and back (lenient).

Writing follows what the service documents: one text frame, one top-level key, camelCase keys,
standard padded base64, int64 as decimal strings, and only the fields that are set. Output is
deterministic (insertion-ordered dicts, orjson), so equal messages give identical frames.

Reading (:func:`decode_client`) accepts what Google's own clients send: camelCase and snake_case
keys mixed at any level, either base64 alphabet with or without padding, int64 as a number or a
string. Anything else is a ``ValueError`` naming the path to the bad value.

Setup config objects are (de)serialised from their dataclass fields (see ``config``): field
``foo_bar`` is wire key ``fooBar``, ``metadata`` marks int64 and local-only fields.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import Any

import orjson

from gemini_live.protocol._base64 import encode_standard
from gemini_live.protocol.config import LiveConfig, SessionResumptionConfig, SpeechConfig
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
from gemini_live.protocol.types import (
    Blob,
    Content,
    Part,
    Tool,
    b64decode_any,
    camel,
    coerce_blob,
    coerce_content,
    coerce_contents,
    coerce_function_responses,
    coerce_tools,
    snake_keys,
    type_name,
)

__all__ = ["decode_client", "encode", "encode_audio", "encode_video", "from_wire", "to_wire"]

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
    return _head("audio", mime_type) + encode_standard(data) + '"}}}'


def encode_video(data: bytes, mime_type: str = "image/jpeg") -> str:
    """``encode(RealtimeVideo(data, mime_type))``, faster. The caller validates the arguments."""
    return _head("video", mime_type) + encode_standard(data) + '"}}}'


# --- decoding ---------------------------------------------------------------------------------


def decode_client(frame: str | bytes) -> ClientMessage:
    """Parse one client frame (text or UTF-8 bytes); ``ValueError`` if it is not a valid one."""
    try:
        obj = orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"client frame is not valid JSON: {exc}") from None
    return from_wire(obj)


_TOP_LEVEL = ("setup", "clientContent", "realtimeInput", "toolResponse", "contextUpdate")


def from_wire(obj: object) -> ClientMessage:
    """The typed message for a parsed client frame; ``ValueError`` if it is not a valid one."""
    if not isinstance(obj, dict):
        raise ValueError(f"a client frame must be a JSON object; got {type_name(obj)}")
    if len(obj) != 1:
        raise ValueError(
            f"a client frame must have exactly one top-level key of {list(_TOP_LEVEL)}; "
            f"got {list(obj)}"
        )
    ((key, body),) = obj.items()
    decoder = _DECODERS.get(key)
    if decoder is None:
        raise ValueError(f"unknown client message {key!r}; expected one of {list(_TOP_LEVEL)}")
    where = camel(key)
    try:
        return decoder(_object(body, where), where)
    except TypeError as exc:  # coercion reports wrong types as TypeError; here it is bad input
        raise ValueError(str(exc)) from None


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a JSON object; got {type_name(value)}")
    return snake_keys(value, where)


def _only(d: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = [camel(k) for k in d if k not in allowed]
    if unknown:
        expected = [camel(a) for a in allowed]
        raise ValueError(f"{where} has unknown field(s) {unknown}; expected {expected}")


def _setup(d: dict[str, Any], where: str) -> Setup:
    model = d.pop("model", None)
    if not isinstance(model, str) or not model:
        raise ValueError(f"{where}.model must be a non-empty string; got {model!r}")
    return Setup(model=model, config=_dataclass(LiveConfig, d, where))


def _client_content(d: dict[str, Any], where: str) -> ClientContent:
    _only(d, ("turns", "turn_complete"), where)
    complete = d.get("turn_complete", False)
    if not isinstance(complete, bool):
        raise ValueError(f"{where}.turnComplete must be a bool; got {type_name(complete)}")
    turns = coerce_contents(d.get("turns", []), where=f"{where}.turns")
    return ClientContent(turns=turns, turn_complete=complete)


_REALTIME = ("audio", "video", "text", "activity_start", "activity_end", "audio_stream_end")


def _realtime(d: dict[str, Any], where: str) -> ClientMessage:
    if "media_chunks" in d:
        raise ValueError(
            f"{where}.mediaChunks is deprecated (the service closes with 1007); "
            "use audio, video or text"
        )
    _only(d, _REALTIME, where)
    if len(d) != 1:
        raise ValueError(
            f"{where} must set exactly one of {[camel(k) for k in _REALTIME]}; "
            f"got {[camel(k) for k in d]}"
        )
    ((name, value),) = d.items()
    path = f"{where}.{camel(name)}"
    if name in ("audio", "video"):
        blob = coerce_blob(value, where=path)
        cls = RealtimeAudio if name == "audio" else RealtimeVideo
        return cls(data=blob.data, mime_type=blob.mime_type)
    if name == "text":
        return RealtimeText(text=value)
    if name == "audio_stream_end":
        if value is not True:
            raise ValueError(f"{path} must be true; got {value!r}")
        return AudioStreamEnd()
    _object(value, path)
    return ActivityStart() if name == "activity_start" else ActivityEnd()


def _tool_response(d: dict[str, Any], where: str) -> ToolResponse:
    _only(d, ("function_responses",), where)
    path = f"{where}.functionResponses"
    return ToolResponse(coerce_function_responses(d.get("function_responses", []), where=path))


def _context_update(d: dict[str, Any], where: str) -> ContextUpdate:
    _only(d, ("system_instruction", "tools"), where)
    instruction = d.get("system_instruction")
    if instruction is not None:
        instruction = coerce_content(instruction, where=f"{where}.systemInstruction")
    tools = None
    if "tools" in d:
        if not isinstance(d["tools"], dict):
            raise ValueError(
                f'{where}.tools must be an object {{"tools": [...]}} (doubly nested); '
                f"got {type_name(d['tools'])}"
            )
        wrapper = _object(d["tools"], f"{where}.tools")
        _only(wrapper, ("tools",), f"{where}.tools")
        tools = coerce_tools(wrapper.get("tools", []), where=f"{where}.tools.tools")
    return ContextUpdate(system_instruction=instruction, tools=tools)


_DECODERS: dict[str, Callable[[dict[str, Any], str], ClientMessage]] = {
    "setup": _setup,
    "clientContent": _client_content,
    "client_content": _client_content,
    "realtimeInput": _realtime,
    "realtime_input": _realtime,
    "toolResponse": _tool_response,
    "tool_response": _tool_response,
    "contextUpdate": _context_update,
    "context_update": _context_update,
}


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _dataclass(cls: type[Any], value: object, where: str) -> Any:
    """Build config dataclass ``cls`` from a wire object, checking every field's type."""
    if cls is SpeechConfig:
        return _speech_from(_object(value, where), where)
    d = _object(value, where)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get("local"):
            continue
        path = f"{where}.{camel(f.name)}"
        if f.name in d:
            kwargs[f.name] = _field_value(_hints(cls)[f.name], d.pop(f.name), path)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ValueError(f"{where} is missing {camel(f.name)!r}")
        elif f.default is not None and type(None) in typing.get_args(_hints(cls)[f.name]):
            kwargs[f.name] = None  # absent on the wire stays absent, whatever the default
    _only(d, (), where)
    return cls(**kwargs)


def _field_value(hint: Any, raw: Any, where: str) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
    else:
        options = [hint]
    first = options[0]
    if first is Content:
        return coerce_content(raw, where=where)
    if typing.get_origin(first) is tuple:
        item = typing.get_args(first)[0]
        if item is Tool:
            return coerce_tools(raw, where=where)
        if not isinstance(raw, list):
            raise ValueError(f"{where} must be a list; got {type_name(raw)}")
        return tuple(_field_value(item, x, f"{where}[{i}]") for i, x in enumerate(raw))
    if typing.get_origin(first) is dict:
        if not isinstance(raw, dict):
            raise ValueError(f"{where} must be an object; got {type_name(raw)}")
        return raw
    if dataclasses.is_dataclass(first):
        return _dataclass(typing.cast(type, first), raw, where)
    return _scalar(first, raw, where)


def _scalar(kind: Any, raw: Any, where: str) -> Any:
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        if isinstance(raw, str):
            return kind(raw) if raw in kind._value2member_map_ else raw
    elif kind is bool:
        if isinstance(raw, bool):
            return raw
    elif kind is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lstrip("-").isdigit():  # int64 arrive as strings
            return int(raw)
    elif kind is float:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
    elif kind is str:
        if isinstance(raw, str):
            return raw
    elif kind is bytes and isinstance(raw, str):
        return b64decode_any(raw, where)
    kind_name = getattr(kind, "__name__", str(kind))
    raise ValueError(f"{where} must be {kind_name}; got {raw!r}"[:300])


def _speech_from(d: dict[str, Any], where: str) -> SpeechConfig:
    _only(d, ("voice_config", "language_code", "multi_speaker_voice_config"), where)
    voice_name = None
    if "voice_config" in d:
        voice = _object(d["voice_config"], f"{where}.voiceConfig")
        _only(voice, ("prebuilt_voice_config",), f"{where}.voiceConfig")
        path = f"{where}.voiceConfig.prebuiltVoiceConfig"
        prebuilt = _object(voice.get("prebuilt_voice_config", {}), path)
        _only(prebuilt, ("voice_name",), path)
        if "voice_name" in prebuilt:
            voice_name = _scalar(str, prebuilt["voice_name"], f"{path}.voiceName")
    language = d.get("language_code")
    multi = d.get("multi_speaker_voice_config")
    if multi is not None and not isinstance(multi, dict):
        raise ValueError(
            f"{where}.multiSpeakerVoiceConfig must be an object; got {type_name(multi)}"
        )
    return SpeechConfig(
        voice_name=voice_name,
        language_code=None if language is None else _scalar(str, language, f"{where}.languageCode"),
        multi_speaker_voice_config=multi,
    )
