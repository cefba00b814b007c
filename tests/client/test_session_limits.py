"""Session-duration warnings (no context compression) against the emulator."""

from __future__ import annotations

import asyncio

import gemini_live
from gemini_live import ApiKey, ContextWindowCompression, LiveConfig, SessionOptions, SessionWarning
from gemini_live.testing import Emulator
from tests.client.emulated import MODEL, TEXT, read_quiet

JPEG = b"\xff\xd8\xff\xe0" + bytes(60)


def _connect(emu: Emulator, config: LiveConfig, **limits: float):  # type: ignore[no-untyped-def]
    return gemini_live.connect(
        MODEL,
        base_url=emu.url,
        credentials=ApiKey("k"),
        config=config,
        options=SessionOptions(**limits),
    )


async def test_warns_before_the_audio_session_limit() -> None:
    async with (
        Emulator() as emu,
        _connect(
            emu,
            LiveConfig(generation_config=TEXT),
            audio_session_limit=0.5,
            session_limit_warning=0.3,
        ) as session,
    ):
        events = session.events()
        async with asyncio.timeout(3):
            async for event in events:
                if isinstance(event, SessionWarning):
                    assert "audio session limit" in event.message
                    assert "context_window_compression" in event.message
                    break


async def test_video_shortens_the_limit() -> None:
    async with (
        Emulator() as emu,
        _connect(
            emu,
            LiveConfig(generation_config=TEXT),
            audio_session_limit=600.0,
            video_session_limit=0.5,
            session_limit_warning=0.4,
        ) as session,
    ):
        events = session.events()
        assert not [e for e in await read_quiet(events, 0.3) if isinstance(e, SessionWarning)]
        await session.send_video(JPEG)
        async with asyncio.timeout(3):
            async for event in events:
                if isinstance(event, SessionWarning):
                    assert "audio+video" in event.message
                    break


async def test_no_warning_with_context_compression() -> None:
    config = LiveConfig(
        generation_config=TEXT, context_window_compression=ContextWindowCompression()
    )
    async with (
        Emulator() as emu,
        _connect(emu, config, audio_session_limit=0.2, session_limit_warning=0.15) as session,
    ):
        events = session.events()
        seen = await read_quiet(events, 0.5)
        assert not [e for e in seen if isinstance(e, SessionWarning)]
