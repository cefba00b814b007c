"""Resumption rules against the emulator: which handle a reconnect uses,
when a goAway rotation happens, and what a retry policy that gives up at once announces."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    Disconnected,
    Event,
    ExponentialBackoff,
    FunctionDeclaration,
    FunctionResponse,
    GenerationComplete,
    GenerationConfig,
    GoAway,
    LiveConfig,
    Platform,
    Reconnecting,
    Resumed,
    ResumptionUpdate,
    SessionBroken,
    SessionOptions,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallCancellation,
    TurnComplete,
    Vertex,
)
from gemini_live.client.fanout import Subscription
from gemini_live.protocol.config import SessionResumptionConfig
from gemini_live.testing import Emulator, Fault

MODEL = "gemini-3.8-live"
TEXT = GenerationConfig(response_modalities=("TEXT",))
FAST = {"audio_pace": 0.001, "text_pace": 0.001}


def connect(emu: Emulator, config: LiveConfig, **options: Any) -> Any:
    opts = SessionOptions(**options) if options else None
    return gemini_live.connect(
        MODEL, credentials=ApiKey("k"), base_url=emu.url, config=config, options=opts
    )


async def read_until(events: Subscription, kind: type, timeout: float = 3.0) -> list[Event]:
    seen: list[Event] = []
    async with asyncio.timeout(timeout):
        async for event in events:
            seen.append(event)
            if isinstance(event, kind):
                return seen
    raise AssertionError(f"events ended before {kind.__name__}: {seen!r}")


def text_of(events: list[Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_a_reconnect_resumes_from_the_handle_the_application_gave() -> None:
    """Was: until the service sent a handle of its own, a reconnect ignored the handle from
    ``LiveConfig`` and started a fresh session (the conversation so far was gone)."""
    async with Emulator(**FAST) as emu:
        async with connect(emu, LiveConfig(generation_config=TEXT)) as first:
            events = first.events()
            await first.send_text("say apple")
            await read_until(events, TurnComplete)
            await read_until(events, ResumptionUpdate)
            handle = first.resumption_handle
        assert handle is not None
        # "Another process" resumes from it; its first connection drops before any update.
        emu.faults.next(Fault.abort(after_client_messages=1))
        config = LiveConfig(
            generation_config=TEXT, session_resumption=SessionResumptionConfig(handle=handle)
        )
        async with connect(emu, config) as second:
            assert second.resumption_handle == handle
            events = second.events()
            await second.send_text("recap")
            seen = await read_until(events, Resumed)
            assert seen[-1] == Resumed(handle, 1, 0, fresh_session=False)
            reply = await read_until(events, TurnComplete)
        assert text_of(reply) == "Recap: say apple"
        assert len(emu.sessions) == 1


async def test_go_away_without_resumption_keeps_the_connection() -> None:
    """Was: with resumption off, a goAway made the client close its own connection at once
    (nothing to resume to), ending the session as SessionBroken minutes early."""
    config = LiveConfig(
        generation_config=TEXT, session_resumption=SessionResumptionConfig(enabled=False)
    )
    async with Emulator(**FAST) as emu:
        emu.faults.next(Fault.go_away(30.0, after_client_messages=1))
        async with connect(emu, config) as session:
            events = session.events()
            await session.send_text("say one")
            seen = await read_until(events, TurnComplete)
            assert [e for e in seen if isinstance(e, GoAway)]
            await session.send_text("say two")  # still usable
            seen += await read_until(events, TurnComplete)
            assert not [e for e in seen if isinstance(e, Disconnected)]
            assert text_of(seen) == "onetwo"
            assert emu.last_session.connections == 1


async def test_go_away_rotation_waits_until_the_finished_turn_is_resumable() -> None:
    """Was: the rotation happened at ``generationComplete``, before ``turnComplete`` and before
    the handle covering the turn: the turn's ``turnComplete`` was lost, and the session resumed
    from an older state (here: none yet, so a fresh session) and the model answered twice."""
    options = {"go_away_margin": 0.5}
    async with Emulator(text_pace=0.01, turn_complete_delay=0.3) as emu:
        emu.faults.next(Fault.go_away(5.0, at="mid_turn"))
        async with connect(emu, LiveConfig(generation_config=TEXT), **options) as session:
            events = session.events()
            await session.send_text("say one two three")
            seen = await read_until(events, Resumed, timeout=4)
            kinds = [type(e) for e in seen]
            assert kinds.index(TurnComplete) < kinds.index(Disconnected)
            assert kinds.count(GenerationComplete) == 1
            assert text_of(seen) == "one two three"  # once
            resumed = seen[-1]
            assert isinstance(resumed, Resumed) and resumed.handle_used is not None
            assert not resumed.fresh_session and resumed.replayed_count == 0
            # Nothing more arrives for the finished turn on the new connection.
            with pytest.raises(TimeoutError):
                await read_until(events, TextDelta, timeout=0.3)
        assert len(emu.sessions) == 1


async def test_a_policy_that_gives_up_at_once_promises_no_reconnect() -> None:
    """Was: ``Disconnected(will_reconnect=True)`` was published before the policy was asked,
    then the policy gave up and a second ``Disconnected`` followed."""
    async with Emulator(**FAST) as emu:
        emu.faults.next(Fault.abort(after_client_messages=1))
        async with connect(
            emu,
            LiveConfig(generation_config=TEXT),
            retry_policy=ExponentialBackoff(max_attempts=0),
        ) as session:
            events = session.events()
            await session.send_text("hello")
            seen: list[Event] = []
            with pytest.raises(SessionBroken):
                async with asyncio.timeout(2):
                    async for event in events:
                        seen.append(event)
        lost = [e for e in seen if isinstance(e, Disconnected)]
        assert len(lost) == 1 and not lost[0].will_reconnect
        assert not [e for e in seen if isinstance(e, Reconnecting)]


async def test_a_failing_token_provider_during_a_reconnect_is_retried() -> None:
    """Was: an exception from the application's ``vertex_token`` provider during a reconnect
    (a token refresh failing for the same network reason) ended the session as an internal
    error instead of being retried like any other failure to connect."""
    calls = 0

    async def token() -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("metadata server unreachable")
        return f"token-{calls}"

    async with Emulator(**FAST) as emu:
        emu.faults.next(Fault.abort(after_client_messages=1))
        async with gemini_live.connect(
            MODEL,
            platform=Platform.VERTEX,
            credentials=Vertex("p", "us-central1", token),
            base_url=emu.url,
            config=LiveConfig(generation_config=TEXT),
        ) as session:
            events = session.events()
            await session.send_text("hello")
            seen = await read_until(events, Resumed)
            causes = [e.cause for e in seen if isinstance(e, Reconnecting)]
            assert causes[-1] == "connect_error: vertex_token provider failed (OSError)"
            assert "Echo: hello" in text_of(await read_until(events, TurnComplete))
    assert calls == 3


WEATHER = Tool(
    function_declarations=(
        FunctionDeclaration(
            name="get_weather",
            description="Weather for a city",
            behavior="BLOCKING",
            parameters={"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
        ),
    )
)


async def test_calls_of_a_lost_session_are_cancelled_when_a_fresh_one_starts() -> None:
    """Was: when the connection dropped before any handle existed, the new (fresh) session
    never learnt of the old session's pending calls, so the application answered a call that
    no longer existed (here the fresh session re-issues the same id and gets two answers: 1007).
    Also: an id cancelled once and issued again stayed 'cancelled', dropping the new answer."""
    async with Emulator(**FAST, unknown_tool_response="close") as emu:
        emu.faults.next(Fault.abort(at="tool_call"))  # before any resumable handle exists
        config = LiveConfig(generation_config=TEXT, tools=(WEATHER,))
        async with connect(emu, config) as session:
            events = session.events()
            work: dict[str, asyncio.Task[None]] = {}

            async def answer(call_id: str) -> None:
                await asyncio.sleep(0.3)  # the tool takes a while: the connection drops meanwhile
                response = FunctionResponse(name="get_weather", id=call_id, response={"t": 20})
                await session.send_tool_response([response])

            await session.send_text('call get_weather {"city": "Paris"}')
            seen: list[Event] = []
            async with asyncio.timeout(4):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, ToolCall):
                        for call in event.calls:
                            assert call.id is not None
                            work[call.id] = asyncio.create_task(answer(call.id))
                    elif isinstance(event, ToolCallCancellation):
                        for call_id in event.ids:
                            work.pop(call_id).cancel()
                    elif isinstance(event, TurnComplete):
                        break
            kinds = [type(e) for e in seen]
            calls = [i for i, kind in enumerate(kinds) if kind is ToolCall]
            assert len(calls) == 2  # the replayed request made the fresh session call again
            assert calls[0] < kinds.index(Disconnected) < kinds.index(ToolCallCancellation)
            assert kinds.index(ToolCallCancellation) < calls[1]
            assert "20" in text_of(seen)
            await asyncio.gather(*work.values())
