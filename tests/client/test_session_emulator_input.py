"""The client's session against the emulator: voice input (manual activity, automatic VAD,
``audioStreamEnd``, input rate) and exactness of what reaches the service.
"""

from __future__ import annotations

import asyncio

import gemini_live
from gemini_live import (
    AudioChunk,
    AudioTranscriptionConfig,
    FunctionResponse,
    InputTranscription,
    Interrupted,
    LiveConfig,
    Phase,
    TextDelta,
    ToolCall,
    TurnComplete,
    VoiceActivity,
)
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.synth import silence, speech_duration, synthesize
from gemini_live.testing import Emulator
from tests.client.emulated import (
    AUDIO,
    FAST,
    MANUAL_VAD,
    MODEL,
    SPEECH,
    TEXT,
    kinds,
    open_session,
    phases,
    read_quiet,
    read_turn,
    read_until,
    speech_chunks,
    text_of,
    weather_tool,
)

# --------------------------------------------------------------------------- voice input


async def test_manual_activity_window_around_speech() -> None:
    config = LiveConfig(
        generation_config=TEXT,
        realtime_input_config=MANUAL_VAD,
        input_audio_transcription=AudioTranscriptionConfig(),
    )
    chunks = speech_chunks("hello there")
    seconds = sum(len(c) for c in chunks) / 32000
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.signal_activity_start()
        assert session.phase is Phase.USER_SPEAKING
        for chunk in chunks:
            await session.send_audio(chunk)
        # Nothing is answered while the activity window is open.
        assert not kinds(await read_quiet(events, 0.1), InputTranscription, TextDelta)
        await session.signal_activity_end()

        turn = await read_turn(events)
        expected = f"<speech {seconds:.2f}s>"
        assert [e.text for e in turn if isinstance(e, InputTranscription)] == [expected]
        assert text_of(turn) == f"Echo: {expected}"
        assert (Phase.USER_SPEAKING, Phase.ACTIVE) in phases(turn)
        assert (Phase.ACTIVE, Phase.MODEL_SPEAKING) in phases(turn)
        fields = [c.field for c in emu.last_session.consumed if c.kind == "realtimeInput"]
        assert fields == ["activityStart", *["audio"] * len(chunks), "activityEnd"]


async def test_automatic_vad_turns_speech_and_silence_into_a_reply() -> None:
    config = LiveConfig(
        generation_config=TEXT, input_audio_transcription=AudioTranscriptionConfig()
    )
    async with (
        Emulator(voice_activity=True, **FAST) as emu,
        open_session(emu, config) as session,
    ):
        events = session.events()
        for chunk in speech_chunks("what is the weather like", trailing_silence=1.2):
            await session.send_audio(chunk)
        turn = await read_turn(events)

        activity = [e.kind for e in turn if isinstance(e, VoiceActivity)]
        assert activity == ["ACTIVITY_START", "ACTIVITY_END"]
        (heard,) = [e.text for e in turn if isinstance(e, InputTranscription)]
        match = SPEECH.fullmatch(heard)
        assert match is not None, heard
        # Start to end of speech, within the detector's padding and hangover.
        assert abs(float(match.group(1)) - speech_duration("what is the weather like")) < 0.3
        assert text_of(turn) == f"Echo: {heard}"
        assert (Phase.ACTIVE, Phase.USER_SPEAKING) in phases(turn)


async def test_automatic_vad_ignores_silence() -> None:
    async with (
        Emulator(**FAST) as emu,
        open_session(emu, LiveConfig(generation_config=TEXT)) as session,
    ):
        events = session.events()
        for chunk in chunk_pcm16(silence(1.0, 16000), 16000, 20):
            await session.send_audio(chunk)
        assert not kinds(await read_quiet(events, 0.2), TextDelta, TurnComplete)
        assert emu.last_session.conversation == ()


async def test_audio_stream_end_flushes_speech_without_trailing_silence() -> None:
    config = LiveConfig(
        generation_config=TEXT, input_audio_transcription=AudioTranscriptionConfig()
    )
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        for chunk in speech_chunks("hello world"):
            await session.send_audio(chunk)
        assert not kinds(await read_quiet(events, 0.1), InputTranscription, TextDelta)
        await session.send_audio_stream_end()
        turn = await read_turn(events)
        (heard,) = [e.text for e in turn if isinstance(e, InputTranscription)]
        assert SPEECH.fullmatch(heard) is not None
        assert text_of(turn) == f"Echo: {heard}"
        assert emu.last_session.consumed[-1].field == "audioStreamEnd"


async def test_input_audio_rate_is_announced_and_honoured() -> None:
    config = LiveConfig(
        generation_config=TEXT,
        realtime_input_config=MANUAL_VAD,
        input_audio_rate=24_000,
    )
    pcm = synthesize("hello", 24_000)  # five 50 ms units: 0.25 s
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.signal_activity_start()
        for chunk in chunk_pcm16(pcm, 24_000, 20):
            await session.send_audio(chunk)
        await session.signal_activity_end()
        turn = await read_turn(events)
        assert text_of(turn) == "Echo: <speech 0.25s>"
        audio = [c.payload["audio"] for c in emu.last_session.consumed if c.field == "audio"]
        assert {a["mimeType"] for a in audio} == {"audio/pcm;rate=24000"}
        assert b"".join(a["data"] for a in audio) == pcm


async def test_barge_in_with_activity_start_stays_user_speaking() -> None:
    """Was flaky under load: model audio already on the wire when activityStart went out moved
    the phase to ModelSpeaking, then Interrupted and Active while the user was still talking.
    Any number of such chunks may arrive here; the phase must not move until activityEnd (the
    exact order is pinned by ``test_session_phase_floor.py`` over a scripted peer). The answer
    lasts ~12 s of wall time at this pace, so it cannot end before the barge-in reaches the
    emulator even on a loaded machine; the emulator stops at the barge-in."""
    config = LiveConfig(generation_config=AUDIO, realtime_input_config=MANUAL_VAD)
    async with Emulator(audio_pace=0.05) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.send_text("say " + "a long answer that keeps going " * 6)
        await read_until(events, lambda e: isinstance(e, AudioChunk))
        await session.signal_activity_start()  # barge in: the user starts talking
        assert session.phase is Phase.USER_SPEAKING
        cut = await read_turn(events)
        assert kinds(cut, Interrupted, TurnComplete) == [Interrupted, TurnComplete]
        # The first move is the opening chunk's (read_until stopped at its cause).
        assert [new for _, new in phases(cut)] == [Phase.MODEL_SPEAKING, Phase.USER_SPEAKING]
        await read_quiet(events, 0.05)
        assert emu.last_session.consumed[-1].field == "activityStart"
        # The window is still open: the user is still speaking.
        assert session.phase is Phase.USER_SPEAKING
        await session.signal_activity_end()
        assert session.phase is Phase.ACTIVE


# --------------------------------------------------------------------------- exactness


async def test_consumed_log_is_exactly_what_the_client_sent() -> None:
    config = LiveConfig(
        generation_config=TEXT,
        realtime_input_config=MANUAL_VAD,
        tools=(weather_tool("BLOCKING"),),
    )
    pcm = synthesize("hi", 16000)
    async with Emulator(**FAST) as emu, open_session(emu, config) as session:
        events = session.events()
        await session.send_text('call get_weather {"city": "Lima"}')
        call = (await read_until(events, lambda e: isinstance(e, ToolCall)))[-1]
        assert isinstance(call, ToolCall)
        await session.send_tool_response(
            [FunctionResponse(name="get_weather", response={"output": "sunny"}, id="fc-1")]
        )
        await read_turn(events)
        await session.send_client_content(
            [
                {"role": "user", "parts": [{"text": "One"}]},
                {"role": "model", "parts": [{"text": "Two"}]},
            ],
            turn_complete=False,
        )
        await session.update_instruction("Short answers.")
        await session.update_tools([])
        await session.signal_activity_start()
        await session.send_audio(pcm)
        await session.signal_activity_end()
        await read_turn(events)
        sent = session.statistics().messages_sent
        consumed = list(emu.last_session.consumed)

    assert consumed[0].kind == "setup"
    assert consumed[0].payload["model"] == f"models/{MODEL}"
    assert [c.index for c in consumed] == list(range(len(consumed)))
    assert [(c.kind, c.field, c.payload) for c in consumed[1:]] == [
        ("realtimeInput", "text", {"text": 'call get_weather {"city": "Lima"}'}),
        (
            "toolResponse",
            None,
            {
                "functionResponses": [
                    {"id": "fc-1", "name": "get_weather", "response": {"output": "sunny"}}
                ]
            },
        ),
        (
            "clientContent",
            None,
            {
                "turns": [
                    {"role": "user", "parts": [{"text": "One"}]},
                    {"role": "model", "parts": [{"text": "Two"}]},
                ],
                "turnComplete": False,
            },
        ),
        (
            "contextUpdate",
            None,
            {"systemInstruction": {"parts": [{"text": "Short answers."}], "role": "user"}},
        ),
        ("contextUpdate", None, {"tools": {"tools": []}}),
        ("realtimeInput", "activityStart", {"activityStart": {}}),
        ("realtimeInput", "audio", {"audio": {"mimeType": "audio/pcm;rate=16000", "data": pcm}}),
        ("realtimeInput", "activityEnd", {"activityEnd": {}}),
    ]
    assert sent == len(consumed) - 1  # setup is not counted as a sent message


async def test_concurrent_writers_arrive_complete_and_in_per_writer_order() -> None:
    writers, per_writer = 8, 25

    def marked(writer: int, seq: int) -> bytes:
        # Two tiny non-zero samples identify the chunk; far below any speech threshold.
        return writer.to_bytes(2, "little") + (seq + 1).to_bytes(2, "little") + bytes(636)

    async with (
        Emulator(**FAST) as emu,
        # No age limit: on a loaded machine queued audio may wait longer than the default 2 s,
        # and dropping it as stale is right in production but not what this test measures.
        open_session(
            emu,
            LiveConfig(generation_config=TEXT),
            options=gemini_live.SessionOptions(max_audio_age=None),
        ) as session,
    ):

        async def writer(w: int) -> None:
            for seq in range(per_writer):
                await session.send_audio(marked(w + 1, seq))
                if seq % 5 == 0:
                    await asyncio.sleep(0)

        async with asyncio.timeout(10):
            await asyncio.gather(*(writer(w) for w in range(writers)))
            # disconnect() flushes; then everything must have been consumed. The close
            # handshake can finish before the emulator has worked through the frames queued
            # before it (a busy machine), so wait until its connection is over.
            await session.disconnect()
            await emu.last_session.wait_disconnected()
        consumed = [c for c in emu.last_session.consumed if c.field == "audio"]

    assert len(consumed) == writers * per_writer
    order: dict[int, list[int]] = {}
    for c in consumed:
        data = c.payload["audio"]["data"]
        order.setdefault(int.from_bytes(data[:2], "little"), []).append(
            int.from_bytes(data[2:4], "little")
        )
    assert order == {w + 1: list(range(1, per_writer + 1)) for w in range(writers)}
