"""Text chat: send each question, print the model's answer as it is spoken.

    python examples/text_chat.py "Hello! Who are you?" "Tell me a joke."

Live models answer in audio; output transcription turns the answer into text as it streams.
The key comes from GEMINI_API_KEY; set GEMINI_LIVE_BASE_URL=ws://127.0.0.1:8765 (with
`python -m gemini_live emulator` running) to try it offline.
"""

from __future__ import annotations

import asyncio
import sys

import gemini_live
from gemini_live import AudioTranscriptionConfig, LiveConfig, OutputTranscription, TurnComplete

MODEL = "gemini-3.8-live"
CONFIG = LiveConfig(
    system_instruction="You are a friendly assistant. Keep answers short.",
    output_audio_transcription=AudioTranscriptionConfig(),
)


async def chat(questions: list[str]) -> None:
    async with gemini_live.connect(MODEL, config=CONFIG) as session:
        events = session.events()  # subscribe before sending, so no event is missed
        for question in questions:
            print(f"you:   {question}")
            await session.send_text(question)
            print("model: ", end="", flush=True)
            async with asyncio.timeout(60):  # never wait forever for an answer
                async for event in events:
                    match event:
                        case OutputTranscription(text=text):
                            print(text, end="", flush=True)
                        case TurnComplete():
                            break
            print()


if __name__ == "__main__":
    asyncio.run(chat(sys.argv[1:] or ["Hello! Who are you?"]))
