"""``gemini-live emulator``: run the local Live service emulator until interrupted or terminated."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

__all__ = ["run_emulator"]


async def run_emulator(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; either way connections are closed (1001) and exit is 0."""
    from gemini_live.testing import Emulator

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not available on Windows event loops: there Ctrl-C still ends the process (exit 130).
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)

    async with Emulator(host=args.host, port=args.port, tls=args.tls) as emulator:
        print(f"gemini-live emulator listening on {emulator.url} (Ctrl-C to stop)")
        if args.tls:
            print(f"certificate: {emulator.cert_path}")
        print(
            f'connect with: gemini_live.connect("gemini-3.8-live", base_url="{emulator.url}", '
            'api_key="any")',
            flush=True,
        )
        await stop.wait()
        print("gemini-live emulator: stopping", flush=True)
    return 0
