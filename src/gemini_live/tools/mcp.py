"""MCP servers as Live tools, through the official ``mcp`` package (the ``[mcp]`` extra).

::

    async with Toolbox.from_mcp(["python", "my_server.py"]) as tools:        # stdio
        config = LiveConfig(tools=tools.declarations())
        async with gemini_live.connect(model, config=config) as session:
            async with tools.serve(session):
                ...

    async with Toolbox.from_mcp(url="http://127.0.0.1:8000/mcp") as tools:   # streamable HTTP
        ...

Each server tool becomes a tool of the returned toolbox: its ``inputSchema`` is declared as
``parametersJsonSchema``, arguments are checked against it, and the call goes to the server
(``tools/call``). The result's ``structuredContent`` is the output when the server gives one,
otherwise its text (one text block) or its content blocks; ``isError`` results become error
responses. Names the Live API would refuse are rewritten (invalid characters become ``_``).

The connection (and, for stdio, the server process) lives as long as the ``async with`` block;
enter and leave it in the same task. Written against the ``mcp`` 2.x client API, with the 1.x
spellings (``streamablehttp_client``, camelCase result fields) used when those are what is
installed.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from gemini_live.tools.function import BehaviorName, ToolError, ToolFunction, make_remote

__all__ = ["open_mcp_tools", "tool_result_value"]

_INVALID = re.compile(r"[^A-Za-z0-9_.:\-]")
_MAX_PAGES = 100


def _require_mcp() -> Any:
    try:
        return importlib.import_module("mcp")
    except ImportError:
        raise ImportError(
            "MCP support needs the 'mcp' package: pip install 'gemini-live[mcp]'"
        ) from None


def _field(obj: Any, snake: str, camel: str) -> Any:
    value = getattr(obj, snake, None)
    return getattr(obj, camel, None) if value is None else value


def tool_result_value(result: Any) -> Any:
    """The output of an MCP ``CallToolResult``; raises :class:`ToolError` for an error result."""
    blocks = list(getattr(result, "content", None) or ())
    texts = [b.text for b in blocks if getattr(b, "type", None) == "text"]
    if _field(result, "is_error", "isError"):
        raise ToolError(" ".join(texts) or "the MCP tool reported an error")
    structured = _field(result, "structured_content", "structuredContent")
    if structured is not None:
        return structured
    if len(blocks) == 1 and len(texts) == 1:
        return texts[0]
    return [
        {"type": "text", "text": b.text}
        if getattr(b, "type", None) == "text"
        else b.model_dump(mode="json", exclude_none=True, by_alias=True)
        for b in blocks
    ]


def _schema(tool: Any) -> dict[str, Any] | None:
    schema = _field(tool, "input_schema", "inputSchema")
    if not isinstance(schema, dict):
        return None
    schema = {k: v for k, v in schema.items() if k != "$schema"}
    if schema.get("type") == "object" and not schema.get("properties") and "required" not in schema:
        return None  # a tool without parameters
    return schema


async def _list_tools(session: Any, mcp: Any) -> list[Any]:
    tools: list[Any] = []
    result = await session.list_tools()
    for _ in range(_MAX_PAGES):
        tools.extend(result.tools)
        cursor = _field(result, "next_cursor", "nextCursor")
        if not cursor:
            break
        try:
            params = mcp.types.PaginatedRequestParams(cursor=cursor)
            result = await session.list_tools(params=params)
        except TypeError:  # mcp 1.x
            result = await session.list_tools(cursor=cursor)
    return tools


async def _open_streams(
    stack: AsyncExitStack,
    command: str | Sequence[str] | None,
    url: str | None,
    env: Mapping[str, str] | None,
    cwd: str | None,
    headers: Mapping[str, str] | None,
) -> tuple[Any, Any]:
    if command is not None:
        stdio = importlib.import_module("mcp.client.stdio")
        argv = [command] if isinstance(command, str) else list(command)
        if not argv:
            raise ValueError("from_mcp: command is empty")
        params = stdio.StdioServerParameters(
            command=argv[0], args=argv[1:], env=dict(env) if env else None, cwd=cwd
        )
        streams = await stack.enter_async_context(stdio.stdio_client(params))
        return streams[0], streams[1]
    http = importlib.import_module("mcp.client.streamable_http")
    if hasattr(http, "streamable_http_client"):
        client = None
        if headers:
            httpx_utils = importlib.import_module("mcp.shared._httpx_utils")
            client = httpx_utils.create_mcp_http_client(headers=dict(headers))
            await stack.enter_async_context(client)
        streams = await stack.enter_async_context(
            http.streamable_http_client(url, http_client=client)
        )
    else:  # mcp 1.x
        streams = await stack.enter_async_context(
            http.streamablehttp_client(url, headers=dict(headers) if headers else None)
        )
    return streams[0], streams[1]


def _live_name(name: str, prefix: str, taken: set[str]) -> str:
    base = _INVALID.sub("_", prefix + name)
    if not re.match(r"[A-Za-z_]", base):
        base = "_" + base
    base = base[:128]
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate, n = base[: 128 - len(suffix)] + suffix, n + 1
    return candidate


@asynccontextmanager
async def open_mcp_tools(
    command: str | Sequence[str] | None = None,
    *,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    headers: Mapping[str, str] | None = None,
    prefix: str = "",
    behavior: BehaviorName | None = None,
    deadline: float | None = None,
    connect_timeout: float = 30.0,
) -> AsyncIterator[list[ToolFunction]]:
    """Connect to an MCP server and yield its tools (see the module doc; ``Toolbox.from_mcp``
    puts them in a toolbox).

    Raises ``ImportError`` without the ``mcp`` extra, ``ValueError`` for a bad combination of
    arguments, ``TimeoutError`` when the server does not finish the handshake in
    ``connect_timeout`` seconds. Not safe to enter from one task and leave from another.
    """
    if (command is None) == (url is None):
        raise ValueError("from_mcp needs exactly one of command (stdio) or url (streamable HTTP)")
    mcp = _require_mcp()
    async with AsyncExitStack() as stack:
        read, write = await _open_streams(stack, command, url, env, cwd, headers)
        session = await stack.enter_async_context(mcp.ClientSession(read, write))
        async with asyncio.timeout(connect_timeout):
            await session.initialize()
            listed = await _list_tools(session, mcp)
        found: list[ToolFunction] = []
        taken: set[str] = set()
        for tool in listed:
            live_name = _live_name(tool.name, prefix, taken)
            taken.add(live_name)

            async def invoke(arguments: dict[str, Any], _remote: str = tool.name) -> Any:
                return tool_result_value(await session.call_tool(_remote, arguments))

            found.append(
                make_remote(
                    live_name,
                    invoke,
                    description=tool.description or None,
                    parameters=_schema(tool),
                    behavior=behavior,
                    deadline=deadline,
                )
            )
        yield found
