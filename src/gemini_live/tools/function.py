"""One tool: a Python callable (or a remote one, e.g. MCP) with its declaration and options.

:func:`make_function` reads the callable's signature, type hints and docstring once, at
definition time, and refuses anything it could not declare or call with a ``TypeError`` (or a
``ValueError`` for a bad option value) naming the function and the parameter.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from gemini_live.protocol.types import FunctionDeclaration
from gemini_live.tools.docstrings import parse_docstring
from gemini_live.tools.schema import Converter, object_schema, to_openapi, translate

__all__ = [
    "BehaviorName",
    "Kind",
    "SchedulingName",
    "SchemaForm",
    "ToolError",
    "ToolFunction",
    "ToolResult",
    "make_function",
    "make_remote",
]

BehaviorName = Literal["BLOCKING", "NON_BLOCKING"]
SchedulingName = Literal["INTERRUPT", "WHEN_IDLE", "SILENT"]
SchemaForm = Literal["json_schema", "openapi"]
Kind = Literal["async", "sync", "stream", "remote"]

_BEHAVIORS = ("BLOCKING", "NON_BLOCKING")
_SCHEDULINGS = ("INTERRUPT", "WHEN_IDLE", "SILENT")
# The service's rule for function names: a letter or underscore, then letters, digits,
# underscores, dots, colons or dashes; 128 characters at most.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:\-]{0,127}$")


class ToolError(Exception):
    """Raise it from a tool to answer the model with this message as the error (the message is
    meant for the model: say what went wrong and what to try instead)."""


@dataclass(frozen=True, slots=True)
class ToolResult:
    """Return (or yield) this instead of a bare value to choose the ``scheduling`` of this one
    result (NON_BLOCKING tools only; ignored on Vertex, which refuses the field)."""

    output: Any = None
    scheduling: SchedulingName | None = None

    def __post_init__(self) -> None:
        _check_scheduling(self.scheduling, "ToolResult.scheduling")


def _check_scheduling(value: object, where: str) -> None:
    if value is not None and value not in _SCHEDULINGS:
        hint = " (did you mean 'INTERRUPT'?)" if value == "INTERRUPTED" else ""
        raise ValueError(
            f"{where} must be one of {', '.join(_SCHEDULINGS)} or None; got {value!r}{hint}"
        )


@dataclass(frozen=True, slots=True, eq=False)
class ToolFunction:
    """A tool the runner can call. ``parameters`` is the JSON Schema of the arguments (None: the
    function takes none); ``invoke`` is what the runner calls with the converted arguments."""

    name: str
    description: str | None
    parameters: dict[str, Any] | None
    behavior: BehaviorName | None
    scheduling: SchedulingName | None
    deadline: float | None  # None: the toolbox's default
    kind: Kind
    invoke: Callable[..., Any]
    converters: Mapping[str, Converter] | None = None
    closed: bool = True  # unknown arguments are refused (a Python signature cannot take them)

    def declaration(self, form: SchemaForm = "json_schema") -> FunctionDeclaration:
        """This tool as a ``FunctionDeclaration`` (``parametersJsonSchema`` or ``parameters``)."""
        schema = self.parameters
        if form == "openapi":
            return FunctionDeclaration(
                name=self.name,
                description=self.description,
                parameters=to_openapi(schema) if schema is not None else None,
                behavior=self.behavior,
            )
        return FunctionDeclaration(
            name=self.name,
            description=self.description,
            parameters_json_schema=schema,
            behavior=self.behavior,
        )


def _check_options(
    where: str,
    name: str,
    behavior: object,
    scheduling: object,
    deadline: object,
) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"{where}: {name!r} is not a valid function name (a letter or underscore, then "
            "letters, digits, '_', '.', ':' or '-'; at most 128 characters)"
        )
    if behavior is not None and behavior not in _BEHAVIORS:
        raise ValueError(
            f"{where}: behavior must be 'BLOCKING', 'NON_BLOCKING' or None; got {behavior!r}"
        )
    _check_scheduling(scheduling, f"{where}: scheduling")
    if scheduling is not None and behavior == "BLOCKING":
        raise ValueError(f"{where}: scheduling applies to NON_BLOCKING tools only")
    if deadline is not None and (
        isinstance(deadline, bool)
        or not isinstance(deadline, int | float)
        or not deadline > 0
        or math.isnan(deadline)
    ):
        raise ValueError(
            f"{where}: deadline must be a positive number of seconds or None; got {deadline!r}"
        )


def _kind(fn: Callable[..., Any], where: str) -> Kind:
    target = fn
    if not inspect.isfunction(fn) and not inspect.ismethod(fn) and callable(fn):
        call = type(fn).__call__
        if inspect.ismethod(call) or inspect.isfunction(call):
            target = call
    unwrapped = inspect.unwrap(target)
    if inspect.isasyncgenfunction(unwrapped):
        return "stream"
    if inspect.iscoroutinefunction(unwrapped) or inspect.iscoroutinefunction(target):
        return "async"
    if inspect.isgeneratorfunction(unwrapped):
        raise TypeError(f"{where}: a generator function cannot be a tool; use an async generator")
    return "sync"


def make_function(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    description: str | None = None,
    parameters: dict[str, Any] | None = None,
    param_descriptions: Mapping[str, str] | None = None,
    behavior: BehaviorName | None = None,
    scheduling: SchedulingName | None = None,
    deadline: float | None = None,
) -> ToolFunction:
    """Build the tool for ``fn``; explicit arguments override what is read from the code.

    ``parameters`` replaces the generated JSON Schema (arguments are then validated against it
    and passed as they are, without conversion).
    """
    if not callable(fn):
        raise TypeError(f"a tool must be callable; got {type(fn).__name__}")
    tool_name = name if name is not None else getattr(fn, "__name__", None)
    where = f"tool {tool_name!r}"
    _check_options(where, tool_name, behavior, scheduling, deadline)  # type: ignore[arg-type]
    assert isinstance(tool_name, str)
    kind = _kind(fn, where)
    if kind == "stream":
        if behavior == "BLOCKING":
            raise TypeError(
                f"{where}: an async generator streams partial results, which only NON_BLOCKING "
                "tools can do; return a single value or declare behavior='NON_BLOCKING'"
            )
        behavior = "NON_BLOCKING"
    doc = parse_docstring(inspect.getdoc(fn))
    try:
        signature = inspect.signature(fn, eval_str=True)
    except (NameError, TypeError, ValueError) as exc:
        raise TypeError(
            f"{where}: cannot read its signature ({exc}); with string annotations, every type "
            "must be importable from the function's module (not local to another function)"
        ) from None
    texts = {**doc.params, **(param_descriptions or {})}
    unknown = set(param_descriptions or ()) - set(signature.parameters)
    if unknown:
        raise ValueError(
            f"{where}: param_descriptions names unknown parameter(s) {sorted(unknown)}"
        )
    fields = []
    for param in signature.parameters.values():
        p_where = f"{where}, parameter {param.name!r}"
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"{p_where}: *args/**kwargs cannot be declared; name each parameter")
        if param.kind is param.POSITIONAL_ONLY:
            raise TypeError(f"{p_where}: positional-only parameters cannot be passed by name")
        if parameters is not None:
            continue
        if param.annotation is param.empty:
            raise TypeError(f"{p_where} has no type hint; the model needs to know its type")
        translated = translate(param.annotation, p_where)
        fields.append((param.name, translated, param.default is param.empty, texts.get(param.name)))
    converters: dict[str, Converter] | None = None
    if parameters is not None:
        if not isinstance(parameters, dict):
            raise TypeError(
                f"{where}: parameters must be a JSON Schema dict; got {type(parameters).__name__}"
            )
        schema: dict[str, Any] | None = parameters
        closed = False
    elif fields:
        schema, converters = object_schema(fields)
        closed = True
    else:
        schema, closed = None, True
    return ToolFunction(
        name=tool_name,
        description=description if description is not None else (doc.description or None),
        parameters=schema,
        behavior=behavior,
        scheduling=scheduling,
        deadline=deadline,
        kind=kind,
        invoke=fn,
        converters=converters or None,
        closed=closed,
    )


def make_remote(
    name: str,
    invoke: Callable[[dict[str, Any]], Awaitable[Any]],
    *,
    description: str | None,
    parameters: dict[str, Any] | None,
    behavior: BehaviorName | None = None,
    scheduling: SchedulingName | None = None,
    deadline: float | None = None,
) -> ToolFunction:
    """A tool run elsewhere (an MCP server...): ``invoke(arguments)`` returns the result."""
    where = f"tool {name!r}"
    _check_options(where, name, behavior, scheduling, deadline)
    return ToolFunction(
        name=name,
        description=description,
        parameters=parameters,
        behavior=behavior,
        scheduling=scheduling,
        deadline=deadline,
        kind="remote",
        invoke=invoke,
        closed=False,
    )
