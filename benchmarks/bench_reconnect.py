"""Reconnect time after an abrupt drop, on loopback against the built-in emulator.

Run:  python benchmarks/bench_reconnect.py [--drops 30] [--initial-delay 0.05]

Each iteration makes the emulator drop the TCP connection without a close frame right after a
client message; the session notices (1006), backs off for the policy's first step, reconnects
with its resumption handle and replays. Printed: the time from the ``Disconnected`` event to the
``Resumed`` event (median, p90, max), next to the first backoff step and the measured
WebSocket+setup round trip, which is the target (first backoff step + one round trip).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import gemini_live
from gemini_live import (
    ApiKey,
    Disconnected,
    ExponentialBackoff,
    GenerationConfig,
    LiveConfig,
    Resumed,
    SessionOptions,
)
from gemini_live.testing import Emulator, Fault

KEY = ApiKey("k")


async def measure(drops: int, initial_delay: float) -> None:
    # stable_after=0: every drop is measured as a first failure (no growing backoff).
    policy = ExponentialBackoff(
        initial_delay=initial_delay,
        jitter="none",
        max_attempts=None,
        rotate_min_uptime=0.0,
        stable_after=0.0,
    )
    options = SessionOptions(retry_policy=policy)
    config = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))
    async with Emulator() as emu:
        # The round trip of a fresh connection + setup, for reference.
        setups = []
        for _ in range(10):
            t0 = time.perf_counter()
            async with gemini_live.connect(
                "gemini-3.8-live", base_url=emu.url, credentials=KEY, config=config, options=options
            ):
                setups.append(time.perf_counter() - t0)
        # Every connection is dropped (TCP abort) right after it sends its first turnComplete.
        emu.faults.always(Fault.abort(at="turn_complete"))
        gaps: list[float] = []
        async with gemini_live.connect(
            "gemini-3.8-live", base_url=emu.url, credentials=KEY, config=config, options=options
        ) as session:
            events = session.events()
            for i in range(drops):
                await session.send_text(f"turn {i}")
                lost_at = None
                async with asyncio.timeout(10):
                    async for event in events:
                        if isinstance(event, Disconnected) and lost_at is None:
                            lost_at = time.perf_counter()
                        elif isinstance(event, Resumed) and lost_at is not None:
                            gaps.append(time.perf_counter() - lost_at)
                            break
            stats = session.statistics()
    ms = sorted(g * 1000 for g in gaps)
    rtt = statistics.median(setups) * 1000
    print(f"{drops} abrupt drops (TCP abort, no close frame) on loopback, emulator in-process")
    print(
        f"first backoff step: {initial_delay * 1000:.1f} ms; connect+setup round trip "
        f"(median of 10): {rtt:.1f} ms; target {initial_delay * 1000 + rtt:.1f} ms"
    )
    print(
        f"drop -> resumed: median {statistics.median(ms):.1f} ms, "
        f"p90 {ms[int(len(ms) * 0.9) - 1]:.1f} ms, max {ms[-1]:.1f} ms"
    )
    print(f"session: {stats.reconnects} reconnects, {stats.replayed_messages} messages replayed")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--drops", type=int, default=30)
    parser.add_argument("--initial-delay", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(measure(args.drops, args.initial_delay))


if __name__ == "__main__":
    main()
