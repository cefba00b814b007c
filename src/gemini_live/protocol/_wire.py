"""Server frames on the wire: JSON loading, proto3-JSON scalar codecs, key tables.

Shared by the session's decoder (``decode``) and the typed server-frame tree (``server_codec``).

Reading is lenient in the ways the service and Google's clients are (§2 of the protocol notes):
camelCase or snake_case keys, int64 as a string or a number, Durations as ``"1.5s"`` or a number
of seconds, base64 in either alphabet with or without padding, ``null`` meaning "absent". Writing
is what the service emits: camelCase, standard padded base64, int64 as strings, ``"Ns"``.

Problems raise :class:`WireValueError` (a ``ValueError``) carrying the path to the bad value; the
decoders turn it into :class:`FrameDecodeError`. Pure functions only: no I/O, no clock.
"""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from typing import Any

import orjson

from gemini_live.protocol._base64 import decode_any_alphabet

__all__ = [
    "BLOB",
    "CANCELLATION",
    "CODE",
    "CONTENT",
    "DEFAULT_OUTPUT_MIME_TYPE",
    "DEFAULT_OUTPUT_SAMPLE_RATE",
    "FUNCTION_CALL",
    "GO_AWAY",
    "GUARD_DEPTH",
    "MODALITY",
    "PART",
    "RESULT",
    "RESUMPTION",
    "SETUP",
    "TOOL_CALL",
    "TOP_LEVEL",
    "TRANSCRIPTION",
    "TURN",
    "USAGE",
    "VAD_SIGNAL",
    "VOICE_ACTIVITY",
    "FrameDecodeError",
    "WireValueError",
    "aliases",
    "as_bool",
    "as_bytes",
    "as_duration",
    "as_enum",
    "as_int",
    "as_list",
    "as_object",
    "as_str",
    "audio_rate",
    "canon",
    "encode_duration",
    "expected",
    "fields",
    "keymap",
    "load_object",
    "not_an_object",
]

DEFAULT_OUTPUT_SAMPLE_RATE = 24_000
DEFAULT_OUTPUT_MIME_TYPE = "audio/pcm;rate=24000"


class FrameDecodeError(ValueError):
    """A server frame that is not a JSON object, or whose known fields have the wrong types."""


class WireValueError(ValueError):
    """A value of the wrong type or form, with the path to it (built up by the callers)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.path = [key]
        self.problem = problem

    def under(self, key: str) -> WireValueError:
        """Prefix the path with an enclosing key (or ``[i]`` index); returns ``self``."""
        self.path.insert(0, key)
        return self

    def __str__(self) -> str:
        where = "".join(p if p.startswith("[") else "." + p for p in self.path if p)
        where = where.lstrip(".") or "frame"
        return f"{where}: {self.problem}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def expected(key: str, what: str, value: Any) -> WireValueError:
    return WireValueError(key, f"expected {what}, got {_kind(value)}")


# --- JSON ----------------------------------------------------------------------------------


def load_object(frame: str | bytes) -> dict[str, Any]:
    """Parse one text or binary (UTF-8) frame that must hold a JSON object.

    Raises :class:`FrameDecodeError` for anything else (including a frame that is neither
    ``str`` nor bytes-like).
    """
    obj = load_json(frame)
    if type(obj) is not dict:
        raise not_an_object(obj)
    return obj


def load_json(frame: str | bytes) -> Any:
    if isinstance(frame, bytearray | memoryview):
        frame = bytes(frame)
    try:
        if (
            GUARD_DEPTH
            and isinstance(frame, str | bytes)
            and len(frame) > _SHORT_FRAME
            and _brackets(frame) > _MANY_BRACKETS
        ):
            return _load_json_stdlib(frame)
        return orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        raise FrameDecodeError(f"frame is not valid JSON: {exc}") from None


def not_an_object(obj: object) -> FrameDecodeError:
    return FrameDecodeError(f"frame is not a JSON object (got {type(obj).__name__})")


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


GUARD_DEPTH = not _orjson_limits_depth()


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


# --- keys ----------------------------------------------------------------------------------

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def keymap(*camel_names: str) -> dict[str, str]:
    """Map both spellings of each field (``turnComplete``, ``turn_complete``) to the camel one."""
    table: dict[str, str] = {}
    for name in camel_names:
        table[name] = name
        table[_CAMEL_HUMP.sub(r"_\1", name).lower()] = name
    return table


def canon(value: Any, table: dict[str, str], key: str) -> dict[str, Any]:
    """The known, non-null fields of a JSON object, keyed by their camelCase names.

    Unknown fields are dropped (the service adds fields over time); ``null`` is proto3 for
    "absent". When both spellings of a field are present the later one wins.
    """
    if type(value) is not dict:
        raise expected(key, "an object", value)
    out: dict[str, Any] = {}
    for k, v in value.items():
        name = table.get(k)
        if name is not None and v is not None:
            out[name] = v
    return out


def fields(value: Any, table: dict[str, str], aliases: frozenset[str]) -> dict[str, Any]:
    """:func:`canon` without the copy when ``value`` uses no snake_case alias (the service's own
    frames never do). The result may then hold unknown keys and ``null`` values, so callers read
    it only with ``.get(camelName)`` and treat ``None`` as absent, exactly as for ``canon``."""
    if type(value) is dict and aliases.isdisjoint(value):
        return value
    return canon(value, table, "")


def aliases(table: dict[str, str]) -> frozenset[str]:
    """The snake_case spellings in a :func:`keymap` table that differ from the camelCase ones."""
    return frozenset(k for k, v in table.items() if k != v)


# The fields this version reads, per server message object (both spellings, see keymap).
SETUP = keymap("sessionId")
CONTENT = keymap(
    "modelTurn",
    "turnComplete",
    "generationComplete",
    "interrupted",
    "inputTranscription",
    "outputTranscription",
    "interimInputTranscription",
    "groundingMetadata",
    "urlContextMetadata",
    "waitingForInput",
    "turnCompleteReason",
    "interactionStatus",
)
TRANSCRIPTION = keymap("text", "finished", "languageCode")
TURN = keymap("parts")
PART = keymap("text", "thought", "inlineData", "executableCode", "codeExecutionResult")
BLOB = keymap("mimeType", "data")
CODE = keymap("language", "code")
RESULT = keymap("outcome", "output")
TOOL_CALL = keymap("functionCalls")
FUNCTION_CALL = keymap("id", "name", "args")
CANCELLATION = keymap("ids")
GO_AWAY = keymap("timeLeft")
RESUMPTION = keymap("newHandle", "resumable", "lastConsumedClientMessageIndex")
USAGE = keymap(
    "promptTokenCount",
    "responseTokenCount",
    "candidatesTokenCount",
    "totalTokenCount",
    "cachedContentTokenCount",
    "toolUsePromptTokenCount",
    "thoughtsTokenCount",
    "promptTokensDetails",
    "responseTokensDetails",
    "candidatesTokensDetails",
    "cacheTokensDetails",
    "toolUsePromptTokensDetails",
    "trafficType",
    "serviceTier",
)
MODALITY = keymap("modality", "tokenCount")
VOICE_ACTIVITY = keymap("type", "audioOffset")
VAD_SIGNAL = keymap("vadSignalType")
TOP_LEVEL = (
    "setupComplete",
    "serverContent",
    "toolCall",
    "toolCallCancellation",
    "goAway",
    "sessionResumptionUpdate",
    "usageMetadata",
    "voiceActivity",
    "voiceActivityDetectionSignal",
)


# --- scalars -------------------------------------------------------------------------------


def as_bool(value: Any, key: str) -> bool:
    if type(value) is not bool:
        raise expected(key, "a boolean", value)
    return value


def as_str(value: Any, key: str) -> str:
    if type(value) is not str:
        raise expected(key, "a string", value)
    return value


def as_enum(value: Any, key: str) -> str:
    """Enum names are kept as strings, known or not; proto3 also allows the number."""
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise expected(key, "an enum name", value)


def as_object(value: Any, key: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise expected(key, "an object", value)
    return value


def as_list(value: Any, key: str) -> list[Any]:
    if type(value) is not list:
        raise expected(key, "an array", value)
    return value


_INT = re.compile(r"-?[0-9]{1,20}")
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def as_int(value: Any, key: str) -> int:
    """int32/int64: a JSON number (integral) or, as the service writes int64, a decimal string."""
    if type(value) is int:
        result = value
    elif (type(value) is float and value.is_integer()) or (
        type(value) is str and _INT.fullmatch(value)
    ):
        result = int(value)
    else:
        raise expected(key, "an integer (number or decimal string)", value)
    if not _INT64_MIN <= result <= _INT64_MAX:
        raise WireValueError(key, "integer out of the int64 range")
    return result


_DURATION = re.compile(r"(-)?([0-9]{1,12})(?:\.([0-9]{1,9}))?s?")
_MAX_DURATION_SECONDS = 315_576_000_000  # the proto's own bound (about 10,000 years)


def as_duration(value: Any, key: str) -> timedelta:
    """``google.protobuf.Duration``: ``"50s"``, ``"1.5s"``, ``"0.000001s"``; also a number of
    seconds. Nanoseconds are rounded to the microsecond ``timedelta`` resolution."""
    if type(value) is str:
        match = _DURATION.fullmatch(value)
        if match is None:
            raise expected(key, 'a duration such as "1.5s"', value)
        sign, whole, frac = match.groups()
        nanos = int(whole) * 1_000_000_000 + (int(frac.ljust(9, "0")) if frac else 0)
        micros = (nanos + 500) // 1000
        try:
            result = timedelta(microseconds=micros)
        except OverflowError:
            raise WireValueError(key, "duration out of range") from None
        return -result if sign else result
    if type(value) in (int, float):
        if not math.isfinite(value) or abs(value) > _MAX_DURATION_SECONDS:
            raise WireValueError(key, "duration out of range")
        return timedelta(seconds=value)
    raise expected(key, 'a duration such as "1.5s"', value)


def as_bytes(value: Any, key: str) -> bytes:
    """Base64 in the standard or URL-safe alphabet, padded or not.

    binascii's lenient mode silently drops characters outside the standard alphabet, which would
    corrupt URL-safe data (``-``/``_``) and hide garbage, so URL-safe characters are translated
    first and decoding is strict; only whitespace is tolerated (stripped on a second attempt).
    """
    if type(value) is not str:
        raise expected(key, "a base64 string", value)
    try:
        return decode_any_alphabet(value)
    except ValueError:
        stripped = "".join(value.split())
        if stripped != value:
            try:
                return decode_any_alphabet(stripped)
            except ValueError:
                pass
    raise WireValueError(key, "invalid base64 data")


def encode_duration(value: timedelta) -> str:
    """Shortest exact ``"Ns"`` form: ``"50s"``, ``"1.5s"``, ``"0.000001s"``, ``"-2s"``."""
    micros = value // timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    seconds, frac = divmod(abs(micros), 1_000_000)
    if frac:
        return f"{sign}{seconds}.{frac:06d}".rstrip("0") + "s"
    return f"{sign}{seconds}s"


# --- audio MIME types ----------------------------------------------------------------------

_RATE_CACHE: dict[str, int] = {}
_RATE_CACHE_MAX = 64
_NOT_AUDIO = 0


def audio_rate(mime_type: str) -> int | None:
    """The sample rate of an ``audio/*`` MIME type (``rate=`` parameter, else 24000), or
    ``None`` when the type is not audio. Results are memoised: a session sees one or two types."""
    rate = _RATE_CACHE.get(mime_type)
    if rate is None:
        rate = _parse_audio_rate(mime_type)
        if len(_RATE_CACHE) < _RATE_CACHE_MAX:
            _RATE_CACHE[mime_type] = rate
    return None if rate == _NOT_AUDIO else rate


def _parse_audio_rate(mime_type: str) -> int:
    media, _, params = mime_type.partition(";")
    if not media.strip().lower().startswith("audio/"):
        return _NOT_AUDIO
    rate = DEFAULT_OUTPUT_SAMPLE_RATE
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        raw = raw.strip().strip('"')
        if name.strip().lower() == "rate" and raw.isascii() and raw.isdigit():
            candidate = int(raw)
            if 0 < candidate <= 1_000_000:
                rate = candidate
    return rate
