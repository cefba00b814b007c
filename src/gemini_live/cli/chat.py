"""``gemini-live chat``: type a line, hear/read the answer; also works with piped input."""

from __future__ import annotations

import argparse
import sys

import gemini_live
from gemini_live import AudioTranscriptionConfig, GenerationConfig, LiveConfig
from gemini_live.cli.lines import LineReader
from gemini_live.cli.target import open_target
from gemini_live.cli.transcript import transcribing
from gemini_live.cli.turns import SAMPLE_TOOLS, print_tool_calls, run_turn

__all__ = ["run_chat"]


async def _read_line(reader: LineReader, interactive: bool) -> str | None:
    if interactive:
        print("you> ", end="", flush=True)
    line = await reader.readline()  # cancellable: Ctrl-C at the prompt ends the chat at once
    if line is None and interactive:
        print()  # the terminal showed "you> " (and maybe ^D): end that line
    return line


async def run_chat(args: argparse.Namespace) -> int:
    """The ``chat`` command: one turn per input line until end of input; returns 0."""
    interactive = sys.stdin.isatty()
    reader = LineReader()
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("AUDIO",)),
        tools=SAMPLE_TOOLS.declarations(),
        output_audio_transcription=AudioTranscriptionConfig(),
    )
    async with open_target(args) as target:
        if interactive:
            print(f"Chatting with {args.model} on {target.label}. Ctrl-D to quit.")
        async with (
            gemini_live.connect(args.model, config=config, **target.connect_kwargs) as s,
            transcribing(s, getattr(args, "transcript", None)) as writer,
            SAMPLE_TOOLS.serve(s, writer=writer, on_event=print_tool_calls()),
        ):
            events = s.events()
            while (line := await _read_line(reader, interactive)) is not None:
                if not line.strip():
                    continue
                print("model> ", end="", flush=True)
                await run_turn(writer, events, lambda text=line: writer.send_text(text))  # type: ignore[misc]
                print()
    return 0
