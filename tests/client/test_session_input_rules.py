"""What the session does with input: writers, phases, tool-call bookkeeping, the replay wiring.

FIFO across writers, cancellation at every await of a send, the phase machine's counters, the
resumption tracker as driven by the keeper over a scriptable peer, options, and secrets.
Each test's docstring says what was once wrong (or which guarantee it guards).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    Disconnected,
    Event,
    ExponentialBackoff,
    FunctionResponse,
    Phase,
    Platform,
    Reconnecting,
    Resumed,
    ResumptionUpdate,
    SessionBroken,
    SessionOptions,
    SessionWarning,
    SetupRejected,
    TurnComplete,
)
from gemini_live.client.endpoints import custom_endpoint
from gemini_live.client.transport import TransportOptions
from tests.client.peer import Peer
from tests.client.rawpeer import (
    MODEL,
    NO_RESUME,
    RawPeer,
    connect,
    fill_socket,
    read_for,
    read_until,
    texts,
)

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


# -- ordering and cancellation of writers -------------------------------------------------------


async def test_a_writer_waiting_for_room_is_not_overtaken_by_a_newcomer() -> None:
    """Was: when the pump freed the slot a blocked writer had been granted, a writer arriving
    before the blocked one resumed saw an empty queue and wrote straight to the socket.
    (The queue is held during a reconnect backoff, when the pump cannot write.)"""
    policy = ExponentialBackoff(initial_delay=0.3, max_delay=0.3, jitter="none")
    async with Peer() as peer:
        session = await connect(peer.base_url, send_queue_size=1, retry_policy=policy)
        peer.ws.transport.abort()
        await session.wait_for_phase(Phase.RECONNECTING, timeout=2)
        await session.send_text("queued")  # takes the one slot
        first = asyncio.create_task(session.send_text("first"))  # waits for room
        await asyncio.sleep(0.05)
        assert not first.done()

        async def newcomer() -> None:
            # Always ready to run: it acts right after the pump frees the slot.
            for _ in range(1_000_000):
                if session.statistics().send_queue_length == 0:
                    break
                await asyncio.sleep(0)
            await session.send_text("second")

        second = asyncio.create_task(newcomer())
        async with asyncio.timeout(3):
            await asyncio.gather(first, second)
        await peer.wait_for_messages(4)  # the second setup and three texts
        assert texts(peer.received) == ["queued", "first", "second"]
        await session.disconnect()


async def test_cancelling_a_tool_response_after_acceptance_keeps_the_bookkeeping() -> None:
    """Was: a caller cancelled while waiting for the socket to drain (its response already
    written) left the call pending and the phase at ToolCallPending."""
    high = 64 * 1024
    async with RawPeer() as peer:
        session = await connect(
            peer.base_url,
            NO_RESUME,
            max_audio_age=None,
            transport=TransportOptions(write_limit_high=high),
        )
        await peer.send(1, {"toolCall": {"functionCalls": [{"id": "c1", "name": "f", "args": {}}]}})
        await session.wait_for_phase(Phase.TOOL_CALL_PENDING, timeout=2)
        peer.reading = False
        sent = fill_socket(session, b"\x01\x00" * 4096)
        big = FunctionResponse(name="f", id="c1", response={"blob": "x" * (2 * high)})
        answering = asyncio.create_task(session.send_tool_response([big]))
        await asyncio.sleep(0)  # it runs to its first await: written, now waiting for a drain
        assert not answering.done()
        answering.cancel()
        with pytest.raises(asyncio.CancelledError):
            await answering
        assert session.phase is Phase.ACTIVE
        peer.reading = True
        await peer.wait_messages(1, sent + 1)
        assert peer.messages[1][-1]["toolResponse"]["functionResponses"][0]["id"] == "c1"
        await session.disconnect()


async def test_cancelling_a_tool_response_before_acceptance_sends_nothing() -> None:
    policy = ExponentialBackoff(initial_delay=0.3, max_delay=0.3, jitter="none")
    async with Peer() as peer:
        session = await connect(peer.base_url, send_queue_size=1, retry_policy=policy)
        events = session.events()
        await peer.send({"toolCall": {"functionCalls": [{"id": "c1", "name": "f", "args": {}}]}})
        await session.wait_for_phase(Phase.TOOL_CALL_PENDING, timeout=2)
        await peer.send({"sessionResumptionUpdate": {"newHandle": "h1", "resumable": True}})
        await read_until(events, ResumptionUpdate)
        peer.ws.transport.abort()
        await session.wait_for_phase(Phase.RECONNECTING, timeout=2)
        await session.send_text("queued")  # takes the one slot
        answering = asyncio.create_task(
            session.send_tool_response([FunctionResponse(name="f", id="c1", response={})])
        )
        await asyncio.sleep(0.05)
        assert not answering.done()  # waiting for room: not accepted
        answering.cancel()
        with pytest.raises(asyncio.CancelledError):
            await answering
        await read_until(events, Resumed)
        await session.send_text("marker")
        await peer.wait_for_messages(3)  # the second setup, "queued", "marker"
        assert texts(peer.received) == ["queued", "marker"]
        assert not [m for m in peer.received if "toolResponse" in m]
        await session.disconnect()


async def test_rejected_video_does_not_shorten_the_session_limit() -> None:
    """Was: send_video() marked the session as a video session before validating the frame."""
    async with Peer() as peer:
        session = await connect(
            peer.base_url, audio_session_limit=60.0, video_session_limit=0.5,
            session_limit_warning=0.45,
        )  # fmt: skip
        events = session.events()
        with pytest.raises(ValueError, match="not JPEG"):
            await session.send_video(b"not a jpeg")
        quiet = await read_for(events, 0.3)  # a video session would have warned after 0.05 s
        assert not [e for e in quiet if isinstance(e, SessionWarning)]
        await session.send_video(JPEG)
        warning = (await read_until(events, SessionWarning, timeout=1.5))[-1]
        assert isinstance(warning, SessionWarning) and "audio+video" in warning.message
        await session.disconnect()


# -- phase machine and counters -----------------------------------------------------------------


async def test_routine_repeats_are_not_counted_and_unknown_activity_moves_nothing() -> None:
    """Was: every audio chunk or text delta after the first counted as an ignored phase trigger
    (48 of 53 events of a normal reply), and an unknown voiceActivity kind ended user activity."""
    async with Peer() as peer, connect(peer.base_url) as session:
        events = session.events()
        for word in ("one", "two", "three"):
            await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": word}]}}})
        await peer.send({"serverContent": {"turnComplete": True}})
        await read_until(events, TurnComplete)
        assert session.phase is Phase.ACTIVE
        assert session.statistics().ignored_phase_triggers == 0
        await peer.send({"voiceActivity": {"type": "ACTIVITY_START"}})
        await peer.send({"voiceActivity": {"type": "ACTIVITY_START"}})  # a routine repeat
        await peer.send({"voiceActivity": {"type": "SOME_FUTURE_KIND"}})
        await peer.send({"serverContent": {"turnComplete": True}})  # not a transition here
        await read_until(events, TurnComplete)
        assert session.phase is Phase.USER_SPEAKING
        assert session.statistics().ignored_phase_triggers == 1


# -- resumption wiring over a scriptable peer ---------------------------------------------------


async def test_replay_comes_first_then_frames_queued_during_the_reconnect_exactly_once() -> None:
    """``lastConsumedClientMessageIndex=2`` must confirm m1 and m2 only: setup is index 0, so the
    tracker's new connection starts before setup. m3 is replayed on the new connection before
    m4/m5, which were accepted while reconnecting; nothing twice."""
    policy = ExponentialBackoff(initial_delay=0.2, max_delay=0.2, jitter="none")
    async with Peer() as peer:
        session = await connect(peer.base_url, retry_policy=policy)
        events = session.events()
        for text in ("m1", "m2", "m3"):
            await session.send_text(text)
        await peer.wait_for_messages(3)
        update = {"newHandle": "h1", "resumable": True, "lastConsumedClientMessageIndex": "2"}
        await peer.send({"sessionResumptionUpdate": update})
        await read_until(events, ResumptionUpdate)
        assert session.statistics().unconfirmed_messages == 1
        peer.ws.transport.abort()
        await session.wait_for_phase(Phase.RECONNECTING, timeout=2)
        await session.send_text("m4")
        await session.send_text("m5")
        resumed = (await read_until(events, Resumed))[-1]
        assert resumed == Resumed("h1", 1, 0)
        await peer.wait_for_messages(7)
        setups = [i for i, m in enumerate(peer.received) if "setup" in m]
        assert len(setups) == 2
        assert peer.received[setups[1]]["setup"]["sessionResumption"]["handle"] == "h1"
        assert texts(peer.received[setups[1] :]) == ["m3", "m4", "m5"]
        assert texts(peer.received) == ["m1", "m2", "m3", "m3", "m4", "m5"]
        # On the new connection m3 is index 1 again (setup is 0): confirming 1 leaves m4, m5.
        update = {"newHandle": "h2", "resumable": True, "lastConsumedClientMessageIndex": 1}
        await peer.send({"sessionResumptionUpdate": update})
        await read_until(events, ResumptionUpdate)
        assert session.statistics().unconfirmed_messages == 2
        await session.disconnect()


async def test_a_fatal_close_is_never_retried() -> None:
    async with Peer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        await peer.ws.close(1007, "Request contains an invalid argument.")
        seen: list[Event] = []
        with pytest.raises(SessionBroken) as info:
            async with asyncio.timeout(2):
                async for event in events:
                    seen.append(event)
        assert info.value.code == 1007
        assert not [e for e in seen if isinstance(e, Reconnecting)]
        assert next(e for e in seen if isinstance(e, Disconnected)).will_reconnect is False
        await asyncio.sleep(0.1)
        assert peer.connections == 1


async def test_a_lost_socket_is_dropped_before_the_next_connection_resumes() -> None:
    """Was: after a keepalive timeout against a peer that ignores the close frame, the old TCP
    connection stayed up until ``close_timeout`` while the session already resumed on a new
    one (the service answers that with 1011)."""
    policy = ExponentialBackoff(initial_delay=0.05, max_delay=0.05, jitter="none")
    transport = TransportOptions(ping_interval=0.05, ping_timeout=0.1, close_timeout=1.5)
    async with RawPeer(pong=False, answer_close=False) as peer:
        session = await connect(peer.base_url, retry_policy=policy, transport=transport)
        await peer.wait_for("close_frame", 1)  # our keepalive gave up on connection 1
        peer.pong = peer.answer_close = True
        await peer.wait_for("setup", 2)
        assert ("eof", 1) in peer.log
        assert peer.log.index(("eof", 1)) < peer.log.index(("setup", 2)), peer.log
        await session.disconnect()


# -- secrets ------------------------------------------------------------------------------------


async def test_no_credential_in_any_repr_error_event_or_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api_key = "AIza-review-SECRET-api-key-0123"
    token = "ya29.review-SECRET-bearer-token"
    ephemeral = "auth_tokens/review-SECRET-ephemeral"
    secrets = (api_key, token, ephemeral)
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    async with Peer() as peer:
        for kwargs in (
            {"api_key": api_key},
            {"ephemeral_token": ephemeral},
            {
                "platform": Platform.VERTEX,
                "vertex_project": "p",
                "vertex_location": "us-central1",
                "vertex_token": token,
            },
        ):
            # The old keywords still take credentials (deprecated): none of them may show either.
            with pytest.warns(DeprecationWarning, match="is deprecated"):
                session = await gemini_live.connect(MODEL, base_url=peer.base_url, **kwargs)
            events = session.events()
            await session.send_text("hi")
            await peer.ws.close(1007, "Request contains an invalid argument.")
            seen: list[Event] = []
            with pytest.raises(SessionBroken) as broken:
                async with asyncio.timeout(2):
                    async for event in events:
                        seen.append(event)
            shown += [repr(session), str(session), repr(session.statistics())]
            shown += [repr(broken.value), str(broken.value), *map(repr, seen)]
            shown += [repr(session._driver.options), repr(session._driver.connection)]
            await session.disconnect()
        endpoint = custom_endpoint(peer.base_url, MODEL, platform="google_ai", api_key=api_key)
        shown += [repr(endpoint), str(endpoint)]
    async with Peer(setup_reply=("close", 1008, "Requested entity was not found.")) as peer:
        with pytest.raises(SetupRejected) as rejected:
            await gemini_live.connect(MODEL, base_url=peer.base_url, credentials=ApiKey(api_key))
        shown += [repr(rejected.value), str(rejected.value)]
    with pytest.raises(gemini_live.ConnectError) as refused:
        await gemini_live.connect(MODEL, credentials=ApiKey(api_key), base_url="ws://127.0.0.1:9")
    shown += [repr(refused.value), str(refused.value)]
    shown += [
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if record.name.startswith(("gemini_live", "websockets.client"))  # not the test's server
    ]
    for text in shown:
        for secret in secrets:
            assert secret not in text, text


# -- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [{"max_audio_age": float("nan")}, {"max_audio_age": -1.0}, {"replay_index_origin": "x"}],
)
def test_options_reject_values_that_would_only_fail_at_the_first_reconnect(
    bad: dict[str, Any],
) -> None:
    """Was: ``max_audio_age=nan`` was accepted and broke the session (internal error) when the
    replay planner rejected it at the first reconnect."""
    with pytest.raises(ValueError, match=next(iter(bad))):
        SessionOptions(**bad)
