"""Content data types (parts, blobs, tools, function responses) and their coercion.

The send methods of the session accept either these types or plain dicts in *wire* shape
(camelCase or snake_case keys, e.g. ``{"role": "user", "parts": [{"text": "hi"}]}``). The
``coerce_*`` functions are the single place where such input is checked and converted; they
accept nothing else (no guessing, no ``str`` -> ``Content``), and their errors name the argument
(``where``), what was expected and what was received. Constructors validate too, so an invalid
value cannot exist once built.

Wire dicts go through :func:`snake_keys` one structural level at a time: user payloads such as
``FunctionResponse.response`` or a JSON schema are passed through untouched.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from gemini_live.protocol._base64 import decode_any_alphabet
from gemini_live.protocol._shared_methods import share_methods

__all__ = [
    "Behavior",
    "Blob",
    "Content",
    "FunctionDeclaration",
    "FunctionResponse",
    "Part",
    "Scheduling",
    "Tool",
    "as_bytes",
    "as_tuple",
    "b64decode_any",
    "camel",
    "coerce_blob",
    "coerce_content",
    "coerce_contents",
    "coerce_function_response",
    "coerce_function_responses",
    "coerce_tool",
    "coerce_tools",
    "snake_keys",
    "type_name",
]

_T = TypeVar("_T")


class Behavior(enum.StrEnum):
    """``FunctionDeclaration.behavior``. Unknown future values are kept as plain ``str``."""

    UNSPECIFIED = "UNSPECIFIED"
    BLOCKING = "BLOCKING"
    NON_BLOCKING = "NON_BLOCKING"


class Scheduling(enum.StrEnum):
    """``FunctionResponse.scheduling`` (NON_BLOCKING functions, Gemini API only)."""

    SCHEDULING_UNSPECIFIED = "SCHEDULING_UNSPECIFIED"
    SILENT = "SILENT"
    WHEN_IDLE = "WHEN_IDLE"
    INTERRUPT = "INTERRUPT"


# --- small helpers shared with config/encode ------------------------------------------------


def type_name(value: object) -> str:
    """The name used in error messages for what was received."""
    return "None" if value is None else type(value).__name__


@functools.lru_cache(maxsize=512)
def _snake(key: str) -> str:
    return re.sub(r"([A-Z])", r"_\1", key).lower()


@functools.lru_cache(maxsize=512)
def camel(name: str) -> str:
    """``inline_data`` -> ``inlineData`` (the spelling used on the wire and in messages)."""
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def snake_keys(value: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One level of a wire dict with keys in snake_case; ``None`` values count as absent."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{where} keys must be strings; got {type_name(key)}")
        name = _snake(key)
        if name in out:
            raise ValueError(f"{where} spells {camel(name)!r} twice (camelCase and snake_case)")
        if item is not None:
            out[name] = item
    return out


def _check_keys(d: Mapping[str, Any], allowed: tuple[str, ...], where: str, what: str) -> None:
    unknown = [camel(k) for k in d if k not in allowed]
    if unknown:
        listed = ", ".join(repr(camel(a)) for a in allowed)
        raise ValueError(f"{where} has unknown key(s) {unknown}; {what} may have {listed}")


def b64decode_any(text: str, where: str) -> bytes:
    """Decode base64 in either alphabet (standard or URL-safe), padded or not."""
    try:
        return decode_any_alphabet(text)
    except ValueError as exc:
        raise ValueError(f"{where} is not valid base64 ({exc})") from None


def as_bytes(value: object, where: str) -> bytes:
    """``bytes`` as is; ``bytearray``/``memoryview`` copied (so the value stays immutable)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{where} must be bytes; got {type_name(value)}")


def _items(value: object, where: str, what: str) -> list[Any]:
    # str/bytes are iterable and a dict iterates over its keys: all three are mistakes here.
    if isinstance(value, str | bytes | bytearray | memoryview | Mapping) or not isinstance(
        value, Iterable
    ):
        raise TypeError(f"{where} must be a list or tuple of {what}; got {type_name(value)}")
    return list(value)


def as_tuple(value: object, cls: type, where: str) -> tuple[Any, ...]:
    """A list/tuple (not str, bytes or dict) whose items are all ``cls``, as a tuple."""
    items = tuple(_items(value, where, cls.__name__))
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise TypeError(f"{where}[{i}] must be {cls.__name__}; got {type_name(item)}")
    return items


def _opt(value: object, cls: type | tuple[type, ...], where: str, what: str) -> None:
    if value is not None and not isinstance(value, cls):
        raise TypeError(f"{where} must be {what} or None; got {type_name(value)}")


def _name(value: object, where: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where} must be a non-empty str; got {value!r}")


# --- data types -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Blob:
    """Inline binary data (an image, a chunk of audio)."""

    mime_type: str
    data: bytes

    def __post_init__(self) -> None:
        _name(self.mime_type, "Blob.mime_type")
        object.__setattr__(self, "data", as_bytes(self.data, "Blob.data"))

    def __repr__(self) -> str:
        return f"Blob(mime_type={self.mime_type!r}, data=<{len(self.data)} bytes>)"


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a Content: exactly one of ``text`` or ``inline_data``."""

    text: str | None = None
    inline_data: Blob | None = None
    thought: bool | None = None

    def __post_init__(self) -> None:
        if (self.text is None) == (self.inline_data is None):
            got = "neither" if self.text is None else "both"
            raise ValueError(f"Part needs exactly one of text or inline_data; got {got}")
        _opt(self.text, str, "Part.text", "str")
        _opt(self.inline_data, Blob, "Part.inline_data", "Blob")
        _opt(self.thought, bool, "Part.thought", "bool")


@dataclass(frozen=True, slots=True)
class Content:
    """A turn: parts plus a role (``"user"``, ``"model"``; Vertex also ``"system"``)."""

    parts: tuple[Part, ...]
    role: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", as_tuple(self.parts, Part, "Content.parts"))
        if self.role is not None:
            _name(self.role, "Content.role")

    @classmethod
    def from_text(cls, text: str, role: str = "user") -> Content:
        """A content with one text part (``role`` defaults to ``"user"``)."""
        return cls(parts=(Part(text=text),), role=role)


@dataclass(frozen=True, slots=True)
class FunctionResponse:
    """The result of one function call. ``response`` is a JSON object (``{"output": ...}`` or
    ``{"error": ...}`` by convention); ``id`` is the id of the call being answered."""

    name: str
    response: dict[str, Any]
    id: str | None = None
    scheduling: Scheduling | str | None = None
    will_continue: bool | None = None

    def __post_init__(self) -> None:
        _name(self.name, "FunctionResponse.name")
        if not isinstance(self.response, dict):
            raise TypeError(
                f"FunctionResponse.response must be a dict; got {type_name(self.response)}"
            )
        if self.id is not None:
            _name(self.id, "FunctionResponse.id")
        _opt(self.scheduling, str, "FunctionResponse.scheduling", "str")
        _opt(self.will_continue, bool, "FunctionResponse.will_continue", "bool")


@dataclass(frozen=True, slots=True)
class FunctionDeclaration:
    """A function the model may call. ``parameters`` is an OpenAPI-style schema,
    ``parameters_json_schema`` a JSON Schema; set at most one (same for the response pair)."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    parameters_json_schema: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    response_json_schema: dict[str, Any] | None = None
    behavior: Behavior | str | None = None

    def __post_init__(self) -> None:
        _name(self.name, "FunctionDeclaration.name")
        _opt(self.description, str, "FunctionDeclaration.description", "str")
        for attr in ("parameters", "parameters_json_schema", "response", "response_json_schema"):
            _opt(getattr(self, attr), dict, f"FunctionDeclaration.{attr}", "dict")
        for a, b in (
            ("parameters", "parameters_json_schema"),
            ("response", "response_json_schema"),
        ):
            if getattr(self, a) is not None and getattr(self, b) is not None:
                raise ValueError(f"FunctionDeclaration {self.name!r}: set {a} or {b}, not both")
        _opt(self.behavior, str, "FunctionDeclaration.behavior", "str")


_BUILTINS = ("google_search", "code_execution", "url_context", "google_maps")


@dataclass(frozen=True, slots=True)
class Tool:
    """Tools offered to the model. One object may enable several kinds; on the wire each kind
    becomes its own Tool object."""

    function_declarations: tuple[FunctionDeclaration, ...] = field(default=())
    google_search: bool = False
    code_execution: bool = False
    url_context: bool = False
    google_maps: bool = False

    def __post_init__(self) -> None:
        decls = as_tuple(
            self.function_declarations, FunctionDeclaration, "Tool.function_declarations"
        )
        object.__setattr__(self, "function_declarations", decls)
        for attr in _BUILTINS:
            if not isinstance(getattr(self, attr), bool):
                raise TypeError(f"Tool.{attr} must be bool; got {type_name(getattr(self, attr))}")
        if not decls and not any(getattr(self, attr) for attr in _BUILTINS):
            raise ValueError(
                "Tool enables nothing: give function_declarations or set a built-in tool"
            )


# --- coercion from wire dicts -------------------------------------------------------------------


def coerce_blob(value: object, *, where: str = "blob") -> Blob:
    """``Blob`` or ``{"mimeType": str, "data": base64 str | bytes}``."""
    if isinstance(value, Blob):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{where} must be Blob or a dict with 'mimeType' and 'data'; got {type_name(value)}"
        )
    d = snake_keys(value, where)
    _check_keys(d, ("mime_type", "data"), where, "a Blob")
    for key in ("mime_type", "data"):
        if key not in d:
            raise ValueError(f"{where} is missing {camel(key)!r}")
    data, path = d["data"], f"{where}.data"
    raw = b64decode_any(data, path) if isinstance(data, str) else as_bytes(data, path)
    return _build(Blob, where, mime_type=d["mime_type"], data=raw)


def _build(cls: type[_T], where: str, **kwargs: Any) -> _T:
    # Constructors validate; prefix their message with the caller's path.
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}: {exc}") from None


def _part(value: object, where: str) -> Part:
    if isinstance(value, Part):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{where} must be Part or a dict like {{'text': ...}}; got {type_name(value)}"
        )
    d = snake_keys(value, where)
    _check_keys(d, ("text", "inline_data", "thought"), where, "a part")
    if "inline_data" in d:
        d["inline_data"] = coerce_blob(d["inline_data"], where=f"{where}.inlineData")
    return _build(Part, where, **d)


_CONTENT_HINT = "Content or a dict like {'role': 'user', 'parts': [{'text': ...}]}"


def coerce_content(value: object, *, where: str = "content") -> Content:
    """``Content`` or a wire dict ``{"role"?: str, "parts": [...]}``."""
    if isinstance(value, Content):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{where} must be {_CONTENT_HINT}; got {type_name(value)}")
    d = snake_keys(value, where)
    _check_keys(d, ("role", "parts"), where, "a Content")
    if "parts" not in d:
        raise ValueError(f"{where} is missing 'parts'; expected {_CONTENT_HINT}")
    items = _items(d["parts"], f"{where}.parts", "parts")
    parts = tuple(_part(p, f"{where}.parts[{i}]") for i, p in enumerate(items))
    return _build(Content, where, parts=parts, role=d.get("role"))


def coerce_contents(
    value: object, *, where: str = "send_client_content: turns"
) -> tuple[Content, ...]:
    items = _items(value, where, "Content or dicts")
    return tuple(coerce_content(c, where=f"{where}[{i}]") for i, c in enumerate(items))


_FR_HINT = "FunctionResponse or a dict with 'name' and 'response'"


def coerce_function_response(value: object, *, where: str = "response") -> FunctionResponse:
    """``FunctionResponse`` or ``{"id"?, "name", "response", "scheduling"?, "willContinue"?}``."""
    if isinstance(value, FunctionResponse):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{where} must be {_FR_HINT}; got {type_name(value)}")
    d = snake_keys(value, where)
    _check_keys(d, tuple(f.name for f in fields(FunctionResponse)), where, "a function response")
    for key in ("name", "response"):
        if key not in d:
            raise ValueError(f"{where} is missing {key!r}; expected {_FR_HINT}")
    if isinstance(d["response"], Mapping) and not isinstance(d["response"], dict):
        d["response"] = dict(d["response"])
    return _build(FunctionResponse, where, **d)


def coerce_function_responses(
    value: object, *, where: str = "send_tool_response: responses"
) -> tuple[FunctionResponse, ...]:
    items = _items(value, where, _FR_HINT.replace(" or a dict", "s or dicts"))
    return tuple(coerce_function_response(r, where=f"{where}[{i}]") for i, r in enumerate(items))


_DECL_KEYS = tuple(f.name for f in fields(FunctionDeclaration))


def _declaration(value: object, where: str) -> FunctionDeclaration:
    if isinstance(value, FunctionDeclaration):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{where} must be FunctionDeclaration or a dict with 'name'; got {type_name(value)}"
        )
    d = snake_keys(value, where)
    _check_keys(d, _DECL_KEYS, where, "a function declaration")
    if "name" not in d:
        raise ValueError(f"{where} is missing 'name'")
    behavior = d.get("behavior")
    if isinstance(behavior, str) and behavior in Behavior._value2member_map_:
        d["behavior"] = Behavior(behavior)
    return _build(FunctionDeclaration, where, **d)


_TOOL_HINT = "Tool or a dict like {'functionDeclarations': [...]} or {'googleSearch': {}}"


def coerce_tool(value: object, *, where: str = "tool") -> Tool:
    """``Tool`` or a wire Tool dict; several kinds in one dict are allowed."""
    if isinstance(value, Tool):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{where} must be {_TOOL_HINT}; got {type_name(value)}")
    d = snake_keys(value, where)
    _check_keys(d, ("function_declarations", *_BUILTINS), where, "a Tool")
    kwargs: dict[str, Any] = {}
    if "function_declarations" in d:
        path = f"{where}.functionDeclarations"
        items = _items(d["function_declarations"], path, "function declarations")
        kwargs["function_declarations"] = tuple(
            _declaration(x, f"{path}[{i}]") for i, x in enumerate(items)
        )
    for attr in _BUILTINS:
        flag = d.get(attr, False)
        if isinstance(flag, Mapping):
            if flag:
                raise ValueError(f"{where}.{camel(attr)}: options are not supported; pass {{}}")
            flag = True
        elif not isinstance(flag, bool):
            raise TypeError(f"{where}.{camel(attr)} must be {{}} or a bool; got {type_name(flag)}")
        kwargs[attr] = flag
    return _build(Tool, where, **kwargs)


def coerce_tools(value: object, *, where: str = "update_tools: tools") -> tuple[Tool, ...]:
    items = _items(value, where, "Tool or dicts")
    return tuple(coerce_tool(t, where=f"{where}[{i}]") for i, t in enumerate(items))


# One copy of the methods dataclasses compiles per class (see _shared_methods): import-time memory.
share_methods(globals().values(), module=__name__)
