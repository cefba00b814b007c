"""Testing an agent offline with the emulator.

Run: ``python -m pytest examples/test_agent_offline.py``.

``answer()`` is the "agent" under test: it asks a question and answers tool calls. The tests
use the ``live_emulator`` fixture of the installed pytest plugin (needs ``pytest-asyncio``; no
configuration). The emulator's model is deterministic (``Echo: <text>``, ``call NAME {json}``,
...), and faults can be injected per connection, so the tests can check that the agent gets its
answer even when the connection drops in the middle of it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    FunctionDeclaration,
    FunctionResponse,
    GenerationConfig,
    LiveConfig,
    ResumptionUpdate,
    TextDelta,
    Tool,
    ToolCall,
    TurnComplete,
)
from gemini_live.testing import Emulator, Fault

LOOKUP = FunctionDeclaration(
    name="lookup_order",
    description="Status of an order",
    behavior="BLOCKING",
    parameters={"type": "OBJECT", "properties": {"order": {"type": "STRING"}}},
)
CONFIG = LiveConfig(
    generation_config=GenerationConfig(response_modalities=("TEXT",)),
    tools=(Tool(function_declarations=(LOOKUP,)),),
)


def lookup_order(order: str) -> dict[str, Any]:
    return {"order": order, "status": "shipped"}


async def answer(session: gemini_live.Session, question: str) -> str:
    """The agent: ask, answer tool calls, return the model's text reply."""
    events = session.events()
    await session.send_text(question)
    reply = ""
    async with asyncio.timeout(30):
        async for event in events:
            match event:
                case TextDelta(text=text):
                    reply += text
                case ToolCall(calls=calls):
                    await session.send_tool_response(
                        [
                            FunctionResponse(
                                name=c.name, id=c.id, response={"output": lookup_order(**c.args)}
                            )
                            for c in calls
                        ]
                    )
                case TurnComplete():
                    return reply
    raise AssertionError("the session ended before the answer")


def connect(emulator: Emulator) -> Any:
    return gemini_live.connect(
        "gemini-3.8-live", base_url=emulator.url, credentials=ApiKey("test"), config=CONFIG
    )


async def test_the_agent_answers(live_emulator: Emulator) -> None:
    async with connect(live_emulator) as session:
        assert await answer(session, "hello") == "Echo: hello"


async def test_the_agent_runs_the_tool(live_emulator: Emulator) -> None:
    async with connect(live_emulator) as session:
        reply = await answer(session, 'call lookup_order {"order": "A-17"}')
    assert reply == 'Result of lookup_order: {"order":"A-17","status":"shipped"}'
    # The emulator records what it received: the response went back with the call's id.
    transcript = live_emulator.last_session.transcript
    assert 'function_call: lookup_order {"order":"A-17"}' in transcript


async def test_the_answer_survives_a_dropped_connection(live_emulator: Emulator) -> None:
    # Drop the TCP connection (no close frame) once the second question has arrived: the
    # session reconnects, resumes with its handle, replays the question and still delivers the
    # whole answer to the agent.
    live_emulator.inject(Fault.abort(after_client_messages=2))
    async with connect(live_emulator) as session:
        assert await answer(session, "first") == "Echo: first"
        await resumable_checkpoint(session)
        assert await answer(session, "second") == "Echo: second"
        assert session.statistics().reconnects == 1


async def resumable_checkpoint(session: gemini_live.Session) -> None:
    """Wait for the handle that follows a completed turn (bounded).

    On Google AI a resumption update confirms everything sent before it arrived, so a question
    sent while the update is in flight could not be replayed after a drop (a documented limit).
    """
    events = session.events()  # subscribe first, then look: no update can slip in between
    if session.resumption_handle is not None:
        return
    async with asyncio.timeout(10):
        async for event in events:
            if isinstance(event, ResumptionUpdate) and event.resumable:
                return


@pytest.mark.live_emulator(models=("gemini-3.8-live",))
async def test_an_unknown_model_is_refused(live_emulator: Emulator) -> None:
    with pytest.raises(gemini_live.SetupRejected) as refused:
        async with gemini_live.connect(
            "no-such-model", base_url=live_emulator.url, credentials=ApiKey("test"), config=CONFIG
        ):
            pass
    assert refused.value.code == 1008
