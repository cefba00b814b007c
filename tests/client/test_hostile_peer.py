"""Regression tests for the defects a hostile-peer run found (one test per defect, or more).

Each was reproduced against a real socket: events lost before the first subscriber, tool-call
ids remembered forever, unconfirmed messages vanishing on a fatal close, a session used from
another event loop or thread, invalid UTF-8 handled unlike the same bytes in a binary frame,
and the emulator logging the API key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    Disconnected,
    InputDropped,
    LiveConfig,
    ProtocolViolation,
    SessionBroken,
    TextDelta,
    TurnComplete,
)
from gemini_live.protocol import events as ev
from gemini_live.protocol.config import Platform, SessionResumptionConfig
from gemini_live.protocol.live import LiveProtocol
from gemini_live.protocol.retry import ExponentialBackoff
from gemini_live.testing import Emulator

from .peer import Peer
from .rawpeer import MODEL, RawPeer, connect, drain_events, read_until

GREETING = [
    {"serverContent": {"modelTurn": {"parts": [{"text": "Hello there."}]}}},
    {"serverContent": {"turnComplete": True}},
]


# -- events that arrive together with setupComplete ---------------------------------------------


@pytest.mark.parametrize("trial", range(5))
async def test_a_greeting_sent_with_setup_complete_reaches_the_first_consumer(trial: int) -> None:
    """Was: published inside connect() before anyone could subscribe, and lost (19/20)."""
    async with Peer(after_setup=GREETING) as peer:
        session = await connect(peer.base_url)
        # Let every greeting frame arrive before subscribing, as a slow application would
        # (polled: there is no event to wait for before subscribing, which is the point).
        async with asyncio.timeout(2):
            while session.statistics().frames_received < 3:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        events = session.events()
        seen = await read_until(events, TurnComplete)
        assert [e.text for e in seen if isinstance(e, TextDelta)] == ["Hello there."]
        # What connect() itself stands for is not repeated to the consumer.
        assert not [e for e in seen if isinstance(e, ev.SetupComplete)]
        # A second consumer gets events from its subscription on only.
        later = session.events()
        await session.disconnect()
        assert [type(e) for e in await drain_events(later)][-1] is Disconnected


# -- tool-call ids are bounded --------------------------------------------------------------------


def _protocol(**kwargs: Any) -> LiveProtocol:
    return LiveProtocol(
        model="models/m",
        config=LiveConfig(session_resumption=SessionResumptionConfig()),
        platform=Platform.GOOGLE_AI,
        retry_policy=ExponentialBackoff(),
        **kwargs,
    )


def test_never_answered_tool_call_ids_are_bounded() -> None:
    """Was: every id issued by the server was kept for ever (1,000,000 ids: +172 MiB)."""
    protocol = _protocol(max_tracked_calls=64)
    protocol.connect_requested()
    protocol.next_setup()
    protocol.connected([ev.SetupComplete()], 0.0)
    for n in range(10_000):
        frame = {"toolCall": {"functionCalls": [{"name": "f", "id": f"call-{n}"}]}}
        protocol.frame_received(json.dumps(frame), 0.0)
    pending = protocol.pending_tool_calls
    assert len(pending) == 64
    assert "call-9999" in pending and "call-0" not in pending  # the oldest are forgotten
    cancel = {"toolCallCancellation": {"ids": [f"call-{n}" for n in range(5_000, 10_000)]}}
    protocol.frame_received(json.dumps(cancel), 0.0)
    assert protocol.pending_tool_calls == frozenset()
    # Cancelled ids are bounded too: an answer to one of the newest is still refused...
    assert protocol.live_tool_responses(["call-9999", "call-0", None]) == [False, True, True]


def test_max_tracked_calls_is_validated() -> None:
    with pytest.raises(ValueError, match="max_tracked_calls"):
        gemini_live.SessionOptions(max_tracked_calls=0)


# -- a fatal close hands the unconfirmed messages back -----------------------------------------


async def test_a_fatal_close_hands_back_every_unconfirmed_message() -> None:
    """Was: ~250 unconfirmed messages vanished with only a SessionBroken."""
    async with Peer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        for n in range(250):
            await session.send_text(f"message {n}")
        await peer.wait_for_messages(250)
        assert len(session.unconfirmed()) == 250
        await peer.ws.close(1007, "Request contains an invalid argument.")
        seen: list[gemini_live.Event] = []
        with pytest.raises(SessionBroken) as broken:
            async with asyncio.timeout(2):
                async for event in events:
                    seen.append(event)
        lost = broken.value.unconfirmed
        assert [json.loads(m.frame)["realtimeInput"]["text"] for m in lost] == [
            f"message {n}" for n in range(250)
        ]
        assert {m.kind for m in lost} == {"text"}
        dropped = [e for e in seen if isinstance(e, InputDropped)]
        assert [(e.kind, e.count) for e in dropped] == [("unconfirmed", 250)]
    # ... and they can be sent again on a new session, in order.
    async with Peer() as peer, connect(peer.base_url) as fresh:
        await fresh.resend(lost)
        received = await peer.wait_for_messages(250)
    assert [m["realtimeInput"]["text"] for m in received] == [f"message {n}" for n in range(250)]


async def test_resend_rejects_anything_but_unconfirmed_messages() -> None:
    async with Peer() as peer, connect(peer.base_url) as session:
        with pytest.raises(TypeError, match="UnconfirmedMessage"):
            await session.resend(['{"realtimeInput": {"text": "x"}}'])  # type: ignore[list-item]


# -- another event loop or thread -----------------------------------------------------------------


async def test_a_send_from_another_thread_raises_instead_of_writing() -> None:
    """Was: send_text from another thread wrote to the socket from the wrong thread."""
    async with Peer() as peer, connect(peer.base_url) as session:
        errors: list[BaseException] = []

        def other_thread() -> None:
            try:
                asyncio.run(session.send_text("from another thread"))
            except BaseException as exc:
                errors.append(exc)
            try:
                session.send_audio_nowait(b"\x00\x00")
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=other_thread)
        thread.start()
        await asyncio.to_thread(thread.join, 5)
        assert [type(e) for e in errors] == [RuntimeError, RuntimeError]
        assert "another event loop" in str(errors[0])
        await session.send_text("still fine")
        received = await peer.wait_for_messages(1)
        assert received == [{"realtimeInput": {"text": "still fine"}}]


async def test_a_consumer_on_another_loop_raises_instead_of_waiting() -> None:
    """Was: a consumer on another loop waited 20 s for an event published at 0.5 s."""
    async with Peer() as peer, connect(peer.base_url) as session:
        events = session.events()

        async def consume() -> object:
            return await anext(events)

        with pytest.raises(RuntimeError, match="another event loop"):
            await asyncio.wait_for(asyncio.to_thread(asyncio.run, consume()), 5)
        with pytest.raises(RuntimeError, match="another event loop"):
            await asyncio.wait_for(
                asyncio.to_thread(
                    asyncio.run, session.wait_for_phase(gemini_live.Phase.ACTIVE, timeout=1)
                ),
                5,
            )


# -- invalid UTF-8 -------------------------------------------------------------------------------


@pytest.mark.parametrize("opcode", [0x1, 0x2], ids=["text", "binary"])
async def test_invalid_utf8_is_a_protocol_violation_in_text_and_binary_frames(opcode: int) -> None:
    """Was: in a text frame it ended the session (fatal 1007 "closed by client"); in a binary
    frame it became a ProtocolViolation. Now both are a ProtocolViolation and the session goes
    on."""
    async with RawPeer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        await peer.wait_for("setup", 1)
        await peer.send_raw(1, opcode, b'{"serverContent": "\xff\xfe"}')
        await peer.send(1, {"serverContent": {"modelTurn": {"parts": [{"text": "after"}]}}})
        seen = await read_until(events, TextDelta)
        assert [type(e) for e in seen if not isinstance(e, ev.PhaseChanged)] == [
            ProtocolViolation,
            TextDelta,
        ]
        assert not session.closed
        await session.disconnect()


def test_a_1007_or_1002_sent_by_the_client_is_retried_like_1009() -> None:
    """Our verdict on one peer frame (bad UTF-8 in a close reason, bad framing) is a
    PROTOCOL_ERROR and retried, like 1009 by client; 1007 sent by the server stays fatal."""
    from gemini_live.protocol.live import Reconnect, Stop

    for code, closed_by, expected in [
        (1007, "client", Reconnect),
        (1002, "client", Reconnect),
        (1009, "client", Reconnect),
        (1007, "server", Stop),
        (1009, "server", Stop),
    ]:
        protocol = _protocol()
        protocol.connect_requested()
        protocol.next_setup()
        protocol.connected([ev.SetupComplete()], 0.0)
        decision = protocol.connection_lost(code, "x", closed_by, 100.0)
        assert isinstance(decision, expected), (code, closed_by, decision)


# -- the emulator keeps credentials out of its logs ---------------------------------------------


async def test_the_emulator_never_logs_the_api_key(caplog: pytest.LogCaptureFixture) -> None:
    """Was: its WebSocket server logged the x-goog-api-key header at DEBUG."""
    secret = "AIza-emulator-log-SECRET-0123456789"
    caplog.set_level(logging.DEBUG)
    async with Emulator() as emu:
        session = await gemini_live.connect(MODEL, credentials=ApiKey(secret), base_url=emu.url)
        await session.send_text("hi")
        await session.disconnect()
    server_records = [r for r in caplog.records if r.name.startswith("websockets.server")]
    assert server_records, "the emulator's server logged nothing: the test would prove nothing"
    for record in caplog.records:
        assert secret not in record.getMessage(), record.name
