"""Tools: the model calls a local Python function and speaks its result.

    python examples/tools.py "What is the weather in Paris?"

A :class:`~gemini_live.tools.Toolbox` declares the function from its signature and docstring and,
inside ``tools.serve(session)``, answers every call exactly once: with the result, or with an
error the model can recover from (the function raised, unknown name, bad arguments). Calls the
service cancels (``ToolCallCancellation``, e.g. after a barge-in) are cancelled, not answered.
``behavior="BLOCKING"`` makes the model wait for the result on every model
(``gemini-3.8-live`` treats undeclared behaviour as NON_BLOCKING).

Against the emulator, ask with its rule: ``call get_weather {"city": "Paris"}``.
"""

from __future__ import annotations

import asyncio
import sys

import gemini_live
from gemini_live import AudioTranscriptionConfig, LiveConfig, OutputTranscription, TurnComplete
from gemini_live.tools import Toolbox, ToolCallFinished, ToolEvent

MODEL = "gemini-3.8-live"
tools = Toolbox()


@tools.function(behavior="BLOCKING")
def get_weather(city: str) -> dict[str, object]:
    """Current temperature in a city.

    Args:
        city: The city's name.
    """
    # A real agent would call a weather service here.
    return {"city": city, "temp_c": {"paris": 18, "tokyo": 22}.get(city.lower(), 20)}


CONFIG = LiveConfig(
    tools=tools.declarations(),
    output_audio_transcription=AudioTranscriptionConfig(),
)


def show(event: ToolEvent) -> None:
    if isinstance(event, ToolCallFinished):
        print(f"[tool] {event.name} -> {event.output}")


async def main(question: str) -> None:
    async with gemini_live.connect(MODEL, config=CONFIG) as session:
        events = session.events()
        async with tools.serve(session, on_event=show):
            await session.send_text(question)
            async with asyncio.timeout(60):
                async for event in events:
                    match event:
                        case OutputTranscription(text=text):
                            print(text, end="", flush=True)
                        case TurnComplete():
                            break
    print()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "What is the weather in Paris?"))
