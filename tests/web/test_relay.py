"""The relay over real sockets (aiohttp client ↔ console ↔ emulator), without a browser."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson
import pytest
import websockets

from gemini_live import ApiKey, AutomaticActivityDetection, RealtimeInputConfig
from gemini_live.audio.synth import silence, synthesize
from gemini_live.testing import Emulator, Fault
from gemini_live.web import ConsoleServer, Limits, default_config

from .conftest import Console, start_console

HELLO = {"type": "hello", "version": 1, "audio": {"format": "pcm16", "rate": 16000, "channels": 1}}


@asynccontextmanager
async def page(console: Console, **kwargs: Any) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(console.ws_url, origin=console.origin, max_msg_size=0, **kwargs) as ws,
    ):
        yield ws


async def next_json(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    """Read until a JSON message of type ``kind`` (audio and other messages are skipped)."""
    async with asyncio.timeout(10):
        while True:
            message = await ws.receive()
            if message.type is aiohttp.WSMsgType.TEXT:
                data: dict[str, Any] = orjson.loads(message.data)
                if data["type"] == kind:
                    return data
            elif message.type is not aiohttp.WSMsgType.BINARY:
                raise AssertionError(f"socket ended while waiting for {kind}: {message}")


async def ready(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    await ws.send_json(HELLO)
    return await next_json(ws, "ready")


async def model_reply(ws: aiohttp.ClientWebSocketResponse) -> str:
    """The model's transcript up to the end of its turn."""
    text = ""
    async with asyncio.timeout(10):
        while True:
            message = await ws.receive()
            if message.type is aiohttp.WSMsgType.BINARY:
                continue
            assert message.type is aiohttp.WSMsgType.TEXT, message
            data = orjson.loads(message.data)
            if data["type"] == "transcript" and data["role"] == "model":
                text += data["text"]
            elif data["type"] == "turn_complete":
                return text


async def error_and_close(ws: aiohttp.ClientWebSocketResponse) -> tuple[str, int | None]:
    """The error message the page would show, and the close code."""
    error = await next_json(ws, "error")
    async with asyncio.timeout(5):
        while not ws.closed:
            message = await ws.receive()
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                break
    return error["message"], ws.close_code


async def test_typed_text_gets_transcript_audio_and_turn_complete(console: Console) -> None:
    async with page(console) as ws:
        info = await ready(ws)
        assert info["model"] == "gemini-3.8-live" and info["target"] == "emulator"
        await ws.send_json({"type": "text", "text": "say hello from the relay"})
        audio = 0
        text = ""
        async with asyncio.timeout(10):
            while True:
                message = await ws.receive()
                if message.type is aiohttp.WSMsgType.BINARY:
                    audio += len(message.data)
                    continue
                data = orjson.loads(message.data)
                if data["type"] == "transcript" and data["role"] == "model":
                    text += data["text"]
                if data["type"] == "turn_complete":
                    break
    assert "hello from the relay" in text
    # 24 kHz PCM16: the synthesized reply lasts 50 ms per character or gap.
    assert audio > 24_000 * 2 * 0.5


async def test_spoken_audio_becomes_a_user_transcript_and_a_reply(console: Console) -> None:
    speech = silence(0.2) + synthesize("hello there", sample_rate=16_000) + silence(1.0)
    async with page(console) as ws:
        await ready(ws)
        for offset in range(0, len(speech), 640):
            await ws.send_bytes(speech[offset : offset + 640])
        user = await next_json(ws, "transcript")
        assert user["role"] == "user" and user["final"] and user["text"].startswith("<speech ")
        assert (await model_reply(ws)).startswith("Echo: <speech ")


async def test_tool_call_is_answered_and_shown_with_its_result(console: Console) -> None:
    async with page(console) as ws:
        await ready(ws)
        await ws.send_json({"type": "text", "text": 'call get_weather {"city": "Tokyo"}'})
        call = await next_json(ws, "tool_call")
        assert call["calls"][0]["name"] == "get_weather"
        assert call["calls"][0]["args"] == {"city": "Tokyo"}
        result = await next_json(ws, "tool_result")
        assert result["ok"] and result["result"] == {"city": "Tokyo", "temp_c": 22, "sky": "cloudy"}
        assert (await model_reply(ws)).startswith("Result of get_weather: {")


BAD_INPUTS = [
    ("garbage text", [HELLO, "not json at all"], "unreadable message", 1003),
    ("json array", [HELLO, "[1, 2]"], "must be a JSON object", 1003),
    ("unknown type", [HELLO, {"type": "launch_rockets"}], "unknown message type", 1003),
    ("empty text", [HELLO, {"type": "text", "text": "  "}], "non-empty", 1003),
    ("text too long", [HELLO, {"type": "text", "text": "x" * 5000}], "text too long", 1009),
    ("json frame too big", [HELLO, "x" * 20_000], "message too large", 1009),
    ("second hello", [HELLO, HELLO], "hello was already received", 1003),
    ("audio before hello", [b"\x00\x00" * 160], "first message must be a JSON hello", 1003),
    ("text before hello", [{"type": "text", "text": "hi"}], "first message must be a hello", 1003),
    (
        "wrong sample rate",
        [{**HELLO, "audio": {"format": "pcm16", "rate": 44100, "channels": 1}}],
        "unsupported microphone format",
        1003,
    ),
    (
        "float samples",
        [{**HELLO, "audio": {"format": "f32", "rate": 16000, "channels": 1}}],
        "unsupported microphone format",
        1003,
    ),
    ("old page", [{**HELLO, "version": 0}], "reload the page", 1003),
    ("odd byte count", [HELLO, b"\x01\x02\x03"], "wrong audio format", 1003),
    ("oversized audio frame", [HELLO, b"\x00" * 20_000], "audio frame too large", 1009),
    ("control flood", [HELLO] + [{"type": "audio_end"}] * 40, "too many messages", 1008),
    ("audio flood", [HELLO] + [b"\x00" * 16_000] * 24, "faster than real time", 1008),
]


@pytest.mark.parametrize(
    ("frames", "expected", "code"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
async def test_bad_input_gets_a_clear_error_and_a_closed_relay(
    console: Console, frames: list[Any], expected: str, code: int
) -> None:
    async with page(console) as ws:
        for frame in frames:
            if isinstance(frame, bytes):
                await ws.send_bytes(frame)
            elif isinstance(frame, str):
                await ws.send_str(frame)
            else:
                await ws.send_json(frame)
        message, close_code = await error_and_close(ws)
    assert expected in message
    assert close_code == code
    # The server is unharmed: the next page works.
    async with page(console) as ws:
        await ready(ws)
    await console.server.wait_active(0, timeout=5)
    assert console.server.reports[0].ended.startswith("bad input: ")


async def test_frame_over_the_hard_limit_closes_with_1009(console: Console) -> None:
    async with page(console) as ws:
        await ready(ws)
        await ws.send_bytes(b"\x00" * (2 * 1024 * 1024))
        async with asyncio.timeout(5):
            while not ws.closed:
                await ws.receive()
        assert ws.close_code == 1009
    async with page(console) as ws:
        await ready(ws)


async def test_silent_page_is_told_it_must_say_hello() -> None:
    emulator, server = await start_console(limits=Limits(hello_timeout=0.2))
    try:
        console = Console(emulator, server)
        async with page(console) as ws:
            message, code = await error_and_close(ws)
        assert "did not introduce itself" in message and code == 1008
    finally:
        await server.stop()
        await emulator.stop()


async def test_a_page_that_stops_reading_is_cut_off_with_bounded_memory() -> None:
    # A browser that never reads: a tiny receive window and a client that stops reading. The
    # relay must give up on it (closed relay, session ended) instead of buffering the model's
    # audio without bound; a small event queue keeps the test short.
    emulator, server = await start_console(
        audio_pace=0.0, limits=Limits(event_queue=8, send_timeout=0.5)
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        sock.connect(("127.0.0.1", server.port))
        async with websockets.connect(
            server.url.replace("http", "ws") + "ws",
            sock=sock,
            origin=server.url.rstrip("/"),
            max_queue=1,
            close_timeout=0.1,  # it cannot read the server's close frame: it stopped reading
        ) as ws:
            await ws.send(orjson.dumps(HELLO).decode())
            await ws.send(orjson.dumps({"type": "text", "text": "say " + "lorem " * 200}).decode())
            await server.wait_active(0, timeout=15)  # and never read a thing
        assert server.reports[-1].ended == "browser too slow"
        async with asyncio.timeout(5):
            await emulator.last_session.wait_disconnected()
    finally:
        sock.close()
        await server.stop()
        await emulator.stop()


async def test_closing_the_socket_ends_the_session_with_one_log_line(
    console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_live.web")
    async with page(console) as ws:
        await ready(ws)
        await ws.send_json({"type": "text", "text": "say hi"})
        await next_json(ws, "turn_complete")
    async with asyncio.timeout(5):
        await console.emulator.last_session.wait_disconnected()
    await console.server.wait_active(0, timeout=5)
    lines = [r.getMessage() for r in caplog.records if r.name == "gemini_live.web"]
    assert len(lines) == 1
    assert lines[0].startswith("web session 1 ended after ")
    assert "(browser closed)" in lines[0] and "1 turn(s)" in lines[0]
    assert "first audio p50 " in lines[0]


async def test_two_pages_get_two_independent_sessions(console: Console) -> None:
    async with page(console) as first, page(console) as second:
        await ready(first)
        await ready(second)
        await first.send_json({"type": "text", "text": "say one"})
        await second.send_json({"type": "text", "text": "say two"})
        assert (await model_reply(first)).strip() == "one"
        assert (await model_reply(second)).strip() == "two"
        assert console.server.active == 2
    assert len(console.emulator.sessions) == 2


async def test_cross_origin_websocket_is_refused(console: Console) -> None:
    async with aiohttp.ClientSession() as http:
        for origin in ("http://evil.example", None):
            with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
                await http.ws_connect(console.ws_url, origin=origin)
            assert caught.value.status == 403
    assert console.emulator.stats.connections == 0


async def test_page_and_static_files_are_served_with_a_strict_policy(console: Console) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(console.server.url) as response:
            assert response.status == 200
            html = await response.text()
            assert "Content-Security-Policy" in response.headers
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        for name in ("app.js", "worklets.js", "style.css", "icon.svg"):
            async with http.get(f"{console.server.url}static/{name}") as response:
                assert response.status == 200, name
                body = await response.text()
                assert "http://" not in body.replace("http://www.w3.org/2000/svg", ""), name
        for missing in ("../server.py", "nope.js", "index.html"):
            async with http.get(f"{console.server.url}static/{missing}") as response:
                assert response.status == 404
    assert '<script type="module" src="/static/app.js">' in html
    assert "https://" not in html  # nothing from a CDN: the page works offline


async def test_a_session_that_cannot_open_is_reported_on_the_page() -> None:
    emulator = await Emulator(api_keys=frozenset({"the-right-key"})).start()
    server = ConsoleServer(
        "gemini-3.8-live",
        connect_kwargs={"base_url": emulator.url, "credentials": ApiKey("a-wrong-key")},
    )
    await server.start()
    try:
        async with page(Console(emulator, server)) as ws:
            await ws.send_json(HELLO)
            message, code = await error_and_close(ws)
        assert message.startswith("Could not open the Live session.")
        assert "a-wrong-key" not in message
        assert code == 1011
    finally:
        await server.stop()
        await emulator.stop()


async def test_a_session_that_breaks_ends_the_relay_with_the_reason(console: Console) -> None:
    # 1008 is fatal (never retried): the page must hear why, and the relay must end.
    console.emulator.inject(Fault.close(1008, "Policy violation (test)", after_client_messages=1))
    async with page(console) as ws:
        await ready(ws)
        await ws.send_json({"type": "text", "text": "hello"})
        message, code = await error_and_close(ws)
    assert message.startswith("The Live session ended.") and "1008" in message
    assert "Policy violation (test)" in message
    assert code == 1011
    await console.server.wait_active(0, timeout=5)
    assert console.server.reports[-1].ended.startswith("session ended: SessionBroken")


async def test_a_relay_bug_costs_one_tab_not_the_server(console: Console) -> None:
    broken = ConsoleServer("gemini-3.8-live", connect_kwargs={"no_such_argument": 1})
    await broken.start()
    try:
        async with page(Console(console.emulator, broken)) as ws:
            await ws.send_json(HELLO)
            message, code = await error_and_close(ws)
        assert message == "The relay failed (see the server log)." and code == 1011
        async with aiohttp.ClientSession() as http, http.get(broken.url) as response:
            assert response.status == 200
    finally:
        await broken.stop()


async def test_push_to_talk_with_manual_activity_detection() -> None:
    # With automatic detection off, the talk button brackets the user's turn.
    config = dataclasses.replace(
        default_config(),
        realtime_input_config=RealtimeInputConfig(
            automatic_activity_detection=AutomaticActivityDetection(disabled=True)
        ),
    )
    emulator = await Emulator(audio_pace=0.0).start()
    server = ConsoleServer(
        "gemini-3.8-live",
        connect_kwargs={"base_url": emulator.url, "credentials": ApiKey("k")},
        config=config,
    )
    await server.start()
    try:
        async with page(Console(emulator, server)) as ws:
            await ready(ws)
            await ws.send_json({"type": "audio_start"})
            for _ in range(25):  # 0.5 s in 20 ms frames (loud or not: the button decides)
                await ws.send_bytes(b"\x10\x00" * 320)
            await ws.send_json({"type": "audio_end"})
            user = await next_json(ws, "transcript")
            assert user["text"] == "<speech 0.50s>"
            assert (await model_reply(ws)) == "Echo: <speech 0.50s>"
    finally:
        await server.stop()
        await emulator.stop()


async def test_a_tab_over_the_session_limit_is_told_why() -> None:
    emulator = await Emulator().start()
    server = ConsoleServer(
        "gemini-3.8-live",
        connect_kwargs={"base_url": emulator.url, "credentials": ApiKey("k")},
        max_sessions=1,
    )
    await server.start()
    console = Console(emulator, server)
    try:
        async with page(console) as first:
            await ready(first)
            async with page(console) as second:
                message, code = await error_and_close(second)
            assert "Too many console sessions are open (limit 1)" in message and code == 1013
            await first.send_json({"type": "text", "text": "say still fine"})
            assert (await model_reply(first)).strip() == "still fine"
        assert emulator.stats.connections == 1
    finally:
        await server.stop()
        await emulator.stop()


async def test_a_call_the_toolbox_rejects_is_shown_as_an_error(console: Console) -> None:
    async with page(console) as ws:
        await ready(ws)
        await ws.send_json({"type": "text", "text": "call get_weather {}"})  # no city
        call = await next_json(ws, "tool_call")
        assert call["calls"][0]["name"] == "get_weather"
        result = await next_json(ws, "tool_result")
        assert result["ok"] is False and "city" in result["result"]
        assert (await model_reply(ws)).startswith("Error from get_weather:")
