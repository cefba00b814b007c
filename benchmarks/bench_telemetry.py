"""Telemetry benchmark: the session hot path with the conversation layer / telemetry off vs on.

Run:  python benchmarks/bench_telemetry.py [--frames 20000] [--rounds 5]

The same peer as ``bench_hotpath.py`` (a plain websockets server on 127.0.0.1, in its own
process). Client-process CPU time per message on two paths, for four set-ups:

* ``session``: a bare session (default options, resumption on): telemetry off. The session has
  no telemetry hook at all, so this *is* the hot path with telemetry off, whether or not
  ``gemini-live[otel]`` is installed (the script checks that OpenTelemetry is not imported);
* ``+conversation``: a :class:`~gemini_live.conversation.Conversation` follows the session (its
  own event subscriber and task) and the audio goes through ``convo.writer()``; no telemetry;
* ``+otel (no-op)``: the same with ``OpenTelemetry()`` on the API's default no-op providers
  (the extra installed, no SDK configured);
* ``+otel (sdk)``: the same with the OpenTelemetry SDK recording every span and metric
  (in-memory exporters; needs ``opentelemetry-sdk``, skipped without it).

The conversation layer's cost is per event (it reads every event once more); spans and metrics
are made per turn, so telemetry adds almost nothing per frame. Each round runs the set-ups in
alternating order; the best round per set-up is printed with its ratio to ``session``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# The same peer, chunk sizes and measured paths:
from bench_hotpath import _peer_main, free_port, live_paths

SETUPS = ("session", "+conversation", "+otel (no-op)", "+otel (sdk)")


def _telemetry(setup: str) -> Any:
    if setup == "+otel (no-op)":
        from gemini_live.conversation.otel import OpenTelemetry

        return OpenTelemetry()
    if setup == "+otel (sdk)":
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        from gemini_live.conversation.otel import OpenTelemetry

        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
        meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
        return OpenTelemetry(tracer_provider=tracer_provider, meter_provider=meter_provider)
    return None


async def live_round(base_url: str, frames: int, setup: str) -> tuple[float, float]:
    import gemini_live
    from gemini_live import ApiKey
    from gemini_live.client.options import SessionOptions
    from gemini_live.client.transport import TransportOptions
    from gemini_live.conversation import Conversation, TurnRecord

    options = SessionOptions(transport=TransportOptions(max_frame_size=None))
    async with gemini_live.connect(
        "bench-model", credentials=ApiKey("bench"), base_url=base_url, options=options
    ) as session:
        events = session.events(max_queue=frames + 100)
        convo = None
        if setup != "session":
            convo = Conversation(
                session,
                stall=None,
                late_transcription_grace=0,
                telemetry=_telemetry(setup),
            )
            await convo.__aenter__()
        notices = convo.events() if convo is not None else None
        writer = convo.writer() if convo is not None else session

        async def settle() -> None:
            # Count the conversation layer's work: wait until it has recorded the turn.
            if notices is not None:
                async for notice in notices:
                    if isinstance(notice, TurnRecord):
                        return

        try:
            return await live_paths(writer, events, frames, settle)
        finally:
            if convo is not None:
                await convo.__aexit__(None, None, None)


def _sdk_available() -> bool:
    try:
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    import gemini_live.conversation  # noqa: F401  (importing it must not import OpenTelemetry)

    otel_loaded = any(name.startswith("opentelemetry") for name in sys.modules)
    setups = [s for s in SETUPS if s != "+otel (sdk)" or _sdk_available()]
    port = free_port()
    ready = multiprocessing.Event()
    peer = multiprocessing.Process(target=_peer_main, args=(port, ready), daemon=True)
    peer.start()
    try:
        if not ready.wait(15):
            print("peer did not start", file=sys.stderr)
            return 1
        base_url = f"ws://127.0.0.1:{port}"
        results: dict[str, list[tuple[float, float]]] = {s: [] for s in setups}
        for i in range(args.rounds):
            order = setups if i % 2 == 0 else setups[::-1]
            for setup in order:
                results[setup].append(asyncio.run(live_round(base_url, args.frames, setup)))
        best = {
            name: (min(r[0] for r in rs) * 1e6, min(r[1] for r in rs) * 1e6)
            for name, rs in results.items()
        }
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
            f"{args.frames} frames x {args.rounds} rounds, best round, client CPU per message"
        )
        print(f"OpenTelemetry imported by 'import gemini_live.conversation': {otel_loaded}")
        header = f"{'path':<32}" + "".join(f"{name:>18}" for name in setups)
        print(header)
        labels = ("uplink (20 ms 16 kHz PCM16)", "downlink (40 ms 24 kHz PCM16)")
        for index, label in enumerate(labels):
            base = best["session"][index]
            cells = [
                f"{best[name][index]:>8.2f} us ({best[name][index] / base:.2f})" for name in setups
            ]
            print(f"{label:<32}" + "".join(f"{cell:>18}" for cell in cells))
    finally:
        peer.terminate()
        peer.join(5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
