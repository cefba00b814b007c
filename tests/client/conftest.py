"""Transport test fixtures: real peers on 127.0.0.1 (a websockets server, and a raw TCP server
for behaviour a well-behaved server never shows: hanging upgrades, ignored pings)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.utils import accept_key

from gemini_live.client.transport import CloseInfo

RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class RecordingSink:
    """A FrameSink that records everything and lets a test wait for it (always bounded)."""

    def __init__(self) -> None:
        self.frames: list[str | bytes] = []
        self.losses: list[CloseInfo] = []
        self.events: list[str] = []  # "frame"/"lost", to check ordering
        self._changed = asyncio.Event()

    def frame_received(self, data: str | bytes) -> None:
        self.frames.append(data)
        self.events.append("frame")
        self._changed.set()

    def connection_lost(self, info: CloseInfo) -> None:
        self.losses.append(info)
        self.events.append("lost")
        self._changed.set()

    async def wait_frames(self, count: int, limit: float = 1.0) -> list[str | bytes]:
        async with asyncio.timeout(limit):
            while len(self.frames) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.frames[:count]

    async def wait_lost(self, limit: float = 1.0) -> CloseInfo:
        async with asyncio.timeout(limit):
            while not self.losses:
                self._changed.clear()
                await self._changed.wait()
        return self.losses[0]


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def make_sink() -> Callable[[], RecordingSink]:
    return RecordingSink


@pytest.fixture
async def ws_server() -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """Start a websockets server: ``url = await ws_server(handler, **serve_kwargs)``."""
    servers: list[Server] = []

    async def start(handler: Callable[[ServerConnection], Awaitable[None]], **kwargs: Any) -> str:
        # A short close_timeout: a server that stopped reading must not hold the teardown.
        kwargs.setdefault("close_timeout", 0.5)
        server = await serve(handler, "127.0.0.1", 0, **kwargs)
        servers.append(server)
        port = next(iter(server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/ws/test"

    yield start
    for server in servers:
        server.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await server.wait_closed()


class RawServers:
    """Raw TCP peers. Each ``start`` returns a ws:// URL; connections are closed at teardown."""

    def __init__(self) -> None:
        self._servers: list[asyncio.Server] = []
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: list[asyncio.Task[Any]] = []

    async def start(self, handler: RawHandler) -> str:
        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._writers.append(writer)
            task = asyncio.current_task()
            assert task is not None
            self._handlers.append(task)
            with contextlib.suppress(ConnectionError):
                await handler(reader, writer)

        server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        self._servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/ws/test"

    @staticmethod
    async def upgrade(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer the HTTP upgrade correctly (and nothing else)."""
        request = await reader.readuntil(b"\r\n\r\n")
        key = ""
        for line in request.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                key = value.strip()
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n".encode()
        )

    @staticmethod
    async def discard(reader: asyncio.StreamReader) -> None:
        while await reader.read(65536):
            pass

    async def hang(self) -> str:
        """Accept TCP, read everything, never answer the upgrade."""
        return await self.start(lambda reader, _writer: self.discard(reader))

    async def upgrade_then_ignore(self) -> str:
        """Complete the upgrade, then read and ignore everything (pings, close frames)."""

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self.upgrade(reader, writer)
            await self.discard(reader)

        return await self.start(handler)

    async def close(self) -> None:
        for writer in self._writers:
            writer.transport.abort()
        # Let the handlers see the abort and finish, rather than being cancelled at loop close.
        pending = [task for task in self._handlers if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=1)
        for server in self._servers:
            server.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1):
                    await server.wait_closed()


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServers]:
    servers = RawServers()
    yield servers
    await servers.close()


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (needs the openssl CLI)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl CLI not available")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=10,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
