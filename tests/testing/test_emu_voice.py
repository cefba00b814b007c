"""Audio input: automatic activity detection, manual activity, interruption."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from gemini_live.audio.synth import silence, synthesize, tone
from gemini_live.testing.emulator import Emulator
from tests.testing.emu_client import RawClient, kinds, text_of

TEXT = {"responseModalities": ["TEXT"]}
LONG = "say one two three four five six seven eight nine ten eleven twelve"


async def open_session(emu: Emulator, **setup: object) -> RawClient:
    client = await RawClient.open(emu.url_for())
    assert "setupComplete" in await client.setup(**setup)  # type: ignore[arg-type]
    return client


async def send_chunked(
    client: RawClient, pcm: bytes, *, rate: int = 16000, ms: int = 40, urlsafe: bool = False
) -> None:
    step = rate * ms // 1000 * 2
    for i in range(0, len(pcm), step):
        await client.audio(pcm[i : i + step], rate, urlsafe=urlsafe)


async def assert_silent(client: RawClient, seconds: float = 0.3) -> None:
    with pytest.raises(TimeoutError):
        await client.recv(timeout=seconds)


async def test_speech_then_silence_is_a_user_turn(live_emulator: Emulator) -> None:
    client = await open_session(
        live_emulator, generationConfig=TEXT, inputAudioTranscription={}, explicitVadSignal=True
    )
    speech = synthesize("hello world", 16000)  # 0.55 s
    await send_chunked(client, silence(0.3) + speech + silence(1.0), urlsafe=True)
    frames = await client.turn()
    assert frames[0] == {"voiceActivity": {"type": "ACTIVITY_START", "audioOffset": "0.3s"}}
    assert frames[1] == {"voiceActivity": {"type": "ACTIVITY_END", "audioOffset": "0.85s"}}
    assert frames[2]["serverContent"]["inputTranscription"]["text"] == "<speech 0.55s>"
    assert text_of(frames) == "Echo: <speech 0.55s>"
    turn = live_emulator.last_session.conversation[0]
    assert (turn.role, turn.text, turn.audio_seconds) == ("user", "<speech 0.55s>", 0.55)
    await client.close()


async def test_silence_duration_is_counted_in_audio_time(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, generationConfig=TEXT)  # default 800 ms
    await send_chunked(client, tone(0.5) + silence(0.6))
    await assert_silent(client)
    await send_chunked(client, silence(0.2))
    assert text_of(await client.turn()) == "Echo: <speech 0.50s>"
    await client.close()


async def test_configured_silence_duration_and_any_input_rate(live_emulator: Emulator) -> None:
    client = await open_session(
        live_emulator,
        generationConfig=TEXT,
        realtimeInputConfig={"automaticActivityDetection": {"silenceDurationMs": 300}},
    )
    await send_chunked(client, tone(0.4, 48000) + silence(0.35, 48000), rate=48000)
    assert text_of(await client.turn()) == "Echo: <speech 0.40s>"
    await client.close()


async def test_quiet_audio_is_not_speech_and_audio_stream_end_flushes(
    live_emulator: Emulator,
) -> None:
    client = await open_session(live_emulator, generationConfig=TEXT)
    await send_chunked(client, tone(0.5, amplitude=0.003) + silence(1.0))
    await assert_silent(client)
    await send_chunked(client, tone(0.3))
    await client.send({"realtimeInput": {"audioStreamEnd": True}})
    assert text_of(await client.turn()) == "Echo: <speech 0.30s>"
    await client.close()


async def test_voice_activity_option_without_explicit_signal(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(voice_activity=True)
    client = await open_session(emu, generationConfig=TEXT)
    await send_chunked(client, tone(0.2) + silence(0.9))
    frames = await client.turn()
    assert kinds(frames)[:2] == ["voiceActivity", "voiceActivity"]
    await client.close()


MANUAL = {"realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}}}


async def test_manual_activity_delimits_the_turn(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, generationConfig=TEXT, **MANUAL)
    await send_chunked(client, tone(0.3))  # outside an activity: ignored
    await client.send({"realtimeInput": {"activityStart": {}}})
    await send_chunked(client, silence(0.2) + tone(0.2))  # silence counts in manual mode
    await client.text("and text")
    await client.send({"realtimeInput": {"activityEnd": {}}})
    assert text_of(await client.turn()) == "Echo: <speech 0.40s> and text"
    await client.send({"realtimeInput": {"activityStart": {}}})
    await client.send({"realtimeInput": {"activityEnd": {}}})
    await assert_silent(client, 0.2)
    await client.close()


async def test_speech_interrupts_the_model(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(audio_pace=0.02)
    client = await open_session(
        emu, realtimeInputConfig={"automaticActivityDetection": {"silenceDurationMs": 200}}
    )
    await client.text(LONG)
    await client.recv_until(lambda f: "modelTurn" in f.get("serverContent", {}))
    await send_chunked(client, tone(0.2))
    frames = await client.turn()
    labels = kinds(frames)
    assert labels[-2:] == ["interrupted", "turnComplete"]
    assert "generationComplete" not in labels
    model_turn = emu.last_session.conversation[1]
    assert model_turn.role == "model" and model_turn.interrupted
    assert 0 < len(model_turn.text) < len(LONG)
    assert emu.stats.interruptions == 1
    await send_chunked(client, silence(0.3))
    frames = await client.turn()
    assert kinds(frames)[-2:] == ["generationComplete", "turnComplete"]
    assert emu.last_session.conversation[-1].text == "Echo: <speech 0.20s>"
    await client.close()


async def test_activity_start_interrupts_in_manual_mode(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(audio_pace=0.02)
    client = await open_session(emu, **MANUAL)
    await client.text(LONG)
    await client.recv_until(lambda f: "modelTurn" in f.get("serverContent", {}))
    await client.send({"realtimeInput": {"activityStart": {}}})
    frames = await client.turn()
    assert kinds(frames)[-2:] == ["interrupted", "turnComplete"]
    await client.close()


async def test_client_content_interrupts(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(text_pace=0.05)
    client = await open_session(emu, generationConfig=TEXT)
    await client.text(LONG)
    await client.recv_until(lambda f: "modelTurn" in f.get("serverContent", {}))
    await client.send(
        {
            "clientContent": {
                "turns": [{"role": "user", "parts": [{"text": "stop"}]}],
                "turnComplete": True,
            }
        }
    )
    first = await client.turn()
    assert kinds(first)[-2:] == ["interrupted", "turnComplete"]
    assert text_of(await client.turn()) == "Echo: stop"
    await client.close()


async def test_no_interruption_lets_the_reply_finish(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(text_pace=0.03)
    client = await open_session(
        emu,
        generationConfig=TEXT,
        realtimeInputConfig={
            "activityHandling": "NO_INTERRUPTION",
            "automaticActivityDetection": {"silenceDurationMs": 100},
        },
    )
    await client.text(LONG)
    await client.recv_until(lambda f: "modelTurn" in f.get("serverContent", {}))
    await send_chunked(client, tone(0.2) + silence(0.2))
    await client.text("queued")
    first = await client.turn()
    assert "interrupted" not in kinds(first)
    assert text_of(first).endswith("eleven twelve")
    assert text_of(await client.turn()) == "Echo: <speech 0.20s>"
    assert text_of(await client.turn()) == "Echo: queued"
    await client.close()


async def test_unsupported_audio_format_is_ignored(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, generationConfig=TEXT)
    import base64

    data = base64.b64encode(tone(0.5) + silence(1.0)).decode()
    await client.send({"realtimeInput": {"audio": {"mimeType": "audio/ogg", "data": data}}})
    await assert_silent(client, 0.2)
    await client.close()
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(1):
            await client.ws.recv()
