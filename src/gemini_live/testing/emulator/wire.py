"""Wire-level helpers for the emulator: parsing what clients send, encoding what it sends.

Independent of ``gemini_live.protocol`` on purpose: the emulator parses client frames itself so that
a bug in the client codec cannot hide behind the same bug here.

Client side (lenient, like the service's proto3 JSON parser):

* keys may be lowerCamelCase or snake_case, mixed; :func:`normalize` turns every structural key
  into camelCase but leaves user data alone (function ``args``, ``response``, JSON schemas in
  ``parameters``..., ``labels``);
* ``bytes`` fields may use the standard or the URL-safe base64 alphabet, padded or not;
* ``int64`` fields may be a JSON number or a decimal string;
* frames may be text or binary (UTF-8 JSON).

Server side (strict): camelCase keys, standard base64, int64 as decimal strings, Durations as
``"<seconds>s"``; see :mod:`.frames`.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import orjson

__all__ = [
    "OPAQUE_KEYS",
    "Reject",
    "b64decode",
    "b64encode",
    "dumps",
    "format_duration",
    "format_int64",
    "normalize",
    "parse_bool",
    "parse_frame",
    "parse_int",
    "to_camel",
    "to_snake",
    "truncate_reason",
]

OPAQUE_KEYS = frozenset(
    {
        "args",
        "partialArgs",
        "response",
        "parameters",
        "parametersJsonSchema",
        "responseJsonSchema",
        "labels",
    }
)
"""Keys whose *values* are user data (or user JSON schemas) and are never re-cased."""

INVALID_ARGUMENT = "Request contains an invalid argument."
NOT_FOUND = "Requested entity was not found."

_SNAKE_PART = re.compile(r"_([a-z0-9])")
_CAMEL_PART = re.compile(r"(?<!^)([A-Z])")
_URLSAFE_TO_STD = str.maketrans("-_", "+/")
_MAX_REASON_BYTES = 123


class Reject(Exception):
    """Raised while handling a client frame: the connection must close with ``code``/``reason``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = truncate_reason(reason)


def truncate_reason(reason: str) -> str:
    """Cut ``reason`` to the 123 UTF-8 bytes a WebSocket close frame allows."""
    raw = reason.encode("utf-8")
    if len(raw) <= _MAX_REASON_BYTES:
        return reason
    return raw[:_MAX_REASON_BYTES].decode("utf-8", errors="ignore")


def to_camel(name: str) -> str:
    """``"turn_complete"`` -> ``"turnComplete"``; camelCase input is returned unchanged."""
    if "_" not in name:
        return name
    return _SNAKE_PART.sub(lambda m: m.group(1).upper(), name)


def to_snake(name: str) -> str:
    """``"turnComplete"`` -> ``"turn_complete"`` (used to render proto-style field paths)."""
    return _CAMEL_PART.sub(lambda m: "_" + m.group(1).lower(), name)


def normalize(value: Any, *, path: str = "") -> Any:
    """Return ``value`` with every structural dict key in camelCase (user data left untouched).

    Raises :class:`Reject` (1007) when two spellings of the same field appear in one object.
    """
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):  # pragma: no cover - JSON keys are strings
                raise Reject(1007, INVALID_ARGUMENT)
            camel = to_camel(key)
            if camel in out:
                where = path or "message"
                raise Reject(
                    1007,
                    f'Invalid JSON payload received. Duplicate field "{to_snake(camel)}" '
                    f"at '{where}'.",
                )
            child = f"{path}.{to_snake(camel)}" if path else to_snake(camel)
            out[camel] = item if camel in OPAQUE_KEYS else normalize(item, path=child)
        return out
    if isinstance(value, list):
        return [normalize(item, path=f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def parse_frame(data: str | bytes) -> dict[str, Any]:
    """Parse one client frame (text or binary UTF-8 JSON) into a dict; :class:`Reject` if bad."""
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise Reject(1007, "Invalid JSON payload received.") from None
    if not isinstance(parsed, dict):
        raise Reject(1007, "Invalid JSON payload received. Expected an object.")
    return parsed


def dumps(frame: dict[str, Any]) -> str:
    """Serialise a server frame to compact JSON text."""
    return orjson.dumps(frame).decode("utf-8")


def b64decode(data: Any, *, path: str = "data") -> bytes:
    """Decode a proto3-JSON ``bytes`` value: standard or URL-safe alphabet, padding optional."""
    if not isinstance(data, str):
        raise Reject(1007, f"Invalid value at '{path}' (TYPE_BYTES): expected a base64 string.")
    text = data.strip().translate(_URLSAFE_TO_STD).rstrip("=")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Reject(
            1007, f"Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed."
        ) from None


def b64encode(data: bytes) -> str:
    """Standard-alphabet, padded base64 (what the service emits)."""
    return base64.b64encode(data).decode("ascii")


def parse_int(value: Any, *, path: str) -> int:
    """Parse an int32/int64 that may be a JSON number or a decimal string."""
    if isinstance(value, bool):
        raise Reject(1007, f"Invalid value at '{path}' (TYPE_INT64), {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise Reject(1007, f"Invalid value at '{path}' (TYPE_INT64), {value!r}")


def parse_bool(value: Any, *, path: str) -> bool:
    """Parse a proto3-JSON bool (``true``/``false``; the strings are tolerated too)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise Reject(1007, f"Invalid value at '{path}' (TYPE_BOOL), {value!r}")


def format_int64(value: int) -> str:
    """int64 on the wire: a decimal string."""
    return str(int(value))


def format_duration(seconds: float) -> str:
    """``google.protobuf.Duration`` JSON: ``"50s"``, ``"1.5s"``, ``"0.002s"``."""
    if seconds < 0:
        raise ValueError(f"a duration must be >= 0, got {seconds!r}")
    whole = round(seconds, 9)
    if whole == int(whole):
        return f"{int(whole)}s"
    return f"{whole:.9f}".rstrip("0") + "s"
