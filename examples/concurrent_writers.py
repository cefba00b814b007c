"""Concurrent writers: several tasks share one session's write side safely.

    python examples/concurrent_writers.py "Summarise the notes you were given."

Three "sensor" tasks add notes to the conversation at the same time (``clientContent`` turns
without ``turnComplete``), through the same session; every send is validated first and queued in
one FIFO order, so no frame is interleaved or lost, even across a reconnect. A fourth task asks
the question once all notes are in, while the main task reads the answer. One TaskGroup owns
the tasks: if one fails, the others are cancelled and the error propagates.

Against the emulator, ask ``recap``: it lists the user turns it received.
"""

from __future__ import annotations

import asyncio
import sys

import gemini_live
from gemini_live import AudioTranscriptionConfig, LiveConfig, OutputTranscription, TurnComplete

MODEL = "gemini-3.8-live"
CONFIG = LiveConfig(output_audio_transcription=AudioTranscriptionConfig())


async def sensor(writer: gemini_live.SessionWriter, name: str, readings: list[str]) -> None:
    """Add this sensor's readings to the conversation as notes (no answer is requested)."""
    for reading in readings:
        note = {"role": "user", "parts": [{"text": f"note from {name}: {reading}"}]}
        await writer.send_client_content([note], turn_complete=False)
        await asyncio.sleep(0)  # let the other sensors interleave their sends


async def main(question: str) -> None:
    async with gemini_live.connect(MODEL, config=CONFIG) as session:
        events = session.events()
        sensors = {
            "door": ["opened", "closed"],
            "thermostat": ["21 C"],
            "camera": ["a parcel on the doorstep"],
        }
        async with asyncio.TaskGroup() as tasks:
            for name, readings in sensors.items():
                tasks.create_task(sensor(session, name, readings))
        # All notes are queued (in the order the tasks sent them); now ask.
        await session.send_text(question)
        async with asyncio.timeout(60):
            async for event in events:
                match event:
                    case OutputTranscription(text=text):
                        print(text, end="", flush=True)
                    case TurnComplete():
                        break
        print()
        stats = session.statistics()
        print(f"{stats.messages_sent} messages sent, {stats.reconnects} reconnects")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "Summarise the notes you were given."))
