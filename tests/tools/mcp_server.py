"""A small MCP server for the tests, written with the ``mcp`` package's own server API.

Run as ``python mcp_server.py`` (stdio) or ``python mcp_server.py http PORT`` (streamable HTTP).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

try:  # mcp 2.x
    from mcp.server.mcpserver import MCPServer as Server
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as Server  # type: ignore[no-redef]

__all__ = ["server"]

server: Any = Server("gemini-live-test")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def forecast(city: str, days: int = 1) -> dict[str, Any]:
    """Weather forecast for a city."""
    return {"city": city, "days": days, "sky": "clear"}


@server.tool()
def shout(text: str) -> str:
    """Upper-case some text."""
    return text.upper()


@server.tool()
def fail(why: str) -> str:
    """Always fails."""
    raise ValueError(f"failed because {why}")


@server.tool(name="slow.wait")
async def slow_wait(seconds: float) -> str:
    """Sleeps, then answers (its name has a dot, which Live accepts)."""
    await asyncio.sleep(seconds)
    return "woke up"


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        port = int(sys.argv[2])
        try:
            server.run("streamable-http", host="127.0.0.1", port=port)
        except TypeError:  # mcp 1.x takes host and port from its settings
            server.settings.host, server.settings.port = "127.0.0.1", port
            server.run("streamable-http")
    else:
        server.run()
