"""Stall watchdog and lost-context detection against the emulator's faults (real sockets)."""

from __future__ import annotations

import asyncio

import pytest

from gemini_live import (
    FunctionDeclaration,
    FunctionResponse,
    LiveConfig,
    Resumed,
    ResumptionUpdate,
    TextDelta,
    Tool,
    ToolCall,
)
from gemini_live.conversation import (
    ContextLost,
    ContextPolicy,
    Conversation,
    Stalled,
    StallPolicy,
    TurnRecord,
)
from gemini_live.testing import Emulator, Fault
from tests.conversation.helpers import (
    TEXT_CONFIG,
    connect_to,
    drop_server_socket,
    next_notice,
    read_until,
)

FAST = {"audio_pace": 0.001, "text_pace": 0.001}
QUICK_STALL = 0.3


async def _quiet(stream: object, seconds: float) -> list[object]:
    """Every notice that arrives within ``seconds``."""
    seen: list[object] = []
    try:
        async with asyncio.timeout(seconds):
            async for notice in stream:  # type: ignore[attr-defined]
                seen.append(notice)
    except TimeoutError:
        pass
    return seen


async def _handle_after_turn(events: object) -> None:
    while not (await read_until(events, ResumptionUpdate)).resumable:
        pass


async def test_notify_reports_a_silent_model_once() -> None:
    async with Emulator(**FAST) as emu:
        emu.inject(Fault.silence(at="turn_complete"))
        async with (
            connect_to(emu) as session,
            Conversation(session, stall=StallPolicy(timeout=QUICK_STALL)) as convo,
        ):
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text("hello")
            first = await next_notice(notices)
            await writer.send_text("are you there?")
            stalled = await next_notice(notices, Stalled)
            later = await _quiet(notices, 2 * QUICK_STALL)

    assert isinstance(first, TurnRecord) and first.model.text == "Echo: hello"
    assert isinstance(stalled, Stalled)
    assert (stalled.waiting_for, stalled.action, stalled.attempt) == ("reply", "notify", 1)
    assert stalled.waited >= QUICK_STALL
    assert later == []  # notified once per wait, and no record for the unanswered turn
    assert convo.metrics().stalls == 1
    assert emu.faults.count("silence") == 1


async def test_nudge_wakes_a_model_silent_after_a_tool_response() -> None:
    tool = Tool(
        function_declarations=(
            FunctionDeclaration(name="lookup", description="Look up", behavior="BLOCKING"),
        )
    )
    config = LiveConfig(generation_config=TEXT_CONFIG.generation_config, tools=(tool,))
    policy = StallPolicy(timeout=QUICK_STALL, action="nudge", nudge_text="(go on)")
    async with Emulator(**FAST) as emu:
        emu.inject(Fault.silence(until_input=True, at="tool_call"))
        async with connect_to(emu, config) as session:
            events = session.events()
            async with Conversation(session, stall=policy, late_transcription_grace=0) as convo:
                notices = convo.events()
                writer = convo.writer()
                await writer.send_text("call lookup {}")
                call = (await read_until(events, ToolCall)).calls[0]
                await writer.send_tool_response(
                    [FunctionResponse("lookup", {"output": "42"}, id=call.id)]
                )
                stalled = await next_notice(notices, Stalled)
                record = await next_notice(notices)

    assert isinstance(stalled, Stalled)
    assert (stalled.waiting_for, stalled.action) == ("tool_continuation", "nudge")
    assert isinstance(record, TurnRecord)
    assert [c.outcome for c in record.tool_calls] == ["answered"]
    assert "42" in record.model.text
    texts = [m.payload.get("text") for m in emu.last_session.consumed if m.field == "text"]
    assert texts == ["call lookup {}", "(go on)"]


async def test_reconnect_policy_resumes_and_the_turn_is_answered() -> None:
    async with Emulator(**FAST, resumption_update_every=1) as emu:
        emu.inject(Fault.silence(at="turn_complete"))
        policy = StallPolicy(timeout=QUICK_STALL, action="reconnect")
        async with connect_to(emu) as session:
            events = session.events()
            # No reconnect= hook: the policy uses the session's own reconnect().
            async with Conversation(session, stall=policy, late_transcription_grace=0) as convo:
                notices = convo.events()
                writer = convo.writer()
                await writer.send_text("hello")
                await next_notice(notices)
                await _handle_after_turn(events)
                await writer.send_text("still there?")
                stalled = await next_notice(notices, Stalled)
                record = await next_notice(notices, timeout=10)

    assert isinstance(stalled, Stalled)
    assert (stalled.waiting_for, stalled.action) == ("reply", "reconnect")
    assert isinstance(record, TurnRecord) and record.index == 2
    assert record.model.text == "Echo: still there?"
    (reconnect_record,) = record.reconnects
    assert reconnect_record.resumed_with_handle and reconnect_record.replayed >= 1
    assert convo.metrics().reconnects == 1
    assert emu.last_session.connections == 2


async def test_a_silent_model_after_a_resume_is_reported_as_such() -> None:
    policy = StallPolicy(timeout=QUICK_STALL)
    async with (
        Emulator(text_pace=0.01, resumption_update_every=1) as emu,
        connect_to(emu) as session,
    ):
        events = session.events()
        async with Conversation(session, stall=policy, late_transcription_grace=0) as convo:
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text("hello")
            await next_notice(notices)
            await _handle_after_turn(events)
            emu.inject(Fault.silence())  # the next connection says nothing
            turn_two = session.events()
            await writer.send_text("say " + " ".join(["more"] * 20))
            await read_until(turn_two, TextDelta)
            drop_server_socket(emu)
            await read_until(turn_two, Resumed)
            stalled = await next_notice(notices, Stalled)

    assert isinstance(stalled, Stalled)
    assert (stalled.waiting_for, stalled.action) == ("resume", "notify")


def test_reconnect_policy_needs_a_way_to_reconnect() -> None:
    class ReadOnly:
        def events(self) -> object:
            return iter(())

    with pytest.raises(TypeError, match="reconnect"):
        Conversation(ReadOnly(), stall=StallPolicy(action="reconnect"))
    with pytest.raises(TypeError, match="SessionWriter"):
        Conversation(ReadOnly(), stall=StallPolicy(action="nudge"))


async def _lose_connection_with(emu: Emulator, *faults: Fault, summary: object = None) -> tuple:
    long_text = "remember this: " + "the quick brown fox jumps over the lazy dog " * 6
    context = ContextPolicy(summary=summary)  # type: ignore[arg-type]
    async with connect_to(emu) as session:
        events = session.events()
        async with Conversation(session, context=context, late_transcription_grace=0) as convo:
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text(long_text)
            before = await next_notice(notices)
            await _handle_after_turn(events)
            emu.inject(*faults)
            drop_server_socket(emu)
            await read_until(events, Resumed)
            await writer.send_text("and now?")
            seen = []
            async with asyncio.timeout(5):
                async for notice in notices:
                    seen.append(notice)
                    if isinstance(notice, TurnRecord):
                        break
            after = seen[-1]
            seen += await _quiet(notices, 0.2)
    return before, after, seen, convo


async def test_context_lost_after_a_resume_with_empty_context() -> None:
    async with Emulator(**FAST, resumption_update_every=1) as emu:
        before, after, seen, convo = await _lose_connection_with(emu, Fault.forget_context())

    assert isinstance(before, TurnRecord) and isinstance(after, TurnRecord)
    lost = [n for n in seen if isinstance(n, ContextLost)]
    assert before.usage is not None and after.usage is not None
    assert lost == [
        ContextLost(
            before.usage.prompt_tokens, after.usage.prompt_tokens, "prompt_tokens_collapsed"
        )
    ]
    assert after.usage.prompt_tokens < before.usage.prompt_tokens / 2
    assert convo.metrics().context_losses == 1
    assert emu.faults.count("forget_context") == 1


async def test_a_faithful_resume_is_not_reported() -> None:
    async with Emulator(**FAST, resumption_update_every=1) as emu:
        _, after, seen, convo = await _lose_connection_with(emu)

    assert isinstance(after, TurnRecord)
    assert not [n for n in seen if isinstance(n, ContextLost)]
    assert convo.metrics().context_losses == 0 and convo.metrics().reconnects == 1


async def test_a_summary_restores_the_lost_context() -> None:
    calls: list[ContextLost] = []

    async def summarise(notice: ContextLost) -> str:
        calls.append(notice)
        return "Summary: the user asked me to remember a sentence about a fox."

    async with Emulator(**FAST, resumption_update_every=1) as emu:
        _, _, seen, _ = await _lose_connection_with(emu, Fault.forget_context(), summary=summarise)
        conversation = [str(turn) for turn in emu.last_session.conversation]

    lost = [n for n in seen if isinstance(n, ContextLost)]
    assert len(calls) == 1 and len(lost) == 1 and lost[0].summary_sent
    assert "user: Summary: the user asked me to remember a sentence about a fox." in conversation
