"""The ``gemini-live`` command: ``demo``, ``chat``, ``talk`` and ``emulator``.

Every subcommand talks to the built-in emulator unless ``GEMINI_API_KEY`` (or ``--api-key``) is
set, or ``--base-url`` points somewhere else. Exit status: 0 ok, 1 a Live error (printed in one
line, never with a key in it), 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from gemini_live.errors import LiveError

__all__ = ["main"]

DEFAULT_MODEL = "gemini-3.8-live"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", default=DEFAULT_MODEL, help="Live model id (default: %(default)s)"
    )
    parser.add_argument("--api-key", help="Google AI API key (default: $GEMINI_API_KEY)")
    parser.add_argument("--base-url", help="ws:// or wss:// URL of a Live endpoint or emulator")
    parser.add_argument(
        "--emulator", action="store_true", help="use the built-in emulator even if a key is set"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gemini-live", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="a short real session: text, audio, a tool call, barge-in")
    _common(demo)

    chat = sub.add_parser("chat", help="interactive text chat (works from a pipe too)")
    _common(chat)

    talk = sub.add_parser("talk", help="send a WAV as real-time audio, write the spoken reply")
    _common(talk)
    talk.add_argument(
        "--in", dest="wav_in", required=True, help="input WAV (any rate, mono/stereo)"
    )
    talk.add_argument("--out", dest="wav_out", required=True, help="output WAV (24 kHz mono)")
    talk.add_argument("--realtime", action="store_true", help="pace the upload at real time")

    emu = sub.add_parser("emulator", help="run the local Live service emulator")
    emu.add_argument("--host", default="127.0.0.1", help="bind address (default: loopback only)")
    emu.add_argument("--port", type=int, default=8765)
    emu.add_argument("--tls", action="store_true", help="serve wss:// with a local certificate")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            from gemini_live.cli.demo import run_demo

            return asyncio.run(run_demo(args))
        if args.command == "chat":
            from gemini_live.cli.chat import run_chat

            return asyncio.run(run_chat(args))
        if args.command == "talk":
            from gemini_live.cli.talk import run_talk

            return asyncio.run(run_talk(args))
        from gemini_live.cli.serve import run_emulator

        return asyncio.run(run_emulator(args))
    except KeyboardInterrupt:
        return 130
    except (LiveError, OSError, ValueError) as exc:
        print(f"gemini-live {args.command}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
