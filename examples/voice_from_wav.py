"""Voice: stream a WAV file as microphone audio, save the spoken answer as a WAV.

    python examples/voice_from_wav.py question.wav answer.wav

Any WAV (any rate, mono or stereo, 8/16/24/32-bit) is converted to 16 kHz PCM16 and sent in
20 ms chunks, paced like a live microphone. The service detects the end of speech by itself
(automatic voice activity detection); the answer arrives as 24 kHz PCM16 with its transcript.
"""

from __future__ import annotations

import asyncio
import sys

import gemini_live
from gemini_live import (
    AudioChunk,
    AudioTranscriptionConfig,
    InputTranscription,
    LiveConfig,
    OutputTranscription,
    TurnComplete,
)
from gemini_live.audio import (
    INPUT_RATE,
    OUTPUT_RATE,
    chunk_pcm16,
    read_wav_as_pcm16,
    silence,
    write_wav_pcm16,
)

MODEL = "gemini-3.8-live"
CHUNK_MS = 20
CONFIG = LiveConfig(
    input_audio_transcription=AudioTranscriptionConfig(),
    output_audio_transcription=AudioTranscriptionConfig(),
)


async def microphone(session: gemini_live.Session, pcm: bytes) -> None:
    """Send the recording like a live microphone: 20 ms at a time, in real time."""
    for chunk in chunk_pcm16(pcm, INPUT_RATE, CHUNK_MS):
        await session.send_audio(chunk)
        await asyncio.sleep(CHUNK_MS / 1000)
    # A second of silence lets voice activity detection see the end of the question.
    for chunk in chunk_pcm16(silence(1000, INPUT_RATE), INPUT_RATE, CHUNK_MS):
        await session.send_audio(chunk)
        await asyncio.sleep(CHUNK_MS / 1000)


async def main(question_wav: str, answer_wav: str) -> None:
    pcm = read_wav_as_pcm16(question_wav, target_rate=INPUT_RATE)
    heard, said, answer = "", "", bytearray()
    async with gemini_live.connect(MODEL, config=CONFIG) as session:
        events = session.events()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(microphone(session, pcm))
            async with asyncio.timeout(60):
                async for event in events:
                    match event:
                        case InputTranscription(text=text):
                            heard += text
                        case OutputTranscription(text=text):
                            said += text
                        case AudioChunk(data=data):
                            answer += data  # a real agent plays this through a jitter buffer
                        case TurnComplete():
                            break
    write_wav_pcm16(answer_wav, bytes(answer), OUTPUT_RATE)
    print(f"you said:   {heard.strip()}")
    print(f"model said: {said.strip()}")
    print(f"wrote {answer_wav}: {len(answer) / (2 * OUTPUT_RATE):.2f} s of audio")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python examples/voice_from_wav.py QUESTION.wav ANSWER.wav")
    asyncio.run(main(sys.argv[1], sys.argv[2]))
