"""connect(): credentials and platforms, checked against the emulator; bad input fails early."""

from __future__ import annotations

import asyncio

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    AuthenticationError,
    ConfigError,
    EphemeralToken,
    GenerationConfig,
    LiveConfig,
    Platform,
    Resumed,
    SessionResumptionConfig,
    Vertex,
)
from gemini_live.testing import Emulator, Fault
from gemini_live.testing.streams import read_turn, text_of

TEXT = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))


async def _reply(session: gemini_live.Session, text: str) -> str:
    events = session.events()
    await session.send_text(text)
    return text_of(await read_turn(events))


async def test_ephemeral_token_uses_the_constrained_endpoint() -> None:
    async with (
        Emulator() as emu,
        gemini_live.connect(
            "gemini-3.8-live",
            credentials=EphemeralToken("auth_tokens/abc"),
            base_url=emu.url,
            config=TEXT,
        ) as session,
    ):
        assert await _reply(session, "hi") == "Echo: hi"


async def test_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    async with Emulator() as emu:
        monkeypatch.setenv("GEMINI_LIVE_BASE_URL", emu.url)
        monkeypatch.setenv("GEMINI_API_KEY", "test-key")
        async with gemini_live.connect("gemini-3.8-live", config=TEXT) as session:
            assert await _reply(session, "hi") == "Echo: hi"


async def test_vertex_token_provider_is_asked_on_every_connection() -> None:
    calls = 0

    async def token() -> str:
        nonlocal calls
        calls += 1
        return f"token-{calls}"

    async with Emulator() as emu:
        emu.faults.next(Fault.close(1011, "Internal error occurred.", after_client_messages=2))
        async with gemini_live.connect(
            "gemini-3.8-live",
            platform=Platform.VERTEX,
            credentials=Vertex("proj", "us-central1", token),
            base_url=emu.url,
            config=TEXT,
        ) as session:
            events = session.events()
            assert await _reply(session, "one") == "Echo: one"
            await session.send_text("two")  # the 2nd message: the emulator closes with 1011
            async with asyncio.timeout(5):
                async for event in events:
                    if isinstance(event, Resumed):
                        break
        assert emu.last_session.model.endswith("gemini-3.8-live")
    assert calls == 2


async def test_missing_key_fails_before_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(AuthenticationError, match="GEMINI_API_KEY"):
        gemini_live.connect("gemini-3.8-live")


async def test_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "env-key")
    async with (
        Emulator() as emu,
        gemini_live.connect("gemini-3.8-live", base_url=emu.url, config=TEXT) as session,
    ):
        assert await _reply(session, "env") == "Echo: env"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": ""}, "model"),
        ({"platform": Platform.VERTEX}, "credentials=Vertex"),
        (
            {"config": LiveConfig(session_resumption=SessionResumptionConfig(transparent=True))},
            "transparent",
        ),
        ({"base_url": "http//nope"}, "URL|url|scheme"),
    ],
)
def test_invalid_configuration_raises_config_error(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"model": "gemini-3.8-live", "credentials": ApiKey("k")}
    args.update(kwargs)
    model = args.pop("model")
    with pytest.raises(ConfigError, match=match):
        gemini_live.connect(model, **args)  # type: ignore[arg-type]
