"""Turn records and latencies from a live session against the emulator (real sockets)."""

from __future__ import annotations

from gemini_live import (
    AudioChunk,
    FunctionDeclaration,
    FunctionResponse,
    LiveConfig,
    ResumptionUpdate,
    TextDelta,
    Tool,
    ToolCall,
)
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.synth import silence, synthesize
from gemini_live.conversation import Conversation, TurnRecord
from gemini_live.testing import Emulator
from tests.conversation.helpers import (
    AUDIO_CONFIG,
    TEXT_CONFIG,
    connect_to,
    drop_server_socket,
    next_notice,
    read_until,
)

FAST = {"audio_pace": 0.001, "text_pace": 0.001}


def _tool(behavior: str) -> Tool:
    return Tool(
        function_declarations=(
            FunctionDeclaration(
                name="get_weather",
                description="Weather for a city",
                behavior=behavior,
                parameters={"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
            ),
        )
    )


async def test_text_turns_become_one_record_each_with_latencies() -> None:
    async with (
        Emulator(**FAST) as emu,
        connect_to(emu) as session,
        Conversation(session, late_transcription_grace=0.05) as convo,
    ):
        notices = convo.events()
        writer = convo.writer()
        await writer.send_text("hello there")
        first = await next_notice(notices)
        await writer.send_text("how are you")
        second = await next_notice(notices)

    assert isinstance(first, TurnRecord) and isinstance(second, TurnRecord)
    assert (first.index, second.index) == (1, 2)
    assert first.user.text == "hello there" and first.user.source == "text"
    assert first.model.text == "Echo: hello there" and first.model.source == "text"
    assert second.lines() == ("user: how are you", "model: Echo: how are you")
    latency = first.latency
    assert latency.input_end_kind == "text"
    assert latency.first_text is not None and latency.first_audio is None
    assert latency.generation_complete is not None and latency.turn_complete is not None
    assert 0 <= latency.first_text <= latency.generation_complete <= latency.turn_complete < 2
    assert first.started_at <= first.ended_at <= second.started_at
    assert first.usage is not None and first.usage.prompt_tokens > 0
    assert convo.transcript() == [
        "user: hello there",
        "model: Echo: hello there",
        "user: how are you",
        "model: Echo: how are you",
    ]
    metrics = convo.metrics()
    assert metrics.turns == 2 and metrics.reconnects == 0
    assert metrics.latency["first_text"].count == 2
    summary = metrics.latency["turn_complete"]
    assert summary.p50 <= summary.p90 <= summary.p99 == summary.max


async def test_audio_reply_is_recorded_from_transcriptions() -> None:
    async with (
        Emulator(**FAST) as emu,
        connect_to(emu, AUDIO_CONFIG) as session,
        Conversation(session, late_transcription_grace=0.05) as convo,
    ):
        notices = convo.events()
        await convo.writer().send_text("say The sea is calm today")
        record = await next_notice(notices)

    assert isinstance(record, TurnRecord)
    assert record.user.text == "say The sea is calm today"
    assert record.user.source == "transcription"  # the emulator transcribes text input too
    assert record.model.text == "The sea is calm today"
    assert record.model.source == "transcription"
    expected = len(synthesize("The sea is calm today", 24_000)) / (2 * 24_000)
    assert abs(record.audio_seconds - expected) < 1e-6
    assert record.latency.first_audio is not None
    assert record.latency.first_transcription is not None
    assert record.latency.first_text is None


async def test_spoken_input_ends_with_audio_stream_end() -> None:
    async with (
        Emulator(**FAST) as emu,
        connect_to(emu, AUDIO_CONFIG) as session,
        Conversation(session, late_transcription_grace=0.05) as convo,
    ):
        notices = convo.events()
        writer = convo.writer()
        pcm = synthesize("hello", 16_000) + silence(0.2, 16_000)
        for chunk in chunk_pcm16(pcm, 16_000, 20):
            await writer.send_audio(chunk)
        await writer.send_audio_stream_end()
        record = await next_notice(notices)

    assert isinstance(record, TurnRecord)
    assert record.latency.input_end_kind == "audio_stream_end"
    assert record.user.text.startswith("<speech ") and record.user.source == "transcription"
    assert record.model.text.startswith("Echo: <speech ")
    assert record.latency.first_audio is not None and record.latency.first_audio >= 0


async def test_blocking_tool_call_round_trip_is_measured() -> None:
    config = LiveConfig(generation_config=TEXT_CONFIG.generation_config, tools=(_tool("BLOCKING"),))
    async with Emulator(**FAST) as emu, connect_to(emu, config) as session:
        events = session.events()
        async with Conversation(session, late_transcription_grace=0.05) as convo:
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text('call get_weather {"city": "Paris"}')
            call = (await read_until(events, ToolCall)).calls[0]
            await writer.send_tool_response(
                [FunctionResponse(call.name, {"output": {"temp_c": 18}}, id=call.id)]
            )
            record = await next_notice(notices)

    assert isinstance(record, TurnRecord)
    (tool,) = record.tool_calls
    assert (tool.id, tool.name, tool.args) == (call.id, "get_weather", {"city": "Paris"})
    assert tool.outcome == "answered" and tool.response == {"output": {"temp_c": 18}}
    assert tool.round_trip is not None and tool.round_trip >= 0
    assert tool.resumed_after is not None and tool.resumed_after >= 0
    assert "18" in record.model.text
    metrics = convo.metrics()
    assert metrics.tool_calls == 1
    assert metrics.latency["tool_round_trip"].count == 1
    assert metrics.latency["tool_resume"].count == 1


async def test_non_blocking_answer_shows_in_the_turn_it_starts() -> None:
    config = LiveConfig(
        generation_config=TEXT_CONFIG.generation_config, tools=(_tool("NON_BLOCKING"),)
    )
    async with Emulator(**FAST) as emu, connect_to(emu, config) as session:
        events = session.events()
        async with Conversation(session, late_transcription_grace=0) as convo:
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text('call get_weather {"city": "Oslo"}')
            call = (await read_until(events, ToolCall)).calls[0]
            filler = await next_notice(notices)
            await writer.send_tool_response(
                [FunctionResponse(call.name, {"output": {"temp_c": 3}}, id=call.id)]
            )
            answer = await next_notice(notices)

    assert isinstance(filler, TurnRecord) and isinstance(answer, TurnRecord)
    assert [c.outcome for c in filler.tool_calls] == ["pending"]
    assert [(c.id, c.outcome) for c in answer.tool_calls] == [(call.id, "answered")]
    assert answer.latency.input_end_kind == "tool_response"
    assert "3" in answer.model.text and answer.user.text == ""


async def test_barge_in_splits_turns_and_measures_the_stop() -> None:
    story = "say " + " ".join(f"word{i}" for i in range(40))
    async with (
        Emulator(audio_pace=0.01, text_pace=0.01) as emu,
        connect_to(emu, AUDIO_CONFIG) as session,
    ):
        events = session.events()
        async with Conversation(session, late_transcription_grace=0.05) as convo:
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text(story)
            await read_until(events, AudioChunk)
            await writer.send_client_content(
                [{"role": "user", "parts": [{"text": "Stop. Just say OK."}]}]
            )
            cut = await next_notice(notices)
            after = await next_notice(notices)

    assert isinstance(cut, TurnRecord) and isinstance(after, TurnRecord)
    assert cut.interrupted is not None and cut.was_interrupted
    assert cut.interrupted.cause == "client_content"
    assert cut.interrupted.stop_latency is not None and cut.interrupted.stop_latency >= 0
    assert 0 < cut.interrupted.text_offset < len(story)
    assert cut.model.text and "Stop" not in cut.user.text
    assert cut.lines()[-1].endswith("[interrupted]")
    assert after.user.text == "Stop. Just say OK."
    assert after.user.source in ("text", "transcription")
    assert after.model.text == "Echo: Stop. Just say OK."
    assert after.latency.input_end_kind == "client_content"
    metrics = convo.metrics()
    assert metrics.interrupted_turns == 1 and metrics.latency["interruption_stop"].count == 1


async def test_resume_in_the_middle_of_a_turn_keeps_one_coherent_record() -> None:
    reply = "say " + " ".join(f"w{i}" for i in range(30))
    async with (
        Emulator(text_pace=0.01, resumption_update_every=1) as emu,
        connect_to(emu) as session,
    ):
        events = session.events()
        async with Conversation(session, late_transcription_grace=0.05) as convo:
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text("hello")
            await next_notice(notices)
            while not (await read_until(events, ResumptionUpdate)).resumable:
                pass  # wait for a handle that covers turn 1
            turn_two = session.events()
            await writer.send_text(reply)
            await read_until(turn_two, TextDelta)
            drop_server_socket(emu)
            record = await next_notice(notices, timeout=10)

    assert isinstance(record, TurnRecord) and record.index == 2
    assert record.user.text == reply
    assert record.model.text == reply.removeprefix("say ")  # the whole answer, once
    assert record.superseded_text and reply.removeprefix("say ").startswith(record.superseded_text)
    (reconnect,) = record.reconnects
    assert reconnect.resumed_with_handle and not reconnect.fresh_session
    assert reconnect.replayed >= 1 and reconnect.duration > 0
    metrics = convo.metrics()
    assert metrics.turns == 2 and metrics.reconnects == 1
    assert metrics.replayed_frames == reconnect.replayed
    assert metrics.latency["reconnect"].count == 1
    assert len(emu.sessions) == 1 and emu.last_session.connections == 2
