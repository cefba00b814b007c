"""Paths, authentication and setup validation."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import InvalidStatus

from gemini_live.testing.emulator import Emulator
from tests.testing.emu_client import RawClient, text_of

GOOGLE = "/ws/google.ai.generativelanguage.{v}.GenerativeService.BidiGenerateContent"
VERTEX = "/ws/google.cloud.aiplatform.{v}.LlmBidiService/BidiGenerateContent"
VERTEX_MODEL = "projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live"


@pytest.mark.parametrize(
    ("path", "model"),
    [
        (GOOGLE.format(v="v1"), "models/gemini-3.8-live"),
        (GOOGLE.format(v="v1beta"), "models/gemini-2.5-flash-native-audio-preview-12-2025"),
        (GOOGLE.format(v="v1alpha") + "Constrained", "models/gemini-3.1-flash-live-preview"),
        ("/" + GOOGLE.format(v="v1beta"), "models/gemini-3.8-live"),
        ("/scenario-x" + GOOGLE.format(v="v1beta"), "models/gemini-3.8-live"),
        (VERTEX.format(v="v1"), VERTEX_MODEL),
        (VERTEX.format(v="v1beta1"), "publishers/google/models/gemini-live-2.5-flash-native-audio"),
    ],
)
async def test_setup_complete_is_the_first_frame_on_every_path(
    live_emulator: Emulator, path: str, model: str
) -> None:
    client = await RawClient.open(live_emulator.url + path)
    first = await client.setup(model)
    assert list(first) == ["setupComplete"]
    assert first["setupComplete"]["sessionId"] == live_emulator.last_session.id
    await client.close()


async def test_unknown_path_is_404(live_emulator: Emulator) -> None:
    with pytest.raises(InvalidStatus) as info:
        await RawClient.open(live_emulator.url + "/ws/google.ai.generativelanguage.v2.Nope")
    assert info.value.response.status_code == 404
    assert live_emulator.stats.http_rejections[404] == 1


async def test_missing_credentials_is_401(live_emulator: Emulator) -> None:
    with pytest.raises(InvalidStatus) as info:
        await RawClient.open(live_emulator.url_for(), api_key=None)
    assert info.value.response.status_code == 401


@pytest.mark.parametrize(
    ("suffix", "headers"),
    [
        ("?key=k1", {}),
        ("?access_token=auth_tokens/abc", {}),
        ("", {"Authorization": "Bearer ya29.token"}),
        ("", {"Authorization": "Token auth_tokens/abc"}),
        ("", {"x-goog-api-key": "k1"}),
    ],
)
async def test_every_credential_form_is_accepted(
    live_emulator: Emulator, suffix: str, headers: dict[str, str]
) -> None:
    client = await RawClient.open(live_emulator.url_for() + suffix, api_key=None, headers=headers)
    assert "setupComplete" in await client.setup()
    await client.close()


async def test_api_key_allow_list(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(api_keys={"good"})
    client = await RawClient.open(emu.url_for(), api_key="good")
    assert "setupComplete" in await client.setup()
    await client.close()
    client = await RawClient.open(emu.url_for(), api_key="bad")
    await client.send({"setup": {"model": "models/gemini-3.8-live"}})
    code, reason = await client.expect_close()
    assert code == 1007
    assert "API key not valid" in reason
    assert "bad" not in reason


async def close_after_setup(emu: Emulator, setup: object, url: str | None = None) -> tuple:
    client = await RawClient.open(url or emu.url_for())
    await client.send(setup)  # type: ignore[arg-type]
    return await client.expect_close()


async def test_first_message_must_be_setup(live_emulator: Emulator) -> None:
    code, reason = await close_after_setup(live_emulator, {"realtimeInput": {"text": "hi"}})
    assert code == 1007
    assert "setup" in reason
    assert live_emulator.sessions == []


async def test_unknown_model_is_1008(live_emulator: Emulator) -> None:
    for model in ("models/gemini-9-ultra", "gemini-3.8-live", "tunedModels/x"):
        code, reason = await close_after_setup(live_emulator, {"setup": {"model": model}})
        assert (code, reason) == (1008, "Requested entity was not found.")
    code, _ = await close_after_setup(
        live_emulator,
        {"setup": {"model": "models/gemini-3.8-live"}},
        live_emulator.url_for("vertex"),
    )
    assert code == 1008


async def test_bare_model_ids_allowed_when_not_strict(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(strict_model_names=False)
    client = await RawClient.open(emu.url_for())
    assert "setupComplete" in await client.setup("gemini-3.8-live")
    await client.close()


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        ({"model": "models/gemini-3.8-live", "foo": 1}, "Unknown name \"foo\" at 'setup'"),
        (
            {"model": "models/gemini-3.8-live", "generation_config": {"bogus_field": 1}},
            "Unknown name \"bogus_field\" at 'setup.generation_config'",
        ),
        (
            {"model": "models/gemini-3.8-live", "generationConfig": {"responseModalities": ["X"]}},
            "response_modalities[0]",
        ),
        (
            {"model": "models/gemini-3.8-live", "sessionResumption": {"transparent": True}},
            "transparent",
        ),
        (
            {
                "model": "models/gemini-3.8-live",
                "realtimeInputConfig": {"activityHandling": "SOMETIMES"},
            },
            "activity_handling",
        ),
    ],
)
async def test_bad_setup_is_1007(live_emulator: Emulator, setup: dict, fragment: str) -> None:
    code, reason = await close_after_setup(live_emulator, {"setup": setup})
    assert code == 1007
    assert fragment in reason


async def test_snake_case_and_binary_setup_is_accepted(live_emulator: Emulator) -> None:
    client = await RawClient.open(live_emulator.url_for())
    setup = (
        b'{"setup": {"model": "models/gemini-3.8-live", "generation_config": '
        b'{"response_modalities": ["TEXT"], "speech_config": {"voice_config": '
        b'{"prebuilt_voice_config": {"voice_name": "Kore"}}}},'
        b' "realtime_input_config": {"automatic_activity_detection": {"disabled": true,'
        b' "silence_duration_ms": "500"}}, "input_audio_transcription": {},'
        b' "context_window_compression": {"trigger_tokens": "100000",'
        b' "sliding_window": {"target_tokens": 50000}}, "session_resumption": {}}}'
    )
    await client.send(setup)
    assert "setupComplete" in await client.recv()
    await client.close()


async def open_session(emu: Emulator, url: str | None = None, **setup: object) -> RawClient:
    client = await RawClient.open(url or emu.url_for())
    first = await client.setup(**setup)  # type: ignore[arg-type]
    assert "setupComplete" in first
    return client


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        (
            {"realtimeInput": {"mediaChunks": [{"mimeType": "audio/pcm", "data": ""}]}},
            "realtime_input.media_chunks is deprecated. Use audio, video, or text instead.",
        ),
        ({"realtimeInput": {"activityStart": {}}}, "automatic activity detection"),
        ({"realtimeInput": {"text": "a", "audioStreamEnd": True}}, "exactly one"),
        ({"realtimeInput": {"text": "a"}, "clientContent": {}}, "Oneof"),
        ({"clientContent": {"turns": [{"role": "system", "parts": [{"text": "x"}]}]}}, "role"),
        ({"clientContent": {"turns": [{"parts": [{"text": "x"}]}]}}, "role"),
        ({"whatever": {}}, 'Unknown name "whatever"'),
        ({"setup": {"model": "models/gemini-3.8-live"}}, "setup"),
        ("{this is not json", "Invalid JSON"),
    ],
)
async def test_bad_messages_after_setup_are_1007(
    live_emulator: Emulator, message: object, fragment: str
) -> None:
    client = await open_session(live_emulator)
    await client.send(message)  # type: ignore[arg-type]
    code, reason = await client.expect_close()
    assert code == 1007
    assert fragment in reason
    assert live_emulator.stats.closes[1007] == 1


async def test_system_role_is_an_instruction_on_vertex(live_emulator: Emulator) -> None:
    client = await open_session(
        live_emulator,
        live_emulator.url_for("vertex"),
        model=VERTEX_MODEL,
        generationConfig={"responseModalities": ["TEXT"]},
    )
    await client.send(
        {
            "clientContent": {
                "turns": [{"role": "system", "parts": [{"text": "Speak French."}]}],
                "turnComplete": False,
            }
        }
    )
    await client.text("instruction")
    frames = await client.turn()
    assert text_of(frames) == "Instruction: Speak French."
    await client.close()


async def test_stop_is_idempotent_and_start_without_context_manager() -> None:
    emu = Emulator()
    await emu.start()
    client = await open_session(emu)
    await client.close()
    async with asyncio.timeout(5):
        await emu.stop()
        await emu.stop()
    assert emu.port > 0  # still readable after stop
    with pytest.raises(RuntimeError):
        _ = Emulator().port
    with pytest.raises(TypeError):
        Emulator(no_such_option=1)


async def test_a_busy_port_fails_cleanly() -> None:
    async with Emulator() as emu:
        other = Emulator(port=emu.port, tls=True)
        with pytest.raises(OSError):
            await other.start()
        assert other.cert_path is None or not other.cert_path.exists()
