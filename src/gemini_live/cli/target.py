"""Where a CLI command connects: the real service, a given URL, or an in-process emulator."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from gemini_live.client.credentials import ApiKey

__all__ = ["EMULATOR_AUDIO_PACE", "Target", "open_target"]

EMULATOR_AUDIO_PACE = 0.01
"""Wall seconds per 40 ms chunk of the in-process emulator's audio: four times real time, slow
enough that a barge-in lands mid-answer (as with the real service) and fast enough for a demo."""


@dataclass(frozen=True)
class Target:
    """Where a command connects: a label for the user and the keyword arguments of connect()
    (``credentials``, an :class:`~gemini_live.ApiKey`, always among them)."""

    label: str
    connect_kwargs: dict[str, Any]
    emulated: bool


@contextlib.asynccontextmanager
async def open_target(args: argparse.Namespace) -> AsyncIterator[Target]:
    """Yield connection arguments; starts (and stops) the emulator when no key is available."""
    key = args.api_key or os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")
    if not key and not args.base_url and not args.emulator:
        empty = [n for n in ("GEMINI_API_KEY", "GOOGLE_API_KEY") if n in os.environ]
        if empty:
            # A key that expanded to nothing is a mistake worth the first line of output.
            print(
                f"gemini-live: {' and '.join(empty)} is set but empty: using the built-in "
                "emulator, not the Gemini Live API",
                file=sys.stderr,
                flush=True,
            )
    if args.base_url:
        yield Target(
            f"endpoint {args.base_url}",
            {"base_url": args.base_url, "credentials": ApiKey(key or "local")},
            emulated=False,
        )
        return
    if key and not args.emulator:
        yield Target("the Gemini Live API", {"credentials": ApiKey(key)}, emulated=False)
        return
    from gemini_live.testing import Emulator

    async with Emulator(audio_pace=EMULATOR_AUDIO_PACE) as emulator:
        yield Target(
            f"the built-in emulator at {emulator.url} (set GEMINI_API_KEY for the real service)",
            {"base_url": emulator.url, "credentials": ApiKey("emulator")},
            emulated=True,
        )
