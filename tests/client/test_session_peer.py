"""Session behaviour over real sockets against a scriptable peer."""

from __future__ import annotations

import asyncio
import base64

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    AudioChunk,
    Disconnected,
    FunctionResponse,
    LiveConfig,
    Phase,
    SendQueueFull,
    SessionBroken,
    SessionClosed,
    SessionOptions,
    SetupRejected,
    SetupTimeout,
    TextDelta,
    TurnComplete,
)
from gemini_live.protocol.config import (
    AutomaticActivityDetection,
    RealtimeInputConfig,
    SessionResumptionConfig,
)
from tests.client.peer import Peer

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
NO_RESUME = LiveConfig(session_resumption=SessionResumptionConfig(enabled=False))
MANUAL = LiveConfig(
    realtime_input_config=RealtimeInputConfig(
        automatic_activity_detection=AutomaticActivityDetection(disabled=True)
    )
)


def connect(peer: Peer, config: LiveConfig | None = None, **options: object):  # type: ignore[no-untyped-def]
    opts = SessionOptions(**options) if options else None  # type: ignore[arg-type]
    return gemini_live.connect(
        "gemini-3.8-live",
        credentials=ApiKey("test-key"),
        base_url=peer.base_url,
        config=config,
        options=opts,
    )


async def test_setup_frame_and_phase() -> None:
    async with Peer() as peer, connect(peer) as session:
        assert session.phase is Phase.ACTIVE
        assert session.session_id == "raw-1"
        setup = peer.received[0]["setup"]
        assert setup["model"] == "models/gemini-3.8-live"
        assert "sessionResumption" in setup  # on by default


async def test_every_writer_method_produces_the_expected_frame() -> None:
    async with Peer() as peer:
        async with connect(peer, MANUAL) as session:
            await session.send_audio(b"\x01\x00\x02\x00")
            await session.send_text("hello")
            await session.send_tool_response(
                [FunctionResponse(name="f", response={"output": 1}, id="fc-1")]
            )
            await session.send_client_content([{"role": "user", "parts": [{"text": "hi"}]}], False)
            await session.send_video(JPEG)
            await session.update_instruction("Be brief.")
            await session.signal_activity_start()
            await session.signal_activity_end()
            await session.update_tools([])
            got = await peer.wait_for_messages(9)
        assert got == [
            {
                "realtimeInput": {
                    "audio": {
                        "mimeType": "audio/pcm;rate=16000",
                        "data": base64.b64encode(b"\x01\x00\x02\x00").decode(),
                    }
                }
            },
            {"realtimeInput": {"text": "hello"}},
            {
                "toolResponse": {
                    "functionResponses": [{"id": "fc-1", "name": "f", "response": {"output": 1}}]
                }
            },
            {
                "clientContent": {
                    "turns": [{"role": "user", "parts": [{"text": "hi"}]}],
                    "turnComplete": False,
                }
            },
            {
                "realtimeInput": {
                    "video": {"mimeType": "image/jpeg", "data": base64.b64encode(JPEG).decode()}
                }
            },
            {
                "contextUpdate": {
                    "systemInstruction": {"role": "user", "parts": [{"text": "Be brief."}]}
                }
            },
            {"realtimeInput": {"activityStart": {}}},
            {"realtimeInput": {"activityEnd": {}}},
            {"contextUpdate": {"tools": {"tools": []}}},
        ]


async def test_audio_stream_end_frame() -> None:
    async with Peer() as peer, connect(peer) as session:
        await session.send_audio_stream_end()
        assert await peer.wait_for_messages(1) == [{"realtimeInput": {"audioStreamEnd": True}}]


async def test_bad_input_is_rejected_before_sending() -> None:
    async with Peer() as peer, connect(peer) as session:
        with pytest.raises(ValueError, match="even number"):
            await session.send_audio(b"\x00\x01\x02")
        with pytest.raises(TypeError, match="bytes"):
            await session.send_audio("not bytes")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="JPEG"):
            await session.send_video(b"\x89PNG....")
        with pytest.raises(TypeError):
            await session.send_text(42)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="manual activity detection"):
            await session.signal_activity_start()
        with pytest.raises((TypeError, ValueError)):
            await session.send_tool_response([42])  # type: ignore[list-item]
        with pytest.raises(ValueError):  # Google AI needs the call id
            await session.send_tool_response([FunctionResponse(name="f", response={})])
        await session.send_text("still fine")
        assert await peer.wait_for_messages(1) == [{"realtimeInput": {"text": "still fine"}}]


async def test_concurrent_writers_keep_order_and_lose_nothing() -> None:
    async with Peer() as peer, connect(peer, NO_RESUME, send_queue_size=8) as session:

        async def writer(w: int) -> None:
            for i in range(50):
                await session.send_text(f"{w}:{i}")
                if i % 7 == 0:
                    await asyncio.sleep(0)

        async with asyncio.timeout(10):
            await asyncio.gather(*(writer(w) for w in range(20)))
        got = await peer.wait_for_messages(1000, timeout=10)
    texts = [m["realtimeInput"]["text"] for m in got]
    assert len(texts) == 1000 and len(set(texts)) == 1000
    for w in range(20):
        mine = [int(t.split(":")[1]) for t in texts if t.startswith(f"{w}:")]
        assert mine == list(range(50))


async def test_backpressure_engages_when_the_peer_stops_reading() -> None:
    from gemini_live.client.transport import TransportOptions

    async with Peer() as peer:
        peer.stall.set()
        transport = TransportOptions(write_limit_high=16 * 1024)
        async with connect(
            peer, NO_RESUME, send_queue_size=4, transport=transport, flush_timeout=0.5
        ) as session:
            chunk = b"\x00\x01" * 8000
            sent = 0
            with pytest.raises(TimeoutError):
                # Loopback buffers fill within milliseconds (about 16 KB per chunk): half a
                # second of waiting is send_audio blocked, not still writing.
                async with asyncio.timeout(0.5):
                    while True:
                        await session.send_audio(chunk)
                        sent += 1
            assert sent > 0  # writes went through until the socket backed up, then send waited
            with pytest.raises(SendQueueFull):
                for _ in range(10):
                    session.send_audio_nowait(chunk)
            assert session.statistics().send_queue_length == 4
            peer.stall.clear()
            async with asyncio.timeout(10):
                await session.send_audio(chunk)  # room again once the peer reads


async def test_two_consumers_both_see_every_event() -> None:
    async with Peer() as peer, connect(peer) as session:
        a, b = session.events(), session.events()
        pcm = b"\x10\x00" * 480
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "hi"}]}}})
        await peer.send(
            {
                "serverContent": {
                    "modelTurn": {
                        "parts": [
                            {
                                "inlineData": {
                                    "mimeType": "audio/pcm;rate=24000",
                                    "data": base64.b64encode(pcm).decode(),
                                }
                            }
                        ]
                    }
                }
            }
        )
        await peer.send({"serverContent": {"turnComplete": True}})

        async def collect(sub):  # type: ignore[no-untyped-def]
            out = []
            async with asyncio.timeout(5):
                async for event in sub:
                    if isinstance(event, TextDelta | AudioChunk | TurnComplete):
                        out.append(event)
                    if isinstance(event, TurnComplete):
                        return out
            return out

        got_a, got_b = await asyncio.gather(collect(a), collect(b))
        assert (
            got_a
            == got_b
            == [TextDelta("hi"), AudioChunk(pcm, 24000, "audio/pcm;rate=24000"), TurnComplete()]
        )


async def test_cancelled_consumer_does_not_disturb_the_session() -> None:
    async with Peer() as peer, connect(peer) as session:
        sub = session.events()
        task = asyncio.create_task(sub.__anext__())
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "after"}]}}})
        async with asyncio.timeout(5):
            async for event in sub:
                if isinstance(event, TextDelta):
                    assert event.text == "after"
                    break
        await session.send_text("ok")
        assert await peer.wait_for_messages(1) == [{"realtimeInput": {"text": "ok"}}]


async def test_disconnect_is_idempotent_and_later_sends_raise() -> None:
    async with Peer() as peer:
        session = await connect(peer)
        events = session.events()
        await session.send_text("last")
        await session.disconnect()
        await session.disconnect()
        await asyncio.gather(session.disconnect(), session.disconnect())
        with pytest.raises(SessionClosed):
            await session.send_text("too late")
        with pytest.raises(SessionClosed):
            await session.send_audio(b"\x00\x00")
        assert session.phase is Phase.DISCONNECTED
        seen = [e async for e in events]
        assert isinstance(seen[-1], Disconnected) and seen[-1].code == 1000
        assert peer.received[-1] == {"realtimeInput": {"text": "last"}}  # flushed before close
        assert peer.ws.close_code == 1000


async def test_setup_timeout_is_bounded() -> None:
    async with Peer(setup_reply="never") as peer:
        with pytest.raises(SetupTimeout):
            async with asyncio.timeout(5):
                await connect(peer, setup_timeout=0.3)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (1007, "Request contains an invalid argument."),
        (1008, "Requested entity was not found."),
    ],
)
async def test_setup_rejection_carries_code_and_reason(code: int, reason: str) -> None:
    async with Peer(setup_reply=("close", code, reason)) as peer:
        with pytest.raises(SetupRejected) as info:
            await connect(peer)
        assert info.value.code == code and info.value.reason == reason
        assert not isinstance(info.value, SetupTimeout)


async def test_garbage_frames_become_events_and_the_reader_survives() -> None:
    async with Peer(setup_reply="garbage_then_complete") as peer, connect(peer) as session:
        sub = session.events()
        await peer.send("{{{ nope")
        await peer.send({"someFutureMessage": {"x": 1}})
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "alive"}]}}})
        kinds = []
        async with asyncio.timeout(5):
            async for event in sub:
                kinds.append(type(event).__name__)
                if isinstance(event, TextDelta):
                    break
        assert kinds[:3] == ["ProtocolViolation", "UnknownMessage", "TextDelta"]
        assert session.statistics().frames_received >= 4


async def test_fatal_close_breaks_the_session_with_code_and_reason() -> None:
    async with Peer() as peer:
        session = await connect(peer)
        sub = session.events()
        await peer.ws.close(1008, "Operation is not implemented, or supported, or enabled.")
        with pytest.raises(SessionBroken) as info:
            async with asyncio.timeout(5):
                async for _ in sub:
                    pass
        assert info.value.code == 1008 and info.value.closed_by == "server"
        with pytest.raises(SessionBroken):
            await session.send_text("x")
        await session.disconnect()  # still fine to call


async def test_wait_for_phase_is_bounded_and_tracks_the_model() -> None:
    async with Peer() as peer, connect(peer) as session:
        with pytest.raises(gemini_live.LiveTimeout):
            await session.wait_for_phase(Phase.MODEL_SPEAKING, timeout=0.05)
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "x"}]}}})
        assert await session.wait_for_phase(Phase.MODEL_SPEAKING, timeout=5) is Phase.MODEL_SPEAKING
        await peer.send({"serverContent": {"turnComplete": True}})
        assert await session.wait_for_phase(Phase.ACTIVE, timeout=5) is Phase.ACTIVE


async def test_key_never_appears_in_errors_or_reprs() -> None:
    secret = "AIza-very-secret-key"
    with pytest.raises(gemini_live.ConnectError) as info:
        await gemini_live.connect("m", credentials=ApiKey(secret), base_url="ws://127.0.0.1:9")
    assert secret not in str(info.value) and secret not in repr(info.value)
