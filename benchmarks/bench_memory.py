"""Where a client's memory goes: the imports, an idle session, a streaming session.

Run:  python benchmarks/bench_memory.py [--sessions 100] [--seconds 6] [--top 15]

Two figures for each client (gemini-live with default options; the raw ``websockets`` loop of
``bench_sessions.py`` for comparison):

* **imports**: RSS and Python allocations (tracemalloc) added by importing the client's module
  in a fresh interpreter that has already imported ``asyncio`` (for gemini-live, whose public
  names load their modules on first use, also after using the names a session needs);
* **per session**: Python allocations (tracemalloc) per session, with ``--traced-sessions``
  sessions open and idle (subscribed, nothing flowing), then after ``--seconds`` of real-time
  audio both ways (a 20 ms chunk of 16 kHz PCM16 up every 20 ms, a 40 ms frame of 24 kHz audio
  down every 40 ms, as in ``bench_sessions.py``; the peer confirms every ``--confirm-every``
  seconds). For gemini-live, the raw bytes of the audio kept for replay (the last
  ``max_audio_age`` = 2 s of chunks not yet confirmed, about 64 KB per session, inherent to
  replaying exactly) are shown apart: they live in each session's own memory-mapped ring, outside
  the Python heap, so tracemalloc does not see them and only the RSS column includes them.
  RSS per session is measured in a separate untraced run with ``--sessions`` sessions
  (tracemalloc's own tables would inflate it, and slow the client below real time).

``--top N`` lists the N allocation sites that grew most between the imports and the end of the
streaming phase (gemini-live only). The peer is ``bench_sessions.py``'s, in its own process.

Bytecode: a package installed by pip has its ``.pyc`` files compiled at install time; a
checkout run with ``PYTHONDONTWRITEBYTECODE=1`` compiles every module from source on each
import, which costs about 1 MiB more RSS. The line printed first says which case is measured;
``--compile`` writes gemini-live's bytecode first (into its ``__pycache__`` directories).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import importlib.util
import json
import multiprocessing
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import bench_sessions as peer_side

__all__ = ["main"]

_IMPORT_PROBE = """
import asyncio, gc, json, sys, tracemalloc
def rss():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
trace = sys.argv[2] == "trace"
gc.collect()
before, modules = rss(), len(sys.modules)
if trace:
    tracemalloc.start()
module = __import__(sys.argv[1])
for name in sys.argv[3:]:  # names a program uses: gemini_live loads their modules on first use
    getattr(module, name)
gc.collect()
print(json.dumps({"rss": rss() - before, "modules": len(sys.modules) - modules,
                  "traced": tracemalloc.get_traced_memory()[0] if trace else 0}))
"""


# What a streaming session uses of the package (``import gemini_live`` alone loads none of the
# modules behind these names: they load on first use).
SESSION_NAMES = ("connect", "ApiKey", "AudioChunk")


def _import_cost(module: str, *names: str) -> dict[str, int]:
    """RSS (untraced run) and traced bytes (traced run) that importing ``module`` adds (and
    using ``names`` of it)."""
    out: dict[str, int] = {}
    for mode in ("rss", "trace"):
        run = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE, module, mode, *names],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(run.stdout)
        out["modules"] = result["modules"]
        out["rss" if mode == "rss" else "traced"] = result["rss" if mode == "rss" else "traced"]
    return out


class _GatedPeer(peer_side._Peer):
    """bench_sessions' peer, streaming only while ``streaming`` is set (idle sessions first)."""

    def __init__(self, confirm_every: float, streaming: Any) -> None:
        super().__init__(confirm_every)
        self.streaming = streaming

    async def run(self, port: int, ready: Any) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: peer_side._PeerConnection(self), "127.0.0.1", port
        )
        ready.set()
        step = peer_side.DOWN_INTERVAL / self.GROUPS
        deadline = loop.time()
        group = 0
        async with server:
            while True:
                deadline += step
                await asyncio.sleep(max(0.0, deadline - loop.time()))
                if self.streaming.is_set():
                    for connection in list(self.live):
                        if connection.number % self.GROUPS == group:
                            connection.tick()
                group = (group + 1) % self.GROUPS


def _peer_main(port: int, confirm_every: float, streaming: Any, ready: Any) -> None:
    asyncio.run(_GatedPeer(confirm_every, streaming).run(port, ready))


def _rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _measure(trace: bool) -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0] if trace else _rss()


async def _live(
    url: str,
    opened: asyncio.Event,
    go: asyncio.Event,
    stop: asyncio.Event,
    counts: list[int],
    held: list[int],
) -> None:
    import gemini_live

    async with gemini_live.connect(
        "models/bench", credentials=gemini_live.ApiKey("bench"), base_url=url
    ) as session:
        events = session.events()

        async def receive() -> None:
            async for _ in events:
                counts[1] += 1

        async def send() -> None:
            # A new bytes object per chunk, as a microphone gives: the replay buffer copies it
            # (one shared object would make the held audio look free).
            await session.send_audio(bytes(peer_side.MIC))

        reader = asyncio.create_task(receive())
        opened.set()
        await go.wait()
        await peer_side._pace(send, stop, counts)
        # Measured after the figures: the audio this session still holds for replay.
        for message in session.unconfirmed():
            if message.kind == "audio":
                data = json.loads(message.frame)["realtimeInput"]["audio"]["data"]
                held[0] += len(base64.b64decode(data))
        reader.cancel()


async def _raw(
    url: str,
    opened: asyncio.Event,
    go: asyncio.Event,
    stop: asyncio.Event,
    counts: list[int],
    held: list[int],
) -> None:
    from websockets.asyncio.client import connect

    async with connect(url + peer_side.PATH, compression=None, max_size=None) as ws:
        await ws.send(json.dumps({"setup": {"model": "models/bench"}}))
        json.loads(await ws.recv())

        async def receive() -> None:
            async for message in ws:
                content = json.loads(message).get("serverContent") or {}
                for part in (content.get("modelTurn") or {}).get("parts", ()):
                    counts[1] += len(base64.b64decode(part["inlineData"]["data"])) > 0

        async def send() -> None:
            data = base64.b64encode(bytes(peer_side.MIC)).decode()
            message = {
                "realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=16000", "data": data}}
            }
            await ws.send(json.dumps(message))

        reader = asyncio.create_task(receive())
        opened.set()
        await go.wait()
        await peer_side._pace(send, stop, counts)
        reader.cancel()


async def _sessions(
    kind: str, port: int, n: int, seconds: float, trace: bool, top: int, streaming: Any
) -> dict[str, Any]:
    if kind == "live":
        import gemini_live  # the imports are not a session's

        for name in SESSION_NAMES:  # nor the modules loaded on first use
            getattr(gemini_live, name)
    else:
        import websockets.asyncio.client  # noqa: F401
    if trace:
        tracemalloc.start()
    base = _measure(trace)
    start = tracemalloc.take_snapshot() if trace and top else None
    go, stop = asyncio.Event(), asyncio.Event()
    opened = [asyncio.Event() for _ in range(n)]
    counts = [[0, 0] for _ in range(n)]
    held = [0]
    session = _live if kind == "live" else _raw
    url = f"ws://127.0.0.1:{port}"
    tasks = [
        asyncio.create_task(session(url, o, go, stop, c, held))
        for o, c in zip(opened, counts, strict=True)
    ]
    async with asyncio.timeout(60):
        for event in opened:
            await event.wait()
    await asyncio.sleep(1.0)
    idle = _measure(trace) - base
    streaming.set()
    go.set()
    await asyncio.sleep(seconds)
    sent = sum(c[0] for c in counts)
    busy = _measure(trace) - base
    sites: list[str] = []
    if start is not None:
        for stat in tracemalloc.take_snapshot().compare_to(start, "lineno")[:top]:
            frame = stat.traceback[0]
            where = f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno}"
            sites.append(f"{stat.size_diff / n:9,.0f} B {stat.count_diff / n:6.1f}  {where}")
    stop.set()
    streaming.clear()
    async with asyncio.timeout(60):
        await asyncio.gather(*tasks)
    share = sent / (n * seconds / peer_side.UP_INTERVAL)
    return {"idle": idle, "busy": busy, "held": held[0], "share": share, "sites": sites}


def _client_main(
    kind: str, port: int, n: int, seconds: float, trace: bool, top: int, streaming: Any, out: Any
) -> None:
    out.put(asyncio.run(_sessions(kind, port, n, seconds, trace, top, streaming)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument(
        "--traced-sessions",
        type=int,
        default=20,
        help="sessions in the traced runs (tracing slows a client down: fewer keep real time)",
    )
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--confirm-every", type=float, default=10.0)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--compile", action="store_true", help="write gemini-live's bytecode")
    args = parser.parse_args(argv)

    spec = importlib.util.find_spec("gemini_live")
    assert spec is not None and spec.origin is not None
    package = Path(spec.origin).parent
    if args.compile:
        import compileall

        compileall.compile_dir(str(package), quiet=1)
    cached = Path(importlib.util.cache_from_source(str(package / "__init__.py"))).exists()
    print(
        f"python {sys.version.split()[0]}; gemini-live bytecode "
        f"{'cached (as after pip install)' if cached else 'NOT cached: compiled at each import'}"
    )

    mib = 1024 * 1024
    print()
    print("| import (after asyncio) | modules | RSS | Python allocations |")
    print("|---|---|---|---|")
    costs = {}
    session_row = f"`gemini_live` + `{'`, `'.join(SESSION_NAMES)}` (what a session loads)"
    for label, module, names in (
        ("`websockets.client`", "websockets.client", ()),
        ("`websockets.asyncio.client`", "websockets.asyncio.client", ()),
        ("`gemini_live` alone", "gemini_live", ()),
        (session_row, "gemini_live", SESSION_NAMES),
    ):
        cost = costs[label] = _import_cost(module, *names)
        print(
            f"| {label} | {cost['modules']} | {cost['rss'] / mib:.1f} MiB "
            f"| {cost['traced'] / mib:.2f} MiB |"
        )
    own = {k: costs[session_row][k] - costs["`websockets.client`"][k] for k in costs[session_row]}
    print(
        f"| gemini-live itself (beyond `websockets.client`, which it uses) | {own['modules']} "
        f"| {own['rss'] / mib:.1f} MiB | {own['traced'] / mib:.2f} MiB |"
    )

    context = multiprocessing.get_context("spawn")
    port = peer_side._free_port()
    ready, streaming = context.Event(), context.Event()
    peer = context.Process(
        target=_peer_main, args=(port, args.confirm_every, streaming, ready), daemon=True
    )
    peer.start()
    results: dict[tuple[str, bool], dict[str, Any]] = {}
    try:
        if not ready.wait(30):
            print("peer did not start", file=sys.stderr)
            return 1
        for kind in ("raw", "live"):
            for trace in (True, False):
                out = context.Queue()
                top = args.top if kind == "live" and trace else 0
                n = min(args.sessions, args.traced_sessions) if trace else args.sessions
                client = context.Process(
                    target=_client_main,
                    args=(kind, port, n, args.seconds, trace, top, streaming, out),
                )
                client.start()
                results[kind, trace] = out.get(timeout=args.seconds + 300)
                client.join(60)
    finally:
        peer.terminate()
        peer.join(5)

    n = args.sessions
    traced_n = min(n, args.traced_sessions)
    print()
    print(
        f"Per session; streaming: {args.seconds:g} s of real-time audio both ways, peer "
        f"confirming every {args.confirm_every:g} s. Python allocations (tracemalloc) with "
        f"{traced_n} sessions, RSS (untraced) with {n}:"
    )
    print()
    print(
        "| client | idle (Python allocations) | streaming (Python allocations) "
        "| audio held for replay (outside the Python heap) | RSS streaming |"
    )
    print("|---|---|---|---|---|")
    names = {"raw": "raw websockets loop", "live": "gemini-live"}
    for kind in ("raw", "live"):
        traced, untraced = results[kind, True], results[kind, False]
        held = traced["held"] / traced_n
        print(
            f"| {names[kind]} | {traced['idle'] / traced_n / 1024:.1f} KB "
            f"| {traced['busy'] / traced_n / 1024:.1f} KB | {held / 1024:.1f} KB "
            f"| {untraced['busy'] / n / 1024:.1f} KB |"
        )
    print()
    for kind in ("raw", "live"):
        for trace in (True, False):
            r = results[kind, trace]
            print(
                f"{names[kind]:<20} {'traced' if trace else 'untraced':<8} run: "
                f"{r['share']:.0%} of real-time chunks sent"
            )
    sites = results["live", True]["sites"]
    if sites:
        print()
        print(f"gemini-live: top {len(sites)} allocation sites, per session (bytes, blocks):")
        for line in sites:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
