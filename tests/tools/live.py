"""Helpers for tool tests against the emulator: a text-only config, reading a model turn, and a
connected session (emulator + client) in one ``async with``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import gemini_live
from gemini_live import (
    ApiKey,
    GenerationConfig,
    LiveConfig,
    Session,
    TextDelta,
    Tool,
    TurnComplete,
)
from gemini_live.client.fanout import Subscription
from gemini_live.testing import Emulator, Scenario
from gemini_live.tools import Toolbox

KEY = ApiKey("k")

TEXT = GenerationConfig(response_modalities=("TEXT",))


def config(tools: Toolbox, *extra: Tool, resumption: bool = True) -> LiveConfig:
    """TEXT replies, the toolbox's declarations (plus ``extra``), resumption unless told not."""
    kwargs: dict[str, Any] = {}
    if resumption:
        kwargs["session_resumption"] = gemini_live.SessionResumptionConfig()
    return LiveConfig(generation_config=TEXT, tools=(*tools.declarations(), *extra), **kwargs)


async def turn_text(events: Subscription, limit: float = 5.0) -> str:
    """The text of the next complete model turn."""
    text = ""
    async with asyncio.timeout(limit):
        async for event in events:
            if isinstance(event, TextDelta):
                text += event.text
            elif isinstance(event, TurnComplete):
                return text
    raise AssertionError("the session ended")


@asynccontextmanager
async def connected(
    model: str, live_config: LiveConfig, *, scenario: Scenario | None = None
) -> AsyncIterator[tuple[Emulator, Session]]:
    """A fresh emulator and a session connected to it, both closed on exit."""
    emulator = Emulator() if scenario is None else Emulator(scenario=scenario)
    async with (
        emulator as emu,
        gemini_live.connect(
            model, base_url=emu.url, credentials=KEY, config=live_config
        ) as session,
    ):
        yield emu, session
