"""The close handshake completes at once when the server closes (RFC 6455 5.5.1, 7.1.1).

A scripted raw peer sends a close frame (alone on an idle connection, behind data frames in the
same write, or in the same write as the 101 response) and checks that the client's masked close
frame, echoing the code, arrives within half a second; the peer then ends TCP, as a server does.

The emulator cases check the whole exchange against the emulator: after a burst of client
messages the emulator's receive queue is full (websockets then stops reading the socket); when
it closes the connection it must still read the client's answer and end TCP promptly, also on
the second connection of a session whose resumption updates say ``resumable: false``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from websockets.utils import accept_key, apply_mask

import gemini_live
from gemini_live import (
    ExponentialBackoff,
    GenerationConfig,
    LiveConfig,
    Platform,
    Resumed,
    SessionOptions,
    SessionResumptionConfig,
    Vertex,
)
from gemini_live.client.transport import TransportOptions, open_websocket
from gemini_live.testing import Emulator, Fault
from tests.client.conftest import RecordingSink
from tests.resilience.matrix import Workload

# The client's own close timeout is long on purpose: a missing answer on either side shows up
# as a wait of seconds, far beyond what the tests allow.
OPTIONS = TransportOptions(connect_timeout=2.0, close_timeout=5.0, ping_interval=None)
REPLY_WITHIN = 0.5


def _frame(opcode: int, payload: bytes) -> bytes:
    assert len(payload) < 126
    return bytes([0x80 | opcode, len(payload)]) + payload


def _close(code: int, reason: str) -> bytes:
    return _frame(0x8, code.to_bytes(2, "big") + reason.encode())


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One client frame (masked, RFC 6455 5.1): its opcode and unmasked payload."""
    head = await reader.readexactly(2)
    assert head[1] & 0x80, "client frames must be masked"
    length = head[1] & 0x7F
    if length == 126:
        length = int.from_bytes(await reader.readexactly(2), "big")
    elif length == 127:
        length = int.from_bytes(await reader.readexactly(8), "big")
    mask = await reader.readexactly(4)
    return head[0] & 0x0F, apply_mask(await reader.readexactly(length), mask)


@dataclass
class Script:
    with_101: bytes  # written in the same write as the 101 response
    on_ping: bytes = b""  # written once the client's first text frame arrived


TEXT = _frame(0x1, b'{"setupComplete": {}}')
SCRIPTS = {
    "close alone": Script(b"", _close(1011, "Internal error occurred.")),
    "close behind a data frame": Script(b"", TEXT + _close(1011, "Internal error occurred.")),
    "close with the 101": Script(_close(1008, "policy")),
    "close behind data with the 101": Script(TEXT + TEXT + _close(1011, "x")),
}


@asynccontextmanager
async def _peer(script: Script) -> AsyncIterator[tuple[str, asyncio.Future[tuple[int, float]]]]:
    """A server that plays ``script`` and waits (bounded) for the client's close frame; the
    future gets ``(echoed code, seconds after the server's close frame went out)``."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[tuple[int, float]] = loop.create_future()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            key = next(
                line.partition(":")[2].strip()
                for line in request.split("\r\n")
                if line.lower().startswith("sec-websocket-key:")
            )
            writer.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\n"
                + f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n".encode()
                + script.with_101
            )
            sent = loop.time()
            async with asyncio.timeout(2 * REPLY_WITHIN):
                while True:
                    opcode, payload = await _read_frame(reader)
                    if opcode == 0x1 and script.on_ping:
                        writer.write(script.on_ping)
                        sent = loop.time()
                    elif opcode == 0x8:
                        code = int.from_bytes(payload[:2], "big")
                        answer.set_result((code, loop.time() - sent))
                        return
        except Exception as exc:  # the test reads the outcome from the future
            if not answer.done():
                answer.set_exception(exc)
        finally:
            writer.close()  # the server ends TCP once the close handshake is done

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ws", answer
    finally:
        server.close()
        async with asyncio.timeout(2):
            await server.wait_closed()


@pytest.mark.parametrize("name", list(SCRIPTS))
async def test_the_client_echoes_a_server_close_at_once(name: str, sink: RecordingSink) -> None:
    script = SCRIPTS[name]
    async with _peer(script) as (url, answer):
        transport = await open_websocket(url, {}, OPTIONS)
        transport.set_sink(sink)
        if script.on_ping:
            transport.send('{"ping": 1}')
        code, delay = await asyncio.wait_for(answer, 2 * REPLY_WITHIN)
        assert delay < REPLY_WITHIN
        info = await sink.wait_lost()
        assert (info.code, info.closed_by) == (code, "server")  # the code is echoed
        assert sink.frames == ['{"setupComplete": {}}'] * (script.with_101 + script.on_ping).count(
            TEXT
        )
        async with asyncio.timeout(REPLY_WITHIN):
            # The peer ended TCP right after the answer: nothing left to wait for.
            assert await transport.close() == info


async def test_the_emulator_completes_the_close_after_a_burst(sink: RecordingSink) -> None:
    """The emulator closes after the 5th message of a burst of 60: its receive queue is full
    (websockets stops reading then), yet it reads the client's answer and ends TCP at once."""
    async with Emulator() as emu:
        emu.faults.next(Fault.close(1011, "Internal error occurred.", after_client_messages=5))
        transport = await open_websocket(emu.url_for(), {"x-goog-api-key": "k"}, OPTIONS)
        transport.set_sink(sink)
        transport.send('{"setup": {"model": "models/gemini-3.8-live"}}')
        await sink.wait_frames(1)  # setupComplete
        for i in range(60):
            transport.send(f'{{"realtimeInput": {{"text": "{i}"}}}}')
        info = await sink.wait_lost()
        assert (info.code, info.closed_by) == (1011, "server")
        async with asyncio.timeout(REPLY_WITHIN):
            await transport.close()  # returns once the emulator has ended TCP


async def test_resumable_false_second_connection_ends_promptly() -> None:
    """The fault matrix's ``resumable:false window``: a close on the first connection, then on
    the resumed one (whose updates say ``resumable: false``) after a replayed burst; the client
    answers each close and the emulator ends both connections without its 2 s close timeout."""
    options = SessionOptions(
        retry_policy=ExponentialBackoff(initial_delay=0.02, max_delay=0.1, jitter="none"),
        setup_timeout=0.5,
    )
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("TEXT",)),
        session_resumption=SessionResumptionConfig(transparent=True),
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(1.5):
        async with Emulator(text_pace=0.0005, resumption_update_every=5) as emu:
            emu.faults.next(Fault.close(1011, after_client_messages=40))
            emu.faults.next(Fault.unresumable(), Fault.close(1011, after_client_messages=30))
            session = await gemini_live.connect(
                "gemini-3.8-live",
                config=config,
                platform=Platform.VERTEX,
                credentials=Vertex("p", "us-central1", "t"),
                base_url=emu.url,
                options=options,
            )
            events = session.events(max_queue=100_000)
            await Workload().run(session)
            resumed = 0
            async for event in events:  # bounded by the timeout above
                resumed += isinstance(event, Resumed)
                if resumed == 2:
                    break
            await session.disconnect()
    assert sum(s.connections for s in emu.sessions) == 3
    # Before the emulator read on after closing, this took the 2 s close timeout.
    assert loop.time() - started < 1.5
