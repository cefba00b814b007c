"""Client frames -> typed client messages (lenient): what the service, the emulator and tests read.

The reverse of ``encode``. Accepts what Google's own clients send: camelCase and snake_case keys
mixed at any level, either base64 alphabet with or without padding, int64 as a number or a
string. Anything else is a ``ValueError`` naming the path to the bad value. Setup config objects
are built from their dataclass fields (see ``config``); ``metadata`` marks local-only fields.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import Any

import orjson

from gemini_live.protocol.config import LiveConfig, SpeechConfig
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
    Content,
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

__all__ = ["decode_client", "from_wire"]


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
