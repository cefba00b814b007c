"""The ``response`` objects the runner sends: ``{"output": ...}`` or ``{"error": ...}``.

The service's convention (see the protocol notes on ``toolResponse``): ``output`` holds a result,
``error`` an error. Every result is wrapped in ``output`` (a dict too, so the model sees the
same shape for every tool). Errors carry the exception's type name and message, never a
traceback; messages are cut to :data:`MAX_MESSAGE` characters.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["MAX_MESSAGE", "error_payload", "exception_payload", "jsonable", "output_payload"]

MAX_MESSAGE = 500


def _default(value: Any) -> Any:
    # pydantic models (and anything else offering the same method) become plain JSON.
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (dicts, lists, str, numbers, bools, None).

    Dataclasses, enums, datetimes, UUIDs, tuples, sets and pydantic models are converted; any
    other object raises ``TypeError``.
    """
    if value is None or type(value) in (str, int, bool):
        return value
    try:
        return orjson.loads(orjson.dumps(value, default=_default))
    except orjson.JSONEncodeError as exc:
        raise TypeError(str(exc)) from None


def output_payload(value: Any) -> dict[str, Any]:
    return {"output": jsonable(value)}


def _cut(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


def error_payload(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"type": error_type, "message": _cut(message)}}


def exception_payload(exc: BaseException, *, expose_message: bool) -> dict[str, Any]:
    """The error response for ``exc``: its type name, and its message if ``expose_message``."""
    message = str(exc) if expose_message else "the function failed"
    return error_payload(type(exc).__name__, message)
