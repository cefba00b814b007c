"""``gemini-live emulator``: run the local Live service emulator until interrupted."""

from __future__ import annotations

import argparse
import asyncio

__all__ = ["run_emulator"]


async def run_emulator(args: argparse.Namespace) -> int:
    from gemini_live.testing import Emulator

    async with Emulator(host=args.host, port=args.port, tls=args.tls) as emulator:
        print(f"gemini-live emulator listening on {emulator.url} (Ctrl-C to stop)")
        if args.tls:
            print(f"certificate: {emulator.cert_path}")
        print(
            f'connect with: gemini_live.connect("gemini-3.8-live", base_url="{emulator.url}", '
            'api_key="any")',
            flush=True,
        )
        await asyncio.Event().wait()
    return 0
