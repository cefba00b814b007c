"""``gemini-live emulator``: run the local Live service emulator until interrupted or terminated.

It logs each client connection (address, path flavour, model, close code; never a credential)
to standard error. With ``--tls`` it prints how to trust its self-signed certificate, and
``--ca-file PATH`` writes that certificate where a client can keep using it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import signal
import sys
from pathlib import Path

__all__ = ["connect_hints", "run_emulator"]

INTERRUPTED = 130


def connect_hints(url: str, http_url: str, ca_file: str | None) -> list[str]:
    """The lines that tell a user how to reach the emulator at ``url`` (trusting ``ca_file``)."""
    model = "gemini-3.8-live"
    if ca_file is None:
        return [
            "connect with:",
            f'  gemini_live.connect("{model}", base_url="{url}", credentials=ApiKey("any"))',
            f"  or leave the code unchanged: GEMINI_LIVE_BASE_URL={url} python your_app.py",
        ]
    return [
        f"certificate to trust (a self-signed CA): {ca_file}",
        "connect with (either way):",
        f"  SSL_CERT_FILE={ca_file} GEMINI_LIVE_BASE_URL={url} python your_app.py",
        f'  ctx = ssl.create_default_context(cafile="{ca_file}")',
        f'  gemini_live.connect("{model}", base_url="{url}", credentials=ApiKey("any"),',
        "      options=SessionOptions(transport=TransportOptions(ssl=ctx)))",
        "the official SDK (google-genai):",
        '  genai.Client(api_key="any", http_options=types.HttpOptions(',
        f'      base_url="{http_url}/", async_client_args={{"ssl": ctx}}))',
        f"  or without code changes: SSL_CERT_FILE={ca_file}",
    ]


def _log_to_stderr() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s emulator: %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("gemini_live.testing")
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


def _write_ca(cert_path: Path, destination: str) -> str:
    shutil.copyfile(cert_path, destination)
    return str(Path(destination).resolve())


async def run_emulator(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (exit 130) or SIGTERM (exit 0); either way connections are closed
    (1001) first."""
    from gemini_live.testing import Emulator

    stopped_by: list[int] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        stopped_by.append(signum)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not available on Windows event loops: there Ctrl-C still ends the process (exit 130).
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, on_signal, signum)

    tls = bool(args.tls or args.ca_file)
    handler = _log_to_stderr()
    try:
        async with Emulator(host=args.host, port=args.port, tls=tls) as emulator:
            ca_file: str | None = None
            if emulator.cert_path is not None:
                ca_file = str(emulator.cert_path)
                if args.ca_file:
                    ca_file = await asyncio.to_thread(_write_ca, emulator.cert_path, args.ca_file)
            print(f"gemini-live emulator listening on {emulator.url} (Ctrl-C to stop)")
            for line in connect_hints(emulator.url, emulator.http_url, ca_file):
                print(line)
            if ca_file is not None and not args.ca_file:
                print("  (this file is deleted when the emulator stops; --ca-file PATH keeps one)")
            sys.stdout.flush()
            await stop.wait()
            print("\ngemini-live emulator: stopping", flush=True)
    finally:
        logging.getLogger("gemini_live.testing").removeHandler(handler)
    return INTERRUPTED if signal.SIGINT in stopped_by else 0
