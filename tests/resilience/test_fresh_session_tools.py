"""A fresh service-side session must not receive answers to the lost session's calls."""

from __future__ import annotations

import asyncio

import gemini_live
from gemini_live import (
    ApiKey,
    Disconnected,
    FunctionResponse,
    GenerationConfig,
    InputDropped,
    LiveConfig,
    Resumed,
    ResumptionUpdate,
    TextDelta,
    ToolCall,
    TurnComplete,
)
from gemini_live.testing import Emulator, Fault
from tests.client.emulated import weather_tool


async def test_unconfirmed_answer_to_a_lost_call_is_not_replayed() -> None:
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("TEXT",)),
        tools=(weather_tool("BLOCKING"),),
    )
    async with Emulator() as emu:
        # No handle exists before the first turn completes, so the reconnect is a fresh start.
        emu.faults.next(Fault.close(1011, "Internal error occurred.", after_client_messages=2))
        async with gemini_live.connect(
            "gemini-3.8-live", base_url=emu.url, credentials=ApiKey("k"), config=config
        ) as session:
            events = session.events()
            await session.send_text('call get_weather {"city": "Paris"}')
            seen = []
            answered = 0
            async with asyncio.timeout(10):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, ToolCall):
                        answered += 1
                        await session.send_tool_response(
                            [
                                FunctionResponse(
                                    name=c.name, response={"output": {"temp_c": 20}}, id=c.id
                                )
                                for c in event.calls
                            ]
                        )
                    if isinstance(event, TurnComplete) and answered == 2:
                        break
            resumed = [e for e in seen if isinstance(e, Resumed)]
            assert resumed and resumed[0].fresh_session
            dropped = [e for e in seen if isinstance(e, InputDropped)]
            assert [(e.kind, e.count) for e in dropped] == [("tool_response", 1)]
            reply = "".join(
                e.text for e in seen[seen.index(resumed[0]) :] if isinstance(e, TextDelta)
            )
            assert "Result of get_weather" in reply
            # The new session got the replayed question and exactly one answer: its own.
            kinds = [m.kind for m in emu.last_session.effective_consumed]
            assert kinds.count("toolResponse") == 1


def _answer(call: ToolCall, label: str) -> list[FunctionResponse]:
    return [FunctionResponse(c.name, {"output": label}, id=c.id) for c in call.calls]


async def test_answer_queued_during_a_fresh_reconnect_is_dropped_not_sent() -> None:
    """An answer accepted while reconnecting waits in the send queue; the reconnect turns out
    fresh (no handle yet): the new session, which reuses the id fc-1, must not get it."""
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("TEXT",)),
        tools=(weather_tool("BLOCKING"),),
    )
    # A visible delay before the reconnect, so that the answer is accepted while it waits.
    options = gemini_live.SessionOptions(
        retry_policy=gemini_live.ExponentialBackoff(initial_delay=0.3, jitter="none")
    )
    async with Emulator(audio_pace=0.001, text_pace=0.001) as emu:
        emu.faults.next(Fault.close(1011, "Internal error occurred.", at="tool_call"))
        async with gemini_live.connect(
            "gemini-3.8-live",
            base_url=emu.url,
            credentials=ApiKey("k"),
            config=config,
            options=options,
        ) as session:
            events = session.events()
            await session.send_text('call get_weather {"city": "Paris"}')
            seen: list[object] = []
            async with asyncio.timeout(10):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, ToolCall):
                        label = "new" if any(isinstance(e, Resumed) for e in seen) else "old"
                        if label == "old":
                            lost_call = event
                            continue
                        await session.send_tool_response(_answer(event, label))
                    if isinstance(event, Disconnected) and event.will_reconnect:
                        await session.send_tool_response(_answer(lost_call, "old"))
                    if isinstance(event, TurnComplete):
                        break
            stats = session.statistics()

    (resumed,) = [e for e in seen if isinstance(e, Resumed)]
    assert resumed.fresh_session
    dropped = [(e.kind, e.count) for e in seen if isinstance(e, InputDropped)]
    assert dropped == [("tool_response", 1)]
    assert stats.dropped_lost_answers == 1
    answers = [m for m in emu.last_session.consumed if m.kind == "toolResponse"]
    assert len(answers) == 1 and "new" in str(answers[0].payload)


async def test_resume_from_an_older_checkpoint_drops_answers_to_calls_it_never_issued() -> None:
    """The handle predates the call: the resumed session never issued fc-1 and (like the
    service, which closes with 1007 "No pending function call") refuses an answer to it. The
    replayed question makes it issue the call again, which gets its own answer."""
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("TEXT",)),
        tools=(weather_tool("BLOCKING"),),
    )
    async with Emulator(
        audio_pace=0.001,
        text_pace=0.001,
        resumption_update_every=1,
        unknown_tool_response="close",
    ) as emu:
        # Client messages: "hello", the question, the answer; then the connection drops before
        # a resumable handle covers the call (the turn is still running).
        emu.faults.next(Fault.close(1011, "Internal error occurred.", after_client_messages=3))
        async with gemini_live.connect(
            "gemini-3.8-live", base_url=emu.url, credentials=ApiKey("k"), config=config
        ) as session:
            events = session.events()
            await session.send_text("hello")
            seen: list[object] = []
            async with asyncio.timeout(10):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, ResumptionUpdate) and event.resumable and seen_turn(seen):
                        break
            checkpoint = session.resumption_handle
            await session.send_text('call get_weather {"city": "Paris"}')
            calls: list[ToolCall] = []
            async with asyncio.timeout(10):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, ToolCall):
                        calls.append(event)
                        await session.send_tool_response(_answer(event, f"answer{len(calls)}"))
                    if isinstance(event, TurnComplete):
                        break
            stats = session.statistics()

    (resumed,) = [e for e in seen if isinstance(e, Resumed)]
    assert resumed.handle_used == checkpoint and not resumed.fresh_session
    assert [c.calls[0].id for c in calls] == ["fc-1", "fc-2"]
    dropped = [(e.kind, e.count) for e in seen if isinstance(e, InputDropped)]
    assert dropped == [("tool_response", 1)]
    assert stats.dropped_lost_answers == 1 and stats.replayed_messages == 1
    answers = [m.payload for m in emu.last_session.effective_consumed if m.kind == "toolResponse"]
    assert answers == [
        {
            "functionResponses": [
                {"name": "get_weather", "response": {"output": "answer2"}, "id": "fc-2"}
            ]
        }
    ]


def seen_turn(seen: list[object]) -> bool:
    return any(isinstance(e, TurnComplete) for e in seen)


async def test_answer_waiting_for_queue_room_across_a_fresh_reconnect_is_dropped() -> None:
    """The send queue is full while reconnecting, so the answer waits for room; it gets room
    only after the fresh session started: it must not be queued for that session."""
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("TEXT",)),
        tools=(weather_tool("BLOCKING"),),
    )
    options = gemini_live.SessionOptions(
        send_queue_size=1,
        retry_policy=gemini_live.ExponentialBackoff(initial_delay=0.3, jitter="none"),
    )
    async with Emulator(audio_pace=0.001, text_pace=0.001) as emu:
        emu.faults.next(Fault.close(1011, "Internal error occurred.", at="tool_call"))
        async with gemini_live.connect(
            "gemini-3.8-live",
            base_url=emu.url,
            credentials=ApiKey("k"),
            config=config,
            options=options,
        ) as session:
            events = session.events()
            await session.send_text('call get_weather {"city": "Paris"}')
            seen: list[object] = []
            blocked: asyncio.Task[None] | None = None
            async with asyncio.timeout(10):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, ToolCall) and not any(
                        isinstance(e, Resumed) for e in seen
                    ):
                        lost_call = event
                    elif isinstance(event, ToolCall):
                        await session.send_tool_response(_answer(event, "new"))
                    if isinstance(event, Disconnected) and event.will_reconnect:
                        await session.send_text("filler")  # the queue is full now
                        blocked = asyncio.create_task(
                            session.send_tool_response(_answer(lost_call, "old"))
                        )
                        await asyncio.sleep(0)
                        assert not blocked.done()
                    if isinstance(event, TurnComplete):
                        break
            assert blocked is not None
            await blocked  # returned: not an error, the drop is announced
            stats = session.statistics()

    (resumed,) = [e for e in seen if isinstance(e, Resumed)]
    assert resumed.fresh_session
    dropped = [(e.kind, e.count) for e in seen if isinstance(e, InputDropped)]
    assert dropped == [("tool_response", 1)]
    assert stats.dropped_lost_answers == 1
    answers = [m for m in emu.last_session.consumed if m.kind == "toolResponse"]
    assert len(answers) == 1 and "new" in str(answers[0].payload)
