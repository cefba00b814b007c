"""connect(): credentials and platforms, checked against the emulator; bad input fails early."""

from __future__ import annotations

import asyncio
import typing

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
from gemini_live.testing.emulator.setup_config import Platform as EmulatorPlatform
from gemini_live.testing.emulator.setup_config import PlatformValue
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


@pytest.mark.parametrize("platform", list(Platform), ids=lambda p: p.value)
async def test_client_and_emulator_report_the_same_platform(platform: Platform) -> None:
    """One spelling: what connect() takes, Session.platform and EmulatedSession.platform agree
    (the emulator, independent of the client by design, spells it with the same values), for
    both paths the emulator serves."""
    assert set(typing.get_args(EmulatorPlatform)) == {p.value for p in Platform}
    assert set(typing.get_args(gemini_live.PlatformName)) == {p.value for p in Platform}
    credentials = ApiKey("k") if platform is Platform.GOOGLE_AI else Vertex("p", "us-central1", "t")
    async with (
        Emulator() as emu,
        gemini_live.connect(
            "gemini-3.8-live",
            platform=platform.value,  # type: ignore[arg-type]
            credentials=credentials,
            base_url=emu.url,
            config=TEXT,
        ) as session,
    ):
        assert await _reply(session, "hi") == "Echo: hi"
        served = emu.last_session.platform
        assert session.platform is platform
        assert served == session.platform == platform.value and session.platform == served
        assert {session.platform: "found"}[served] == "found"  # the same hash too
        assert emu.url_for(session.platform) == emu.url_for(platform.value)


def test_the_old_emulator_spelling_still_works_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="googleai"):
        assert Platform("googleai") is Platform.GOOGLE_AI
    served = PlatformValue("google_ai")  # what EmulatedSession.platform holds
    with pytest.warns(DeprecationWarning, match="googleai"):
        assert served == "googleai"  # as tests compared it before
    with pytest.warns(DeprecationWarning, match="googleai"):
        assert "googleai" == served  # noqa: SIM300 - the reflected comparison
    with pytest.warns(DeprecationWarning, match="googleai"):
        assert not served != "googleai"  # noqa: SIM202 - __ne__ itself
    with pytest.warns(DeprecationWarning, match="googleai"):
        assert PlatformValue("vertex") != "googleai"
    assert served == "google_ai" and served != "vertex" and str(served) == "google_ai"
    with pytest.raises(ConfigError, match="'google_ai' or 'vertex'"):
        gemini_live.connect("gemini-3.8-live", credentials=ApiKey("k"), platform="google")  # type: ignore[arg-type]


async def test_the_emulator_takes_the_old_spelling_with_a_warning() -> None:
    async with Emulator() as emu:
        with pytest.warns(DeprecationWarning, match="googleai"):
            old = emu.url_for("googleai")
        assert old == emu.url_for("google_ai")
        with pytest.raises(ValueError, match="'google_ai', 'vertex' or 'ephemeral'"):
            emu.url_for("google")
        with pytest.warns(DeprecationWarning, match="googleai"):
            connecting = gemini_live.connect(
                "gemini-3.8-live",
                platform="googleai",  # type: ignore[arg-type]
                credentials=ApiKey("k"),
                base_url=emu.url,
                config=TEXT,
            )
        async with connecting as session:
            assert session.platform is Platform.GOOGLE_AI
            with pytest.warns(DeprecationWarning, match="googleai"):
                assert emu.last_session.platform == "googleai"
