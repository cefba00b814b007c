"""The session's lifecycle under adversity: disconnect() races, dead peers, cancellation.

disconnect() racing the keeper, a pending send, a consumer or its own cancellation; bugs in the
session's own tasks; errors raised again after the end; bounded waits and no leftover tasks.
Each test's docstring says what was once wrong (or which guarantee it guards).
"""

from __future__ import annotations

import asyncio

import pytest

import gemini_live
from gemini_live import (
    Disconnected,
    Event,
    ExponentialBackoff,
    FunctionResponse,
    InputDropped,
    Phase,
    Reconnecting,
    Resumed,
    SessionBroken,
    SessionClosed,
    TextDelta,
)
from gemini_live.client import keeper
from gemini_live.client.session import Session
from gemini_live.client.transport import TransportOptions
from tests.client.peer import Peer
from tests.client.rawpeer import (
    RawPeer,
    connect,
    drain_events,
    read_until,
    wait_no_leftover_tasks,
)

# -- disconnect() racing the keeper -----------------------------------------------------------


async def test_disconnect_does_not_reconnect_or_announce_a_reconnect() -> None:
    """Was: the keeper saw the close that disconnect() started as a loss, published
    ``Disconnected(will_reconnect=True)`` and ``Reconnecting`` and started a reconnect."""
    before = set(asyncio.all_tasks())
    async with Peer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        await session.send_text("bye")
        await session.disconnect()
        seen = await drain_events(events)
        assert peer.connections == 1
    assert not [e for e in seen if isinstance(e, Reconnecting | Resumed)]
    assert [e for e in seen if isinstance(e, Disconnected)] == [Disconnected(1000, "", "client")]
    await wait_no_leftover_tasks(before)


async def test_disconnect_with_a_slow_close_never_opens_a_new_connection() -> None:
    """Was: while disconnect() waited for a slow close, the keeper resumed on a new socket,
    which disconnect() then left open (and the service saw a second live connection)."""
    policy = ExponentialBackoff(initial_delay=0.001, max_delay=0.001, rotate_min_uptime=0)
    before = set(asyncio.all_tasks())
    async with RawPeer(answer_close=False) as peer:
        session = await connect(
            peer.base_url, retry_policy=policy, transport=TransportOptions(close_timeout=0.5)
        )
        events = session.events()
        async with asyncio.timeout(2):
            await session.disconnect()
        seen = await drain_events(events)
        await peer.wait_for("eof", 1)
        assert peer.connections == 1, peer.log
    assert not [e for e in seen if isinstance(e, Reconnecting)]
    await wait_no_leftover_tasks(before)


async def test_cancelled_disconnect_still_ends_the_session() -> None:
    """Was: cancelling disconnect() mid-close left the session 'closing' for ever: consumers
    never ended and every later disconnect() hung."""
    before = set(asyncio.all_tasks())
    async with RawPeer(answer_close=False) as peer:
        session = await connect(peer.base_url, transport=TransportOptions(close_timeout=5.0))
        events = session.events()
        closing = asyncio.create_task(session.disconnect())
        await peer.wait_for("close_frame", 1)  # the close is under way; the peer ignores it
        closing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await closing
        assert session.closed and session.phase is Phase.DISCONNECTED
        async with asyncio.timeout(1):
            await session.disconnect()  # returns promptly
        seen = await drain_events(events, timeout=1)  # and the consumer's iterator ends
        assert isinstance(seen[-1], Disconnected) and not seen[-1].will_reconnect
        with pytest.raises(SessionClosed):
            await session.send_text("too late")
    await wait_no_leftover_tasks(before)


async def test_disconnect_during_a_reconnect_backoff_is_prompt_and_announces_unsent_frames() -> (
    None
):
    """Was: frames accepted during the reconnect were discarded silently by disconnect()."""
    policy = ExponentialBackoff(initial_delay=5.0, max_delay=5.0, jitter="none")
    before = set(asyncio.all_tasks())
    async with Peer() as peer:
        session = await connect(peer.base_url, retry_policy=policy)
        events = session.events()
        peer.ws.transport.abort()  # a 1006 loss: the session now backs off for 5 s
        await session.wait_for_phase(Phase.RECONNECTING, timeout=2)
        for i in range(3):
            await session.send_text(f"queued {i}")  # accepted into the outbox
        async with asyncio.timeout(1):
            await session.disconnect()
        seen = await drain_events(events)
    dropped = [e for e in seen if isinstance(e, InputDropped)]
    assert [(e.kind, e.count) for e in dropped] == [("unsent", 3)]
    assert session.statistics().dropped_unsent == 3
    assert seen[-1] == Disconnected(1000, "", "client")
    await wait_no_leftover_tasks(before)


async def test_disconnect_is_bounded_with_a_dead_peer_and_a_full_outbox() -> None:
    """A peer that stops reading: flush and close each give up after their timeout, blocked
    writers get SessionClosed, nothing is left running, and every accepted frame is accounted
    for: written to the socket, or announced as unsent (exactly once), never silently lost."""
    before = set(asyncio.all_tasks())
    async with RawPeer() as peer:
        session = await connect(
            peer.base_url,
            send_queue_size=2,
            flush_timeout=0.3,
            max_audio_age=None,
            transport=TransportOptions(close_timeout=0.3, write_limit_high=4096),
        )
        events = session.events()
        peer.reading = False
        chunk = b"\x01\x00" * 8192
        accepted = [0, 0, 0]

        async def writer(n: int) -> str:
            try:
                while True:
                    await session.send_audio(chunk)
                    accepted[n] += 1  # returned: the frame was accepted (written or queued)
            except SessionClosed:
                return "closed"

        writers = [asyncio.create_task(writer(n)) for n in range(3)]
        # The queue is full *and* the kernel refuses more (bytes wait in user space above the
        # high-water mark), so the flush has something it cannot write. Whether the peer's
        # kernel still takes some of it during the flush depends on load: the accounting
        # below holds either way.
        for _ in range(500):  # within seconds (bounded poll)
            stats = session.statistics()
            if stats.send_queue_length == 2 and stats.write_buffer_size > 4096:
                break
            await asyncio.sleep(0.01)
        assert session.statistics().send_queue_length == 2
        started = asyncio.get_running_loop().time()
        async with asyncio.timeout(2):
            await session.disconnect()
        assert asyncio.get_running_loop().time() - started < 1.5
        async with asyncio.timeout(1):
            assert await asyncio.gather(*writers) == ["closed"] * 3
        seen = await drain_events(events)
        stats = session.statistics()
    # Exact accounting: each accepted frame was either written (messages_sent) or dropped
    # unsent; nothing was stale (max_audio_age=None) and nothing is queued any more.
    assert stats.dropped_stale_media == 0 and stats.send_queue_length == 0
    assert sum(accepted) == stats.messages_sent + stats.dropped_unsent
    assert stats.dropped_unsent <= 2  # at most the queue's size was left unwritten
    dropped = [(e.kind, e.count) for e in seen if isinstance(e, InputDropped)]
    assert dropped == ([("unsent", stats.dropped_unsent)] if stats.dropped_unsent else [])
    await wait_no_leftover_tasks(before)


async def test_disconnect_from_inside_an_event_consumer() -> None:
    before = set(asyncio.all_tasks())
    async with Peer() as peer:
        session = await connect(peer.base_url)
        events = session.events()

        async def consumer() -> list[Event]:
            seen: list[Event] = []
            async for event in events:
                seen.append(event)
                if isinstance(event, TextDelta):
                    await session.disconnect()
            return seen

        task = asyncio.create_task(consumer())
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "hi"}]}}})
        async with asyncio.timeout(2):
            seen = await task
    assert seen[-1] == Disconnected(1000, "", "client")
    assert not [e for e in seen if isinstance(e, Reconnecting)]
    await wait_no_leftover_tasks(before)


async def test_waiters_and_iterators_end_with_the_session() -> None:
    async with Peer() as peer:
        session = await connect(peer.base_url)
        waiter = asyncio.create_task(session.wait_for_phase(Phase.MODEL_SPEAKING, timeout=5))
        await asyncio.sleep(0)
        await session.disconnect()
        with pytest.raises(SessionClosed):
            async with asyncio.timeout(1):
                await waiter
        assert await session.wait_for_phase(Phase.DISCONNECTED, timeout=0.1) is Phase.DISCONNECTED
        # A first consumer that subscribes late still gets the history (nothing is lost before
        # anyone subscribed), and its iterator ends; a second one gets nothing and ends too.
        history = await drain_events(session.events(), timeout=0.5)
        assert history[-1] == Disconnected(1000, "", "client")
        assert await drain_events(session.events(), timeout=0.5) == []


# -- bugs in our own tasks ----------------------------------------------------------------------


async def test_a_bug_in_a_session_task_breaks_the_session_and_drops_the_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Was: the session ended as SessionBroken but its socket stayed open (also after
    disconnect()), and the reason was the TaskGroup's wrapper, not the error."""

    async def broken_watcher(session: Session) -> None:
        await asyncio.sleep(0.05)
        raise RuntimeError("bug in a session task")

    monkeypatch.setattr(keeper, "_watch_limits", broken_watcher)
    before = set(asyncio.all_tasks())
    async with Peer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        seen: list[Event] = []
        with pytest.raises(SessionBroken) as info:
            async with asyncio.timeout(2):
                async for event in events:
                    seen.append(event)
        assert info.value.reason == "RuntimeError('bug in a session task')"
        assert isinstance(seen[-1], Disconnected) and seen[-1].reason == info.value.reason
        with pytest.raises(SessionBroken):
            await session.send_text("x")
        with pytest.raises(SessionBroken):
            await session.wait_for_phase(Phase.MODEL_SPEAKING, timeout=1)
        async with asyncio.timeout(1):
            await peer.ws.wait_closed()  # the client dropped its socket
        async with asyncio.timeout(1):
            await session.disconnect()
    await wait_no_leftover_tasks(before)


class _ExplodingPolicy:
    """A replaceable RetryPolicy with a bug."""

    attempts = 0

    def next_delay(self, failure: object, verdict: object, now: float) -> float | None:
        raise RuntimeError("retry policy bug")

    def connected(self, now: float) -> None:
        pass

    def reset(self) -> None:
        pass


async def test_a_failing_retry_policy_surfaces_as_session_broken() -> None:
    before = set(asyncio.all_tasks())
    async with Peer() as peer:
        session = await connect(peer.base_url, retry_policy=_ExplodingPolicy())
        events = session.events()
        await peer.ws.close(1011, "Internal error occurred.")
        with pytest.raises(SessionBroken, match="retry policy bug"):
            await drain_events(events)
        with pytest.raises(SessionBroken):
            await session.send_text("x")
        await session.disconnect()
    await wait_no_leftover_tasks(before)


# -- errors raised again and again --------------------------------------------------------------


def _depth(error: BaseException) -> int:
    depth, tb = 0, error.__traceback__
    while tb is not None:
        depth, tb = depth + 1, tb.tb_next
    return depth


async def test_raising_the_end_error_again_and_again_does_not_grow_its_traceback() -> None:
    """Was: every call after the end re-raised the same stored exception, and Python appends
    the new frames to its traceback each time: a microphone loop that keeps sending after the
    session broke grew it without bound (memory, and a huge printed traceback)."""
    async with Peer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        others = [session.events() for _ in range(3)]
        await peer.ws.close(1008, "Requested entity was not found.")
        with pytest.raises(SessionBroken):
            await drain_events(events)
        for other in others:
            with pytest.raises(SessionBroken):
                await drain_events(other)
        depths = []
        for _ in range(50):
            try:
                await session.send_audio(b"\x00\x00")
            except SessionBroken as error:
                depths.append(_depth(error))
            try:
                session.send_audio_nowait(b"\x00\x00")
            except SessionBroken as error:
                depths.append(_depth(error))
            with pytest.raises(SessionBroken):
                await session.wait_for_phase(Phase.ACTIVE, timeout=0.1)
        assert len(depths) == 100 and max(depths) <= 6, depths[-3:]


async def test_a_late_tool_response_after_disconnect_raises_like_every_send() -> None:
    """Was: a response to a call the service had cancelled returned silently after
    disconnect() (it was dropped before reaching the closed check)."""
    async with Peer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        await peer.send({"toolCall": {"functionCalls": [{"id": "c1", "name": "f", "args": {}}]}})
        await peer.send({"toolCallCancellation": {"ids": ["c1"]}})
        await read_until(events, gemini_live.ToolCallCancellation)
        late = [FunctionResponse(name="f", id="c1", response={})]
        await session.send_tool_response(late)  # open session: dropped and announced
        dropped = (await read_until(events, InputDropped))[-1]
        assert isinstance(dropped, InputDropped) and dropped.kind == "tool_response"
        await session.disconnect()
        with pytest.raises(SessionClosed):
            await session.send_tool_response(late)
