"""``Session.reconnect()``: a reconnection the application asks for, over real sockets."""

from __future__ import annotations

import asyncio

import pytest

from gemini_live import (
    ConfigError,
    Disconnected,
    ExponentialBackoff,
    LiveConfig,
    Reconnecting,
    Resumed,
    ResumptionUpdate,
    SessionBroken,
    SessionClosed,
    SessionOptions,
    TurnComplete,
)
from gemini_live.client.fanout import Subscription
from gemini_live.protocol.config import SessionResumptionConfig
from gemini_live.testing import Emulator, Fault
from tests.client.emulated import FAST, TEXT, open_session, read_until, text_of

CONFIG = LiveConfig(generation_config=TEXT)


async def _resumable(events: Subscription) -> None:
    """Wait for a resumable handle after the turn just completed."""
    while True:
        update = (await read_until(events, ResumptionUpdate))[-1]
        if isinstance(update, ResumptionUpdate) and update.resumable:
            return


async def test_reconnect_resumes_a_silent_session_and_replays_the_unanswered_input() -> None:
    async with Emulator(**FAST, resumption_update_every=1) as emu:
        emu.inject(Fault.silence(at="turn_complete"))
        async with open_session(emu, CONFIG) as session:
            events = session.events()
            await session.send_text("hello")
            await read_until(events, TurnComplete)
            await _resumable(events)
            handle = session.resumption_handle
            await session.send_text("still there?")  # the model stays silent
            async with asyncio.timeout(5):
                await session.reconnect()
            seen = await read_until(events, TurnComplete)
            stats = session.statistics()

    lost = next(e for e in seen if isinstance(e, Disconnected))
    assert (lost.code, lost.reason, lost.closed_by) == (1000, "reconnect requested", "client")
    assert lost.will_reconnect
    assert [type(e) for e in seen if isinstance(e, Reconnecting | Resumed)] == [
        Reconnecting,
        Resumed,
    ]
    resumed = next(e for e in seen if isinstance(e, Resumed))
    assert resumed.handle_used == handle and not resumed.fresh_session
    assert resumed.replayed_count == 1
    assert text_of(seen) == "Echo: still there?"
    assert stats.reconnects == 1 and emu.last_session.connections == 2


async def test_concurrent_and_cancelled_calls_share_one_reconnection() -> None:
    async with (
        Emulator(**FAST, resumption_update_every=1) as emu,
        open_session(emu, CONFIG) as session,
    ):
        events = session.events()
        await session.send_text("hello")
        await read_until(events, TurnComplete)
        await _resumable(events)
        cancelled = asyncio.create_task(session.reconnect())
        waiting = asyncio.create_task(session.reconnect())
        await asyncio.sleep(0)
        cancelled.cancel()
        async with asyncio.timeout(5):
            await waiting
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        # A later call is a new reconnection.
        async with asyncio.timeout(5):
            await session.reconnect()
        await session.send_text("again")
        seen = await read_until(events, TurnComplete)
        stats = session.statistics()

    assert text_of(seen) == "Echo: again"
    assert stats.reconnects == 2 and emu.last_session.connections == 3


async def test_a_cancelled_caller_leaves_the_reconnection_running() -> None:
    async with Emulator(**FAST, resumption_update_every=1) as emu:
        emu.inject(Fault.delay_setup_complete(0.2), always=True)
        async with open_session(emu, CONFIG) as session:
            events = session.events()
            await session.send_text("hello")
            await read_until(events, TurnComplete)
            await _resumable(events)
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.05):
                    await session.reconnect()
            resumed = await read_until(events, Resumed)

    assert isinstance(resumed[-1], Resumed) and not resumed[-1].fresh_session


async def test_reconnect_on_an_ended_or_unresumable_session_raises() -> None:
    async with Emulator(**FAST) as emu:
        off = LiveConfig(
            generation_config=TEXT, session_resumption=SessionResumptionConfig(enabled=False)
        )
        async with open_session(emu, off) as session:
            with pytest.raises(ConfigError, match="resumption"):
                await session.reconnect()
            assert emu.last_session.connections == 1
        with pytest.raises(SessionClosed):
            await session.reconnect()


async def test_reconnect_raises_when_the_session_breaks_instead_of_resuming() -> None:
    options = SessionOptions(retry_policy=ExponentialBackoff(max_attempts=0))
    async with (
        Emulator(**FAST, resumption_update_every=1) as emu,
        open_session(emu, CONFIG, options=options) as session,
    ):
        events = session.events()
        await session.send_text("hello")
        await read_until(events, TurnComplete)
        await _resumable(events)
        emu.inject(Fault.close(1011, "Internal error occurred."), always=True)
        with pytest.raises(SessionBroken):
            async with asyncio.timeout(5):
                await session.reconnect()
        assert session.closed
