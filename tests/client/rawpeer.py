"""A raw scripted WebSocket peer and a leftover-task check, for the session tests.

:class:`RawPeer` speaks just enough RFC 6455 on plain asyncio streams to play the service in ways
a server library never would: never answering pings, ignoring a close frame (so the TCP
connection stays up until the client drops it), or no longer reading at all. It logs what it
sees per connection (``connect``, ``setup``, ``message``, ``close_frame``, ``eof``), in order.

Also the small helpers those tests share (connecting; reading events with bounds comes from
:mod:`gemini_live.testing.streams`, re-exported here under the names the tests use).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from websockets.utils import accept_key, apply_mask

import gemini_live
from gemini_live import ApiKey, LiveConfig, SessionOptions
from gemini_live.client.session import Session
from gemini_live.protocol.config import SessionResumptionConfig
from gemini_live.testing.streams import drain, read_for, read_until

__all__ = [
    "KEY",
    "MODEL",
    "NO_RESUME",
    "RawPeer",
    "connect",
    "drain_events",
    "fill_socket",
    "leftover_tasks",
    "read_for",
    "read_until",
    "texts",
    "wait_no_leftover_tasks",
]

MODEL = "gemini-3.8-live"
KEY = "review-test-key"
NO_RESUME = LiveConfig(session_resumption=SessionResumptionConfig(enabled=False))

_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 127]) + n.to_bytes(8, "big")
    return head + payload


@dataclass
class RawPeer:
    """The one scripted peer of the client tests (``tests.client.peer.Peer`` is a view on it).

    Per-connection behaviour is read when it matters, so a test may change it in between.
    ``pong``: answer pings. ``answer_close``: echo a close frame and close TCP (else ignore it
    and keep reading). ``reading``: read at all after setup (False: a dead peer whose socket
    buffers fill up). ``setup_complete``: answer setup; ``setup_reply`` scripts how (complete,
    never, garbage first, or a close with code and reason) and ``after_setup`` what follows
    setupComplete at once. ``close()``/``abort()`` end a connection from the peer's side.
    """

    pong: bool = True
    answer_close: bool = True
    reading: bool = True
    setup_complete: bool = True
    # Scripted setup: "complete", "never", "garbage_then_complete" or ("close", code, reason);
    # ``after_setup`` frames go out right behind setupComplete (e.g. a greeting).
    setup_reply: Any = "complete"
    after_setup: list[dict[str, Any]] = field(default_factory=list)
    log: list[tuple[str, int]] = field(default_factory=list)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # Every text message of every connection, setups included, in arrival order.
    received: list[dict[str, Any]] = field(default_factory=list)
    raw_received: list[str] = field(default_factory=list)
    close_codes: dict[int, int | None] = field(default_factory=dict)  # code of the close frame
    _closing: set[int] = field(default_factory=set)  # connections we sent a close frame on
    _writers: dict[int, asyncio.StreamWriter] = field(default_factory=dict)
    _handlers: list[asyncio.Task[Any]] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}"

    @property
    def connections(self) -> int:
        return sum(1 for what, _ in self.log if what == "connect")

    async def __aenter__(self) -> RawPeer:
        self._server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self._writers.values():
            writer.transport.abort()
        pending = [task for task in self._handlers if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=2)
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await self._server.wait_closed()

    async def wait_for(self, what: str, number: int, timeout: float = 2.0) -> None:
        """Wait until ``(what, number)`` is in the log (bounded)."""
        async with asyncio.timeout(timeout):
            while (what, number) not in self.log:
                self._changed.clear()
                await self._changed.wait()

    async def wait_messages(self, number: int, count: int, timeout: float = 5.0) -> None:
        """Wait until connection ``number`` delivered ``count`` messages after setup."""
        async with asyncio.timeout(timeout):
            while self.log.count(("message", number)) < count:
                self._changed.clear()
                await self._changed.wait()

    async def send(self, number: int, message: dict[str, Any]) -> None:
        writer = self._writers[number]
        writer.write(_frame(_TEXT, json.dumps(message).encode()))
        await writer.drain()

    async def close(self, number: int, code: int, reason: str = "") -> None:
        """Send a close frame on connection ``number``; TCP closes once the client echoes it."""
        self._closing.add(number)
        writer = self._writers[number]
        writer.write(_frame(_CLOSE, code.to_bytes(2, "big") + reason.encode()))
        await writer.drain()

    def abort(self, number: int) -> None:
        """Drop connection ``number``'s TCP connection without a close frame."""
        self._writers[number].transport.abort()

    async def wait_messages_total(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` text messages (setups included) arrived on all connections."""
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self._changed.clear()
                await self._changed.wait()

    async def send_raw(self, number: int, opcode: int, payload: bytes) -> None:
        """Send one frame as is (e.g. a text frame whose payload is not UTF-8)."""
        writer = self._writers[number]
        writer.write(_frame(opcode, payload))
        await writer.drain()

    def _note(self, what: str, number: int) -> None:
        self.log.append((what, number))
        self._changed.set()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.append(task)
        number = len(self._writers) + 1
        self._writers[number] = writer
        self.messages[number] = []
        self._note("connect", number)
        try:
            await self._upgrade(reader, writer)
            await self._serve(number, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        self._note("eof", number)
        writer.transport.abort()

    @staticmethod
    async def _upgrade(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        key = ""
        for line in request.split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                key = value.strip()
        accept = accept_key(key)
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )

    async def _serve(
        self, number: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        setup_seen = False
        while True:
            if setup_seen and not self.reading:
                if writer.transport.is_closing():
                    return
                await asyncio.sleep(0.01)
                continue
            head = await reader.readexactly(2)
            opcode, size = head[0] & 0x0F, head[1] & 0x7F
            if size == 126:
                size = int.from_bytes(await reader.readexactly(2), "big")
            elif size == 127:
                size = int.from_bytes(await reader.readexactly(8), "big")
            mask = await reader.readexactly(4) if head[1] & 0x80 else b""
            data = await reader.readexactly(size)
            payload = apply_mask(data, mask) if mask else data
            if opcode == _TEXT:
                text = payload.decode()
                message = json.loads(text)
                self.received.append(message)
                self.raw_received.append(text)
                if not setup_seen:
                    setup_seen = True
                    self.messages[number].append(message)
                    self._note("setup", number)
                    await self._reply_to_setup(number, writer)
                else:
                    self.messages[number].append(message)
                    self._note("message", number)
            elif opcode == _PING and self.pong:
                writer.write(_frame(_PONG, payload))
            elif opcode == _CLOSE:
                self.close_codes[number] = int.from_bytes(payload[:2], "big") if payload else None
                self._note("close_frame", number)
                if number in self._closing:  # the echo of our own close: the handshake is done
                    writer.close()
                    return
                if self.answer_close:
                    writer.write(_frame(_CLOSE, payload[:2]))
                    writer.close()
                    return


    async def _reply_to_setup(self, number: int, writer: asyncio.StreamWriter) -> None:
        reply = self.setup_reply
        if not self.setup_complete or reply == "never":
            return
        if isinstance(reply, tuple) and reply[0] == "close":
            await self.close(number, reply[1], reply[2])
            return
        if reply == "garbage_then_complete":
            writer.write(_frame(_TEXT, b"this is not json {"))
        complete = {"setupComplete": {"sessionId": f"raw-{number}"}}
        for frame in (complete, *self.after_setup):
            writer.write(_frame(_TEXT, json.dumps(frame).encode()))


def leftover_tasks(before: set[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if not t.done() and t is not current} - before


async def wait_no_leftover_tasks(before: set[asyncio.Task[Any]], timeout: float = 1.0) -> None:
    """Assert that every task started since ``before`` was taken has finished (bounded wait:
    cancelled helper tasks need a loop iteration or two to complete)."""
    left = leftover_tasks(before)
    if left:
        await asyncio.wait(left, timeout=timeout)
    left = leftover_tasks(before)
    assert not left, f"tasks left behind: {left!r}"


def connect(url: str, config: LiveConfig | None = None, **options: Any) -> Any:
    opts = SessionOptions(**options) if options else None
    return gemini_live.connect(
        MODEL, credentials=ApiKey(KEY), base_url=url, config=config, options=opts
    )


drain_events = drain  # every event until the stream ends (bounded)


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["realtimeInput"]["text"] for m in messages if "text" in m.get("realtimeInput", {})]


def fill_socket(session: Session, chunk: bytes) -> int:
    """Write audio until a write leaves bytes in user space (the peer stopped reading and the
    kernel buffers are full at this instant); returns how many chunks went out. No await: the
    caller acts before the event loop can flush anything."""
    for sent in range(1, 200_000):
        session.send_audio_nowait(chunk)
        if session.statistics().write_buffer_size > 0:
            return sent
    raise AssertionError("the socket never backed up")
