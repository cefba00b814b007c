"""Fixtures for the web console tests: an emulator with a console in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

pytest.importorskip("aiohttp", reason="the web console tests need the [web] extra (aiohttp)")

from gemini_live import ApiKey, LiveConfig
from gemini_live.testing import Emulator, Scenario
from gemini_live.web import ConsoleServer, Limits

MODEL = "gemini-3.8-live"


@dataclass
class Console:
    emulator: Emulator
    server: ConsoleServer

    @property
    def ws_url(self) -> str:
        return self.server.url.replace("http://", "ws://") + "ws"

    @property
    def origin(self) -> str:
        return self.server.url.rstrip("/")


async def start_console(
    *,
    audio_pace: float = 0.01,
    limits: Limits | None = None,
    api_key: str = "test-key",
    scenario: Scenario | None = None,
    config: LiveConfig | None = None,
) -> tuple[Emulator, ConsoleServer]:
    emulator = await Emulator(audio_pace=audio_pace, scenario=scenario).start()
    server = ConsoleServer(
        MODEL,
        connect_kwargs={"base_url": emulator.url, "credentials": ApiKey(api_key)},
        limits=limits,
        config=config,
    )
    try:
        await server.start()
    except BaseException:
        await emulator.stop()
        raise
    return emulator, server


@pytest_asyncio.fixture
async def console() -> AsyncIterator[Console]:
    emulator, server = await start_console()
    try:
        yield Console(emulator, server)
    finally:
        await server.stop()
        await emulator.stop()
