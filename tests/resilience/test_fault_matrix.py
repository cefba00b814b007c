"""The fault matrix: every fault, a concurrent numbered workload, an exactly-once audit.

For each fault the emulator injects it (per connection attempt) while four writer tasks stream
text, audio and tool responses through one session on the Vertex path with transparent
resumption. The audit checks that the emulated service's final conversation holds every
accepted message exactly once, in each writer's order; the only losses allowed are real-time
audio that the client announced as dropped because it was stale. Unrecoverable faults must end
in a typed error, with nothing hung. The matrix is printed at the end of the test run.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

import gemini_live
from gemini_live import (
    ExponentialBackoff,
    GenerationConfig,
    InputDropped,
    LiveConfig,
    Phase,
    Platform,
    Reconnecting,
    Resumed,
    SessionBroken,
    SessionOptions,
    SessionResumptionConfig,
    Vertex,
)
from gemini_live.testing import Emulator, Fault
from tests.resilience.matrix import Audit, Workload, audit, identity_of

MATRIX: list[dict[str, Any]] = []


@dataclass
class Case:
    name: str
    plan: list[list[Fault]]
    # "exact": nothing lost; "stale_only": only announced stale audio lost; "announced": the
    # service lost its state and the client announced every message it could not deliver;
    # "typed_error": the session ends with SessionBroken.
    expect: str = "exact"
    options: dict[str, Any] = field(default_factory=dict)
    retry: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("TCP abort mid-audio", [[Fault.abort(after_client_messages=25)]]),
    Case("close 1011 mid-turn", [[Fault.close(1011, "Internal error occurred.", at="mid_turn")]]),
    Case(
        "1006 during setup of the resume",
        [[Fault.close(1011, after_client_messages=20)], [Fault.abort()]],
    ),
    Case("goAway, short timeLeft", [[Fault.go_away(1.0, after_client_messages=15)]]),
    Case("goAway, long timeLeft", [[Fault.go_away(20.0, after_client_messages=15)]]),
    Case(
        "resumable:false window",
        [
            [Fault.close(1011, after_client_messages=40)],
            [Fault.unresumable(), Fault.close(1011, after_client_messages=30)],
        ],
    ),
    Case(
        "refused handle (on_resume_failure=fail)",
        [[Fault.close(1011, after_client_messages=20)], [Fault.refuse_resumption()]],
        expect="typed_error",
        options={"on_resume_failure": "fail"},
    ),
    Case(
        "refused handle (on_resume_failure=fresh)",
        [[Fault.close(1011, after_client_messages=20)], [Fault.refuse_resumption()]],
        expect="announced",
    ),
    Case("stalled server", [[Fault.stall(1.0, after_client_messages=10)]]),
    Case(
        "server never answers setup",
        [[Fault.close(1011, after_client_messages=20)], [Fault.no_setup_complete()]],
    ),
    Case("malformed frame", [[Fault.malformed_frame(after_client_messages=10)]]),
    Case("unknown message type", [[Fault.unknown_message(after_client_messages=10)]]),
    Case(
        "slow reconnect, stale audio",
        [[Fault.close(1011, after_client_messages=20)]],
        expect="stale_only",
        options={"max_audio_age": 0.05},
        retry={"initial_delay": 0.4, "max_delay": 0.4},
    ),
]


def _delivered(emu: Emulator) -> list[str]:
    """Workload ids in the final conversation's lineage (an abandoned session does not count:
    when no handle existed yet, the client replays everything into the new session)."""
    ids: list[str] = []
    for message in emu.last_session.effective_consumed:
        ident = identity_of(message.kind, message.field, message.payload)
        if ident is not None:
            ids.append(ident)
    return ids


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_fault_matrix(case: Case) -> None:
    retry = {"initial_delay": 0.02, "max_delay": 0.1, "jitter": "none", "rotate_min_uptime": 0.0}
    retry.update(case.retry)
    settings: dict[str, Any] = {"setup_timeout": 0.5, "max_audio_age": None, "go_away_margin": 0.5}
    settings.update(case.options)
    options = SessionOptions(retry_policy=ExponentialBackoff(**retry), **settings)
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("TEXT",)),
        session_resumption=SessionResumptionConfig(transparent=True),
    )
    async with Emulator(text_pace=0.0005, resumption_update_every=5) as emu:
        for faults in case.plan:
            emu.faults.next(*faults)
        session = await gemini_live.connect(
            "gemini-3.8-live",
            config=config,
            platform=Platform.VERTEX,
            credentials=Vertex("p", "us-central1", "t"),
            base_url=emu.url,
            options=options,
        )
        events = session.events(max_queue=100_000)
        workload = Workload()
        await workload.run(session)
        if case.expect == "typed_error" and not workload.errors:
            # On a busy machine the writers can all finish before the refused resume ends the
            # session; then the end must still reach the application, through its events.
            try:
                async with asyncio.timeout(10):
                    async for _ in events:
                        pass
            except SessionBroken as error:
                workload.errors.append(error)
        expected = {ident for per in workload.accepted.values() for ident, _ in per}
        if case.expect != "typed_error":
            await _settle(session, emu, expected, exact=case.expect == "exact")
        await session.disconnect()
        seen = [e async for e in events] if case.expect != "typed_error" else []
        old_session_ids = {
            ident
            for message in emu.sessions[0].effective_consumed
            if (ident := identity_of(message.kind, message.field, message.payload)) is not None
        }
        result = audit(workload, _delivered(emu))
        stats = session.statistics()
        injected = len(emu.faults.injected)

    MATRIX.append(
        {
            "fault": case.name,
            "injected": injected,
            "sent": result.sent,
            "replayed": stats.replayed_messages,
            "dropped": stats.dropped_stale_media,
            "duplicated": result.duplicated,
            "lost": result.lost,
            "reconnects": stats.reconnects,
            "outcome": "SessionBroken" if workload.errors else "ok",
        }
    )
    assert injected >= 1, "the fault was not injected"
    assert result.duplicated == 0
    assert result.order_violations == 0
    if case.expect == "typed_error":
        assert workload.errors and all(isinstance(e, SessionBroken) for e in workload.errors)
        return
    assert workload.errors == []
    if case.expect == "exact":
        _assert_exact(result)
    elif case.expect == "announced":
        fresh = [e for e in seen if isinstance(e, Resumed) and e.fresh_session]
        assert fresh, "the fresh start was not announced"
        announced = sum(e.count for e in seen if isinstance(e, InputDropped))
        # Lost: what the refused session had (its state is gone, which Resumed says) plus what
        # was unconfirmed and announced as dropped; nothing sent after the restart is missing.
        assert announced > 0
        missing = expected - set(_delivered(emu))
        assert len(missing - old_session_ids) <= announced
        assert result.lost == len(missing)
    else:
        assert result.lost_non_audio == 0
        assert result.lost == stats.dropped_stale_media > 0
        dropped = sum(e.count for e in seen if isinstance(e, InputDropped) and e.kind == "audio")
        assert dropped == result.lost
    if stats.reconnects:
        assert any(isinstance(e, Reconnecting) for e in seen) or case.name.startswith("goAway")
        assert any(isinstance(e, Resumed) for e in seen)


async def _settle(
    session: gemini_live.Session, emu: Emulator, expected: set[str], *, exact: bool
) -> None:
    """Wait (bounded) until the session is connected with nothing queued and the service has
    consumed everything it is going to: all of ``expected`` (``exact``), or else no change for
    half a second."""
    busy = (Phase.RECONNECTING, Phase.SETUP_SENT, Phase.CONNECTING)
    last: set[str] = set()
    stable_since = asyncio.get_running_loop().time()
    async with asyncio.timeout(10):
        while True:
            await asyncio.sleep(0.02)
            now = asyncio.get_running_loop().time()
            delivered = set(_delivered(emu))
            if delivered != last:
                last, stable_since = delivered, now
            idle = session.phase not in busy and session.statistics().send_queue_length == 0
            settled = not exact and now - stable_since > 0.5
            if idle and (expected <= delivered or settled):
                return


def _assert_exact(result: Audit) -> None:
    assert result.lost == 0, result
    assert result.delivered == result.sent
