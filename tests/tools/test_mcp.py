"""MCP servers through the same runner: a real server (tests/tools/mcp_server.py, written with
the mcp package's server API) over stdio, and over streamable HTTP."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import pytest

from gemini_live.tools import Toolbox, ToolCallCancelled, ToolEvent
from tests.lazy import require
from tests.tools.feed import wait_for
from tests.tools.live import config, connected, turn_text

require("mcp")  # without importing it: Toolbox.from_mcp imports it when a test runs

SERVER = str(Path(__file__).with_name("mcp_server.py"))
MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"


async def test_stdio_server_tools_declared_and_run_through_the_runner() -> None:
    seen: list[ToolEvent] = []
    async with Toolbox.from_mcp([sys.executable, SERVER], deadline=5.0) as tools:
        assert [t.name for t in tools] == ["add", "forecast", "shout", "fail", "slow.wait"]
        (declared,) = tools.declarations()
        add = declared.function_declarations[0]
        assert add.description == "Add two integers."
        assert add.parameters_json_schema is not None
        assert add.parameters_json_schema["required"] == ["a", "b"]
        assert add.parameters_json_schema["properties"]["a"]["type"] == "integer"

        async with connected(MODEL, config(tools, resumption=False)) as (_, session):
            events = session.events()
            async with tools.serve(session, on_event=seen.append) as runner:
                await session.send_text('call add {"a": 2, "b": 3}')
                assert await turn_text(events, limit=10) == 'Result of add: {"result":5}'
                await session.send_text('call forecast {"city": "Oslo"}')
                assert await turn_text(events, limit=10) == (
                    'Result of forecast: {"city":"Oslo","days":1,"sky":"clear"}'
                )
                await session.send_text('call fail {"why": "testing"}')
                spoken = await turn_text(events, limit=10)
                assert spoken.startswith('Error from fail: {"message":')
                assert '"type":"ToolError"' in spoken
                await session.send_text('call add {"a": 2}')  # checked before the server
                assert await turn_text(events, limit=10) == (
                    'Error from add: {"message":"missing required argument \'b\'",'
                    '"type":"InvalidArguments"}'
                )
                # A remote call the service cancels: no answer goes out.
                await session.send_text('call slow.wait {"seconds": 5}')
                await wait_for(lambda: runner.statistics().running == 1, limit=5.0)
                await session.send_client_content([{"role": "user", "parts": [{"text": "x"}]}])
                assert await turn_text(events, limit=10) == ""  # interrupted
                assert await turn_text(events, limit=10) == "Echo: x"
                stats = runner.statistics()
    assert (stats.succeeded, stats.failed, stats.rejected, stats.cancelled) == (2, 1, 1, 1)
    assert [e.reason for e in seen if isinstance(e, ToolCallCancelled)] == ["service"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_streamable_http_server() -> None:
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        SERVER,
        "http",
        str(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(30):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                break
        url = f"http://127.0.0.1:{port}/mcp"
        async with Toolbox.from_mcp(url=url, headers={"X-Test": "1"}, prefix="srv_") as tools:
            assert "srv_slow.wait" in tools and "srv_add" in tools
            async with connected(MODEL, config(tools, resumption=False)) as (_, session):
                events = session.events()
                async with tools.serve(session):
                    await session.send_text('call srv_shout {"text": "over http"}')
                    assert (
                        await turn_text(events, limit=10)
                        == 'Result of srv_shout: {"result":"OVER HTTP"}'
                    )
    finally:
        proc.terminate()
        async with asyncio.timeout(10):
            await proc.wait()


async def test_from_mcp_argument_errors() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        async with Toolbox.from_mcp():
            pass
    with pytest.raises(ValueError, match="exactly one"):
        async with Toolbox.from_mcp("x", url="http://127.0.0.1:1/mcp"):
            pass
