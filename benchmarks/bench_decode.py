"""Micro-benchmark of the receive hot path: one 40 ms audio frame from the service.

Run ``python benchmarks/bench_decode.py [iterations]``. It prints microseconds per frame (best of
5 rounds) for

  (a) the floor a naive reader pays: stdlib ``json.loads`` + ``base64.b64decode`` of the audio;
  (b) ``gemini_live.protocol.decode.decode_events`` (JSON -> typed ``AudioChunk`` event);
  (c) the same through the general path (snake_case keys, so the fast path does not apply).

The goal is (b) <= (a): typed events should cost no more than the bare minimum of work.
"""

from __future__ import annotations

import base64
import json
import random
import sys
import time
from collections.abc import Callable

from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.events import AudioChunk

__all__ = ["main"]

SAMPLE_RATE = 24_000
FRAME_MS = 40
AUDIO_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2  # PCM16 mono: 1920 bytes
ROUNDS = 5


def make_frame(*, snake_case: bool = False) -> tuple[str, bytes]:
    rng = random.Random(1234)
    audio = bytes(rng.getrandbits(8) for _ in range(AUDIO_BYTES))
    data = base64.b64encode(audio).decode("ascii")
    if snake_case:
        part = {"inline_data": {"mime_type": "audio/pcm;rate=24000", "data": data}}
        message = {"server_content": {"model_turn": {"parts": [part]}}}
    else:
        part = {"inlineData": {"mimeType": "audio/pcm;rate=24000", "data": data}}
        message = {"serverContent": {"modelTurn": {"parts": [part]}}}
    return json.dumps(message), audio


def stdlib_floor(frame: str) -> bytes:
    message = json.loads(frame)
    blob = message["serverContent"]["modelTurn"]["parts"][0]["inlineData"]
    return base64.b64decode(blob["data"])


def best_us_per_call(fn: Callable[[str], object], frame: str, iterations: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            fn(frame)
        elapsed = time.perf_counter_ns() - start
        best = min(best, elapsed / iterations / 1000)
    return best


def main(argv: list[str]) -> int:
    iterations = int(argv[1]) if len(argv) > 1 else 20_000
    frame, audio = make_frame()
    snake_frame, _ = make_frame(snake_case=True)

    # Check that all three compute the same thing before timing them.
    assert stdlib_floor(frame) == audio
    for candidate in (frame, snake_frame):
        events = decode_events(candidate)
        assert events == [AudioChunk(audio, 24_000, "audio/pcm;rate=24000")], events

    floor = best_us_per_call(stdlib_floor, frame, iterations)
    fast = best_us_per_call(decode_events, frame, iterations)
    general = best_us_per_call(decode_events, snake_frame, iterations)

    print(f"frame: {len(frame)} chars, {AUDIO_BYTES} bytes of audio ({FRAME_MS} ms at 24 kHz)")
    print(f"iterations: {iterations} x best of {ROUNDS}, Python {sys.version.split()[0]}")
    print(f"(a) json.loads + base64.b64decode       {floor:8.2f} us/frame")
    print(f"(b) decode_events                       {fast:8.2f} us/frame")
    print(f"(c) decode_events, general path (snake) {general:8.2f} us/frame")
    verdict = "meets" if fast <= floor else "MISSES"
    print(f"(b)/(a) = {fast / floor:.2f}: {verdict} the target (b) <= (a)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
