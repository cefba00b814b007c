"""goAway handling: rotate at a turn boundary, or by the session's own timer when the turn does
not end in time (the server may go quiet after goAway, so no incoming message can be relied on)."""

from __future__ import annotations

import asyncio
import time

import gemini_live
from gemini_live import (
    ApiKey,
    Disconnected,
    Event,
    GenerationConfig,
    GoAway,
    LiveConfig,
    Resumed,
    SessionOptions,
    TurnComplete,
)
from gemini_live.testing import Emulator, Fault

TEXT = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))


async def _timeline(
    events: gemini_live.client.fanout.Subscription, stop: type
) -> list[tuple[float, Event]]:
    seen: list[tuple[float, Event]] = []
    async with asyncio.timeout(10):
        async for event in events:
            seen.append((time.perf_counter(), event))
            if isinstance(event, stop):
                return seen
    return seen


def _first(seen: list[tuple[float, Event]], kind: type) -> tuple[float, Event]:
    return next((t, e) for t, e in seen if isinstance(e, kind))


async def test_rotates_at_the_turn_boundary_when_time_allows() -> None:
    options = SessionOptions(go_away_margin=0.5)
    async with Emulator(text_pace=0.02) as emu:
        emu.faults.next(Fault.go_away(5.0, at="mid_turn"))
        async with gemini_live.connect(
            "gemini-3.8-live",
            base_url=emu.url,
            credentials=ApiKey("k"),
            config=TEXT,
            options=options,
        ) as session:
            events = session.events()
            await session.send_text("say one two three four five six")
            seen = await _timeline(events, Resumed)
            t_away, _ = _first(seen, GoAway)
            t_turn, _ = _first(seen, TurnComplete)
            t_lost, lost = _first(seen, Disconnected)
            assert t_away < t_turn <= t_lost  # the model finished its sentence first
            assert t_lost - t_away < 4.5  # long before the deadline
            assert isinstance(lost, Disconnected) and lost.will_reconnect
            assert lost.closed_by == "client" and lost.code == 1000
            assert emu.last_session.connections == 2
            await session.send_text("again")  # the resumed session keeps working
            reply = await _timeline(events, TurnComplete)
            assert any(isinstance(e, TurnComplete) for _, e in reply)


async def test_rotates_by_its_own_timer_when_the_turn_runs_long() -> None:
    options = SessionOptions(go_away_margin=0.5)
    async with Emulator(text_pace=0.2) as emu:  # a reply of several seconds
        emu.faults.next(Fault.go_away(1.0, at="mid_turn"))
        async with gemini_live.connect(
            "gemini-3.8-live",
            base_url=emu.url,
            credentials=ApiKey("k"),
            config=TEXT,
            options=options,
        ) as session:
            events = session.events()
            await session.send_text("say " + "word " * 30)
            seen = await _timeline(events, Resumed)
            t_away, _ = _first(seen, GoAway)
            t_lost, lost = _first(seen, Disconnected)
            assert not any(isinstance(e, TurnComplete) for _, e in seen), "\n".join(
                f"{t - seen[0][0]:.3f} {e}" for t, e in seen if "TextDelta" not in repr(e)
            )
            assert 0.4 <= t_lost - t_away <= 1.0  # timeLeft (1 s) minus the margin (0.5 s)
            assert isinstance(lost, Disconnected) and lost.closed_by == "client"
