"""A fresh service-side session must not receive answers to the lost session's calls."""

from __future__ import annotations

import asyncio

import gemini_live
from gemini_live import (
    ApiKey,
    FunctionResponse,
    GenerationConfig,
    InputDropped,
    LiveConfig,
    Resumed,
    TextDelta,
    ToolCall,
    TurnComplete,
)
from gemini_live.testing import Emulator, Fault
from tests.client.emulated import weather_tool


async def test_unconfirmed_answer_to_a_lost_call_is_not_replayed() -> None:
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("TEXT",)),
        tools=(weather_tool("BLOCKING"),),
    )
    async with Emulator() as emu:
        # No handle exists before the first turn completes, so the reconnect is a fresh start.
        emu.faults.next(Fault.close(1011, "Internal error occurred.", after_client_messages=2))
        async with gemini_live.connect(
            "gemini-3.8-live", base_url=emu.url, credentials=ApiKey("k"), config=config
        ) as session:
            events = session.events()
            await session.send_text('call get_weather {"city": "Paris"}')
            seen = []
            answered = 0
            async with asyncio.timeout(10):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, ToolCall):
                        answered += 1
                        await session.send_tool_response(
                            [
                                FunctionResponse(
                                    name=c.name, response={"output": {"temp_c": 20}}, id=c.id
                                )
                                for c in event.calls
                            ]
                        )
                    if isinstance(event, TurnComplete) and answered == 2:
                        break
            resumed = [e for e in seen if isinstance(e, Resumed)]
            assert resumed and resumed[0].fresh_session
            dropped = [e for e in seen if isinstance(e, InputDropped)]
            assert [(e.kind, e.count) for e in dropped] == [("tool_response", 1)]
            reply = "".join(
                e.text for e in seen[seen.index(resumed[0]) :] if isinstance(e, TextDelta)
            )
            assert "Result of get_weather" in reply
            # The new session got the replayed question and exactly one answer: its own.
            kinds = [m.kind for m in emu.last_session.effective_consumed]
            assert kinds.count("toolResponse") == 1
