"""Connection lifetime (goAway then close) and session duration limits."""

from __future__ import annotations

import asyncio
import base64

from gemini_live.testing.emulator import Emulator
from tests.testing.emu_client import RawClient


async def open_session(emu: Emulator, **setup: object) -> RawClient:
    client = await RawClient.open(emu.url_for())
    assert "setupComplete" in await client.setup(**setup)  # type: ignore[arg-type]
    return client


async def test_go_away_then_close_at_the_deadline(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(connection_lifetime=0.6, go_away_before=0.4)
    loop = asyncio.get_running_loop()
    start = loop.time()
    client = await open_session(emu)
    frame = await client.recv(timeout=2)
    went_away = loop.time() - start
    assert frame == {"goAway": {"timeLeft": "0.4s"}}
    assert 0.1 <= went_away < 0.5
    code, reason = await client.expect_close(timeout=2)
    closed = loop.time() - start
    assert (code, reason) == (1000, "The operation was cancelled.")
    assert 0.5 <= closed < 1.2
    assert emu.stats.closes[1000] == 1


async def test_lifetime_without_go_away_and_custom_close(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(
        connection_lifetime=0.3,
        go_away_before=None,
        lifetime_close_code=1011,
        lifetime_close_reason="Deadline expired before operation could complete.",
    )
    client = await open_session(emu)
    code, reason = await client.expect_close(timeout=2)
    assert (code, reason) == (1011, "Deadline expired before operation could complete.")
    assert not [f for f in client.frames if "goAway" in f]


async def test_audio_session_limit_and_compression(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(audio_session_limit=0.3)
    client = await open_session(emu)
    assert await client.expect_close(timeout=2) == (1011, "Session duration limit exceeded.")
    unlimited = await open_session(emu, contextWindowCompression={"slidingWindow": {}})
    import pytest

    with pytest.raises(TimeoutError):
        await unlimited.recv(timeout=0.5)
    await unlimited.close()


async def test_video_shortens_the_session_limit(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(audio_session_limit=30.0, video_session_limit=0.3)
    loop = asyncio.get_running_loop()
    client = await open_session(emu)
    start = loop.time()
    jpeg = base64.b64encode(b"\xff\xd8frame").decode()
    await client.send({"realtimeInput": {"video": {"mimeType": "image/jpeg", "data": jpeg}}})
    code, _ = await client.expect_close(timeout=2)
    assert code == 1011
    assert loop.time() - start < 1.0
