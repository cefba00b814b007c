"""100 concurrent calls with random delays, failures, hangs and cancellations: an exactly-once
ledger, checked on both sides of a real socket (what the runner sent, what the emulator got)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any, Literal

import gemini_live
from gemini_live import (
    ApiKey,
    GenerationConfig,
    LiveConfig,
    RecordingWriter,
    TextDelta,
    TurnComplete,
)
from gemini_live.testing import Emulator, Pause, Scenario
from gemini_live.tools import Toolbox, ToolCallCancelled, ToolEvent
from tests.tools.feed import responses, wait_for

Mode = Literal["ok", "fail", "hang", "bad"]
CALLS = 100


KEY = ApiKey("k")


def plan(seed: int) -> tuple[list[dict[str, Any]], list[Any]]:
    """The calls (id, args) and the scripted server frames: two toolCall bursts, duplicates, an
    unknown function, and two cancellations of random ids (some finished, some unknown)."""
    rng = random.Random(seed)
    modes: list[Mode] = ["ok"] * 70 + ["fail"] * 15 + ["hang"] * 5 + ["bad"] * 10
    rng.shuffle(modes)
    calls = [
        {"id": f"c{i}", "name": "work", "args": {"delay": rng.uniform(0, 0.08), "mode": modes[i]}}
        for i in range(CALLS)
    ]
    ids = [c["id"] for c in calls]
    dupes = [dict(c) for c in rng.sample(calls[:50], 3)]
    unknown = {"id": "u1", "name": "not_declared", "args": {}}
    frames: list[Any] = [
        {"toolCall": {"functionCalls": calls[:50]}},
        Pause(0.02),
        {"toolCall": {"functionCalls": [*calls[50:], *dupes, unknown]}},
        Pause(0.03),
        {"toolCallCancellation": {"ids": rng.sample(ids, 15)}},
        Pause(0.03),
        {"toolCallCancellation": {"ids": [*rng.sample(ids, 10), "never-issued"]}},
        {"serverContent": {"modelTurn": {"parts": [{"text": "burst over"}]}}},
        {"serverContent": {"turnComplete": True}},
    ]
    return calls, frames


async def test_100_concurrent_calls_exactly_once_ledger() -> None:
    calls, frames = plan(seed=8)
    mode_of = {c["id"]: c["args"]["mode"] for c in calls}
    tools = Toolbox(deadline=0.25, max_concurrent=64)
    cancelled_inside: set[float] = set()

    @tools.function
    async def work(delay: float, mode: Mode) -> object:
        try:
            await asyncio.sleep(delay if mode != "hang" else 10)
        except asyncio.CancelledError:
            cancelled_inside.add(delay)
            raise
        if mode == "fail":
            raise ValueError("planned failure")
        if mode == "bad":
            return {1, 2}.__iter__()  # not JSON
        return {"slept": delay}

    seen: list[ToolEvent] = []
    scenario = Scenario().on_text("go", reply=frames)
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("TEXT",)),
        tools=tools.declarations(),
    )
    async with (
        Emulator(scenario=scenario) as emu,
        gemini_live.connect(
            "gemini-2.5-flash-native-audio-preview-12-2025",
            base_url=emu.url,
            credentials=KEY,
            config=config,
        ) as session,
    ):
        events = session.events()
        writer = RecordingWriter(session)
        async with tools.serve(session, writer=writer, on_event=seen.append) as runner:
            await session.send_text("go")
            await wait_for(
                lambda: runner.statistics().calls == CALLS + 4 and runner.statistics().running == 0,
                limit=5,
            )
            stats = runner.statistics()
            await session.send_text("say still here")
            text = ""
            async with asyncio.timeout(5):
                async for event in events:
                    if isinstance(event, TextDelta):
                        text += event.text
                    elif isinstance(event, TurnComplete) and "still here" in text:
                        break
        received = Counter(
            r["id"]
            for m in emu.last_session.consumed
            if m.kind == "toolResponse"
            for r in m.payload["functionResponses"]
        )

    sent = Counter(r.id for r in responses(writer))
    by_id = {r.id: r for r in responses(writer)}
    cancelled = [e.call_id for e in seen if isinstance(e, ToolCallCancelled)]
    service_cancelled = {i for f in frames if isinstance(f, dict) for i in
                         f.get("toolCallCancellation", {}).get("ids", ())}  # fmt: skip

    # Nobody is answered twice, on either side of the socket.
    assert max(sent.values()) == 1 and max(received.values()) == 1
    # Every call is either answered or cancelled (never both, never neither).
    assert len(cancelled) == len(set(cancelled))
    assert set(cancelled) <= service_cancelled
    assert set(sent) | set(cancelled) == {*mode_of, "u1"}
    assert not set(sent) & set(cancelled)
    assert stats.cancelled == len(cancelled) > 0
    # Each answer is the right one for what the function did.
    for call_id, response in by_id.items():
        body = response.response
        if call_id == "u1":
            assert body["error"]["type"] == "UnknownFunction"
        elif mode_of[call_id] == "ok":
            assert "output" in body
        else:
            expected = {"fail": "ValueError", "hang": "Timeout", "bad": "InvalidResult"}
            assert body["error"]["type"] == expected[mode_of[call_id]]
    # What reached the service: every answer, except ones the session itself withheld because
    # the service had cancelled that call by the time it was written.
    assert set(received) <= set(sent)
    assert set(sent) - set(received) <= service_cancelled
    assert stats.duplicates == 3
    assert (
        stats.succeeded + stats.failed + stats.timed_out + stats.cancelled + stats.rejected
        == CALLS + 4
    )
    assert len(cancelled_inside) >= 1  # cancelled functions saw CancelledError
