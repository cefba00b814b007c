"""The transport's own frame reader: every way the bytes of a stream can be split into reads.

The transport is driven through the ``asyncio.BufferedProtocol`` calls the event loop makes
(``get_buffer``/``buffer_updated``), with a stand-in asyncio transport that records writes, so
each split of the stream into reads is exact and repeatable. The same reader runs against real
sockets in ``test_transport.py`` and in every session test.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
from typing import Any

import pytest
from websockets.client import ClientProtocol
from websockets.uri import parse_uri

from gemini_live.client._ws_protocol import WebSocketTransport
from gemini_live.client._ws_reader import READ_SIZE, ReadBuffer
from gemini_live.client.transport import CloseInfo, TransportOptions

from .conftest import RecordingSink

OPTIONS = TransportOptions(ping_interval=None, close_timeout=0.5, max_frame_size=200_000)
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocket(asyncio.Transport):
    """Records what the WebSocket writes; never reads (the test feeds the protocol)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return self.closing

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        pass

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True


def frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bytes | None = None) -> bytes:
    first = (0x80 if fin else 0) | opcode
    size = len(payload)
    if size < 126:
        head = bytes([first, size])
    elif size < 65536:
        head = bytes([first, 126]) + size.to_bytes(2, "big")
    else:
        head = bytes([first, 127]) + size.to_bytes(8, "big")
    if mask is None:
        return head + payload
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([head[0], head[1] | 0x80]) + head[2:] + mask + masked


def text(value: str) -> bytes:
    return frame(0x1, value.encode())


def opened() -> tuple[WebSocketTransport, FakeSocket, bytes]:
    """A transport whose request went out; returns it with the server's 101 response."""
    loop = asyncio.get_running_loop()
    ws = ClientProtocol(parse_uri("ws://127.0.0.1:1/ws/test"), max_size=OPTIONS.max_frame_size)
    request = ws.connect()
    transport = WebSocketTransport(ws, request, OPTIONS, loop)
    socket = FakeSocket()
    transport.connection_made(socket)
    key = request.headers["Sec-WebSocket-Key"]
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    response = (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
    ).encode()
    return transport, socket, response


def feed(transport: WebSocketTransport, data: bytes, cuts: list[int]) -> None:
    """Deliver ``data`` in reads ending at each of ``cuts`` (and at the end)."""
    start = 0
    for stop in [*cuts, len(data)]:
        while start < stop:
            room = transport.get_buffer(-1)
            assert len(room) > 0
            count = min(len(room), stop - start)
            room[:count] = data[start : start + count]
            transport.buffer_updated(count)
            start += count


async def run(stream: bytes, cuts: list[int]) -> tuple[RecordingSink, FakeSocket, Any]:
    transport, socket, response = opened()
    sink = RecordingSink()
    transport.set_sink(sink)
    feed(transport, response + stream, [len(response) + cut for cut in cuts])
    for _ in range(3):
        await asyncio.sleep(0)  # the sink's backlog flush and loss report run from the loop
    assert transport.opened.done() and transport.opened.exception() is None
    return sink, socket, transport


SMALL = [text("one"), frame(0x2, bytes(range(200))), text("é" * 70), text("")]
SMALL_FRAMES: list[str | bytes] = ["one", bytes(range(200)), "é" * 70, ""]


async def test_every_single_split_of_a_stream_delivers_the_same_frames() -> None:
    stream = b"".join(SMALL)
    for cut in range(len(stream) + 1):
        sink, _socket, transport = await run(stream, [cut])
        assert sink.frames == SMALL_FRAMES, cut
        assert transport.closed is None


async def test_the_101_and_frames_in_one_read_and_byte_by_byte() -> None:
    stream = b"".join(SMALL)
    sink, _socket, _transport = await run(stream, [])  # response and frames in one read
    assert sink.frames == SMALL_FRAMES
    sink, _socket, _transport = await run(stream, list(range(-150, len(stream))))
    assert sink.frames == SMALL_FRAMES


@pytest.mark.parametrize("chunk", [1, 3, 1000, READ_SIZE + 5])
async def test_frames_larger_than_the_read_buffer(chunk: int) -> None:
    big = "x" * (3 * READ_SIZE) + "end"
    huge = bytes(range(256)) * 400  # 102,400 bytes: a 64-bit length
    stream = text("a") + text(big) + frame(0x2, huge) + text("b")
    sink, _socket, transport = await run(stream, list(range(chunk, len(stream), chunk)))
    assert sink.frames == ["a", big, huge, "b"]
    assert transport.closed is None


async def test_pings_are_answered_and_pongs_seen_between_data_frames() -> None:
    stream = text("a") + frame(0x9, b"ping!") + text("b") + frame(0xA, b"late") + text("c")
    for cut in range(len(stream) + 1):
        sink, socket, transport = await run(stream, [cut])
        assert sink.frames == ["a", "b", "c"]
        pongs = [w for w in socket.writes if w[:1] == b"\x8a"]
        assert len(pongs) == 1  # masked pong echoing the ping
        mask, body = pongs[0][2:6], pongs[0][6:]
        assert bytes(b ^ mask[i % 4] for i, b in enumerate(body)) == b"ping!"
        assert transport.closed is None


async def test_a_fragmented_message_and_what_follows_it() -> None:
    stream = (
        text("before")
        + frame(0x1, b"hel", fin=False)
        + frame(0x9, b"p")
        + frame(0x0, b"lo", fin=True)
        + text("after")
    )
    for cut in range(len(stream) + 1):
        sink, _socket, transport = await run(stream, [cut])
        assert sink.frames == ["before", "hello", "after"], cut
        assert transport.closed is None


async def test_a_close_frame_after_data_in_the_same_read() -> None:
    close = frame(0x8, (1000).to_bytes(2, "big") + b"bye")
    sink, socket, transport = await run(text("last") + close, [])
    assert sink.frames == ["last"]
    assert transport.closed == CloseInfo(1000, "bye", "server")
    assert await sink.wait_lost() == CloseInfo(1000, "bye", "server")
    assert any(w[:1] == b"\x88" for w in socket.writes)  # the close was echoed


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (frame(0x1, b"masked", mask=b"abcd"), 1002),
        (frame(0x0, b"orphan continuation"), 1002),
        (bytes([0xC1, 1]) + b"x", 1002),  # RSV1 without an extension
        (frame(0x3, b"reserved opcode"), 1002),
        (frame(0x1, b"x" * (OPTIONS.max_frame_size or 0) + b"y"), 1009),
        (frame(0x1, b"hel", fin=False) + text("not a continuation"), 1002),
    ],
)
async def test_frames_the_core_refuses_fail_the_connection(bad: bytes, code: int) -> None:
    sink, socket, transport = await run(text("ok") + bad + text("never"), [])
    assert sink.frames == ["ok"]
    assert transport.closed is not None
    assert (transport.closed.code, transport.closed.closed_by) == (code, "client")
    assert any(w[:1] == b"\x88" for w in socket.writes)


@pytest.mark.parametrize("chunk", [1000, 70_000])
async def test_a_response_head_over_64_kib_leaves_every_byte_to_the_core(chunk: int) -> None:
    transport, _socket, response = opened()
    padding = "".join(f"X-Pad-{i}: {'p' * 700}\r\n" for i in range(100)).encode()
    response = response[:-2] + padding + b"\r\n"
    sink = RecordingSink()
    transport.set_sink(sink)
    stream = response + text("a") + frame(0x9, b"p") + text("b")
    feed(transport, stream, list(range(chunk, len(stream), chunk)))
    for _ in range(3):
        await asyncio.sleep(0)
    assert transport.opened.done() and transport.opened.exception() is None
    assert sink.frames == ["a", "b"]
    assert transport.closed is None


async def test_a_refused_upgrade_body_still_reaches_the_core() -> None:
    transport, _socket, _response = opened()
    body = b'{"error": "nope"}'
    refusal = (
        b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    feed(transport, refusal, [10, len(refusal) - 5])
    assert transport.opened.done()
    error = transport.opened.exception()
    assert error is not None and "403" in str(error)


def test_read_buffer_grows_for_one_frame_then_returns_to_its_resting_size() -> None:
    buffer = ReadBuffer()
    room = buffer.free_space()
    assert len(room) == READ_SIZE
    room[:100] = b"a" * 100
    buffer.end += 100
    buffer.consumed(40)
    buffer.need = 5 * READ_SIZE  # the header of a large frame has been read
    received = 60
    while received < buffer.need:
        room = buffer.free_space()
        # Never more than about twice what has arrived (or the resting size) ahead of the data.
        assert len(buffer.data) <= max(2 * received, READ_SIZE) + 1024
        count = min(len(room), buffer.need - received)
        room[:count] = b"b" * count
        buffer.end += count
        received += count
    assert bytes(buffer.view[buffer.start : buffer.start + 60]) == b"a" * 60
    assert buffer.end - buffer.start == 5 * READ_SIZE
    buffer.consumed(buffer.end)
    assert len(buffer.data) == READ_SIZE
    assert (buffer.start, buffer.end, buffer.need) == (0, 0, 0)


async def test_an_announced_huge_frame_is_not_allocated_up_front() -> None:
    transport, _socket, response = opened()
    transport.set_sink(RecordingSink())
    header = bytes([0x81, 127]) + (OPTIONS.max_frame_size or 0).to_bytes(8, "big")
    feed(transport, response + header + b"x" * 100, [])
    room = transport.get_buffer(-1)
    assert len(room) < 2 * READ_SIZE
    assert transport.closed is None


async def test_sent_frames_are_masked_with_fresh_masks_across_pool_refills() -> None:
    """The masks come from a per-connection pool of random bytes, refilled as it runs out:
    every frame still unmasks to what was sent, and masks are not reused in a row."""
    transport, socket, response = opened()
    feed(transport, response, [])
    assert transport.opened.done() and transport.opened.exception() is None
    socket.writes.clear()
    texts = [f"message {i}" * (i % 7 + 1) for i in range(300)]  # > 128 masks per pool
    for value in texts:
        transport.send(value)
    masks = []
    for written, value in zip(socket.writes, texts, strict=True):
        assert written[0] == 0x81 and written[1] & 0x80  # FIN + text, masked
        size = written[1] & 0x7F
        assert size == len(value.encode())
        mask, body = written[2:6], written[6:]
        assert bytes(b ^ mask[i % 4] for i, b in enumerate(body)) == value.encode()
        masks.append(mask)
    assert all(a != b for a, b in itertools.pairwise(masks))


def test_the_reader_under_uvloop() -> None:
    """uvloop drives BufferedProtocol through its own code (not asyncio's selector transport)."""
    uvloop = pytest.importorskip("uvloop")
    from gemini_live.client.transport import open_websocket

    big = "y" * (5 * READ_SIZE)

    async def scenario() -> list[str | bytes]:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            request = await reader.readuntil(b"\r\n\r\n")
            key = next(
                line.split(":", 1)[1].strip()
                for line in request.decode("latin-1").split("\r\n")
                if line.lower().startswith("sec-websocket-key:")
            )
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            writer.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode()
                + text("first")
                + text(big)
                + frame(0x9, b"hi")
                + text("last")
                + frame(0x8, (1000).to_bytes(2, "big"))
            )
            await writer.drain()
            await reader.read()  # until the client's close and TCP teardown
            writer.close()

        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        sink = RecordingSink()
        async with asyncio.timeout(5):
            transport = await open_websocket(f"ws://127.0.0.1:{port}/ws/test", {}, OPTIONS)
            transport.set_sink(sink)
            assert await sink.wait_lost(limit=5) == CloseInfo(1000, "", "server")
        server.close()
        return sink.frames

    loop = uvloop.new_event_loop()
    try:
        assert loop.run_until_complete(scenario()) == ["first", big, "last"]
    finally:
        loop.close()
