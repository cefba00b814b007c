"""The client's session end to end against the emulator: turns, tools, interruption, instruction
updates, usage and resumption (real sockets on 127.0.0.1, no mocks).

Expected replies follow the emulator's documented model; see ``tests.client.emulated``.
"""

from __future__ import annotations

import pytest

from gemini_live import (
    AudioChunk,
    AudioTranscriptionConfig,
    FunctionDeclaration,
    FunctionResponse,
    GenerationComplete,
    InputDropped,
    InputTranscription,
    Interrupted,
    LiveConfig,
    OutputTranscription,
    Phase,
    ResumptionUpdate,
    SessionResumptionConfig,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallCancellation,
    TurnComplete,
    Usage,
)
from gemini_live.audio.synth import synthesize
from gemini_live.testing import Emulator
from tests.client.emulated import (
    AUDIO,
    FAST,
    TEXT,
    audio_of,
    kinds,
    open_session,
    phases,
    read_phase,
    read_quiet,
    read_turn,
    read_until,
    say,
    spoken,
    text_of,
    weather_tool,
)

# --------------------------------------------------------------------------- turns


async def test_text_turn_streams_deltas_then_generation_complete_then_turn_complete() -> None:
    async with (
        Emulator(**FAST) as emu,
        open_session(emu, LiveConfig(generation_config=TEXT)) as session,
    ):
        events = session.events()
        turn = await say(session, events, "hello there, emulator")
        turn += await read_phase(events, Phase.ACTIVE)

        assert text_of(turn) == "Echo: hello there, emulator"
        assert kinds(turn, TextDelta).count(TextDelta) >= 3  # streamed word by word
        order = kinds(turn, TextDelta, GenerationComplete, TurnComplete)
        assert order[-2:] == [GenerationComplete, TurnComplete]
        assert set(order[:-2]) == {TextDelta}
        assert not kinds(turn, AudioChunk)
        assert phases(turn) == [
            (Phase.ACTIVE, Phase.MODEL_SPEAKING),
            (Phase.MODEL_SPEAKING, Phase.ACTIVE),
        ]
        assert session.phase is Phase.ACTIVE
        assert emu.last_session.transcript == (
            "user: hello there, emulator",
            "model: Echo: hello there, emulator",
        )


async def test_audio_turn_is_24khz_pcm_with_output_transcription() -> None:
    config = LiveConfig(
        generation_config=AUDIO, output_audio_transcription=AudioTranscriptionConfig()
    )
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        turn = await say(session, events, "say The sea is calm today")

        chunks = [e for e in turn if isinstance(e, AudioChunk)]
        assert len(chunks) > 5
        assert {c.sample_rate for c in chunks} == {24_000}
        assert {c.mime_type for c in chunks} == {"audio/pcm;rate=24000"}
        # The emulator speaks its reply with the package's synthesizer: the bytes are predictable.
        assert audio_of(turn) == synthesize("The sea is calm today", 24_000)
        assert spoken(turn) == "The sea is calm today"
        assert not kinds(turn, TextDelta)
        assert kinds(turn, GenerationComplete, TurnComplete) == [GenerationComplete, TurnComplete]
        # The last transcription comes before generationComplete.
        last_transcript = max(i for i, e in enumerate(turn) if isinstance(e, OutputTranscription))
        assert last_transcript < turn.index(GenerationComplete())


async def test_input_transcription_of_text_input() -> None:
    config = LiveConfig(
        generation_config=TEXT, input_audio_transcription=AudioTranscriptionConfig()
    )
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        turn = await say(session, events, "what time is it")
        transcriptions = [e for e in turn if isinstance(e, InputTranscription)]
        assert transcriptions == [InputTranscription("what time is it", finished=True)]
        # The transcription of the input comes before the model's answer.
        assert turn.index(transcriptions[0]) < next(
            i for i, e in enumerate(turn) if isinstance(e, TextDelta)
        )
        assert text_of(turn) == "Echo: what time is it"


# --------------------------------------------------------------------------- tools


async def test_blocking_tool_call_round_trip() -> None:
    config = LiveConfig(generation_config=TEXT, tools=(weather_tool("BLOCKING"),))
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.send_text('call get_weather {"city": "Paris"}')
        got = await read_until(events, lambda e: isinstance(e, ToolCall))
        call_event = got[-1]
        assert isinstance(call_event, ToolCall)
        (call,) = call_event.calls
        assert (call.id, call.name, call.args) == ("fc-1", "get_weather", {"city": "Paris"})
        assert session.phase is Phase.TOOL_CALL_PENDING

        # BLOCKING: the turn is held until the result arrives.
        assert not kinds(await read_quiet(events, 0.15), TextDelta, TurnComplete)

        result = {"temp_c": 18, "sky": "clear"}
        await session.send_tool_response(
            [FunctionResponse(name="get_weather", response={"output": result}, id=call.id)]
        )
        assert session.phase is Phase.ACTIVE
        turn = await read_turn(events)
        assert text_of(turn) == 'Result of get_weather: {"sky":"clear","temp_c":18}'
        assert kinds(turn, GenerationComplete, TurnComplete) == [GenerationComplete, TurnComplete]
        assert session.phase is Phase.ACTIVE

        sent = [c for c in emu.last_session.consumed if c.kind == "toolResponse"]
        assert [c.payload for c in sent] == [
            {
                "functionResponses": [
                    {"id": "fc-1", "name": "get_weather", "response": {"output": result}}
                ]
            }
        ]


async def test_parallel_blocking_calls_wait_for_every_response() -> None:
    clock = FunctionDeclaration(name="get_time", behavior="BLOCKING")
    tools = (weather_tool("BLOCKING"), Tool(function_declarations=(clock,)))
    config = LiveConfig(generation_config=TEXT, tools=tools)
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.send_text('call get_weather {"city": "Nice"}; call get_time')
        assert await session.wait_for_phase(Phase.TOOL_CALL_PENDING, timeout=5)
        got = await read_until(events, lambda e: isinstance(e, ToolCall))
        call_event = got[-1]
        assert isinstance(call_event, ToolCall)
        assert [(c.id, c.name, c.args) for c in call_event.calls] == [
            ("fc-1", "get_weather", {"city": "Nice"}),
            ("fc-2", "get_time", {}),
        ]
        # Answered in the opposite order, one message each: the turn waits for both.
        await session.send_tool_response([{"id": "fc-2", "name": "get_time", "response": {}}])
        assert session.phase is Phase.TOOL_CALL_PENDING
        assert not kinds(await read_quiet(events, 0.15), TextDelta, TurnComplete)
        await session.send_tool_response(
            [FunctionResponse(name="get_weather", response={"error": "no data"}, id="fc-1")]
        )
        assert session.phase is Phase.ACTIVE
        turn = await read_turn(events)
        # Spoken in call order, whatever the order of the responses.
        assert text_of(turn) == 'Error from get_weather: "no data" Result of get_time: {}'


@pytest.mark.parametrize("scheduling", ["WHEN_IDLE", "INTERRUPT"])
async def test_non_blocking_tool_call_round_trip(scheduling: str) -> None:
    config = LiveConfig(generation_config=TEXT, tools=(weather_tool("NON_BLOCKING"),))
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.send_text('call get_weather {"city": "Oslo"}')
        turn = await read_turn(events)
        (call_event,) = [e for e in turn if isinstance(e, ToolCall)]
        call = call_event.calls[0]
        assert call.name == "get_weather" and call.args == {"city": "Oslo"}
        # NON_BLOCKING: the model keeps talking and ends its turn without waiting.
        assert text_of(turn) == "Working on get_weather."
        assert turn.index(call_event) < next(
            i for i, e in enumerate(turn) if isinstance(e, TextDelta)
        )

        await session.send_tool_response(
            [
                FunctionResponse(
                    name="get_weather",
                    response={"output": {"temp_c": 3}},
                    id=call.id,
                    scheduling=scheduling,
                )
            ]
        )
        later = await read_turn(events)
        assert text_of(later) == 'Result of get_weather: {"temp_c":3}'
        (response,) = [c for c in emu.last_session.consumed if c.kind == "toolResponse"]
        assert response.payload["functionResponses"][0]["scheduling"] == scheduling


async def test_non_blocking_silent_result_produces_no_turn() -> None:
    config = LiveConfig(generation_config=TEXT, tools=(weather_tool("NON_BLOCKING"),))
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.send_text('call get_weather {"city": "Rome"}')
        turn = await read_turn(events)
        call = next(e for e in turn if isinstance(e, ToolCall)).calls[0]
        await session.send_tool_response(
            [{"id": call.id, "name": call.name, "response": {"output": 1}, "scheduling": "SILENT"}]
        )
        assert not kinds(await read_quiet(events, 0.2), TextDelta, TurnComplete)
        assert emu.last_session.transcript[-1] == 'function_response: get_weather {"output":1}'


# --------------------------------------------------------------------------- interruption


async def test_client_content_interrupts_the_model_while_it_speaks() -> None:
    config = LiveConfig(
        generation_config=AUDIO, output_audio_transcription=AudioTranscriptionConfig()
    )
    story = "say " + " ".join(["Once upon a time there was a very long story."] * 4)
    async with Emulator(audio_pace=0.01) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.send_text(story)
        before = await read_until(events, lambda e: isinstance(e, AudioChunk))
        assert session.phase is Phase.MODEL_SPEAKING

        await session.send_client_content(
            [{"role": "user", "parts": [{"text": "Stop."}]}], turn_complete=True
        )
        cut = await read_turn(events)
        cut += await read_phase(events, Phase.ACTIVE)
        assert kinds(cut, Interrupted, GenerationComplete, TurnComplete) == [
            Interrupted,
            TurnComplete,
        ]
        assert phases(before + cut) == [
            (Phase.ACTIVE, Phase.MODEL_SPEAKING),
            (Phase.MODEL_SPEAKING, Phase.INTERRUPTED),
            (Phase.INTERRUPTED, Phase.ACTIVE),
        ]
        heard = audio_of(before + cut)
        assert 0 < len(heard) < len(synthesize(story[4:], 24_000)) // 2

        reply = await read_turn(events)
        assert spoken(reply) == "Echo: Stop."
        assert session.phase is Phase.ACTIVE
        model_turns = [t for t in emu.last_session.conversation if t.role == "model"]
        assert [t.interrupted for t in model_turns] == [True, False]


async def test_interrupting_a_pending_blocking_call_cancels_it() -> None:
    config = LiveConfig(generation_config=TEXT, tools=(weather_tool("BLOCKING"),))
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.send_text('call get_weather {"city": "Paris"}')
        await read_until(events, lambda e: isinstance(e, ToolCall))
        session.notify_tool_execution_started()
        assert session.phase is Phase.TOOL_CALL_EXECUTING

        await session.send_client_content([{"role": "user", "parts": [{"text": "Never mind."}]}])
        cut = await read_turn(events)
        cut += await read_phase(events, Phase.ACTIVE)
        assert kinds(cut, ToolCallCancellation, Interrupted, TurnComplete) == [
            ToolCallCancellation,
            Interrupted,
            TurnComplete,
        ]
        assert next(e for e in cut if isinstance(e, ToolCallCancellation)).ids == ("fc-1",)
        assert (Phase.TOOL_CALL_EXECUTING, Phase.ACTIVE) in phases(cut)
        assert text_of(await read_turn(events)) == "Echo: Never mind."
        # A late result for the cancelled call is dropped by the client and announced (§8.5).
        consumed_before = len(emu.last_session.consumed)
        await session.send_tool_response(
            [FunctionResponse(name="get_weather", response={"output": 1}, id="fc-1")]
        )
        quiet = await read_quiet(events, 0.15)
        assert not kinds(quiet, TextDelta, TurnComplete)
        assert [e for e in quiet if isinstance(e, InputDropped)] == [
            InputDropped("tool_response", 1, "the call was cancelled")
        ]
        assert len(emu.last_session.consumed) == consumed_before
        transcript = emu.last_session.transcript
        assert transcript[1] == 'function_call: get_weather {"city":"Paris"}'
        assert not [line for line in transcript if line.startswith("function_response")]


# --------------------------------------------------------------------------- instruction


@pytest.mark.parametrize("vertex", [False, True], ids=["google_ai", "vertex"])
async def test_update_instruction_changes_later_replies(vertex: bool) -> None:
    config = LiveConfig(generation_config=TEXT, system_instruction="Be kind.")
    async with Emulator(**FAST) as emu, open_session(emu, config, vertex=vertex) as session:
        events = session.events()
        assert text_of(await say(session, events, "instruction")) == "Instruction: Be kind."
        await session.update_instruction("Answer   in French.")
        reply = text_of(await say(session, events, "instruction"))
        assert reply == "Instruction: Answer in French."
        assert emu.last_session.system_instruction == "Answer   in French."
        kinds_sent = [(c.kind, c.field) for c in emu.last_session.consumed]
        update = ("clientContent", None) if vertex else ("contextUpdate", None)
        assert kinds_sent == [
            ("setup", None),
            ("realtimeInput", "text"),
            update,
            ("realtimeInput", "text"),
        ]


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize("vertex", [False, True], ids=["google_ai", "vertex"])
async def test_usage_is_normalised_on_both_platforms(vertex: bool) -> None:
    config = LiveConfig(generation_config=AUDIO)
    async with Emulator(**FAST) as emu, open_session(emu, config, vertex=vertex) as session:
        events = session.events()
        await session.send_text("say good morning")
        got = await read_until(events, lambda e: isinstance(e, Usage))
        usage = got[-1]
        assert isinstance(usage, Usage)
        # 25 tokens per second of audio; "good morning" is 12 units of 50 ms.
        assert usage.response_tokens == 15
        assert [(d.modality, d.token_count) for d in usage.response_details] == [("AUDIO", 15)]
        assert usage.prompt_tokens == 4  # ceil(len("say good morning") / 4): not the reply
        assert [d.modality for d in usage.prompt_details] == ["TEXT"]
        assert usage.total_tokens == usage.prompt_tokens + usage.response_tokens
        assert emu.last_session.platform == session.platform
        assert session.platform == ("vertex" if vertex else "google_ai")


async def test_usage_is_the_same_event_on_both_platforms() -> None:
    found: list[Usage] = []
    for vertex in (False, True):
        async with (
            Emulator(**FAST) as emu,
            open_session(emu, LiveConfig(generation_config=TEXT), vertex=vertex) as session,
        ):
            events = session.events()
            await session.send_text("how are you today")
            got = await read_until(events, lambda e: isinstance(e, Usage))
            usage = got[-1]
            assert isinstance(usage, Usage)
            found.append(usage)
    assert found[0] == found[1]
    assert found[0].response_tokens == 6  # ceil(len("Echo: how are you today") / 4)


# --------------------------------------------------------------------------- resumption


async def test_resumption_updates_set_the_handle() -> None:
    async with (
        Emulator(resumption_update_every=1, audio_pace=0.005) as emu,
        open_session(emu, LiveConfig(generation_config=AUDIO)) as session,
    ):
        events = session.events()
        assert session.resumption_handle is None
        await session.send_text("say one two three four five six seven")
        first = await read_until(events, lambda e: isinstance(e, ResumptionUpdate))
        # Sent while the model is about to speak: not resumable, no handle yet.
        assert first[-1] == ResumptionUpdate(handle=None, resumable=False)
        assert session.resumption_handle is None

        rest = await read_until(
            events, lambda e: isinstance(e, ResumptionUpdate) and e.resumable, timeout=5
        )
        update = rest[-1]
        assert isinstance(update, ResumptionUpdate) and update.handle
        assert any(isinstance(e, TurnComplete) for e in rest)  # issued after the turn
        assert session.resumption_handle == update.handle == emu.last_session.handles[-1]
        assert update.last_consumed_index is None  # only with transparent (Vertex)


async def test_vertex_transparent_resumption_reports_last_consumed_index() -> None:
    config = LiveConfig(
        generation_config=TEXT, session_resumption=SessionResumptionConfig(transparent=True)
    )
    async with Emulator(**FAST) as emu, open_session(emu, config, vertex=True) as session:
        events = session.events()
        await session.send_text("one")
        await read_turn(events)
        await session.send_text("two")
        got = await read_until(
            events, lambda e: isinstance(e, ResumptionUpdate) and e.last_consumed_index == 2
        )
        assert any(text_of([e]) == " two" for e in got)
        assert session.resumption_handle == emu.last_session.handles[-1]


async def test_a_handle_resumes_the_conversation_in_a_new_session() -> None:
    async with Emulator(**FAST) as emu:
        async with open_session(emu, LiveConfig(generation_config=TEXT)) as first:
            events = first.events()
            await say(first, events, "remember the lighthouse")
            await read_until(events, lambda e: isinstance(e, ResumptionUpdate) and e.resumable)
            handle = first.resumption_handle
        assert handle is not None
        resumed = LiveConfig(
            generation_config=TEXT, session_resumption=SessionResumptionConfig(handle=handle)
        )
        async with open_session(emu, resumed) as second:
            events = second.events()
            turn = await say(second, events, "recap")
        assert text_of(turn) == "Recap: remember the lighthouse"
        assert len(emu.sessions) == 1 and emu.sessions[0].connections == 2
        assert emu.sessions[0].resumed_from == [handle]
