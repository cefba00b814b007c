"""Replay-buffer evictions are never silent: over a real socket, against a peer that never
confirms anything (no ``sessionResumptionUpdate``), a small replay bound evicts the oldest
unconfirmed messages (media first); after the connection drops, the reconnect announces exactly
what was evicted (``InputDropped`` per kind, before ``Resumed``), counts it, warns once per
connection, and replays everything else in order."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import gemini_live
from gemini_live import (
    ApiKey,
    FunctionResponse,
    InputDropped,
    Resumed,
    SessionOptions,
    SessionWarning,
)
from gemini_live.client.fanout import Subscription
from gemini_live.protocol.retry import ExponentialBackoff
from tests.client.peer import Peer

BOUND = 50
REASON = "evicted from the replay buffer (over its bound) before the service confirmed it"


def _connect(peer: Peer) -> Any:
    options = SessionOptions(
        replay_max_messages=BOUND,
        max_audio_age=None,  # nothing is dropped for age: every loss here is an eviction
        retry_policy=ExponentialBackoff(initial_delay=0.01, jitter="none"),
    )
    return gemini_live.connect(
        "gemini-3.8-live", credentials=ApiKey("test-key"), base_url=peer.base_url, options=options
    )


async def _send(session: Any, i: int) -> str:
    """Message ``i`` (one of text, audio, tool response, audio); returns what identifies it."""
    match i % 4:
        case 0:
            await session.send_text(f"t{i}")
            return f"text:t{i}"
        case 2:
            await session.send_tool_response([FunctionResponse(id=f"c{i}", name="f", response={})])
            return f"tool:c{i}"
        case _:
            await session.send_audio(i.to_bytes(2, "big"))
            return f"audio:{i}"


def _identify(message: dict[str, Any]) -> str:
    if "toolResponse" in message:
        return f"tool:{message['toolResponse']['functionResponses'][0]['id']}"
    realtime = message["realtimeInput"]
    if "text" in realtime:
        return f"text:{realtime['text']}"
    return f"audio:{int.from_bytes(base64.b64decode(realtime['audio']['data']), 'big')}"


async def _until_resumed(events: Subscription) -> list[Any]:
    seen: list[Any] = []
    async with asyncio.timeout(5):
        async for event in events:
            seen.append(event)
            if isinstance(event, Resumed):
                return seen
    raise AssertionError("the session ended before resuming")


async def test_evicted_messages_are_announced_counted_and_the_rest_replayed_in_order() -> None:
    async with Peer() as peer, _connect(peer) as session:
        events = session.events()
        sent = [await _send(session, i) for i in range(80)]
        await peer.wait_messages(1, 80)
        before = session.statistics()
        peer.abort(1)  # the connection drops with nothing confirmed
        seen = await _until_resumed(events)
        await peer.wait_messages(2, BOUND)
        after = session.statistics()
        replayed = [_identify(m) for m in peer.messages[2][1:]]

    # 40 audio chunks, 20 texts, 20 tool responses: the 30 evictions took the oldest audio.
    audio = [m for m in sent if m.startswith("audio:")]
    evicted = set(audio[:30])
    assert replayed == [m for m in sent if m not in evicted]  # order kept, nothing else lost
    warnings = [e for e in seen if isinstance(e, SessionWarning) and "replay buffer" in e.message]
    assert len(warnings) == 1  # once for the connection, not once per eviction
    dropped = [e for e in seen if isinstance(e, InputDropped)]
    assert dropped == [InputDropped("audio", 30, REASON)]
    resumed = seen[-1]
    assert (resumed.replayed_count, resumed.dropped_count) == (BOUND, 30)
    assert seen.index(dropped[0]) < seen.index(resumed)
    assert before.evicted_messages == after.evicted_messages == 30
    assert after.replayed_messages == BOUND


async def test_without_media_the_newest_messages_are_kept() -> None:
    async with Peer() as peer, _connect(peer) as session:
        events = session.events()
        sent = []
        for i in range(80):
            if i % 2:
                await session.send_text(f"t{i}")
                sent.append(f"text:t{i}")
            else:
                await session.send_tool_response(
                    [FunctionResponse(id=f"c{i}", name="f", response={})]
                )
                sent.append(f"tool:c{i}")
        await peer.wait_messages(1, 80)
        peer.abort(1)
        seen = await _until_resumed(events)
        await peer.wait_messages(2, BOUND)
        replayed = [_identify(m) for m in peer.messages[2][1:]]
        assert session.statistics().evicted_messages == 30

    assert replayed == sent[-BOUND:]
    dropped = [e for e in seen if isinstance(e, InputDropped)]
    assert dropped == [InputDropped("tool_response", 15, REASON), InputDropped("text", 15, REASON)]
    assert seen.index(dropped[-1]) < len(seen) - 1  # before Resumed, the last event
