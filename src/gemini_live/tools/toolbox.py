"""The Toolbox: the functions a session offers the model, and the runner that answers them."""

from __future__ import annotations

import re
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from typing import Any, TypeVar, overload

from gemini_live.protocol.config import Platform
from gemini_live.protocol.events import Event
from gemini_live.protocol.types import Tool
from gemini_live.tools.function import (
    BehaviorName,
    SchedulingName,
    SchemaForm,
    ToolFunction,
    make_function,
)
from gemini_live.tools.observe import ToolEvent
from gemini_live.tools.runner import ToolRunner
from gemini_live.tools.sending import ResponseWriter

__all__ = ["Toolbox"]

_F = TypeVar("_F", bound=Callable[..., Any])
_GEMINI_3 = re.compile(r"gemini-3\.(\d+)")


def _check_behaviors(model: str, tools: Iterable[ToolFunction]) -> None:
    found = _GEMINI_3.search(model)
    if found is None:
        return
    if "extended-thinking" in model:
        refused, why = "BLOCKING", "runs tools asynchronously only"
    elif int(found.group(1)) < 8:
        refused, why = "NON_BLOCKING", "runs tools synchronously only"
    else:
        return
    names = sorted(t.name for t in tools if t.behavior == refused)
    if names:
        raise ValueError(f"{model} {why}: tool(s) {names} are declared {refused}")


class Toolbox:
    """Functions the model may call, declared from their code, and run by :meth:`serve`.

    ``deadline`` (seconds, None: no limit) is the default time a call may take, waiting for a
    free slot included; ``max_concurrent`` bounds calls running at once; ``max_threads`` the
    thread pool running plain (non-async) functions. ``expose_error_messages=False`` answers
    failures with the exception's type only (:class:`~gemini_live.tools.ToolError` messages are
    always sent: they are written for the model). ``schema_form`` picks the declaration form:
    ``parametersJsonSchema`` (default) or the OpenAPI-style ``parameters``.
    """

    def __init__(
        self,
        *,
        deadline: float | None = 30.0,
        max_concurrent: int = 32,
        max_threads: int = 8,
        expose_error_messages: bool = True,
        schema_form: SchemaForm = "json_schema",
    ) -> None:
        if deadline is not None and not deadline > 0:
            raise ValueError(
                f"deadline must be a positive number of seconds or None; got {deadline!r}"
            )
        if max_concurrent < 1 or max_threads < 1:
            raise ValueError("max_concurrent and max_threads must be >= 1")
        if schema_form not in ("json_schema", "openapi"):
            raise ValueError(f"schema_form must be 'json_schema' or 'openapi'; got {schema_form!r}")
        self.deadline = deadline
        self.max_concurrent = max_concurrent
        self.max_threads = max_threads
        self.expose_error_messages = expose_error_messages
        self.schema_form: SchemaForm = schema_form
        self._tools: dict[str, ToolFunction] = {}

    # ------------------------------------------------------------------ defining

    @overload
    def function(self, fn: _F, /) -> _F: ...

    @overload
    def function(
        self,
        *,
        name: str | None = None,
        description: str | None = None,
        parameters: dict[str, Any] | None = None,
        param_descriptions: Mapping[str, str] | None = None,
        behavior: BehaviorName | None = None,
        scheduling: SchedulingName | None = None,
        deadline: float | None = None,
    ) -> Callable[[_F], _F]: ...

    def function(self, fn: Any = None, /, **options: Any) -> Any:  # type: ignore[misc]
        """Decorator: offer ``fn`` to the model. Returns ``fn`` unchanged.

        ``@tools.function`` or ``@tools.function(name=..., behavior="NON_BLOCKING", ...)``; see
        :meth:`add` for the options.
        """

        def register(target: _F) -> _F:
            self.add(target, **options)
            return target

        return register if fn is None else register(fn)

    def add(
        self,
        fn: Callable[..., Any] | ToolFunction,
        *,
        name: str | None = None,
        description: str | None = None,
        parameters: dict[str, Any] | None = None,
        param_descriptions: Mapping[str, str] | None = None,
        behavior: BehaviorName | None = None,
        scheduling: SchedulingName | None = None,
        deadline: float | None = None,
    ) -> ToolFunction:
        """Offer ``fn`` (sync, async or async generator) to the model.

        The declaration comes from the signature, type hints and docstring; ``name``,
        ``description``, ``parameters`` (a JSON Schema replacing the generated one) and
        ``param_descriptions`` override it. ``behavior`` is ``"BLOCKING"``, ``"NON_BLOCKING"``
        or None (the model's default; async generators are always NON_BLOCKING);
        ``scheduling`` (``"INTERRUPT"``, ``"WHEN_IDLE"``, ``"SILENT"``) is sent with this tool's
        results; ``deadline`` overrides the toolbox's. Raises ``TypeError`` for what cannot be
        declared, ``ValueError`` for a bad option or a name already used.
        """
        tool = (
            fn
            if isinstance(fn, ToolFunction)
            else make_function(
                fn,
                name=name,
                description=description,
                parameters=parameters,
                param_descriptions=param_descriptions,
                behavior=behavior,
                scheduling=scheduling,
                deadline=deadline,
            )
        )
        if tool.name in self._tools:
            raise ValueError(f"a tool named {tool.name!r} is already in this toolbox")
        self._tools[tool.name] = tool
        return tool

    def include(self, other: Toolbox) -> None:
        """Add every tool of ``other`` (for example an MCP server's) to this toolbox."""
        clash = sorted(set(self._tools) & set(other._names()))
        if clash:
            raise ValueError(f"tool name(s) {clash} are in both toolboxes")
        for tool in other:
            self._tools[tool.name] = tool

    def _names(self) -> list[str]:
        return list(self._tools)

    def remove(self, name: str) -> None:
        """Stop offering ``name`` (``KeyError`` if absent). A running runner sees it at once."""
        del self._tools[name]

    def get(self, name: str) -> ToolFunction | None:
        """The tool registered as ``name``, or ``None`` (``toolbox[name]`` raises ``KeyError``)."""
        return self._tools.get(name)

    def __getitem__(self, name: str) -> ToolFunction:
        return self._tools[name]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[ToolFunction]:
        return iter(list(self._tools.values()))

    def __len__(self) -> int:
        return len(self._tools)

    def __repr__(self) -> str:
        return f"Toolbox({', '.join(self._tools) or 'empty'})"

    def declarations(
        self, *, form: SchemaForm | None = None, model: str | None = None
    ) -> tuple[Tool, ...]:
        """The tools for ``LiveConfig(tools=...)`` (or ``session.update_tools``): one ``Tool``
        holding every function declaration, or ``()`` when the toolbox is empty.

        With ``model``, behaviours that model is known to refuse raise ``ValueError`` here
        instead of failing the session: 3.x models before 3.8 run tools synchronously only
        (no ``NON_BLOCKING``, so no streaming tools), 3.8 extended thinking asynchronously only
        (no ``BLOCKING``).
        """
        if model is not None:
            _check_behaviors(model, self._tools.values())
        if not self._tools:
            return ()
        chosen = form or self.schema_form
        return (
            Tool(function_declarations=tuple(t.declaration(chosen) for t in self._tools.values())),
        )

    # ------------------------------------------------------------------ running

    def serve(
        self,
        session: Any = None,
        *,
        events: AsyncIterable[Event] | None = None,
        writer: ResponseWriter | None = None,
        platform: Platform | None = None,
        on_event: Callable[[ToolEvent], None] | None = None,
        shutdown_timeout: float = 5.0,
        answer_on_exit: bool = True,
    ) -> ToolRunner:
        """Answer the session's function calls until the ``async with`` block ends.

        ``session`` is a :class:`~gemini_live.Session` (events from a new ``session.events()``
        subscription, taken right here so nothing is missed, answers through the session);
        ``events``/``writer`` replace either side (any event stream, any
        :class:`~gemini_live.SessionWriter` such as a ``RecordingWriter``). ``platform``
        (default: the session's) decides whether ``scheduling``/``willContinue`` may be sent.
        ``on_event`` receives a :mod:`~gemini_live.tools.observe` event per call outcome. Leaving
        the block cancels running calls (answered with a ``Cancelled`` error unless
        ``answer_on_exit=False``) and waits for them at most ``shutdown_timeout`` seconds.
        """
        if events is None:
            if session is None or not callable(getattr(session, "events", None)):
                raise TypeError("serve() needs a session (with events()) or events=")
            events = session.events()
        if writer is None:
            if session is None or not callable(getattr(session, "send_tool_response", None)):
                raise TypeError("serve() needs a session (a SessionWriter) or writer=")
            writer = session
        if platform is None and session is not None:
            found = getattr(session, "platform", None)
            platform = found if isinstance(found, Platform) else None
        notify = getattr(session, "notify_tool_execution_started", None) if session else None
        return ToolRunner(
            self.get,
            events,
            writer,
            platform=platform,
            default_deadline=self.deadline,
            max_concurrent=self.max_concurrent,
            max_threads=self.max_threads,
            expose_error_messages=self.expose_error_messages,
            on_event=on_event,
            shutdown_timeout=shutdown_timeout,
            answer_on_exit=answer_on_exit,
            on_execution_started=notify if callable(notify) else None,
        )

    # ------------------------------------------------------------------ MCP

    @staticmethod
    @asynccontextmanager
    async def from_mcp(
        command: str | Sequence[str] | None = None,
        *,
        url: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        headers: Mapping[str, str] | None = None,
        prefix: str = "",
        behavior: BehaviorName | None = None,
        deadline: float | None = 30.0,
        connect_timeout: float = 30.0,
    ) -> AsyncIterator[Toolbox]:
        """A toolbox exposing the tools of an MCP server, connected for the ``async with`` block.

        ``command`` (``"server"`` or ``["python", "server.py"]``) starts a server over stdio;
        ``url`` connects over streamable HTTP (``headers`` e.g. for authorization). ``prefix``
        is put before every tool name; ``behavior`` and ``deadline`` apply to every tool. Needs
        the ``mcp`` extra (``pip install 'gemini-live[mcp]'``); see :mod:`gemini_live.tools.mcp`.
        Enter and leave it in the same task.
        """
        from gemini_live.tools.mcp import open_mcp_tools  # the extra is imported only here

        async with open_mcp_tools(
            command,
            url=url,
            env=env,
            cwd=cwd,
            headers=headers,
            prefix=prefix,
            behavior=behavior,
            connect_timeout=connect_timeout,
        ) as found:
            box = Toolbox(deadline=deadline)
            for tool in found:
                box.add(tool)
            yield box
