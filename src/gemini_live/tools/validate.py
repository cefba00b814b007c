"""Check function-call arguments against a JSON Schema before the function runs.

A small validator for the part of JSON Schema that function declarations use: ``type`` (one or
a list), ``enum``, ``const``, ``properties``/``required``/``additionalProperties``, ``items``,
``anyOf``/``oneOf``/``allOf``, and the length/size/range bounds. Keywords it does not know
(``$ref``, ``format``, ``pattern``...) are not checked: the service is the authority on those,
and an argument is only refused for a reason this module can state.

``closed=True`` treats objects with ``properties`` and no ``additionalProperties`` as closed: a
Python function cannot take an argument it does not declare.
"""

from __future__ import annotations

from typing import Any

__all__ = ["matches", "problems"]

_MAX_PROBLEMS = 8


def _type_ok(value: object, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "array":
        return isinstance(value, list | tuple)
    if kind == "object":
        return isinstance(value, dict)
    return True  # an unknown type name is not ours to refuse


def _json_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _where(path: str) -> str:
    return path or "arguments"


def _check(value: Any, schema: dict[str, Any], path: str, closed: bool, out: list[str]) -> None:
    if len(out) >= _MAX_PROBLEMS or not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_type_ok(value, k) for k in kinds):
            wanted = " or ".join(str(k) for k in kinds)
            out.append(f"{_where(path)}: expected {wanted}, got {_json_name(value)}")
            return
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"])
        out.append(f"{_where(path)}: {value!r} is not one of {allowed}")
        return
    if "const" in schema and value != schema["const"]:
        out.append(f"{_where(path)}: must be {schema['const']!r}")
        return
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if (
            isinstance(branches, list)
            and branches
            and not any(matches(value, b, closed=closed) for b in branches)
        ):
            out.append(f"{_where(path)}: {_json_name(value)} matches none of the allowed forms")
            return
    for branch in schema.get("allOf") or ():
        _check(value, branch, path, closed, out)
    if isinstance(value, dict):
        _check_object(value, schema, path, closed, out)
    elif isinstance(value, list | tuple):
        _check_array(value, schema, path, closed, out)
    elif isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            out.append(f"{_where(path)}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{_where(path)}: longer than {schema['maxLength']} characters")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{_where(path)}: {value} is less than {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{_where(path)}: {value} is greater than {schema['maximum']}")


def _check_object(
    value: dict[str, Any], schema: dict[str, Any], path: str, closed: bool, out: list[str]
) -> None:
    properties: dict[str, Any] = schema.get("properties") or {}
    prefix = f"{path}." if path else ""
    for name in schema.get("required") or ():
        if name not in value:
            out.append(f"missing required argument {prefix + name!r}")
    extra = schema.get("additionalProperties", not (closed and properties))
    for name, item in value.items():
        if name in properties:
            _check(item, properties[name], f"{prefix}{name}", closed, out)
        elif extra is False:
            known = ", ".join(repr(p) for p in properties) or "none"
            out.append(f"unexpected argument {prefix + name!r} (expected: {known})")
        elif isinstance(extra, dict):
            _check(item, extra, f"{prefix}{name}", closed, out)


def _check_array(
    value: list[Any] | tuple[Any, ...],
    schema: dict[str, Any],
    path: str,
    closed: bool,
    out: list[str],
) -> None:
    if len(value) < schema.get("minItems", 0):
        out.append(f"{_where(path)}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        out.append(f"{_where(path)}: more than {schema['maxItems']} items")
    items = schema.get("items")
    if isinstance(items, dict):
        for i, item in enumerate(value):
            _check(item, items, f"{path}[{i}]", closed, out)


def problems(value: Any, schema: dict[str, Any] | None, *, closed: bool = False) -> list[str]:
    """What is wrong with ``value`` for ``schema`` (empty: nothing found), at most 8 items."""
    out: list[str] = []
    if schema:
        _check(value, schema, "", closed, out)
    return out


def matches(value: Any, schema: dict[str, Any], *, closed: bool = False) -> bool:
    """Whether ``value`` passes ``schema``."""
    out: list[str] = []
    _check(value, schema, "", closed, out)
    return not out
