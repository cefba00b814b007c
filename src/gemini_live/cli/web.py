"""``gemini-live web``: serve the browser voice console on 127.0.0.1 (needs ``[web]``).

Without ``GEMINI_API_KEY`` the console talks to an in-process emulator (started like the demo's);
with it, to the real service. The key stays in this process: the page only sees the model name.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import sys

from gemini_live.cli.target import open_target

__all__ = ["run_web"]

EMULATOR_NOTE = 'try: say something long | call get_weather {"city": "Paris"} | recap'


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def run_web(args: argparse.Namespace, *, ready: asyncio.Event | None = None) -> int:
    """Serve until interrupted. ``ready`` is set once the page can be opened (for tests)."""
    try:
        from gemini_live.web import ConsoleServer, console_toolbox, default_config
    except ImportError as exc:
        print(f"gemini-live web: error: {exc}", file=sys.stderr)
        return 1
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    web_logger = logging.getLogger("gemini_live.web")
    web_logger.addHandler(handler)
    web_logger.setLevel(logging.INFO)
    try:
        async with open_target(args) as target:
            tools = console_toolbox(args.model)
            config = default_config(
                tools,
                model=args.model,
                # The emulator prefixes every reply with the instruction; the real model needs it.
                instruction=""
                if target.emulated
                else "You are a friendly, concise voice assistant. Use the tools when useful.",
            )
            label = (
                "emulator"
                if target.emulated
                else ("Gemini Live API" if not args.base_url else "custom endpoint")
            )
            server = ConsoleServer(
                args.model,
                connect_kwargs=dict(target.connect_kwargs),
                config=config,
                tools=tools,
                target=label,
                host=args.host,
                port=args.port,
            )
            try:
                await server.start()
            except OSError as exc:
                raise OSError(
                    f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); "
                    "is another console running? choose another --port"
                ) from exc
            async with server:
                print(f"gemini-live console for {args.model} via {target.label}")
                if not _is_loopback(args.host):
                    print(
                        f"warning: listening on {args.host}: anyone who can reach it uses your "
                        "key (and browsers allow the microphone only on localhost or https)"
                    )
                if target.emulated:
                    print(EMULATOR_NOTE)
                print(f"open {server.url}  (Ctrl-C to stop)", flush=True)
                if ready is not None:
                    ready.set()
                await asyncio.Event().wait()
    finally:
        web_logger.removeHandler(handler)
    return 0
