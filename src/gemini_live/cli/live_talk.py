"""``gemini-live talk --live``: a spoken conversation on the default microphone and speaker.

Needs the ``gemini-live[audio]`` extra (``sounddevice`` + PortAudio). The client's VAD frames
your speech (manual activity detection with pre-roll), the model's audio plays through a jitter
buffer, and speaking over the model interrupts it (the playback flush is reported with how much
of the reply you heard). ``--half-duplex`` mutes the microphone while the model speaks, for
speakers without echo cancellation. Ctrl-C ends the conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterable, Callable

import gemini_live
from gemini_live import (
    AudioTranscriptionConfig,
    AutomaticActivityDetection,
    Event,
    GenerationConfig,
    InputTranscription,
    LiveConfig,
    OutputTranscription,
    RealtimeInputConfig,
    TurnComplete,
)
from gemini_live.audio.activity import ActivityGate
from gemini_live.audio.capture import HalfDuplex
from gemini_live.audio.playback import FlushReport, PlaybackBuffer
from gemini_live.cli.target import open_target
from gemini_live.media import (
    Microphone,
    Speaker,
    feed_playback,
    require_sounddevice,
    stream_microphone,
)

__all__ = ["barge_in", "run_live_talk"]


def _device(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


async def _print_transcripts(events: AsyncIterable[Event]) -> None:
    line = ""
    async for event in events:
        match event:
            case InputTranscription(text=text):
                print(f"you:   {text.strip()}", flush=True)
            case OutputTranscription(text=text):
                line += text
            case TurnComplete():
                if line.strip():
                    print(f"model: {line.strip()}", flush=True)
                line = ""


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def barge_in(buffer: PlaybackBuffer) -> Callable[[str], None]:
    """Stop the model's voice the moment the client's VAD hears the user (the service's
    ``Interrupted`` follows one round trip later and completes the report)."""

    def on_activity(kind: str) -> None:
        if kind == "start" and buffer.position().playing:
            buffer.interrupt(discard_rest=True)

    return on_activity


def _report(flush: FlushReport) -> None:
    print(
        f"(interrupted: you heard {flush.played:.1f} s of {flush.received:.1f} s)",
        file=sys.stderr,
        flush=True,
    )


async def run_live_talk(args: argparse.Namespace) -> int:
    require_sounddevice()  # one clear error before anything is opened
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("AUDIO",)),
        realtime_input_config=RealtimeInputConfig(
            automatic_activity_detection=AutomaticActivityDetection(disabled=True)
        ),
        input_audio_transcription=AudioTranscriptionConfig(),
        output_audio_transcription=AudioTranscriptionConfig(),
    )
    speaker = Speaker(device=_device(args.output_device))
    async with open_target(args) as target, speaker:
        buffer = speaker.buffer
        gate = HalfDuplex(lambda: buffer.position().playing) if args.half_duplex else None
        mic = Microphone(device=_device(args.input_device), half_duplex=gate)
        async with gemini_live.connect(args.model, config=config, **target.connect_kwargs) as s:
            print(f"Talking to {target.label}: speak now (Ctrl-C to stop).", flush=True)
            playback_events = s.events()
            transcript_events = s.events()
            async with mic:
                try:
                    async with asyncio.timeout(args.seconds), asyncio.TaskGroup() as tg:
                        tg.create_task(feed_playback(playback_events, buffer, on_flush=_report))
                        tg.create_task(_print_transcripts(transcript_events))
                        tg.create_task(
                            stream_microphone(
                                mic, s, gate=ActivityGate(), on_activity=barge_in(buffer)
                            )
                        )
                        tg.create_task(speaker.watch())  # a vanished speaker ends the talk
                except TimeoutError:
                    pass
                except BaseExceptionGroup as group:
                    # One line for the user (main prints LiveErrors), not a task-group traceback.
                    raise _first(group) from None
    stats = buffer.stats()
    print(
        f"played {stats.frames_played / buffer.sink_rate:.1f} s; underruns {stats.underruns}, "
        f"interruptions {stats.interruptions}, mic overflows {mic.overflows}",
        file=sys.stderr,
    )
    return 0
