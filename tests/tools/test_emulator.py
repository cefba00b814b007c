"""The runner against the emulator over real sockets: BLOCKING, NON_BLOCKING with scheduling,
streaming, cancellation, faults, reconnects (resumed and fresh), and a healthy session after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import gemini_live
from gemini_live import (
    FunctionDeclaration,
    RecordingWriter,
    Resumed,
    ResumptionUpdate,
    Session,
    Tool,
)
from gemini_live.client.fanout import Subscription
from gemini_live.testing import Emulator, Fault, Scenario
from gemini_live.tools import Toolbox, ToolCallCancelled, ToolEvent, ToolResult
from tests.tools.feed import responses, wait_for
from tests.tools.live import KEY, config, connected, turn_text

BLOCKING_MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"
NON_BLOCKING_MODEL = "gemini-3.8-live"


def tool_responses(emu: Emulator) -> list[dict[str, Any]]:
    """Every function response the emulator received, across connections and sessions."""
    out: list[dict[str, Any]] = []
    for session in emu.sessions:
        for message in session.consumed:
            if message.kind == "toolResponse":
                out.extend(message.payload["functionResponses"])
    return out


async def healthy(session: Session, events: Subscription) -> None:
    await session.send_text("say still here")
    assert await turn_text(events) == "still here"


async def test_blocking_call_result_is_spoken_in_the_same_turn() -> None:
    tools = Toolbox()

    @tools.function(behavior="BLOCKING")
    async def get_weather(city: str) -> dict[str, Any]:
        """Current weather."""
        return {"city": city, "temp_c": 18}

    async with connected(BLOCKING_MODEL, config(tools)) as (emu, session):
        events = session.events()
        async with tools.serve(session):
            await session.send_text('call get_weather {"city": "Paris"}')
            assert await turn_text(events) == (
                'Result of get_weather: {"city":"Paris","temp_c":18}'
            )
            await healthy(session, events)
    assert tool_responses(emu) == [
        {
            "id": "fc-1",
            "name": "get_weather",
            "response": {"output": {"city": "Paris", "temp_c": 18}},
        }
    ]


async def test_non_blocking_scheduling_silent_interrupt_and_when_idle() -> None:
    tools = Toolbox()

    @tools.function(scheduling="SILENT")
    async def log_note(text: str) -> str:
        return f"noted {text}"

    @tools.function
    async def alarm() -> ToolResult:
        return ToolResult("ring", scheduling="INTERRUPT")

    @tools.function(scheduling="WHEN_IDLE")
    async def lookup() -> str:
        return "found"

    async with connected(NON_BLOCKING_MODEL, config(tools)) as (emu, session):
        events = session.events()
        async with tools.serve(session) as runner:
            await session.send_text('call log_note {"text": "a"}')
            assert await turn_text(events) == "Working on log_note."
            await wait_for(lambda: runner.statistics().responses_sent == 1)
            await session.send_text("call alarm")
            # INTERRUPT: the result cuts the filler turn short (or follows it if it was over).
            assert "Working on alarm.".startswith(await turn_text(events))
            assert await turn_text(events) == 'Result of alarm: "ring"'
            await session.send_text("call lookup")
            assert await turn_text(events) == "Working on lookup."
            assert await turn_text(events) == 'Result of lookup: "found"'
            await healthy(session, events)
    got = [(r["name"], r.get("scheduling")) for r in tool_responses(emu)]
    assert got == [("log_note", "SILENT"), ("alarm", "INTERRUPT"), ("lookup", "WHEN_IDLE")]


async def test_streaming_results_carry_will_continue() -> None:
    tools = Toolbox()

    @tools.function
    async def progress() -> AsyncIterator[dict[str, int]]:
        for pct in (30, 60):
            yield {"pct": pct}
        yield {"pct": 100}

    async with connected(NON_BLOCKING_MODEL, config(tools)) as (emu, session):
        events = session.events()
        async with tools.serve(session):
            await session.send_text("call progress")
            assert await turn_text(events) == "Working on progress."
            # Partial results are SILENT by default; the final one is spoken.
            assert await turn_text(events) == 'Result of progress: {"pct":100}'
            await healthy(session, events)
    got = [(r["response"], r.get("willContinue")) for r in tool_responses(emu)]
    assert got == [
        ({"output": {"pct": 30}}, True),
        ({"output": {"pct": 60}}, True),
        ({"output": {"pct": 100}}, False),
    ]


async def test_service_cancellation_cancels_the_function_and_nothing_is_sent() -> None:
    tools = Toolbox()
    started, cancelled = asyncio.Event(), asyncio.Event()

    @tools.function(behavior="BLOCKING")
    async def book_flight(to: str) -> str:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "booked"

    seen: list[ToolEvent] = []
    async with connected(BLOCKING_MODEL, config(tools)) as (emu, session):
        events = session.events()
        async with tools.serve(session, on_event=seen.append):
            await session.send_text('call book_flight {"to": "Oslo"}')
            async with asyncio.timeout(5):
                await started.wait()
            # New client content interrupts the held turn: the service cancels the call.
            await session.send_client_content([{"role": "user", "parts": [{"text": "stop"}]}])
            async with asyncio.timeout(5):
                await cancelled.wait()
            assert await turn_text(events) == ""  # the interrupted turn
            assert await turn_text(events) == "Echo: stop"
            await healthy(session, events)
    assert tool_responses(emu) == []
    assert [(e.call_id, e.reason) for e in seen if isinstance(e, ToolCallCancelled)] == [
        ("fc-1", "service")
    ]


async def test_faulty_calls_each_get_one_error_and_the_session_stays_healthy() -> None:
    tools = Toolbox(deadline=0.2)

    @tools.function
    async def boom() -> None:
        raise KeyError("missing")

    @tools.function
    async def hang() -> None:
        await asyncio.sleep(10)

    @tools.function
    async def opaque() -> object:
        return object()

    @tools.function
    async def typed(n: int) -> int:
        return n

    ghost = Tool(function_declarations=(FunctionDeclaration(name="ghost"),))
    async with connected(BLOCKING_MODEL, config(tools, ghost)) as (emu, session):
        events = session.events()
        async with tools.serve(session) as runner:
            await session.send_text(
                'call boom; call hang; call opaque; call typed {"n": "x", "m": 1}; call ghost'
            )
            spoken = await turn_text(events)
            await healthy(session, events)
            stats = runner.statistics()
    got = {r["name"]: r["response"]["error"]["type"] for r in tool_responses(emu)}
    assert got == {
        "boom": "KeyError",
        "hang": "Timeout",
        "opaque": "InvalidResult",
        "typed": "InvalidArguments",
        "ghost": "UnknownFunction",
    }
    assert spoken.count("Error from") == 5
    assert (stats.failed, stats.timed_out, stats.rejected, stats.responses_sent) == (2, 1, 2, 5)


async def test_duplicate_call_ids_from_the_service_are_answered_once() -> None:
    tools = Toolbox()
    runs = 0

    @tools.function
    async def once() -> int:
        nonlocal runs
        runs += 1
        return runs

    call = {"toolCall": {"functionCalls": [{"id": "dup-1", "name": "once", "args": {}}]}}
    scenario = Scenario().on_text("twice", reply=[call, call])
    async with connected(BLOCKING_MODEL, config(tools), scenario=scenario) as (emu, session):
        events = session.events()
        async with tools.serve(session) as runner:
            await session.send_text("twice")
            await wait_for(lambda: runner.statistics().duplicates == 1)
            await wait_for(lambda: len(tool_responses(emu)) == 1)
            await healthy(session, events)
    assert runs == 1
    assert [r["id"] for r in tool_responses(emu)] == ["dup-1"]


async def test_resumed_reconnect_rolls_back_calls_newer_than_the_checkpoint() -> None:
    tools = Toolbox()
    release = asyncio.Event()
    runs = 0

    @tools.function(behavior="BLOCKING")
    async def slow() -> str:
        nonlocal runs
        runs += 1
        await release.wait()
        return f"run {runs}"

    seen: list[ToolEvent] = []
    async with Emulator() as emu:
        emu.faults.next(Fault.close(1011, "Internal error occurred.", at="tool_call"))
        async with gemini_live.connect(
            BLOCKING_MODEL, base_url=emu.url, credentials=KEY, config=config(tools)
        ) as session:
            events = session.events()
            watch = session.events()
            writer = RecordingWriter(session)
            async with tools.serve(session, writer=writer, on_event=seen.append) as runner:
                await session.send_text("say first")
                assert await turn_text(events) == "first"
                async with asyncio.timeout(5):  # the turn's checkpoint: resumable from here
                    async for event in watch:
                        if isinstance(event, ResumptionUpdate) and event.resumable:
                            break
                await session.send_text("call slow")
                async with asyncio.timeout(5):
                    async for event in watch:
                        if isinstance(event, Resumed):
                            assert not event.fresh_session and event.handle_used
                            break
                # The session resumed from the checkpoint before the call: the service replays
                # the question and issues the call again with a new id; the old one is gone.
                await wait_for(lambda: runs == 2)
                release.set()
                assert await turn_text(events) == 'Result of slow: "run 2"'
                await healthy(session, events)
                assert runner.statistics().cancelled == 1
    cancelled = [(e.call_id, e.reason) for e in seen if isinstance(e, ToolCallCancelled)]
    assert cancelled == [("fc-1", "rolled_back")]
    assert [r.id for r in responses(writer)] == ["fc-2"]
    assert [r["id"] for r in tool_responses(emu)] == ["fc-2"]


async def test_fresh_reconnect_cancels_the_lost_sessions_calls() -> None:
    tools = Toolbox()
    calls = 0
    first_cancelled = asyncio.Event()

    @tools.function(behavior="BLOCKING")
    async def slow() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                first_cancelled.set()
                raise
        return f"run {calls}"

    seen: list[ToolEvent] = []
    async with Emulator() as emu:
        # No turn completed yet, so no handle: the reconnect starts a fresh session, and the
        # session replays the question there, which asks for the call again (same id fc-1).
        emu.faults.next(Fault.close(1011, "Internal error occurred.", at="tool_call"))
        async with gemini_live.connect(
            BLOCKING_MODEL, base_url=emu.url, credentials=KEY, config=config(tools)
        ) as session:
            events = session.events()
            writer = RecordingWriter(session)
            async with tools.serve(session, writer=writer, on_event=seen.append):
                await session.send_text("call slow")
                async with asyncio.timeout(5):
                    await first_cancelled.wait()
                assert await turn_text(events) == 'Result of slow: "run 2"'
                await healthy(session, events)
    assert [(r.id, r.response) for r in responses(writer)] == [("fc-1", {"output": "run 2"})]
    # The session announces the lost call as cancelled before Resumed(fresh_session=True); the
    # runner would cancel it on Resumed otherwise. Either way: cancelled once, never answered.
    cancelled = [e for e in seen if isinstance(e, ToolCallCancelled)]
    assert [e.call_id for e in cancelled] == ["fc-1"]
    assert cancelled[0].reason in ("service", "fresh_session")
    assert len(emu.sessions) == 2
    assert [r["response"] for r in tool_responses(emu)] == [{"output": "run 2"}]
