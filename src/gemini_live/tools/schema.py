"""Python type hints -> JSON Schema for function parameters, plus a converter per hint.

:func:`translate` turns one hint into a :class:`Translated`: the JSON Schema the model sees and
a function that turns a validated JSON value into what the Python function expects (an ``Enum``
member, a dataclass instance, a pydantic model, a ``set``...). A hint that JSON Schema cannot
express raises ``TypeError`` naming the parameter, at definition time.

Supported: ``str``, ``int``, ``float``, ``bool``, ``Any``, ``None``, ``Literal[...]`` (one value
type), ``Enum`` subclasses (str or int values), ``list``/``Sequence``/``set``/``frozenset``/
``tuple[X, ...]``, ``dict[str, X]``/``Mapping[str, X]``, ``Optional``/unions, dataclasses,
``TypedDict`` and pydantic models (recognised by their API, pydantic is never imported), and
``Annotated[X, "description"]``.

:func:`to_openapi` rewrites such a schema into the OpenAPI-style ``parameters`` form (upper-case
types, ``nullable``) for services or models that want that form instead of
``parametersJsonSchema``.
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gemini_live.tools.docstrings import parse_docstring
from gemini_live.tools.validate import matches

__all__ = ["Converter", "Translated", "object_schema", "to_openapi", "translate"]

Converter = Callable[[Any], Any]

_PRIMITIVES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_SEQUENCES: tuple[Any, ...] = (list, cabc.Sequence, cabc.MutableSequence, cabc.Iterable)
_SETS: tuple[Any, ...] = (set, frozenset, cabc.Set, cabc.MutableSet)
_MAPPINGS: tuple[Any, ...] = (dict, cabc.Mapping, cabc.MutableMapping)
_SUPPORTED = (
    "str, int, float, bool, Literal, Enum, list[X], dict[str, X], Optional[X], "
    "a dataclass, a TypedDict or a pydantic model"
)


@dataclass(frozen=True, slots=True)
class Translated:
    """A hint's JSON Schema and the converter from validated JSON to the Python value."""

    schema: dict[str, Any]
    convert: Converter | None = None  # None: the JSON value is passed as it is


def _fail(where: str, hint: object, why: str = "") -> TypeError:
    detail = f" ({why})" if why else ""
    return TypeError(
        f"{where}: the type hint {hint!r} cannot be expressed in a function declaration"
        f"{detail}; use {_SUPPORTED}"
    )


def _json_type(value: object) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, str):
        return "string"
    return None


def _enum_schema(values: list[Any], where: str, hint: object) -> dict[str, Any]:
    kinds = {_json_type(v) for v in values}
    if len(kinds) != 1 or None in kinds:
        raise _fail(where, hint, "all values must be str, all int or all bool")
    return {"type": kinds.pop(), "enum": values}


def _nullable(inner: Translated) -> Translated:
    schema = inner.schema
    if isinstance(schema.get("type"), str) and "anyOf" not in schema:
        schema = {**schema, "type": [schema["type"], "null"]}
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    elif schema:
        schema = {"anyOf": [schema, {"type": "null"}]}
    convert = inner.convert
    if convert is None:
        return Translated(schema)
    return Translated(schema, lambda v: None if v is None else convert(v))


def _union(members: list[Translated]) -> Translated:
    schemas = [m.schema for m in members]
    if not any(m.convert for m in members):
        return Translated({"anyOf": schemas})

    def convert(value: Any) -> Any:
        # The first member whose schema the value matches decides (the hint's order).
        for member in members:
            if matches(value, member.schema):
                return member.convert(value) if member.convert else value
        return value

    return Translated({"anyOf": schemas}, convert)


def _describe(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    if description:
        return {**schema, "description": description}
    return schema


def object_schema(
    fields: list[tuple[str, Translated, bool, str | None]],
) -> tuple[dict[str, Any], dict[str, Converter]]:
    """The schema of an object with ``(name, translated, required, description)`` fields."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    converters: dict[str, Converter] = {}
    for name, translated, is_required, description in fields:
        properties[name] = _describe(translated.schema, description)
        if is_required:
            required.append(name)
        if translated.convert is not None:
            converters[name] = translated.convert
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema, converters


def _class_fields(
    cls: type, where: str, seen: frozenset[type]
) -> tuple[list[tuple[str, Translated, bool, str | None]], Callable[[dict[str, Any]], Any] | None]:
    """Fields of a dataclass, TypedDict or pydantic model, and how to build an instance."""
    docs = parse_docstring(cls.__doc__).params
    inner = seen | {cls}
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except NameError as exc:
        raise _fail(where, cls, f"its annotations do not resolve: {exc}") from None
    out: list[tuple[str, Translated, bool, str | None]] = []
    if dataclasses.is_dataclass(cls):
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            has_default = (
                f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            )
            t = translate(hints[f.name], f"{where}.{f.name}", inner)
            out.append((f.name, t, not has_default, docs.get(f.name)))
        return out, lambda kwargs: cls(**kwargs)
    if typing.is_typeddict(cls):
        required_keys: frozenset[str] = getattr(cls, "__required_keys__", frozenset(hints))
        for name, hint in hints.items():
            t = translate(hint, f"{where}.{name}", inner)
            out.append((name, t, name in required_keys, docs.get(name)))
        return out, None
    # pydantic v2 model: its own validation builds the instance (aliases, validators included).
    model_fields: dict[str, Any] = cls.model_fields  # type: ignore[attr-defined]
    for name, info in model_fields.items():
        key = getattr(info, "alias", None) or name
        t = translate(info.annotation, f"{where}.{key}", inner)
        description = getattr(info, "description", None) or docs.get(name)
        out.append((key, Translated(t.schema), bool(info.is_required()), description))
    validate: Callable[[Any], Any] = cls.model_validate  # type: ignore[attr-defined]
    return out, validate


def _is_pydantic(hint: object) -> bool:
    return (
        isinstance(hint, type)
        and isinstance(getattr(hint, "model_fields", None), dict)
        and callable(getattr(hint, "model_validate", None))
    )


def _object(cls: type, where: str, seen: frozenset[type]) -> Translated:
    if cls in seen:
        raise _fail(where, cls, "recursive types are not supported")
    fields, build = _class_fields(cls, where, seen)
    schema, converters = object_schema(fields)
    if typing.is_typeddict(cls) and not converters:
        return Translated(schema)
    if build is None:
        build = dict

    def convert(value: dict[str, Any]) -> Any:
        if converters:
            value = {k: converters[k](v) if k in converters else v for k, v in value.items()}
        return build(value)

    return Translated(schema, convert)


def _sequence(
    origin: Any, args: tuple[Any, ...], hint: object, where: str, seen: frozenset[type]
) -> Translated:
    if origin is tuple:
        if len(args) != 2 or args[1] is not Ellipsis:
            raise _fail(where, hint, "use tuple[X, ...] or list[X]")
        args = args[:1]
    if len(args) != 1:
        raise _fail(where, hint, "give the item type, e.g. list[str]")
    item = translate(args[0], f"{where}[]", seen)
    schema: dict[str, Any] = {"type": "array", "items": item.schema}
    wrap: Callable[[Any], Any] | None = None
    if origin in _SETS:
        schema["uniqueItems"] = True
        wrap = frozenset if origin is frozenset else set
    elif origin is tuple:
        wrap = tuple
    item_convert = item.convert
    if item_convert is None and wrap is None:
        return Translated(schema)
    outer = wrap or list
    if item_convert is None:
        return Translated(schema, outer)
    return Translated(schema, lambda v: outer(item_convert(x) for x in v))


def _mapping(args: tuple[Any, ...], hint: object, where: str, seen: frozenset[type]) -> Translated:
    if args and args[0] is not str:
        raise _fail(where, hint, "JSON object keys are strings: use dict[str, X]")
    if not args or args[1] is Any:
        return Translated({"type": "object"})
    value = translate(args[1], f"{where}{{}}", seen)
    schema = {"type": "object", "additionalProperties": value.schema}
    value_convert = value.convert
    if value_convert is None:
        return Translated(schema)
    return Translated(schema, lambda v: {k: value_convert(x) for k, x in v.items()})


def translate(hint: Any, where: str, seen: frozenset[type] = frozenset()) -> Translated:
    """The JSON Schema of ``hint`` and its converter; ``TypeError`` if it cannot be expressed."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        inner = translate(args[0], where, seen)
        notes = [m for m in args[1:] if isinstance(m, str)]
        return Translated(_describe(inner.schema, " ".join(notes) or None), inner.convert)
    if hint is Any:
        return Translated({})
    if hint is None or hint is type(None):
        return Translated({"type": "null"})
    if isinstance(hint, type) and hint in _PRIMITIVES:
        if hint is float:  # JSON does not tell 1 from 1.0: accept integers, hand over a float
            return Translated({"type": "number"}, float)
        if hint is int:  # 2.0 is a valid integer argument; the function gets 2
            return Translated({"type": "integer"}, int)
        return Translated({"type": _PRIMITIVES[hint]})
    if origin is typing.Literal:
        values = list(args)
        if None in values:
            values.remove(None)
            return _nullable(Translated(_enum_schema(values, where, hint)))
        return Translated(_enum_schema(values, where, hint))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        cls = hint
        return Translated(_enum_schema([m.value for m in cls], where, hint), cls)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in args if a is not type(None)]
        optional = len(members) < len(args)
        translated = [translate(m, where, seen) for m in members]
        result = translated[0] if len(translated) == 1 else _union(translated)
        return _nullable(result) if optional else result
    if origin in _SEQUENCES or origin in _SETS or origin is tuple:
        return _sequence(origin, args, hint, where, seen)
    if hint in (list, tuple, set, frozenset):
        raise _fail(where, hint, "give the item type, e.g. list[str]")
    if origin in _MAPPINGS or hint in (dict, cabc.Mapping):
        return _mapping(args, hint, where, seen)
    if isinstance(hint, type) and (
        dataclasses.is_dataclass(hint) or typing.is_typeddict(hint) or _is_pydantic(hint)
    ):
        return _object(hint, where, seen)
    if isinstance(hint, str | typing.ForwardRef):
        raise _fail(where, hint, "an unresolved forward reference")
    raise _fail(where, hint)


_OPENAPI_DROP = frozenset({"additionalProperties", "uniqueItems", "$schema"})


def to_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a schema made by :func:`translate` into the OpenAPI-style ``parameters`` form."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _OPENAPI_DROP:
            continue
        if key == "type":
            kinds = value if isinstance(value, list) else [value]
            real = [k for k in kinds if k != "null"]
            if len(real) < len(kinds):
                out["nullable"] = True
            if len(real) == 1:
                out["type"] = real[0].upper()
            elif real:
                out["anyOf"] = [{"type": k.upper()} for k in real]
        elif key == "enum":
            out["enum"] = [v for v in value if v is not None]
        elif key == "anyOf":
            branches = [b for b in value if b != {"type": "null"}]
            if len(branches) < len(value):
                out["nullable"] = True
            if len(branches) == 1:
                out.update(to_openapi(branches[0]))
            else:
                out["anyOf"] = [to_openapi(b) for b in branches]
        elif key == "properties":
            out["properties"] = {k: to_openapi(v) for k, v in value.items()}
        elif key == "items":
            out["items"] = to_openapi(value)
        else:
            out[key] = value
    return out
