"""Credentials and timeouts as value objects; the deprecated keyword arguments still work."""

from __future__ import annotations

import asyncio

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    ConfigError,
    ConnectError,
    Connecting,
    EphemeralToken,
    GenerationConfig,
    LiveConfig,
    Resumed,
    Timeouts,
    Vertex,
)
from gemini_live.testing import Emulator, Fault
from gemini_live.testing.streams import read_turn, text_of

MODEL = "gemini-3.8-live"
TEXT = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))


async def _reply(session: gemini_live.Session, text: str) -> str:
    events = session.events()
    await session.send_text(text)
    return text_of(await read_turn(events))


async def test_api_key_object() -> None:
    async with Emulator(api_keys={"the-key"}) as emu:
        connecting = gemini_live.connect(
            MODEL, credentials=ApiKey("the-key"), base_url=emu.url, config=TEXT
        )
        assert isinstance(connecting, Connecting)
        async with connecting as session:
            assert await _reply(session, "hi") == "Echo: hi"


async def test_ephemeral_token_provider_mints_a_token_per_connection_attempt() -> None:
    minted: list[str] = []

    async def mint() -> str:
        minted.append(f"auth_tokens/t{len(minted) + 1}")
        return minted[-1]

    async with Emulator(api_keys={"auth_tokens/t1", "auth_tokens/t2"}) as emu:
        emu.faults.next(Fault.close(1011, "Internal error occurred.", after_client_messages=2))
        async with gemini_live.connect(
            MODEL, credentials=EphemeralToken(mint), base_url=emu.url, config=TEXT
        ) as session:
            events = session.events()
            assert await _reply(session, "one") == "Echo: one"
            await session.send_text("two")  # the emulator closes with 1011: a resume follows
            async with asyncio.timeout(5):
                async for event in events:
                    if isinstance(event, Resumed):
                        break
    assert minted == ["auth_tokens/t1", "auth_tokens/t2"]


async def test_a_failing_token_provider_is_a_connect_error_that_quotes_nothing() -> None:
    async def broken() -> str:
        raise RuntimeError("secret-token-in-message")

    with pytest.raises(ConnectError) as info:
        await gemini_live.connect(
            MODEL, credentials=EphemeralToken(broken), base_url="ws://127.0.0.1:9"
        )
    assert "secret-token-in-message" not in str(info.value)
    assert "ephemeral_token provider failed (RuntimeError)" in str(info.value)


def test_credentials_never_show_in_repr() -> None:
    async def provider() -> str:
        return "x"

    shown = [
        repr(ApiKey("AIza-SECRET-123")),
        repr(EphemeralToken("auth_tokens/SECRET")),
        repr(EphemeralToken(provider)),
        repr(Vertex("proj", "us-central1", "ya29.SECRET")),
    ]
    assert not [text for text in shown if "SECRET" in text]
    assert "proj" in shown[-1] and "us-central1" in shown[-1]


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ApiKey(""), "ApiKey.key"),
        (lambda: EphemeralToken("a\nb"), "line breaks"),
        (lambda: Vertex("", "us-central1"), "Vertex.project"),
        (lambda: Vertex("p", "us-central1", 42), "Vertex.token"),  # type: ignore[arg-type]
    ],
)
def test_bad_credentials_fail_at_once(make: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make()  # type: ignore[operator]


def test_credentials_and_platform_must_agree() -> None:
    with pytest.raises(ConfigError, match="Vertex"):
        gemini_live.connect(MODEL, credentials=ApiKey("k"), platform="vertex")
    with pytest.raises(ConfigError, match="platform"):
        vertex = Vertex("p", "us-central1", "t")
        gemini_live.connect(MODEL, credentials=vertex, platform="google_ai")
    with pytest.raises(ConfigError, match="credentials"):
        gemini_live.connect(MODEL, credentials="k")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not both"):
        gemini_live.connect(MODEL, credentials=ApiKey("k"), api_key="k")


async def test_the_old_keyword_arguments_work_with_a_deprecation_warning() -> None:
    async with Emulator() as emu:
        with pytest.warns(DeprecationWarning, match="api_key"):
            connecting = gemini_live.connect(MODEL, api_key="k", base_url=emu.url, config=TEXT)
        async with connecting as session:
            assert await _reply(session, "old") == "Echo: old"
        with pytest.warns(DeprecationWarning, match="ephemeral_token"):
            connecting = gemini_live.connect(
                MODEL, ephemeral_token="auth_tokens/x", base_url=emu.url, config=TEXT
            )
        async with connecting as session:
            assert emu.last_session is not None
            assert await _reply(session, "eph") == "Echo: eph"


async def test_platform_is_spelled_the_same_for_the_client_and_the_emulator() -> None:
    assert gemini_live.Platform("google_ai") is gemini_live.Platform.GOOGLE_AI
    async with Emulator() as emu:
        assert emu.url_for(gemini_live.Platform.GOOGLE_AI) == emu.url_for("google_ai")
        assert emu.url_for(gemini_live.Platform.VERTEX) == emu.url_for("vertex")
        assert emu.url_for() == emu.url_for("google_ai")


def test_timeouts_value_object() -> None:
    options = Timeouts(connect=3, setup=4, close=1, flush=2, ping_interval=None).apply(
        gemini_live.SessionOptions()
    )
    assert (options.setup_timeout, options.flush_timeout) == (4, 2)
    transport = options.transport
    assert (transport.connect_timeout, transport.close_timeout) == (3, 1)
    assert (transport.ping_interval, transport.ping_timeout) == (None, 60.0)
    for bad in ({"setup": 0}, {"connect": float("nan")}, {"close": True}, {"flush": -1}):
        with pytest.raises(ValueError, match="Timeouts"):
            Timeouts(**bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Timeouts"):
        gemini_live.connect(MODEL, credentials=ApiKey("k"), timeouts=5)  # type: ignore[arg-type]


async def test_timeouts_bound_the_setup_wait() -> None:
    async with Emulator() as emu:
        emu.faults.next(Fault.no_setup_complete())
        with pytest.raises(gemini_live.SetupTimeout):
            await gemini_live.connect(
                MODEL,
                credentials=ApiKey("k"),
                base_url=emu.url,
                timeouts=Timeouts(setup=0.2),
                options=gemini_live.SessionOptions(reconnect=False),
            )
