"""Many real-time audio sessions in one client process: memory and CPU per session.

Run:  python benchmarks/bench_sessions.py [--sessions 100] [--seconds 60] [--confirm-every 10]
      [--loops default,uvloop] [--repeat 1]

Each session streams like a voice agent in a call: a 20 ms chunk of 16 kHz PCM16 up every
20 ms, and, from the peer, a 40 ms frame of 24 kHz PCM16 every 40 ms, written as the service
writes them (``"role": "model"``; an ``outputTranscription`` beside the audio in every third
frame; every 5 s the turn ends with ``generationComplete`` and ``turnComplete`` +
``usageMetadata``). The peer confirms each session every ``--confirm-every`` seconds with a
``sessionResumptionUpdate`` carrying a new handle, so gemini-live keeps (by default) everything
sent since the last one for replay.

The peer is a separate process (a minimal WebSocket server written for this benchmark, so that
it costs little CPU on a shared machine). Three clients run, one after the other, each in a
fresh process: a "floor" that does only what the machine cannot avoid (the same pacing, one
socket write per chunk of the pre-built bytes gemini-live sends, the downlink read and
discarded: no WebSocket parsing, no JSON, no events), a hand-written loop on raw ``websockets``
+ stdlib ``json``/``base64`` (no replay buffer, untyped), and gemini-live with default options.
Each reports, over the steady phase (all sessions connected), its own process CPU and its RSS.
All run with the default asyncio loop and, if ``uvloop`` is installed, with uvloop.

Printed per client: RSS before the sessions open (interpreter and imports), RSS with all sessions
running at the end, peak RSS, client CPU per real-time session (% of one core: CPU over the
seconds of audio actually streamed, so that a starved process is not flattered), and real-time
sessions per core (= 1 / CPU per session). A sender woken late catches up on the chunks that
came due (at most 200 ms of them, as a microphone buffer would); the share of real time achieved
is printed below the table. Targets for
gemini-live: <= 40 MiB RSS at 100 sessions and >= 600 sessions per core.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import multiprocessing
import os
import queue
import random
import socket
import sys
import time
from typing import Any

__all__ = ["main"]

UP_CHUNK = bytes(random.Random(7).getrandbits(8) for _ in range(640))  # 20 ms, 16 kHz PCM16
# The raw and gemini-live clients send a new bytes object per chunk, as a microphone gives
# (bytes(MIC) copies): a client that keeps chunks for replay must not be flattered by holding
# one shared object.
MIC = bytearray(UP_CHUNK)
DOWN_CHUNK = bytes(random.Random(8).getrandbits(8) for _ in range(1920))  # 40 ms, 24 kHz
UP_INTERVAL = 0.020
MAX_BEHIND = 0.200  # a late sender catches up at most this much audio, then drops the rest
TIMER_SLACK = 0.001  # a chunk due within this much is sent now (see _pace)
DOWN_INTERVAL = 0.040
TURN_FRAMES = 125  # 5 s of audio per model turn
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


# --------------------------------------------------------------------------- peer process


def _server_frame(text: str) -> bytes:
    """One unmasked WebSocket text frame (server -> client)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes([0x81, size])
    elif size < 65536:
        header = bytes([0x81, 126]) + size.to_bytes(2, "big")
    else:
        header = bytes([0x81, 127]) + size.to_bytes(8, "big")
    return header + payload


def _downlink_cycle() -> list[bytes]:
    """The frames of one model turn, as the service writes them."""
    audio = {"mimeType": "audio/pcm;rate=24000", "data": base64.b64encode(DOWN_CHUNK).decode()}
    turn = {"role": "model", "parts": [{"inlineData": audio}]}
    frames = []
    for i in range(TURN_FRAMES):
        content: dict[str, Any] = {"modelTurn": turn}
        if i % 3 == 2:
            content["outputTranscription"] = {"text": " and the weather today"}
        frames.append(_server_frame(json.dumps({"serverContent": content})))
    frames.append(_server_frame(json.dumps({"serverContent": {"generationComplete": True}})))
    usage = {
        "promptTokenCount": 1200,
        "responseTokenCount": 340,
        "totalTokenCount": 1540,
        "promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 1200}],
        "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 340}],
    }
    frames.append(
        _server_frame(json.dumps({"serverContent": {"turnComplete": True}, "usageMetadata": usage}))
    )
    return frames


class _PeerConnection(asyncio.Protocol):
    """Server side of one WebSocket: handshake, skip client frames, answer ping/close."""

    def __init__(self, peer: _Peer) -> None:
        self.peer = peer
        self.buffer = bytearray()
        self.transport: Any = None
        self.upgraded = False
        self.ready = False
        self.number = 0
        self.position = 0
        self.ticks = 0
        self.handles = 0
        self.in_message = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # asyncio's or uvloop's: both have write() and close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.peer.live.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            request = bytes(self.buffer[:end]).decode("latin-1")
            del self.buffer[: end + 4]
            key = ""
            for line in request.split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip().lower() == "sec-websocket-key":
                    key = value.strip()
            accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
            assert self.transport is not None
            self.transport.write(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
            self.upgraded = True
        self._read_frames()

    def _read_frames(self) -> None:
        buffer = self.buffer
        size = len(buffer)
        position = 0
        while size - position >= 2:
            first, second = buffer[position], buffer[position + 1]
            length = second & 0x7F
            start = position + 2
            if length == 126:
                if size - start < 2:
                    break
                length = int.from_bytes(buffer[start : start + 2], "big")
                start += 2
            elif length == 127:
                if size - start < 8:
                    break
                length = int.from_bytes(buffer[start : start + 8], "big")
                start += 8
            mask = b""
            if second & 0x80:
                if size - start < 4:
                    break
                mask = bytes(buffer[start : start + 4])
                start += 4
            if size - start < length:
                break
            position = start + length
            opcode = first & 0x0F
            if opcode in (0x1, 0x2, 0x0):
                if first & 0x80:  # end of a message: the first one is setup
                    self._on_message()
            elif opcode in (0x9, 0x8):
                payload = bytes(
                    b ^ mask[i % 4] if mask else b
                    for i, b in enumerate(buffer[start : start + length])
                )
                self._control(opcode, payload)
        del buffer[:position]

    def _on_message(self) -> None:
        if not self.ready:
            self.ready = True
            assert self.transport is not None
            self.transport.write(_server_frame('{"setupComplete":{}}'))
            self.number = self.peer.connected
            self.peer.connected += 1
            self.peer.live.add(self)

    def _control(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        if opcode == 0x9:  # ping -> pong
            self.transport.write(bytes([0x8A, len(payload)]) + payload)
        else:  # close: echo it, then hang up
            self.peer.live.discard(self)
            self.transport.write(bytes([0x88, len(payload)]) + payload)
            self.transport.close()

    def tick(self) -> None:
        """Called every 40 ms: the next frame of the turn; a resumption update when due."""
        assert self.transport is not None
        cycle = self.peer.cycle
        self.transport.write(cycle[self.position])
        self.position = (self.position + 1) % len(cycle)
        self.ticks += 1
        if self.ticks % self.peer.confirm_ticks == 0:
            self.handles += 1
            update = {"newHandle": f"h-{self.number}-{self.handles}", "resumable": True}
            self.transport.write(_server_frame(json.dumps({"sessionResumptionUpdate": update})))


class _Peer:
    GROUPS = 8  # connections are served in 8 staggered groups, 5 ms apart

    def __init__(self, confirm_every: float) -> None:
        self.cycle = _downlink_cycle()
        self.confirm_ticks = max(1, round(confirm_every / DOWN_INTERVAL))
        self.live: set[_PeerConnection] = set()
        self.connected = 0

    async def run(self, port: int, ready: Any) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _PeerConnection(self), "127.0.0.1", port)
        ready.set()
        step = DOWN_INTERVAL / self.GROUPS
        deadline = loop.time()
        group = 0
        async with server:
            while True:
                deadline += step
                await asyncio.sleep(max(0.0, deadline - loop.time()))
                for connection in list(self.live):
                    if connection.number % self.GROUPS == group:
                        connection.tick()
                group = (group + 1) % self.GROUPS


def _peer_main(port: int, confirm_every: float, ready: Any) -> None:
    peer = _Peer(confirm_every)
    try:
        import uvloop  # the peer's CPU is not measured; a cheaper loop leaves more for clients

        uvloop.run(peer.run(port, ready))
    except ImportError:
        asyncio.run(peer.run(port, ready))


# --------------------------------------------------------------------------- clients


def _memory() -> dict[str, int]:
    values: dict[str, int] = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * 1024
    return values


async def _pace(send: Any, stop: asyncio.Event, counts: list[int]) -> None:
    """Call ``send()`` every 20 ms on absolute deadlines until ``stop``; counts in counts[0].

    Like a microphone's buffer, a session woken late sends the chunks that came due meanwhile
    (timers fire late on a busy machine); more than 200 ms behind, it drops the excess rather
    than bursting it."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.random() * UP_INTERVAL)  # sessions do not start in lockstep
    deadline = loop.time()
    while not stop.is_set():
        now = loop.time()
        if now - deadline > MAX_BEHIND:
            deadline = now - MAX_BEHIND
        # TIMER_SLACK: uvloop keeps time in whole milliseconds, cached per loop iteration, and
        # fires a timer up to 1 ms early by the float clock; without the slack such a wake-up
        # finds nothing due and sleeps again for less than 1 ms, which uvloop runs at once:
        # about 28 wake-ups per chunk instead of one (measured), and uvloop looked slower.
        while deadline <= now + TIMER_SLACK and not stop.is_set():
            await send()
            counts[0] += 1
            deadline += UP_INTERVAL
        await asyncio.sleep(deadline - loop.time())


async def _raw_session(
    url: str, connected: asyncio.Event, stop: asyncio.Event, counts: list[int]
) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, compression=None, max_size=None) as ws:
        await ws.send(json.dumps({"setup": {"model": "models/bench"}}))
        json.loads(await ws.recv())
        connected.set()

        async def send() -> None:
            data = base64.b64encode(bytes(MIC)).decode()
            await ws.send(
                json.dumps(
                    {"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=16000", "data": data}}}
                )
            )

        async def receive() -> None:
            async for message in ws:
                content = json.loads(message).get("serverContent")
                if content is None:
                    continue
                turn = content.get("modelTurn")
                if turn is not None:
                    for part in turn["parts"]:
                        blob = part.get("inlineData")
                        if blob is not None:
                            counts[1] += len(base64.b64decode(blob["data"])) > 0
                if "outputTranscription" in content:
                    counts[2] += 1

        reader = asyncio.create_task(receive())
        await _pace(send, stop, counts)
        reader.cancel()


async def _live_session(
    base_url: str, connected: asyncio.Event, stop: asyncio.Event, counts: list[int]
) -> None:
    import gemini_live
    from gemini_live.protocol.events import AudioChunk, OutputTranscription

    async with gemini_live.connect(
        "models/bench", credentials=gemini_live.ApiKey("bench"), base_url=base_url
    ) as session:
        connected.set()
        events = session.events()

        async def receive() -> None:
            async for event in events:
                if type(event) is AudioChunk:
                    counts[1] += len(event.data) > 0
                elif type(event) is OutputTranscription:
                    counts[2] += 1

        async def send() -> None:
            await session.send_audio(bytes(MIC))

        reader = asyncio.create_task(receive())
        await _pace(send, stop, counts)
        reader.cancel()


async def _run_clients(kind: str, port: int, sessions: int, seconds: float) -> dict[str, Any]:
    if kind == "live":
        import gemini_live  # imports count in the baseline, not in the sessions

        gemini_live.connect  # noqa: B018  # it loads the session's modules on first use
    elif kind == "raw":
        import websockets.asyncio.client  # noqa: F401
    before = _memory()["VmRSS"]
    stop = asyncio.Event()
    flags = [asyncio.Event() for _ in range(sessions)]
    # chunks sent, audio frames, transcriptions, bytes received (the floor counts only those)
    counts = [[0, 0, 0, 0] for _ in range(sessions)]
    base_url = f"ws://127.0.0.1:{port}"
    tasks = [
        asyncio.create_task(
            _live_session(base_url, flag, stop, count)
            if kind == "live"
            else _raw_session(base_url + PATH, flag, stop, count)
            if kind == "raw"
            else _floor_session(port, flag, stop, count)
        )
        for flag, count in zip(flags, counts, strict=True)
    ]
    async with asyncio.timeout(60):
        for flag in flags:
            await flag.wait()
    await asyncio.sleep(1.0)  # let the streams settle
    start = [sum(column) for column in zip(*counts, strict=True)]
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    await asyncio.sleep(seconds)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    end = [sum(column) for column in zip(*counts, strict=True)]
    memory = _memory()
    stop.set()
    async with asyncio.timeout(60):
        await asyncio.gather(*tasks)
    if kind == "floor":
        # It parses nothing: count audio frames from the bytes read (the peer's turn cycle has
        # TURN_FRAMES audio frames in a known number of bytes; resumption updates are noise).
        cycle = _downlink_cycle()
        per_audio_frame = sum(len(frame) for frame in cycle) / TURN_FRAMES
        for column in (start, end):
            column[1] = round(column[3] / per_audio_frame)
            column[2] = round(column[1] / 3)
    return {
        "rss_before": before,
        "rss": memory["VmRSS"],
        "rss_peak": memory["VmHWM"],
        "cpu": cpu,
        "wall": wall,
        "sent": end[0] - start[0],
        "audio": end[1] - start[1],
        "transcripts": end[2] - start[2],
    }


def _client_main(
    kind: str, loop: str, port: int, sessions: int, seconds: float, out: Any
) -> None:
    coroutine = _run_clients(kind, port, sessions, seconds)
    if loop == "uvloop":
        import uvloop

        out.put(uvloop.run(coroutine))
    else:
        out.put(asyncio.run(coroutine))


# --------------------------------------------------------------------------- floor client


def _masked_text_frame(text: str) -> bytes:
    """One masked client text frame (a fixed mask: the floor only needs the right size)."""
    payload = text.encode()
    mask = b"\x11\x22\x33\x44"
    size = len(payload)
    if size < 126:
        header = bytes([0x81, 0x80 | size])
    elif size < 65536:
        header = bytes([0x81, 0x80 | 126]) + size.to_bytes(2, "big")
    else:
        header = bytes([0x81, 0x80 | 127]) + size.to_bytes(8, "big")
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


class _FloorConnection(asyncio.BufferedProtocol):
    """A socket that writes pre-built frames and counts (without parsing) what it reads, read
    with the cheapest call asyncio has (``recv_into`` one fixed buffer)."""

    def __init__(self, counts: list[int], upgraded: asyncio.Future[None]) -> None:
        self.counts = counts
        self.upgraded = upgraded
        self.buffer = memoryview(bytearray(16384))
        self.header = b""
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.buffer

    def buffer_updated(self, nbytes: int) -> None:
        if self.upgraded.done():
            self.counts[3] += nbytes
            return
        self.header += bytes(self.buffer[:nbytes])
        end = self.header.find(b"\r\n\r\n")
        if end >= 0 and len(self.header) > end + 4:  # the 101 and the setupComplete frame
            self.upgraded.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError("floor connection lost"))


async def _floor_session(
    port: int, connected: asyncio.Event, stop: asyncio.Event, counts: list[int]
) -> None:
    loop = asyncio.get_running_loop()
    upgraded = loop.create_future()
    transport, _ = await loop.create_connection(
        lambda: _FloorConnection(counts, upgraded), "127.0.0.1", port
    )
    key = base64.b64encode(os.urandom(16)).decode()
    transport.write(
        (
            f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    transport.write(_masked_text_frame('{"setup":{"model":"models/bench"}}'))
    await upgraded
    connected.set()
    # The bytes gemini-live writes for one chunk (same JSON, same length), built once.
    data = base64.b64encode(UP_CHUNK).decode()
    chunk = _masked_text_frame(
        '{"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"' + data + '"}}}'
    )
    write = transport.write

    async def send() -> None:
        write(chunk)

    await _pace(send, stop, counts)
    transport.close()


# --------------------------------------------------------------------------- main


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_per_session(result: dict[str, Any]) -> float:
    """Share of one core per real-time session: CPU over the seconds of audio actually streamed
    both ways (on a starved machine fewer chunks go out than the wall clock allows; count what
    was done)."""
    session_seconds = (result["sent"] * UP_INTERVAL + result["audio"] * DOWN_INTERVAL) / 2
    return float(result["cpu"] / session_seconds)


def _best(results: list[dict[str, Any]], sessions: int) -> dict[str, Any]:
    """The run with the least CPU per session among those that kept up with real time (a
    starved run does more per wake-up and would flatter the client); any run if none did."""
    kept_up = [r for r in results if r["sent"] >= 0.97 * sessions * r["wall"] / UP_INTERVAL]
    return min(kept_up or results, key=_cpu_per_session)


def _run_client_process(
    context: Any, kind: str, loop: str, port: int, args: argparse.Namespace
) -> dict[str, Any] | None:
    """Run one client in a fresh process; None (after saying why) if it failed or hung."""
    out = context.Queue()
    client = context.Process(
        target=_client_main, args=(kind, loop, port, args.sessions, args.seconds, out)
    )
    client.start()
    deadline = time.monotonic() + args.seconds + 120  # connecting + settling + closing
    try:
        while True:
            try:
                result: dict[str, Any] = out.get(timeout=0.5)
            except queue.Empty:
                if not client.is_alive():
                    print(
                        f"the {kind} client ({loop} loop) died with exit code "
                        f"{client.exitcode} before reporting (its traceback is above)",
                        file=sys.stderr,
                    )
                    return None
                if time.monotonic() > deadline:
                    print(f"the {kind} client ({loop} loop) hung: stopped", file=sys.stderr)
                    return None
                continue
            client.join(60)
            return result
    finally:
        if client.is_alive():
            client.terminate()
            client.join(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--confirm-every", type=float, default=10.0)
    parser.add_argument("--loops", default="default,uvloop", help="comma-separated")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every client this many times (interleaved) and print each one's best run\n"
        "that kept up with real time: on a shared machine other processes only add CPU time",
    )
    args = parser.parse_args(argv)

    loops = [name for name in args.loops.split(",") if name]
    if "uvloop" in loops:
        try:
            import uvloop  # noqa: F401
        except ImportError:
            print("uvloop is not installed: measuring the default loop only")
            loops.remove("uvloop")

    context = multiprocessing.get_context("spawn")  # clients start from a clean interpreter
    port = _free_port()
    ready = context.Event()
    peer = context.Process(target=_peer_main, args=(port, args.confirm_every, ready), daemon=True)
    peer.start()
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        if not ready.wait(30):
            print("peer did not start", file=sys.stderr)
            return 1
        for _ in range(max(1, args.repeat)):
            for loop in loops:
                for kind in ("floor", "raw", "live"):
                    result = _run_client_process(context, kind, loop, port, args)
                    if result is None:
                        return 1
                    runs.setdefault((loop, kind), []).append(result)
    finally:
        peer.terminate()
        peer.join(5)
    rows = [(loop, kind, _best(results, args.sessions)) for (loop, kind), results in runs.items()]

    mib = 1024 * 1024
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {args.sessions} sessions x "
        f"{args.seconds:g} s, peer confirms every {args.confirm_every:g} s; client process only"
    )
    print()
    print(
        "| loop | client | RSS before | RSS with sessions | peak RSS | CPU per session "
        "| sessions per core |"
    )
    print("|---|---|---|---|---|---|---|")
    names = {
        "floor": "floor (pacing + socket I/O only)",
        "raw": "raw websockets loop",
        "live": "gemini-live",
    }
    for loop, kind, r in rows:
        share = _cpu_per_session(r)
        print(
            f"| {loop} | {names[kind]} | {r['rss_before'] / mib:.1f} MiB "
            f"| {r['rss'] / mib:.1f} MiB | {r['rss_peak'] / mib:.1f} MiB "
            f"| {share * 100:.3f} % | {1 / share:,.0f} |"
        )
    print()
    if args.repeat > 1:
        print(
            f"Best of {args.repeat} runs per client; CPU per session in every run "
            "(* = fell behind real time, not used when another run kept up):"
        )
        for (loop, kind), results in runs.items():
            shares = ", ".join(
                f"{_cpu_per_session(r) * 100:.3f}"
                + ("" if r["sent"] >= 0.97 * args.sessions * r["wall"] / UP_INTERVAL else "*")
                for r in results
            )
            print(f"{loop:>8} {names[kind]:<32} {shares} %")
        print()
    print("In the measured window (real time would be 100 %):")
    for loop, kind, r in rows:
        expected_up = args.sessions * r["wall"] / UP_INTERVAL
        expected_down = args.sessions * r["wall"] / DOWN_INTERVAL
        estimated = " estimated from the bytes read" if kind == "floor" else ""
        print(
            f"{loop:>8} {names[kind]:<32} sent {r['sent']:,} chunks "
            f"({r['sent'] / expected_up:.0%}), received {r['audio']:,} audio frames "
            f"({r['audio'] / expected_down:.0%}{estimated}) "
            f"and {r['transcripts']:,} transcriptions; "
            f"CPU {r['cpu']:.2f} s in {r['wall']:.1f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
