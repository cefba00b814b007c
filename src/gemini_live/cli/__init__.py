"""The ``gemini-live`` command: ``demo``, ``chat``, ``talk``, ``web`` and ``emulator``.

Every subcommand talks to the built-in emulator unless ``GEMINI_API_KEY`` (or ``--api-key``) is
set, or ``--base-url`` points somewhere else. Exit status: 0 ok, 1 an error (printed on one
line with a hint, never with a key in it), 2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# Parsing (``--help``, ``--version``, bad usage) imports only the option definitions; main()
# imports asyncio and the module of the command that runs (tests/cli/test_startup.py checks).
from gemini_live.cli.options import add_live_arguments, add_transcript_option
from gemini_live.errors import (
    AuthenticationError,
    ConnectError,
    LiveError,
    SessionBroken,
    SetupRejected,
)

__all__ = ["build_parser", "describe_error", "main"]

DEFAULT_MODEL = "gemini-3.8-live"

# Plain text for ``--help`` (the module docstring is reST for the API reference).
DESCRIPTION = """\
A Gemini Live API client and local emulator on the command line.

Every command talks to the built-in emulator unless GEMINI_API_KEY (or --api-key) is set,
or --base-url points at another endpoint (e.g. a running `gemini-live emulator`).

exit status: 0 ok, 1 an error (one line with a hint), 2 bad usage, 130 interrupted (Ctrl-C)
"""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", default=DEFAULT_MODEL, help="Live model id (default: %(default)s)"
    )
    parser.add_argument("--api-key", help="Google AI API key (default: $GEMINI_API_KEY)")
    parser.add_argument("--base-url", help="ws:// or wss:// URL of a Live endpoint or emulator")
    parser.add_argument(
        "--emulator", action="store_true", help="use the built-in emulator even if a key is set"
    )


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a TCP port from 0 to 65535 (0: any free port), got {text!r}"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gemini-live`` command (all subcommands)."""
    from gemini_live import __version__

    parser = argparse.ArgumentParser(
        prog="gemini-live",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="a short real session: text, audio, a tool call, barge-in")
    _common(demo)

    chat = sub.add_parser("chat", help="interactive text chat (works from a pipe too)")
    _common(chat)
    add_transcript_option(chat)

    talk = sub.add_parser("talk", help="send a WAV as real-time audio, write the spoken reply")
    _common(talk)
    talk.add_argument("--in", dest="wav_in", help="input WAV (any rate, mono/stereo)")
    talk.add_argument("--out", dest="wav_out", help="output WAV (24 kHz mono)")
    talk.add_argument("--realtime", action="store_true", help="pace the upload at real time")
    add_transcript_option(talk)
    talk.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=30.0,
        help="seconds to wait for the spoken reply (default: %(default)s)",
    )

    add_live_arguments(talk)

    web = sub.add_parser("web", help="browser voice console on 127.0.0.1 (needs [web])")
    _common(web)
    web.add_argument("--host", default="127.0.0.1", help="bind address (default: loopback only)")
    web.add_argument("--port", type=_port, default=8000, help="HTTP port (default: %(default)s)")

    emu = sub.add_parser("emulator", help="run the local Live service emulator")
    emu.add_argument("--host", default="127.0.0.1", help="bind address (default: loopback only)")
    emu.add_argument(
        "--port", type=_port, default=8765, help="TCP port, 0 for any free one (default: 8765)"
    )
    emu.add_argument("--tls", action="store_true", help="serve wss:// with a local certificate")
    emu.add_argument(
        "--ca-file",
        metavar="PATH",
        help="with --tls (implied): write the certificate clients must trust to PATH",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "talk" and not args.live and not (args.wav_in and args.wav_out):
        parser.error("talk needs --in and --out (or --live for microphone and speaker)")
    import asyncio

    try:
        if args.command == "demo":
            from gemini_live.cli.demo import run_demo

            return asyncio.run(run_demo(args))
        if args.command == "chat":
            from gemini_live.cli.chat import run_chat

            return asyncio.run(run_chat(args))
        if args.command == "talk" and args.live:
            from gemini_live.cli.live_talk import run_live_talk

            return asyncio.run(run_live_talk(args))
        if args.command == "talk":
            from gemini_live.cli.talk import run_talk

            return asyncio.run(run_talk(args))
        if args.command == "web":
            from gemini_live.cli.web import run_web

            return asyncio.run(run_web(args))
        from gemini_live.cli.serve import run_emulator

        return asyncio.run(run_emulator(args))
    except KeyboardInterrupt:
        # The terminal echoed "^C" after a prompt: end that line so the shell starts clean.
        print(flush=True)
        return 130
    except (LiveError, OSError, ValueError) as exc:
        print(f"gemini-live {args.command}: error: {describe_error(exc, args)}", file=sys.stderr)
        return 1


_KEY_HINT = "check --api-key or $GEMINI_API_KEY"


def describe_error(exc: BaseException, args: argparse.Namespace) -> str:
    """One line for the user: what went wrong and, when we can tell, what to try."""
    text = " ".join(str(exc).split())
    hint = ""
    if isinstance(exc, AuthenticationError):
        hint = _KEY_HINT
    elif isinstance(exc, ConnectError):
        where = "--base-url" if getattr(args, "base_url", None) else "your network"
        hint = f"is the endpoint up and reachable? check {where}"
    elif isinstance(exc, SetupRejected):
        reason = exc.reason.lower()
        if exc.code == 1008 and "not found" in reason:
            model = getattr(args, "model", "")
            hint = f"no model {model!r} there: check --model (default: {DEFAULT_MODEL})"
        elif "api key" in reason or "credential" in reason or "permission" in reason:
            hint = _KEY_HINT
    elif isinstance(exc, SessionBroken):
        where = "--base-url" if getattr(args, "base_url", None) else "your network"
        if exc.code is None:
            text += f" (no close code: the connection dropped, closed by the {exc.closed_by})"
        else:
            text += f" (closed by the {exc.closed_by})"
        if exc.closed_by == "server" and exc.code not in (1001, 1011, 1012, 1013, 1014):
            hint = "the endpoint refused to go on; the reason above says why"
        else:
            hint = f"reconnecting failed: is the endpoint still up? check {where}"
    if not text:
        text = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
    return f"{text}; {hint}" if hint else text
