"""``gemini-live talk``: send a WAV as real-time audio and save the spoken reply as a WAV."""

from __future__ import annotations

import argparse
import asyncio
import time

import gemini_live
from gemini_live import (
    AudioChunk,
    AudioTranscriptionConfig,
    GenerationConfig,
    InputTranscription,
    LiveConfig,
    OutputTranscription,
    TurnComplete,
)
from gemini_live.audio.pcm import INPUT_RATE, OUTPUT_RATE, chunk_pcm16, silence
from gemini_live.audio.wav import read_wav_as_pcm16, write_wav_pcm16
from gemini_live.cli.target import open_target
from gemini_live.cli.transcript import transcribing
from gemini_live.cli.turns import SAMPLE_TOOLS, print_tool_calls
from gemini_live.errors import LiveTimeout

__all__ = ["run_talk"]

CHUNK_MS = 20
TRAILING_SILENCE_MS = 1500  # lets the service's VAD see the end of speech


async def run_talk(args: argparse.Namespace) -> int:
    pcm = read_wav_as_pcm16(args.wav_in, target_rate=INPUT_RATE)  # ValueError on a bad WAV
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("AUDIO",)),
        input_audio_transcription=AudioTranscriptionConfig(),
        output_audio_transcription=AudioTranscriptionConfig(),
        tools=SAMPLE_TOOLS.declarations(),
    )
    async with open_target(args) as target:
        print(f"Sending {len(pcm) / (2 * INPUT_RATE):.2f} s of audio to {target.label} ...")
        async with (
            gemini_live.connect(args.model, config=config, **target.connect_kwargs) as s,
            transcribing(s, getattr(args, "transcript", None)) as writer,
            SAMPLE_TOOLS.serve(s, writer=writer, on_event=print_tool_calls()),
        ):
            events = s.events()
            started = time.perf_counter()
            for chunk in chunk_pcm16(
                pcm + silence(TRAILING_SILENCE_MS, INPUT_RATE), INPUT_RATE, CHUNK_MS
            ):
                await writer.send_audio(chunk)
                if args.realtime:
                    await asyncio.sleep(CHUNK_MS / 1000)
            # The upload is over: the microphone is "muted", so let the service flush its input.
            await writer.send_audio_stream_end()
            heard, said, reply = "", "", bytearray()
            try:
                async with asyncio.timeout(args.timeout):
                    async for event in events:
                        match event:
                            case InputTranscription(text=text):
                                heard += text
                            case OutputTranscription(text=text):
                                said += text
                            case AudioChunk(data=data):
                                reply += data
                            case TurnComplete():
                                break
            except TimeoutError:
                raise LiveTimeout(
                    f"no spoken reply within {args.timeout:g} s "
                    f"(is there speech in {args.wav_in!r}? try --timeout)"
                ) from None
            elapsed = time.perf_counter() - started
    write_wav_pcm16(args.wav_out, bytes(reply), OUTPUT_RATE)
    print(f"you said:   {heard.strip() or '(no input transcription)'}")
    print(f"model said: {said.strip() or '(no output transcription)'}")
    print(
        f"wrote {args.wav_out}: {len(reply) / (2 * OUTPUT_RATE):.2f} s at {OUTPUT_RATE} Hz "
        f"({elapsed:.2f} s after the upload started)"
    )
    return 0
