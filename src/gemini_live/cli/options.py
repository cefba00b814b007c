"""The options that several ``gemini-live`` commands share, with nothing behind them.

The parser is built for every run, ``--help`` and ``--version`` included, so the modules that
define options import only :mod:`argparse`: the code that acts on an option (the session, the
conversation layer, the audio devices) is imported by the command that runs, never to parse.
``tests/cli/test_startup.py`` checks what a parse loads.
"""

from __future__ import annotations

import argparse

__all__ = ["add_live_arguments", "add_transcript_option"]


def add_transcript_option(parser: argparse.ArgumentParser) -> None:
    """``--transcript PATH`` of ``chat`` and ``talk`` (see :mod:`gemini_live.cli.transcript`)."""
    parser.add_argument(
        "--transcript",
        metavar="PATH",
        help="write the conversation to PATH.jsonl (turn records) and PATH.txt (plain text)",
    )


def add_live_arguments(talk: argparse.ArgumentParser) -> None:
    """The ``--live`` options of ``talk`` (see :mod:`gemini_live.cli.live_talk`)."""
    talk.add_argument(
        "--live", action="store_true", help="talk through the default microphone and speaker"
    )
    talk.add_argument(
        "--half-duplex", action="store_true", help="mute the mic while the model speaks"
    )
    talk.add_argument("--input-device", help="microphone (sounddevice index or name)")
    talk.add_argument("--output-device", help="speaker (sounddevice index or name)")
    talk.add_argument(
        "--seconds", type=float, default=None, help="end the conversation after this long"
    )
