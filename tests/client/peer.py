"""A small scriptable WebSocket peer for session tests (real sockets on 127.0.0.1).

It plays the service just enough to test the client's own machinery, including hostile
behaviour the emulator would not produce on purpose: never answering setup, garbage frames,
stalling.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


@dataclass
class Peer:
    """``setup_reply``: "complete", "never", "garbage_then_complete" or ("close", code, reason)."""

    setup_reply: Any = "complete"
    after_setup: list[dict[str, Any]] = field(default_factory=list)  # sent with setupComplete
    received: list[dict[str, Any]] = field(default_factory=list)
    raw_received: list[str] = field(default_factory=list)
    connections: list[ServerConnection] = field(default_factory=list)
    stall: asyncio.Event = field(default_factory=asyncio.Event)  # set = stop reading
    got_message: asyncio.Event = field(default_factory=asyncio.Event)
    _server: Server | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"ws://{host}:{port}"

    @property
    def ws(self) -> ServerConnection:
        return self.connections[-1]

    async def __aenter__(self) -> Peer:
        self._server = await serve(self._handle, "127.0.0.1", 0, max_size=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections.append(ws)
        setup = json.loads(await ws.recv())
        self.received.append(setup)
        reply = self.setup_reply
        if reply == "never":
            await ws.wait_closed()
            return
        if isinstance(reply, tuple) and reply[0] == "close":
            await ws.close(reply[1], reply[2])
            return
        if reply == "garbage_then_complete":
            await ws.send("this is not json {")
        await ws.send(json.dumps({"setupComplete": {"sessionId": "peer-1"}}))
        for frame in self.after_setup:
            await ws.send(json.dumps(frame))
        try:
            while True:
                if self.stall.is_set():
                    await asyncio.sleep(0.01)
                    continue
                raw = await ws.recv()
                assert isinstance(raw, str)
                self.raw_received.append(raw)
                self.received.append(json.loads(raw))
                self.got_message.set()
        except Exception:
            return

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def wait_for_messages(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` messages after setup have arrived; return them."""
        async with asyncio.timeout(timeout):
            while len(self.received) - 1 < count:
                self.got_message.clear()
                await self.got_message.wait()
        return self.received[1:]
