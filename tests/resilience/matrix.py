"""Shared machinery of the fault matrix: a numbered workload and its exactly-once audit.

Several writer tasks stream a numbered sequence of text, audio and tool-response messages
through one session while the emulator injects a fault. Afterwards the audit compares what the
writers had accepted with what the emulated service ended up with: the messages in the lineage
of its final conversation state (messages consumed on a connection but discarded by a resume
from an older handle do not count, their replays do).
"""

from __future__ import annotations

import asyncio
import itertools
import struct
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gemini_live import FunctionResponse, Session

AUDIO_TAG = b"GLAU"


def audio_chunk(writer: int, seq: int) -> bytes:
    """640 bytes (20 ms at 16 kHz) of near-silence that carries its identity in its first bytes."""
    return AUDIO_TAG + struct.pack("<HH", writer, seq) + bytes(640 - 8)


def identity_of(kind: str, field_name: str | None, payload: Any) -> str | None:
    """The workload identity of a consumed message, or None if it is not part of the workload."""
    if kind == "realtimeInput" and field_name == "text":
        text = payload.get("text", payload) if isinstance(payload, dict) else payload
        return str(text) if str(text).startswith("w") else None
    if kind == "realtimeInput" and field_name == "audio":
        blob = payload.get("audio", payload) if isinstance(payload, dict) else payload
        data = blob.get("data") if isinstance(blob, dict) else None
        if isinstance(data, bytes | bytearray) and data[:4] == AUDIO_TAG:
            writer, seq = struct.unpack("<HH", data[4:8])
            return f"w{writer}#{seq}"
        return None
    if kind == "toolResponse":
        responses = payload.get("functionResponses", []) if isinstance(payload, dict) else []
        if responses and str(responses[0].get("id", "")).startswith("w"):
            return str(responses[0]["id"])
    return None


@dataclass
class Workload:
    """``writers`` tasks, each sending ``per_writer`` messages cycling text/audio/audio/tool."""

    writers: int = 4
    per_writer: int = 45
    pause: float = 0.002
    accepted: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)

    async def run(self, session: Session, *, deadline: float = 20.0) -> None:
        async def writer(w: int) -> None:
            mine = self.accepted.setdefault(w, [])
            for i in range(self.per_writer):
                ident = f"w{w}#{i}"
                kind = ("text", "audio", "audio", "tool")[i % 4]
                if kind == "text":
                    await session.send_text(ident)
                elif kind == "audio":
                    await session.send_audio(audio_chunk(w, i))
                else:
                    await session.send_tool_response(
                        [FunctionResponse(name="noop", response={"seq": i}, id=ident)]
                    )
                mine.append((ident, kind))
                await asyncio.sleep(self.pause)

        async with asyncio.timeout(deadline):
            results = await asyncio.gather(
                *(writer(w) for w in range(self.writers)), return_exceptions=True
            )
        self.errors = [r for r in results if isinstance(r, BaseException)]

    @property
    def sent(self) -> int:
        return sum(len(v) for v in self.accepted.values())


@dataclass
class Audit:
    sent: int
    delivered: int
    duplicated: int
    lost: int
    lost_non_audio: int
    order_violations: int


def audit(workload: Workload, delivered_ids: list[str]) -> Audit:
    counts = Counter(delivered_ids)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    kinds = {ident: kind for per in workload.accepted.values() for ident, kind in per}
    missing = [ident for ident in kinds if ident not in counts]
    order_violations = 0
    position = {ident: pos for pos, ident in enumerate(delivered_ids)}
    for per in workload.accepted.values():
        seen = [position[ident] for ident, _ in per if ident in position]
        order_violations += sum(1 for a, b in itertools.pairwise(seen) if b < a)
    return Audit(
        sent=workload.sent,
        delivered=len(counts),
        duplicated=duplicated,
        lost=len(missing),
        lost_non_audio=sum(1 for ident in missing if kinds[ident] != "audio"),
        order_violations=order_violations,
    )
