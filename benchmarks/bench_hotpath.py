"""Hot-path benchmark: gemini-live vs a hand-written loop on raw websockets + stdlib json/base64.

Run:  python benchmarks/bench_hotpath.py [--frames 20000] [--rounds 5]

One peer process (a plain websockets server on 127.0.0.1) serves both clients in the same run.
Two paths are measured, each as client-process CPU time (``time.process_time``) per message, so
the peer's own work is not counted:

* uplink: sending 20 ms chunks of 16 kHz PCM16 (640 bytes) as ``realtimeInput.audio``;
* downlink: receiving 40 ms chunks of 24 kHz PCM16 (1920 bytes) as ``serverContent`` audio
  and getting the PCM bytes out.

gemini-live is measured twice: with session resumption off (nothing kept for replay), and with
it on (the default: every sent frame is kept until the service confirms it; the peer then
confirms every 50 frames with a ``sessionResumptionUpdate``, as the service does periodically).

A last part checks that the send path does not slow down as the replay buffer fills: with
resumption on and a peer that never confirms, 30,000 chunks are sent and the cumulative client
CPU per chunk is printed after 5,000 and after 30,000, next to the raw loop's.

Each round runs raw then gemini-live (then alternates) and the best round per client is printed
with the ratio gemini-live / raw (target: <= 1.0 on both paths).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

UP_CHUNK = bytes(range(256)) * 2 + bytes(128)  # 640 bytes = 20 ms at 16 kHz PCM16
# Both clients send a new bytes object per chunk, as a microphone gives (bytes(MIC) copies): the
# replay buffer keeps the caller's chunk, and one shared object would flatter it.
MIC = bytearray(UP_CHUNK)
DOWN_CHUNK = (bytes(range(256)) * 8)[:1920]  # 1920 bytes = 40 ms at 24 kHz PCM16
CONFIRM_EVERY = 50  # the peer's resumption-update cadence when the client asks for resumption
PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


# --------------------------------------------------------------------------- peer process


def _peer_main(port: int, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    from websockets.asyncio.server import serve

    audio_frame = json.dumps(
        {
            "serverContent": {
                "modelTurn": {
                    "parts": [
                        {
                            "inlineData": {
                                "mimeType": "audio/pcm;rate=24000",
                                "data": base64.b64encode(DOWN_CHUNK).decode(),
                            }
                        }
                    ]
                }
            }
        }
    )

    async def handler(ws):  # type: ignore[no-untyped-def]
        received = 0
        resumable = False
        async for message in ws:
            if message.startswith('{"setup"'):
                # The model name "bench-noconfirm" asks for a peer that never confirms.
                resumable = '"sessionResumption"' in message and "noconfirm" not in message
                await ws.send('{"setupComplete":{}}')
                continue
            if '"text"' not in message:
                # Audio: consume it, and (like the service, which sends resumption updates
                # periodically when resumption is on) confirm what was received every 50 frames.
                received += 1
                if resumable and received % CONFIRM_EVERY == 0:
                    update = {"newHandle": f"h{received}", "resumable": True}
                    await ws.send(json.dumps({"sessionResumptionUpdate": update}))
                continue
            text = json.loads(message)["realtimeInput"]["text"]
            if text == "sync":
                await ws.send(json.dumps({"serverContent": {"turnComplete": True}}))
            elif text.startswith("downlink "):
                for _ in range(int(text.split()[1])):
                    await ws.send(audio_frame)
                await ws.send(json.dumps({"serverContent": {"turnComplete": True}}))

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, max_size=None, compression=None):
            ready.set()
            await asyncio.Future()

    asyncio.run(main())


# --------------------------------------------------------------------------- raw client


async def raw_round(url: str, frames: int) -> tuple[float, float]:
    from websockets.asyncio.client import connect

    async with connect(url, max_size=None, compression=None) as ws:
        t0 = time.process_time()
        for _ in range(frames):
            await ws.send(
                json.dumps(
                    {
                        "realtimeInput": {
                            "audio": {
                                "mimeType": "audio/pcm;rate=16000",
                                "data": base64.b64encode(bytes(MIC)).decode(),
                            }
                        }
                    }
                )
            )
        await ws.send(json.dumps({"realtimeInput": {"text": "sync"}}))
        await ws.recv()
        up = (time.process_time() - t0) / frames

        await ws.send(json.dumps({"realtimeInput": {"text": f"downlink {frames}"}}))
        t0 = time.process_time()
        received = 0
        async for message in ws:
            payload = json.loads(message)["serverContent"]
            if "modelTurn" in payload:
                for part in payload["modelTurn"]["parts"]:
                    pcm = base64.b64decode(part["inlineData"]["data"])
                    received += len(pcm) > 0
            if payload.get("turnComplete"):
                break
        down = (time.process_time() - t0) / frames
        assert received == frames, received
    return up, down


# --------------------------------------------------------------------------- gemini-live


async def live_round(base_url: str, frames: int, resumption: bool) -> tuple[float, float]:
    import gemini_live
    from gemini_live.client.options import SessionOptions
    from gemini_live.client.transport import TransportOptions
    from gemini_live.protocol.config import LiveConfig, SessionResumptionConfig

    options = SessionOptions(transport=TransportOptions(max_frame_size=None))
    # resumption=True is the default configuration: every sent frame is also kept for replay
    # until the service confirms it (the peer confirms every CONFIRM_EVERY frames).
    config = LiveConfig(session_resumption=SessionResumptionConfig(enabled=resumption))
    async with gemini_live.connect(
        "bench-model",
        credentials=gemini_live.ApiKey("bench"),
        base_url=base_url,
        config=config,
        options=options,
    ) as session:
        events = session.events(max_queue=frames + 100)
        return await live_paths(session, events, frames)


async def live_paths(
    writer: Any,
    events: Any,
    frames: int,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> tuple[float, float]:
    """Client CPU per frame through ``writer`` (a session or a conversation's writer) and
    ``events`` (a subscription): ``frames`` uplink chunks then a "sync" turn; then a
    ``downlink {frames}`` turn of audio. ``settle``, if given, runs inside each timed span just
    before the clock is read (to count work other tasks do for those frames)."""
    from gemini_live.protocol.events import AudioChunk, TurnComplete

    t0 = time.process_time()
    for _ in range(frames):
        await writer.send_audio(bytes(MIC))
    await writer.send_text("sync")
    async for event in events:
        if isinstance(event, TurnComplete):
            break
    if settle is not None:
        await settle()
    up = (time.process_time() - t0) / frames

    await writer.send_text(f"downlink {frames}")
    t0 = time.process_time()
    received = 0
    async for event in events:
        if type(event) is AudioChunk:
            received += len(event.data) > 0
        elif type(event) is TurnComplete:
            break
    if settle is not None:
        await settle()
    down = (time.process_time() - t0) / frames
    assert received == frames, received
    return up, down


GROWTH_CHECKPOINTS = (5_000, 30_000)


async def raw_growth(url: str) -> list[float]:
    """Cumulative client CPU per chunk (us) at each checkpoint, raw loop."""
    from websockets.asyncio.client import connect

    out = []
    async with connect(url, max_size=None, compression=None) as ws:
        t0 = time.process_time()
        for sent in range(1, GROWTH_CHECKPOINTS[-1] + 1):
            data = base64.b64encode(bytes(MIC)).decode()
            await ws.send(
                json.dumps(
                    {"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=16000", "data": data}}}
                )
            )
            if sent in GROWTH_CHECKPOINTS:
                out.append((time.process_time() - t0) / sent * 1e6)
    return out


async def live_growth(base_url: str) -> list[float]:
    """The same with gemini-live, resumption on (default) and no confirmation ever."""
    import gemini_live
    from gemini_live.client.options import SessionOptions
    from gemini_live.client.transport import TransportOptions

    options = SessionOptions(transport=TransportOptions(max_frame_size=None))
    out = []
    async with gemini_live.connect(
        "bench-noconfirm",
        credentials=gemini_live.ApiKey("bench"),
        base_url=base_url,
        options=options,
    ) as session:
        t0 = time.process_time()
        for sent in range(1, GROWTH_CHECKPOINTS[-1] + 1):
            await session.send_audio(bytes(MIC))
            if sent in GROWTH_CHECKPOINTS:
                out.append((time.process_time() - t0) / sent * 1e6)
    return out


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (for the peer process)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    port = free_port()
    ready = multiprocessing.Event()
    peer = multiprocessing.Process(target=_peer_main, args=(port, ready), daemon=True)
    peer.start()
    try:
        if not ready.wait(15):
            print("peer did not start", file=sys.stderr)
            return 1
        url = f"ws://127.0.0.1:{port}{PATH}"
        base_url = f"ws://127.0.0.1:{port}"
        results: dict[str, list[tuple[float, float]]] = {"raw": [], "live": [], "live+r": []}
        for i in range(args.rounds):
            order = list(results)
            if i % 2:
                order.reverse()
            for name in order:
                if name == "raw":
                    results[name].append(asyncio.run(raw_round(url, args.frames)))
                else:
                    run = live_round(base_url, args.frames, resumption=name == "live+r")
                    results[name].append(asyncio.run(run))
        best = {
            name: (min(r[0] for r in rs) * 1e6, min(r[1] for r in rs) * 1e6)
            for name, rs in results.items()
        }
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
            f"{args.frames} frames x {args.rounds} rounds, best round, client CPU per message"
        )
        print(
            f"{'path':<32}{'raw loop':>11}{'gemini-live':>13}{'ratio':>7}"
            f"{'+resumption':>13}{'ratio':>7}"
        )
        labels = ("uplink (20 ms 16 kHz PCM16)", "downlink (40 ms 24 kHz PCM16)")
        for index, label in enumerate(labels):
            raw_value = best["raw"][index]
            live_value = best["live"][index]
            resumed_value = best["live+r"][index]
            print(
                f"{label:<32}{raw_value:>8.2f} us{live_value:>10.2f} us"
                f"{live_value / raw_value:>7.2f}{resumed_value:>10.2f} us"
                f"{resumed_value / raw_value:>7.2f}"
            )
        raw_runs = [asyncio.run(raw_growth(url)) for _ in range(2)]
        live_runs = [asyncio.run(live_growth(base_url)) for _ in range(2)]
        raw_costs = [min(column) for column in zip(*raw_runs, strict=True)]
        live_costs = [min(column) for column in zip(*live_runs, strict=True)]
        print()
        print("send path, resumption on, peer never confirms: cumulative client CPU per chunk")
        print(f"{'after':<12}{'raw loop':>11}{'gemini-live':>13}{'ratio':>7}")
        for checkpoint, raw_value, live_value in zip(
            GROWTH_CHECKPOINTS, raw_costs, live_costs, strict=True
        ):
            print(
                f"{checkpoint:>6,} chunks{raw_value:>8.2f} us{live_value:>10.2f} us"
                f"{live_value / raw_value:>7.2f}"
            )
    finally:
        peer.terminate()
        peer.join(5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
