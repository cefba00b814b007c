"""Tools: the model calls a local Python function and speaks its result.

    python examples/tools.py "What is the weather in Paris?"

Each ``ToolCall`` is answered with ``send_tool_response`` (matched by call id). The declaration
says ``behavior="BLOCKING"`` so the answer waits for the result on every model
(``gemini-3.8-live`` treats undeclared behaviour as NON_BLOCKING). Calls the service cancels
(``ToolCallCancellation``, e.g. after a barge-in) are not answered.

Against the emulator, ask with its rule: ``call get_weather {"city": "Paris"}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import gemini_live
from gemini_live import (
    AudioTranscriptionConfig,
    FunctionDeclaration,
    FunctionResponse,
    LiveConfig,
    OutputTranscription,
    Tool,
    ToolCall,
    ToolCallCancellation,
    TurnComplete,
)

MODEL = "gemini-3.8-live"


def get_weather(city: str) -> dict[str, Any]:
    """The local function (a real agent would call a weather service here)."""
    return {"city": city, "temp_c": {"paris": 18, "tokyo": 22}.get(city.lower(), 20)}


FUNCTIONS = {"get_weather": get_weather}
CONFIG = LiveConfig(
    tools=(
        Tool(
            function_declarations=(
                FunctionDeclaration(
                    name="get_weather",
                    description="Current temperature in a city",
                    behavior="BLOCKING",
                    parameters={
                        "type": "OBJECT",
                        "properties": {"city": {"type": "STRING"}},
                        "required": ["city"],
                    },
                ),
            )
        ),
    ),
    output_audio_transcription=AudioTranscriptionConfig(),
)


def run_call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one call; errors go back to the model as ``{"error": ...}``, never crash the agent."""
    function = FUNCTIONS.get(name)
    if function is None:
        return {"error": f"unknown function {name}"}
    try:
        return {"output": function(**args)}
    except Exception as exc:  # the model can recover from a reported error
        return {"error": str(exc)}


async def main(question: str) -> None:
    async with gemini_live.connect(MODEL, config=CONFIG) as session:
        events = session.events()
        await session.send_text(question)
        cancelled: set[str] = set()
        async with asyncio.timeout(60):
            async for event in events:
                match event:
                    case ToolCall(calls=calls):
                        responses = []
                        for call in calls:
                            if call.id in cancelled:
                                continue
                            result = run_call(call.name, dict(call.args))
                            print(f"[tool] {call.name}({json.dumps(call.args)}) -> {result}")
                            responses.append(
                                FunctionResponse(name=call.name, response=result, id=call.id)
                            )
                        if responses:
                            await session.send_tool_response(responses)
                    case ToolCallCancellation(ids=ids):
                        cancelled.update(ids)
                    case OutputTranscription(text=text):
                        print(text, end="", flush=True)
                    case TurnComplete():
                        break
    print()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "What is the weather in Paris?"))
