"""WebSocketTransport against real peers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ssl
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from gemini_live.client.transport import (
    CloseInfo,
    TransportClosed,
    TransportOptions,
    open_websocket,
    redact_url,
)
from gemini_live.errors import AuthenticationError, ConfigError, ConnectError

FAST = TransportOptions(connect_timeout=1.0, close_timeout=0.5, ping_interval=None)


async def test_text_and_binary_frames_round_trip_in_order(ws_server: Any, sink: Any) -> None:
    async def handler(conn: ServerConnection) -> None:
        async for message in conn:
            if message == "done":
                await conn.send(b"\x00\x01binary")
                await conn.send(["frag", "mented"])  # one message in three frames
            else:
                await conn.send(message)

    url = await ws_server(handler)
    transport = await open_websocket(url, {}, FAST)
    transport.set_sink(sink)
    sent = ["a", "é" * 100, "x" * 70_000, "{}"]  # 7-bit, 16-bit and 64-bit length encodings
    for frame in sent:
        transport.send(frame)
    transport.send("done")
    frames = await sink.wait_frames(len(sent) + 2)
    assert frames == [*sent, b"\x00\x01binary", "fragmented"]
    assert type(frames[0]) is str and type(frames[-2]) is bytes
    assert transport.closed is None
    await transport.close()


async def test_server_close_is_reported_once_as_server(ws_server: Any, sink: Any) -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.send("last")
        await conn.close(1000, "bye")

    transport = await open_websocket(await ws_server(handler), {}, FAST)
    transport.set_sink(sink)
    info = await sink.wait_lost()
    assert info == CloseInfo(1000, "bye", "server")
    assert sink.events == ["frame", "lost"]
    assert transport.closed == info
    with pytest.raises(TransportClosed) as caught:
        transport.send("too late")
    assert caught.value.info == info
    with pytest.raises(TransportClosed):
        await transport.drain()
    assert await transport.close() == info  # nothing left to do, returns the outcome
    await asyncio.sleep(0.05)
    assert len(sink.losses) == 1


async def test_client_close_handshake_is_idempotent(ws_server: Any, sink: Any) -> None:
    seen: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    async def handler(conn: ServerConnection) -> None:
        await conn.wait_closed()
        seen.set_result(conn.close_code)

    transport = await open_websocket(await ws_server(handler), {}, FAST)
    transport.set_sink(sink)
    first, second = await asyncio.gather(transport.close(4000, "done"), transport.close())
    assert first == second == CloseInfo(4000, "done", "client")
    assert await transport.close() == first
    async with asyncio.timeout(1):
        assert await seen == 4000
    assert await sink.wait_lost() == first
    await asyncio.sleep(0.05)
    assert len(sink.losses) == 1
    with pytest.raises(TransportClosed):
        transport.send("x")


async def test_close_is_bounded_when_peer_never_answers(raw_server: Any, sink: Any) -> None:
    url = await raw_server.upgrade_then_ignore()
    transport = await open_websocket(url, {}, TransportOptions(close_timeout=0.2))
    transport.set_sink(sink)
    start = time.monotonic()
    async with asyncio.timeout(1):
        info = await transport.close()
    assert 0.15 < time.monotonic() - start < 0.8
    assert info == CloseInfo(1000, "", "client")


async def test_close_rejects_invalid_code(ws_server: Any) -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.wait_closed()

    transport = await open_websocket(await ws_server(handler), {}, FAST)
    with pytest.raises(ValueError, match="close code"):
        await transport.close(1006)
    assert transport.closed is None
    await transport.close()


async def test_abort_reports_1006_client(ws_server: Any, sink: Any) -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.wait_closed()

    transport = await open_websocket(await ws_server(handler), {}, FAST)
    transport.set_sink(sink)
    transport.abort()
    transport.abort()
    assert await sink.wait_lost() == CloseInfo(1006, "", "client")
    assert await transport.close() == CloseInfo(1006, "", "client")


@pytest.mark.parametrize("how", ["fin", "reset"])
async def test_tcp_drop_without_close_frame_is_network(ws_server: Any, sink: Any, how: str) -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.send("hello")
        if how == "fin":
            conn.transport.close()
        else:
            conn.transport.abort()

    transport = await open_websocket(await ws_server(handler), {}, FAST)
    transport.set_sink(sink)
    assert await sink.wait_lost() == CloseInfo(1006, "", "network")
    assert sink.frames == ["hello"]


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_refusal_is_authentication_error(ws_server: Any, status: int) -> None:
    def refuse(conn: ServerConnection, request: Request) -> Response:
        return conn.respond(HTTPStatus(status), '{"error": {"message": "API key not valid"}}')

    url = await ws_server(lambda conn: conn.wait_closed(), process_request=refuse)
    with pytest.raises(AuthenticationError) as caught:
        await open_websocket(url, {}, FAST)
    assert caught.value.status == status
    assert "API key not valid" in str(caught.value)


async def test_other_refusal_is_connect_error_with_status(ws_server: Any) -> None:
    def refuse(conn: ServerConnection, request: Request) -> Response:
        return conn.respond(HTTPStatus.INTERNAL_SERVER_ERROR, '{"error": "overloaded"}')

    url = await ws_server(lambda conn: conn.wait_closed(), process_request=refuse)
    with pytest.raises(ConnectError) as caught:
        await open_websocket(url, {}, FAST)
    assert type(caught.value) is ConnectError
    assert caught.value.status == 500
    assert "overloaded" in str(caught.value)


async def test_refused_port_is_connect_error(free_port: int) -> None:
    with pytest.raises(ConnectError) as caught:
        await open_websocket(f"ws://127.0.0.1:{free_port}/x", {}, FAST)
    assert caught.value.status is None
    assert isinstance(caught.value.__cause__, OSError)


async def test_connect_timeout_when_upgrade_never_answered(raw_server: Any) -> None:
    url = await raw_server.hang()
    start = time.monotonic()
    with pytest.raises(ConnectError, match="timed out") as caught:
        await open_websocket(url, {}, TransportOptions(connect_timeout=0.2))
    assert 0.15 < time.monotonic() - start < 1.0
    assert isinstance(caught.value.__cause__, TimeoutError)


async def test_unanswered_pings_close_with_1011(raw_server: Any, sink: Any) -> None:
    url = await raw_server.upgrade_then_ignore()
    options = TransportOptions(ping_interval=0.1, ping_timeout=0.2, close_timeout=0.2)
    transport = await open_websocket(url, {}, options)
    transport.set_sink(sink)
    start = time.monotonic()
    info = await sink.wait_lost(limit=1.0)
    assert info == CloseInfo(1011, "keepalive ping timeout", "client")
    assert 0.25 < time.monotonic() - start < 0.6


async def test_a_streaming_peer_with_late_pongs_is_not_dropped(raw_server: Any, sink: Any) -> None:
    """The service's pongs can lag by 8-30 s while it streams: data proves liveness too."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await raw_server.upgrade(reader, writer)
        for i in range(24):  # unmasked server text frames, one every 50 ms; pings never answered
            payload = f"chunk {i}".encode()
            writer.write(bytes([0x81, len(payload)]) + payload)
            await asyncio.sleep(0.05)
        await raw_server.discard(reader)

    url = await raw_server.start(handler)
    # A 0.5 s timeout against a frame every 50 ms: the test's server shares the event loop, so
    # on a busy machine a stall of the whole loop must not look like a silent peer (with 0.2 s
    # it did, under parallel test workers).
    options = TransportOptions(ping_interval=0.1, ping_timeout=0.5, close_timeout=0.2)
    transport = await open_websocket(url, {}, options)
    transport.set_sink(sink)
    frames = await sink.wait_frames(24, limit=4.0)
    assert frames[-1] == "chunk 23" and transport.closed is None  # 1.2 s: over 2 ping timeouts
    # Once the peer goes silent as well, the missing pong does end the connection.
    info = await sink.wait_lost(limit=2.0)
    assert info == CloseInfo(1011, "keepalive ping timeout", "client")


async def test_answered_pings_keep_the_connection(ws_server: Any, sink: Any) -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.wait_closed()

    options = TransportOptions(ping_interval=0.05, ping_timeout=0.1, close_timeout=0.5)
    transport = await open_websocket(await ws_server(handler), {}, options)
    transport.set_sink(sink)
    await asyncio.sleep(0.5)  # ten ping intervals, five timeouts
    assert transport.closed is None and not sink.losses
    await transport.close()


async def test_peer_pings_are_answered(ws_server: Any, sink: Any) -> None:
    async def handler(conn: ServerConnection) -> None:
        pong = await conn.ping(b"hi")
        await asyncio.wait_for(pong, 1)
        await conn.send("pong received")
        await conn.wait_closed()

    transport = await open_websocket(await ws_server(handler), {}, FAST)
    transport.set_sink(sink)
    assert await sink.wait_frames(1) == ["pong received"]
    await transport.close()


async def test_oversized_frame_fails_with_1009(ws_server: Any, sink: Any) -> None:
    seen: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    async def handler(conn: ServerConnection) -> None:
        await conn.send("small")
        await conn.send("y" * 2000)
        await conn.wait_closed()
        seen.set_result(conn.close_code)

    options = TransportOptions(max_frame_size=1000, close_timeout=0.5, ping_interval=None)
    transport = await open_websocket(await ws_server(handler), {}, options)
    transport.set_sink(sink)
    info = await sink.wait_lost()
    assert (info.code, info.closed_by) == (1009, "client")
    assert sink.frames == ["small"]
    async with asyncio.timeout(1):
        assert await seen == 1009


async def test_invalid_utf8_text_frame_is_delivered_as_bytes(raw_server: Any, sink: Any) -> None:
    """Was: the connection failed with 1007 "closed by client" while the same bytes in a binary
    frame were delivered (and decoded into a ProtocolViolation); now both are delivered."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await raw_server.upgrade(reader, writer)
        writer.write(b"\x81\x02\xff\xfe")  # unmasked text frame, payload is not UTF-8
        writer.write(b"\x81\x02ok")
        await raw_server.discard(reader)

    transport = await open_websocket(await raw_server.start(handler), {}, FAST)
    transport.set_sink(sink)
    assert await sink.wait_frames(2) == [b"\xff\xfe", "ok"]
    assert transport.closed is None
    await transport.close()


async def test_sink_exception_fails_with_1011(ws_server: Any, sink: Any) -> None:
    seen: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    async def handler(conn: ServerConnection) -> None:
        await conn.send("boom")
        await conn.send("never delivered")
        await conn.wait_closed()
        seen.set_result(conn.close_code)

    class Exploding:
        def __init__(self) -> None:
            self.lost: list[CloseInfo] = []

        def frame_received(self, data: str | bytes) -> None:
            raise RuntimeError("bug in the sink")

        def connection_lost(self, info: CloseInfo) -> None:
            self.lost.append(info)

    exploding = Exploding()
    transport = await open_websocket(await ws_server(handler), {}, FAST)
    transport.set_sink(exploding)
    async with asyncio.timeout(1):
        assert await seen == 1011
    assert transport.closed is not None
    assert (transport.closed.code, transport.closed.closed_by) == (1011, "client")
    await asyncio.sleep(0.05)
    assert len(exploding.lost) == 1


async def test_backpressure_drain_waits_for_the_peer(ws_server: Any) -> None:
    release = asyncio.Event()
    received: list[int] = []

    async def handler(conn: ServerConnection) -> None:
        await release.wait()  # stop reading: the server's queue, then the kernel buffers fill
        async for message in conn:
            received.append(len(message))

    high = 64 * 1024
    options = TransportOptions(write_limit_high=high, close_timeout=0.5, ping_interval=None)
    transport = await open_websocket(await ws_server(handler, max_queue=1), {}, options)
    async with asyncio.timeout(0.1):
        await transport.drain()  # nothing buffered: returns at once
    chunk = "z" * 32 * 1024
    sent = 0
    while transport.write_buffer_size <= high and sent < 2000:
        transport.send(chunk)
        sent += 1
        if sent % 16 == 0:
            await asyncio.sleep(0)  # let the loop push to the kernel until it refuses
    assert transport.write_buffer_size > high, "the peer never applied backpressure"
    drainer = asyncio.ensure_future(transport.drain())
    done, _ = await asyncio.wait({drainer}, timeout=0.2)
    assert not done, "drain() returned while the peer was not reading"
    release.set()
    async with asyncio.timeout(1.5):
        await drainer
    assert transport.write_buffer_size <= high
    await transport.close()


async def test_drain_raises_when_connection_lost_while_waiting(ws_server: Any) -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.wait_closed()  # never reads

    options = TransportOptions(write_limit_high=16 * 1024, close_timeout=0.2, ping_interval=None)
    transport = await open_websocket(await ws_server(handler, max_queue=1), {}, options)
    for _ in range(2000):
        if transport.write_buffer_size > 16 * 1024:
            break
        transport.send("w" * 32 * 1024)
        await asyncio.sleep(0)
    drainer = asyncio.ensure_future(transport.drain())
    await asyncio.sleep(0.05)
    assert not drainer.done()
    transport.abort()
    with pytest.raises(TransportClosed):
        async with asyncio.timeout(1):
            await drainer


async def test_late_sink_gets_buffered_frames_then_the_loss(ws_server: Any, sink: Any) -> None:
    handshake_done = asyncio.Event()

    async def handler(conn: ServerConnection) -> None:
        for i in range(3):
            await conn.send(f"early {i}")
        await conn.close(1000, "done")  # returns once the client has echoed the close
        handshake_done.set()

    transport = await open_websocket(await ws_server(handler), {}, FAST)
    async with asyncio.timeout(1):
        await handshake_done.wait()
    assert transport.closed is not None
    transport.set_sink(sink)
    assert sink.frames == []  # delivered from the loop, not from inside set_sink
    assert await sink.wait_lost() == CloseInfo(1000, "done", "server")
    assert sink.frames == ["early 0", "early 1", "early 2"]
    assert sink.events == ["frame", "frame", "frame", "lost"]


async def test_headers_are_sent_and_compression_can_be_negotiated(
    ws_server: Any, sink: Any
) -> None:
    captured: list[Headers] = []

    def capture(conn: ServerConnection, request: Request) -> None:
        captured.append(request.headers)

    async def handler(conn: ServerConnection) -> None:
        async for message in conn:
            await conn.send(message)

    url = await ws_server(handler, process_request=capture)
    options = TransportOptions(compression=True, close_timeout=0.5, ping_interval=None)
    transport = await open_websocket(url, {"x-goog-api-key": "k-123"}, options)
    transport.set_sink(sink)
    transport.send("compressible " * 100)
    assert await sink.wait_frames(1) == ["compressible " * 100]
    headers = captured[0]
    assert headers["x-goog-api-key"] == "k-123"
    assert headers["User-Agent"] == "gemini-live/0.1"
    assert "permessage-deflate" in headers["Sec-WebSocket-Extensions"]
    await transport.close()


async def test_wss_with_tls(ws_server: Any, sink: Any, tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)

    async def handler(conn: ServerConnection) -> None:
        async for message in conn:
            await conn.send(message)

    url = (await ws_server(handler, ssl=server_tls)).replace("ws://", "wss://")
    client_tls = ssl.create_default_context(cafile=str(cert))
    options = TransportOptions(ssl=client_tls, close_timeout=0.5, ping_interval=None)
    transport = await open_websocket(url, {}, options)
    transport.set_sink(sink)
    transport.send("over TLS")
    assert await sink.wait_frames(1) == ["over TLS"]
    assert await transport.close() == CloseInfo(1000, "", "client")

    # The default context does not trust a self-signed certificate.
    with pytest.raises(ConnectError, match="TLS") as caught:
        await open_websocket(url, {}, TransportOptions(connect_timeout=1.0))
    assert isinstance(caught.value.__cause__, ssl.SSLError)


SECRET_KEY = "AIzaSECRET-header-value-123"
SECRET_QUERY = "SECRET-query-value-456"


def assert_no_secret(exc: BaseException) -> None:
    chain: BaseException | None = exc
    while chain is not None:
        for text in (str(chain), repr(chain)):
            assert SECRET_KEY not in text and SECRET_QUERY not in text, text
        chain = chain.__cause__ or chain.__context__


async def test_secrets_never_appear_in_errors(
    ws_server: Any, raw_server: Any, free_port: int
) -> None:
    echoed: list[str] = []

    def refuse_echoing(conn: ServerConnection, request: Request) -> Response:
        # A hostile or careless server that echoes the credentials in its error body.
        body = f"bad key {request.headers['x-goog-api-key']} for {request.path}"
        echoed.append(body)
        return conn.respond(HTTPStatus.FORBIDDEN, body)

    headers = {"x-goog-api-key": SECRET_KEY}
    base = await ws_server(lambda conn: conn.wait_closed(), process_request=refuse_echoing)
    hang = await raw_server.hang()
    cases = [
        f"{base}?key={SECRET_QUERY}",
        f"ws://127.0.0.1:{free_port}/ws?key={SECRET_QUERY}",
        f"{hang}?key={SECRET_QUERY}",
    ]
    for url in cases:
        with pytest.raises(ConnectError) as caught:
            await open_websocket(url, headers, TransportOptions(connect_timeout=0.2))
        assert_no_secret(caught.value)
        assert "<redacted>" in str(caught.value) or "127.0.0.1" in str(caught.value)
    assert SECRET_KEY in echoed[0] and SECRET_QUERY in echoed[0]  # the test is not vacuous
    with pytest.raises(ConfigError) as bad_url:
        await open_websocket(f"http://h/?key={SECRET_QUERY}", headers)
    assert_no_secret(bad_url.value)
    with pytest.raises(ConfigError) as bad_header:
        await open_websocket(base, {"Authorization": f"Bearer {SECRET_KEY}\r\nX-Evil: 1"})
    assert_no_secret(bad_header.value)


async def test_reserved_header_is_rejected(ws_server: Any) -> None:
    with pytest.raises(ConfigError, match="Host"):
        await open_websocket("ws://127.0.0.1:1/x", {"Host": "evil"})


def test_redact_url() -> None:
    assert redact_url("wss://u:p@h.example:8443/ws/x?key=abc#f") == (
        "wss://h.example:8443/ws/x?<redacted>"
    )
    assert redact_url("ws://[::1]/p") == "ws://[::1]/p"


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="ping_timeout"):
        TransportOptions(ping_timeout=0)
    with pytest.raises(ValueError, match="write_limit_high"):
        TransportOptions(write_limit_high=0)
