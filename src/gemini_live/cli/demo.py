"""``gemini-live demo``: one short, real Live session that shows the main features.

Four turns: a text question answered with audio (plus its transcript), a tool call answered by
a local Python function, a long answer interrupted by new client content, and the answer after
the interruption. Each turn prints a live transcript and its latency (first output, complete).
"""

from __future__ import annotations

import argparse
import time

import gemini_live
from gemini_live import AudioTranscriptionConfig, GenerationConfig, LiveConfig
from gemini_live.cli.target import open_target
from gemini_live.cli.turns import SAMPLE_TOOLS, TurnResult, print_tool_calls, run_turn
from gemini_live.conversation import Conversation
from gemini_live.conversation.transcript import latency_table

__all__ = ["run_demo"]


def _report(result: TurnResult) -> None:
    first = f"{result.first_output_s * 1000:.0f} ms" if result.first_output_s is not None else "-"
    seconds = result.audio_bytes / (24_000 * 2)
    print(
        f"\n    latency: first output {first}, turn complete {result.total_s * 1000:.0f} ms; "
        f"audio {seconds:.2f} s ({result.audio_bytes} bytes)"
    )


async def run_demo(args: argparse.Namespace) -> int:
    """The ``demo`` command: four turns against the chosen target; returns the exit status."""
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("AUDIO",)),
        system_instruction="You are a concise, friendly voice assistant.",
        tools=SAMPLE_TOOLS.declarations(),
        output_audio_transcription=AudioTranscriptionConfig(),
    )
    async with open_target(args) as target:
        print(f"Connecting to {target.label} with model {args.model} ...")
        async with (
            gemini_live.connect(args.model, config=config, **target.connect_kwargs) as s,
            Conversation(s, stall=None) as convo,
            SAMPLE_TOOLS.serve(s, writer=convo.writer(), on_event=print_tool_calls()),
        ):
            events = s.events()
            w = convo.writer()  # sends through the session; the conversation sees the input
            print(f"Session open (phase {s.phase.value}).\n")

            hello = "Hello! Who are you?"
            print(f"1) user: {hello}\n   model: ", end="")
            greeting = await run_turn(w, events, lambda: w.send_text(hello))
            _report(greeting)

            # The emulator's model only calls tools when asked with its "call NAME {json}" rule;
            # a --base-url endpoint is recognised as an emulator by its documented echo reply.
            emulated = target.emulated or greeting.transcript.strip() == f"Echo: {hello}"
            ask = (
                'call get_weather {"city": "Paris"}'
                if emulated
                else "What is the weather in Paris? Use the get_weather tool."
            )
            print(f"\n2) user: {ask}\n   model: ", end="")
            weather = await run_turn(w, events, lambda: w.send_text(ask))
            _report(weather)
            if not weather.tool_calls:
                print("    (the model answered without calling get_weather)")

            story = "Tell me a long story about the sea."

            barged_at = 0.0

            async def barge_in() -> None:
                nonlocal barged_at
                barged_at = time.perf_counter()
                print(" [user barges in]", end="", flush=True)
                await w.send_client_content(
                    [{"role": "user", "parts": [{"text": "Stop. Just say OK."}]}], True
                )

            print(f"\n3) user: {story}\n   model: ", end="")
            turn = await run_turn(w, events, lambda: w.send_text(story), on_first_audio=barge_in)
            _report(turn)
            if barged_at:
                # The barge-in was sent, so it gets an answer even if the story ended first.
                how = "barging in" if turn.interrupted else "after the answer"
                print(f"\n4) user ({how}): Stop. Just say OK.\n   model: ", end="")
                _report(await run_turn(w, events, _nothing, started=barged_at))

            stats = s.statistics()
            print(
                f"\nDone: {stats.messages_sent} messages sent, {stats.frames_received} frames "
                f"received, {stats.events_published} events, {stats.reconnects} reconnects."
            )
    # The conversation layer's view (complete once it has closed): per-turn latencies measured
    # from the end of the user's input, and the transcript as turn records.
    print("\nPer-turn latency (ms from the end of the user's input):")
    print(latency_table(convo.records))
    print("\nTranscript:")
    for line in convo.transcript():
        print(f"  {line}")
    return 0


async def _nothing() -> None:
    return None
