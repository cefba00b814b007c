"""Text and audio turns, transcriptions, usage, history and context updates."""

from __future__ import annotations

import asyncio
import base64

from gemini_live.audio.synth import synth_samples, synthesize
from gemini_live.testing.emulator import Emulator
from tests.testing.emu_client import RawClient, audio_bytes, kinds, text_of, transcript_of

TEXT = {"generationConfig": {"responseModalities": ["TEXT"]}}
VERTEX_MODEL = "publishers/google/models/gemini-3.8-live"


async def open_session(emu: Emulator, url: str | None = None, **setup: object) -> RawClient:
    client = await RawClient.open(url or emu.url_for())
    assert "setupComplete" in await client.setup(**setup)  # type: ignore[arg-type]
    return client


async def test_text_turn_streams_words_then_generation_then_turn_complete(
    live_emulator: Emulator,
) -> None:
    client = await open_session(live_emulator, **TEXT)
    await client.text("hello there world")
    frames = await client.turn()
    assert kinds(frames) == ["text"] * 4 + ["generationComplete", "turnComplete"]
    assert text_of(frames) == "Echo: hello there world"
    usage = frames[-1]["usageMetadata"]
    assert usage["promptTokenCount"] == 5  # ceil(17 / 4): the user's text, not the reply
    assert usage["responseTokenCount"] == 6  # ceil(23 / 4)
    assert usage["totalTokenCount"] == 11
    assert "candidatesTokenCount" not in usage
    await client.text("again")
    assert text_of(await client.turn()) == "Echo: again"
    session = live_emulator.last_session
    assert session.transcript == (
        "user: hello there world",
        "model: Echo: hello there world",
        "user: again",
        "model: Echo: again",
    )
    await client.close()


async def test_audio_turn_is_24khz_pcm_of_the_synthesized_reply(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, outputAudioTranscription={})
    await client.text("hi")
    frames = await client.turn()
    labels = kinds(frames)
    assert labels[-2:] == ["generationComplete", "turnComplete"]
    assert set(labels[:-2]) == {"audio", "outputTranscription"}
    pcm = audio_bytes(frames)
    assert len(pcm) == 2 * synth_samples("Echo: hi", 24000)
    assert pcm == synthesize("Echo: hi", 24000)
    parts = [
        p for f in frames for p in f.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
    ]
    assert {p["inlineData"]["mimeType"] for p in parts} == {"audio/pcm;rate=24000"}
    sizes = [len(base64.b64decode(p["inlineData"]["data"])) for p in parts]
    assert all(s == 1920 for s in sizes[:-1]) and 0 < sizes[-1] <= 1920  # 40 ms chunks
    assert transcript_of(frames) == "Echo: hi"
    # The last transcription comes before generationComplete.
    assert labels.index("generationComplete") > max(
        i for i, k in enumerate(labels) if k == "outputTranscription"
    )
    await client.close()


async def test_no_transcription_unless_enabled_and_input_transcription(
    live_emulator: Emulator,
) -> None:
    client = await open_session(live_emulator, inputAudioTranscription={})
    await client.text("ping")
    frames = await client.turn()
    assert "outputTranscription" not in kinds(frames)
    assert kinds(frames)[0] == "inputTranscription"
    assert frames[0]["serverContent"]["inputTranscription"] == {"text": "ping", "finished": True}
    await client.close()


async def test_snake_case_client_messages(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, **TEXT)
    await client.send({"realtime_input": {"text": "snake"}})
    assert text_of(await client.turn()) == "Echo: snake"
    await client.send(
        {
            "client_content": {
                "turns": [{"role": "user", "parts": [{"text": "one"}]}],
                "turn_complete": False,
            }
        }
    )
    await client.send(
        {
            "client_content": {
                "turns": [{"role": "user", "parts": [{"text": "two"}]}],
                "turn_complete": True,
            }
        }
    )
    assert text_of(await client.turn()) == "Echo: one two"
    consumed = live_emulator.last_session.consumed
    assert [(m.index, m.kind, m.field) for m in consumed] == [
        (0, "setup", None),
        (1, "realtimeInput", "text"),
        (2, "clientContent", None),
        (3, "clientContent", None),
    ]
    assert consumed[3].payload["turnComplete"] is True
    await client.close()


async def test_vertex_usage_spelling(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, live_emulator.url_for("vertex"), model=VERTEX_MODEL)
    await client.text("hi")
    usage = (await client.turn())[-1]["usageMetadata"]
    assert usage["candidatesTokenCount"] == 10  # 0.4 s of audio at 25 tokens/s
    assert usage["candidatesTokensDetails"] == [{"modality": "AUDIO", "tokenCount": 10}]
    assert "responseTokenCount" not in usage
    await client.close()


async def test_system_instruction_and_context_update_are_observable(
    live_emulator: Emulator,
) -> None:
    client = await open_session(
        live_emulator,
        systemInstruction={"parts": [{"text": "Answer in French."}]},
        tools=[{"functionDeclarations": [{"name": "get_weather"}]}],
        **TEXT,
    )
    await client.text("hi")
    assert text_of(await client.turn()) == "Echo: hi"  # the instruction is not repeated
    await client.text("instruction")
    assert text_of(await client.turn()) == "Instruction: Answer in French."
    await client.send({"contextUpdate": {"systemInstruction": {"parts": [{"text": "Be terse."}]}}})
    await client.text("instruction")
    assert text_of(await client.turn()) == "Instruction: Be terse."
    await client.text("list tools")
    assert text_of(await client.turn()) == "Tools: get_weather."
    await client.send(
        {
            "context_update": {
                "tools": {"tools": [{"function_declarations": [{"name": "lights_on"}]}]}
            }
        }
    )
    await client.text("list tools")
    assert text_of(await client.turn()) == "Tools: lights_on."
    await client.send({"contextUpdate": {"tools": {"tools": []}}})
    await client.text("list tools")
    assert text_of(await client.turn()) == "Tools: none."
    assert live_emulator.last_session.system_instruction == "Be terse."
    await client.close()


async def test_initial_history_does_not_trigger_a_reply(live_emulator: Emulator) -> None:
    client = await open_session(
        live_emulator, historyConfig={"initialHistoryInClientContent": True}, **TEXT
    )
    await client.send(
        {
            "clientContent": {
                "turns": [
                    {"role": "user", "parts": [{"text": "seed question"}]},
                    {"role": "model", "parts": [{"text": "seed answer"}]},
                ],
                "turnComplete": True,
            }
        }
    )
    await client.text("recap")
    frames = await client.turn()
    assert text_of(frames) == "Recap: seed question"
    assert kinds(frames).count("turnComplete") == 1
    await client.close()


async def test_client_content_with_image_and_empty_turn_complete(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, **TEXT)
    image = base64.urlsafe_b64encode(b"\xff\xd8\xff\xe0jpeg").decode()
    await client.send(
        {
            "clientContent": {
                "turns": [
                    {
                        "role": "user",
                        "parts": [
                            {"text": "look"},
                            {"inline_data": {"mime_type": "image/jpeg", "data": image}},
                        ],
                    }
                ],
                "turnComplete": True,
            }
        }
    )
    assert text_of(await client.turn()) == "Echo: look <image/jpeg 8 bytes>"
    await client.send({"clientContent": {"turnComplete": True}})
    assert text_of(await client.turn()) == "I'm listening."
    await client.close()


async def test_interaction_status_and_turn_complete_delay(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(interaction_status=True, turn_complete_delay=0.2)
    client = await open_session(emu, **TEXT)
    await client.text("x")
    frames = await client.recv_until(
        lambda f: f.get("serverContent", {}).get("generationComplete", False)
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    last = await client.recv()
    assert loop.time() - started >= 0.15
    assert last["serverContent"] == {"turnComplete": True, "interactionStatus": "IDLE"}
    assert text_of(frames) == "Echo: x"
    await client.close()


async def test_video_frames_are_counted_in_usage(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, **TEXT)
    jpeg = base64.b64encode(b"\xff\xd8frame").decode()
    for _ in range(2):
        await client.send({"realtimeInput": {"video": {"mimeType": "image/jpeg", "data": jpeg}}})
    await client.text("what do you see")
    usage = (await client.turn())[-1]["usageMetadata"]
    assert {"modality": "VIDEO", "tokenCount": 516} in usage["promptTokensDetails"]
    await client.close()


async def test_combined_events(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(combined_events=True)
    client = await open_session(emu, outputAudioTranscription={})
    await client.text("hello there")
    frames = await client.turn()
    contents = [f["serverContent"] for f in frames]
    assert all("modelTurn" in c for c in contents[:-1])
    assert "generationComplete" in contents[-2] and "generationComplete" not in contents[0]
    assert "".join(c.get("outputTranscription", {}).get("text", "") for c in contents) == (
        "Echo: hello there"
    )
    assert audio_bytes(frames) == synthesize("Echo: hello there", 24000)
    text_client = await open_session(emu, **TEXT)
    await text_client.text("a b")
    contents = [f["serverContent"] for f in await text_client.turn()]
    assert contents[-2] == {"modelTurn": {"parts": [{"text": " b"}]}, "generationComplete": True}
    await client.close()
    await text_client.close()
