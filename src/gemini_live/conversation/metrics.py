"""Running latency percentiles over the most recent turns, and the ``metrics()`` snapshot.

Each latency keeps its last ``window`` samples (default 1024): percentiles then describe the
recent behaviour of a long session, in bounded memory. Percentiles use the nearest-rank method
(p99 of 10 samples is the largest one), so every reported value is a value that was measured.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gemini_live.conversation.records import ReconnectRecord, TurnRecord

__all__ = ["LATENCIES", "LatencySummary", "MetricsSnapshot", "RunningMetrics"]

LATENCIES: tuple[str, ...] = (
    "first_audio",
    "first_transcription",
    "first_text",
    "first_output",
    "generation_complete",
    "turn_complete",
    "tool_round_trip",
    "tool_resume",
    "interruption_stop",
    "reconnect",
)
"""Names of the latencies in :attr:`MetricsSnapshot.latency` (seconds): the first five from the
end of the user's input, ``tool_round_trip`` call -> response written, ``tool_resume`` response
-> the model's next output, ``interruption_stop`` barge-in -> ``interrupted``, ``reconnect``
loss -> resumed."""


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """``count`` samples (within the window) and their p50/p90/p99/max in seconds."""

    count: int
    p50: float
    p90: float
    p99: float
    max: float


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    """Counters since the start, and latency percentiles over the recent window.

    ``latency`` maps a name from :data:`LATENCIES` to its summary (names with no sample yet are
    absent). ``replayed_frames``/``dropped_frames`` add up the reconnections' replays and drops.
    """

    turns: int = 0
    interrupted_turns: int = 0
    tool_calls: int = 0
    reconnects: int = 0
    replayed_frames: int = 0
    dropped_frames: int = 0
    stalls: int = 0
    context_losses: int = 0
    latency: Mapping[str, LatencySummary] = field(default_factory=dict)


def _rank(ordered: list[float], q: float) -> float:
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class RunningMetrics:
    """Accumulates records into counters and latency windows (pure; not thread-safe)."""

    def __init__(self, window: int = 1024) -> None:
        if not isinstance(window, int) or window < 1:
            raise ValueError(f"window must be an int >= 1, got {window!r}")
        self._samples: dict[str, deque[float]] = {n: deque(maxlen=window) for n in LATENCIES}
        self.turns = 0
        self.interrupted_turns = 0
        self.tool_calls = 0
        self.reconnects = 0
        self.replayed = 0
        self.dropped = 0
        self.stalls = 0
        self.context_losses = 0

    def _add(self, name: str, value: float | None) -> None:
        if value is not None:
            self._samples[name].append(value)

    def add_turn(self, record: TurnRecord) -> None:
        self.turns += 1
        latency = record.latency
        self._add("first_audio", latency.first_audio)
        self._add("first_transcription", latency.first_transcription)
        self._add("first_text", latency.first_text)
        self._add("first_output", latency.first_output)
        self._add("generation_complete", latency.generation_complete)
        self._add("turn_complete", latency.turn_complete)
        for call in record.tool_calls:
            self.tool_calls += 1
            self._add("tool_round_trip", call.round_trip)
            self._add("tool_resume", call.resumed_after)
        if record.interrupted is not None:
            self.interrupted_turns += 1
            self._add("interruption_stop", record.interrupted.stop_latency)

    def add_reconnect(self, record: ReconnectRecord) -> None:
        self.reconnects += 1
        self.replayed += record.replayed
        self.dropped += record.dropped
        self._add("reconnect", record.duration)

    def snapshot(self) -> MetricsSnapshot:
        latency: dict[str, LatencySummary] = {}
        for name, samples in self._samples.items():
            if samples:
                ordered = sorted(samples)
                latency[name] = LatencySummary(
                    len(ordered),
                    _rank(ordered, 0.50),
                    _rank(ordered, 0.90),
                    _rank(ordered, 0.99),
                    ordered[-1],
                )
        return MetricsSnapshot(
            turns=self.turns,
            interrupted_turns=self.interrupted_turns,
            tool_calls=self.tool_calls,
            reconnects=self.reconnects,
            replayed_frames=self.replayed,
            dropped_frames=self.dropped,
            stalls=self.stalls,
            context_losses=self.context_losses,
            latency=MappingProxyType(latency),
        )
