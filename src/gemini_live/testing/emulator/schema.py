"""Shared schema checks for client payloads: known field names, enums, Content and Tool parsing.

Part keys and Tool kinds are not checked against a list (clients add new ones faster than this
emulator can follow, and rejecting them would break real clients); function declarations are.

All inputs are already :func:`~.wire.normalize`-d (camelCase keys). Field paths in rejection
reasons are rendered the way the service renders them: proto (snake_case) paths such as
``'setup.generation_config'`` or ``'tool_response.function_responses[0]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .wire import INVALID_ARGUMENT, Reject, parse_bool, to_snake

__all__ = [
    "FunctionDecl",
    "ToolSet",
    "check_enum",
    "check_keys",
    "content_text",
    "parse_tools",
    "require_dict",
    "require_list",
]

FUNCTION_DECL_KEYS = frozenset(
    {
        "name",
        "description",
        "parameters",
        "parametersJsonSchema",
        "response",
        "responseJsonSchema",
        "behavior",
    }
)
BEHAVIORS = ("UNSPECIFIED", "BLOCKING", "NON_BLOCKING")
CONTENT_KEYS = frozenset({"role", "parts"})


@dataclass(frozen=True, slots=True)
class FunctionDecl:
    """A declared function: its name and its declared ``behavior`` (None when unspecified)."""

    name: str
    behavior: str | None = None


@dataclass(frozen=True, slots=True)
class ToolSet:
    """The tools of a session: declared functions and the names of the other tool kinds."""

    functions: tuple[FunctionDecl, ...] = ()
    others: tuple[str, ...] = ()

    def find(self, name: str) -> FunctionDecl | None:
        """The declaration named ``name``, if declared."""
        for decl in self.functions:
            if decl.name == name:
                return decl
        return None

    @property
    def names(self) -> tuple[str, ...]:
        """Declared function names, in declaration order."""
        return tuple(d.name for d in self.functions)


def _render(path: str) -> str:
    return ".".join(to_snake(p) for p in path.split("."))


def check_keys(obj: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
    """Reject (1007) the first key of ``obj`` that is not in ``allowed``."""
    allowed_set = allowed if isinstance(allowed, frozenset | set) else frozenset(allowed)
    for key in obj:
        if key not in allowed_set:
            raise Reject(
                1007,
                f'Invalid JSON payload received. Unknown name "{to_snake(key)}" at '
                f"'{_render(path)}': Cannot find field.",
            )


def require_dict(value: Any, path: str) -> dict[str, Any]:
    """``value`` must be a JSON object."""
    if not isinstance(value, dict):
        raise Reject(
            1007, f"Invalid value at '{_render(path)}': expected an object, got {_kind(value)}."
        )
    return value


def require_list(value: Any, path: str) -> list[Any]:
    """``value`` must be a JSON array."""
    if not isinstance(value, list):
        raise Reject(
            1007, f"Invalid value at '{_render(path)}': expected a list, got {_kind(value)}."
        )
    return value


def require_str(value: Any, path: str) -> str:
    """``value`` must be a JSON string."""
    if not isinstance(value, str):
        raise Reject(1007, f"Invalid value at '{_render(path)}' (TYPE_STRING), {value!r}")
    return value


def _kind(value: Any) -> str:
    return type(value).__name__


def check_enum(value: Any, allowed: Iterable[str], path: str) -> str:
    """``value`` must be one of the enum names ``allowed``."""
    if not isinstance(value, str) or value not in tuple(allowed):
        raise Reject(1007, f"Invalid value at '{_render(path)}' (TYPE_ENUM), {value!r}")
    return value


def content_parts(content: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
    """Validate a ``Content`` object's keys and parts; returns the parts."""
    check_keys(content, CONTENT_KEYS, path)
    if "role" in content:
        require_str(content["role"], f"{path}.role")
    parts = require_list(content.get("parts", []), f"{path}.parts")
    out: list[dict[str, Any]] = []
    for i, part in enumerate(parts):
        part_path = f"{path}.parts[{i}]"
        part = require_dict(part, part_path)
        if "text" in part:
            require_str(part["text"], f"{part_path}.text")
        if "thought" in part:
            parse_bool(part["thought"], path=_render(f"{part_path}.thought"))
        out.append(part)
    return out


def content_text(content: Mapping[str, Any], path: str, *, sep: str = "\n") -> str:
    """The text of a validated ``Content``: its text parts joined with ``sep``."""
    parts = content_parts(content, path)
    return sep.join(p["text"] for p in parts if isinstance(p.get("text"), str))


def parse_tools(value: Any, path: str) -> ToolSet:
    """Validate a ``Tool[]`` list and collect declared functions and other tool kinds."""
    tools = require_list(value, path)
    functions: list[FunctionDecl] = []
    others: list[str] = []
    for i, tool in enumerate(tools):
        tool_path = f"{path}[{i}]"
        tool = require_dict(tool, tool_path)
        for kind, body in tool.items():
            if kind != "functionDeclarations":
                others.append(kind)
                continue
            decls = require_list(body, f"{tool_path}.functionDeclarations")
            for j, decl in enumerate(decls):
                decl_path = f"{tool_path}.functionDeclarations[{j}]"
                decl = require_dict(decl, decl_path)
                check_keys(decl, FUNCTION_DECL_KEYS, decl_path)
                name = decl.get("name")
                if not isinstance(name, str) or not name:
                    raise Reject(1007, f"{INVALID_ARGUMENT} A function declaration needs a name.")
                behavior = decl.get("behavior")
                if behavior is not None:
                    check_enum(behavior, BEHAVIORS, f"{decl_path}.behavior")
                    if behavior == "UNSPECIFIED":
                        behavior = None
                functions.append(FunctionDecl(name=name, behavior=behavior))
    return ToolSet(functions=tuple(functions), others=tuple(others))
