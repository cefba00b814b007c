"""LiveProtocol as a pure object: frames in, events and decisions out, time passed in.

No sockets and no event loop: each test drives the object the way the asyncio driver does and
checks what it returns, with a simulated clock.
"""

from __future__ import annotations

import json
from typing import Any

from gemini_live.errors import SessionBroken, SetupRejected
from gemini_live.protocol import events as ev
from gemini_live.protocol.config import (
    ContextWindowCompression,
    LiveConfig,
    Platform,
    SessionResumptionConfig,
)
from gemini_live.protocol.decisions import Park, Reconnect, Stop, failure_of
from gemini_live.protocol.live import LiveProtocol
from gemini_live.protocol.phases import Phase
from gemini_live.protocol.retry import ExponentialBackoff

RESUME = LiveConfig(session_resumption=SessionResumptionConfig())


def _open(config: LiveConfig = RESUME, **kwargs: Any) -> LiveProtocol:
    protocol = LiveProtocol(
        model="models/m",
        config=config,
        platform=Platform.GOOGLE_AI,
        retry_policy=ExponentialBackoff(jitter="none"),
        **kwargs,
    )
    protocol.connect_requested()
    setup = json.loads(protocol.next_setup())
    assert setup["setup"]["model"] == "models/m"
    protocol.connected([ev.SetupComplete("s-1")], 0.0)
    protocol.take_events()
    return protocol


def _frame(protocol: LiveProtocol, message: dict[str, Any], now: float = 0.0) -> list[ev.Event]:
    return protocol.frame_received(json.dumps(message), now)


def _phases(events: list[ev.Event]) -> list[Phase]:
    return [e.new for e in events if isinstance(e, ev.PhaseChanged)]


TEXT = {"serverContent": {"modelTurn": {"parts": [{"text": "hi"}]}}}
DONE = {"serverContent": {"turnComplete": True}}


def _update(handle: str) -> dict[str, Any]:
    return {"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}}


def test_a_turn_moves_the_phase_and_phase_changes_follow_their_cause() -> None:
    protocol = _open()
    assert protocol.phase is Phase.ACTIVE and protocol.session_id == "s-1"
    events = _frame(protocol, TEXT)
    assert [type(e) for e in events] == [ev.TextDelta, ev.PhaseChanged]
    assert _phases(_frame(protocol, DONE)) == [Phase.ACTIVE]


def test_written_messages_stay_unconfirmed_until_a_resumable_update() -> None:
    protocol = _open()
    protocol.written("text", '{"realtimeInput":{"text":"a"}}', 1.0)
    assert [m.kind for m in protocol.unconfirmed()] == ["text"]
    _frame(protocol, _update("h1"))
    assert protocol.unconfirmed() == () and protocol.resumption_handle == "h1"


def test_go_away_while_idle_asks_for_a_rotation_at_once() -> None:
    protocol = _open(go_away_margin=5.0)
    _frame(protocol, {"goAway": {"timeLeft": "30s"}}, now=100.0)
    assert protocol.wants_rotation and protocol.needs_attention
    assert protocol.rotation_deadline == 125.0
    decision = protocol.rotation_started(101.0)
    assert decision == Reconnect(0.0)  # a routine rotation: no backoff


def test_go_away_mid_turn_waits_for_a_resumable_update_after_the_turn() -> None:
    protocol = _open(go_away_margin=5.0)
    _frame(protocol, TEXT)
    _frame(protocol, {"goAway": {"timeLeft": "30s"}}, now=10.0)
    assert not protocol.wants_rotation and protocol.rotation_deadline == 35.0
    _frame(protocol, DONE)
    assert not protocol.wants_rotation  # the turn is not covered by a handle yet
    _frame(protocol, _update("after-turn"))
    assert protocol.wants_rotation
    protocol.wants_rotation = False
    protocol.timer_fired(34.0)
    assert not protocol.wants_rotation
    protocol.timer_fired(35.0)
    assert protocol.wants_rotation


def test_a_retryable_loss_announces_the_reconnect_before_the_sleep() -> None:
    protocol = _open()
    _frame(protocol, _update("h1"))
    decision = protocol.connection_lost(1011, "Internal error", "server", 100.0)
    assert isinstance(decision, Reconnect) and decision.delay > 0
    events = protocol.take_events()
    assert isinstance(events[0], ev.Disconnected) and events[0].will_reconnect
    assert _phases(events) == [Phase.RECONNECTING]
    assert isinstance(events[-1], ev.Reconnecting) and events[-1].attempt == 1
    assert json.loads(protocol.next_setup())["setup"]["sessionResumption"] == {"handle": "h1"}


def test_a_fatal_loss_stops_and_hands_back_what_was_not_confirmed() -> None:
    protocol = _open()
    protocol.written("text", '{"realtimeInput":{"text":"a"}}', 1.0)
    decision = protocol.connection_lost(1008, "not found", "server", 5.0)
    assert isinstance(decision, Stop) and isinstance(decision.error, SessionBroken)
    unsent = [ev.UnconfirmedMessage("text", '{"realtimeInput":{"text":"b"}}')]
    protocol.end(decision.error, decision.event, unsent)
    assert [json.loads(m.frame)["realtimeInput"]["text"] for m in decision.error.unconfirmed] == [
        "a",
        "b",
    ]
    events = protocol.take_events()
    assert [(e.kind, e.count) for e in events if isinstance(e, ev.InputDropped)] == [
        ("unsent", 1),
        ("unconfirmed", 1),
    ]
    assert events[-1] == decision.event and protocol.phase is Phase.DISCONNECTED


def test_after_disconnect_was_requested_a_loss_reconnects_nothing() -> None:
    protocol = _open()
    protocol.close_requested()
    assert isinstance(protocol.connection_lost(1006, "", "network", 1.0), Park)


def test_a_refused_handle_starts_a_fresh_session_and_cancels_the_old_calls() -> None:
    protocol = _open()
    _frame(protocol, {"toolCall": {"functionCalls": [{"name": "f", "id": "c1"}]}})
    _frame(protocol, _update("h1"))
    assert isinstance(protocol.connection_lost(1011, "x", "server", 100.0), Reconnect)
    protocol.take_events()
    protocol.next_setup()
    refused = failure_of(SetupRejected("closed during setup", code=1008, reason="bad handle"))
    decision = protocol.attempt_failed(refused, 101.0)
    assert isinstance(decision, Reconnect)
    assert "sessionResumption" in json.loads(protocol.next_setup())["setup"]
    assert "handle" not in json.loads(protocol.next_setup())["setup"]["sessionResumption"]
    protocol.connected([ev.SetupComplete()], 102.0)
    assert protocol.replay_plan(102.0) == ()
    protocol.resumed(0, 102.0)
    events = protocol.take_events()
    assert ev.ToolCallCancellation(("c1",)) in events
    resumed = [e for e in events if isinstance(e, ev.Resumed)]
    assert resumed == [ev.Resumed(None, 0, 0, fresh_session=True)]
    assert protocol.live_tool_responses(["c1"]) == [False]


def test_session_limit_warnings_on_a_simulated_clock() -> None:
    protocol = _open(session_limit_warning=10.0, audio_session_limit=100.0)
    assert protocol.check_limits(0.0) == 1.0  # not due: look again within a second
    assert protocol.take_events() == []
    assert protocol.check_limits(90.0) == 91.0
    [warning] = protocol.take_events()
    assert isinstance(warning, ev.SessionWarning) and "about 10s" in warning.message
    protocol.check_limits(95.0)
    assert protocol.take_events() == []  # once per limit
    compressed = LiveConfig(
        session_resumption=SessionResumptionConfig(),
        context_window_compression=ContextWindowCompression(),
    )
    assert _open(compressed).check_limits(0.0) is None


def _call_event(call_id: str) -> ev.ToolCall:
    return ev.ToolCall((ev.FunctionCall("f", {}, call_id),))


def test_a_call_that_comes_with_setup_complete_belongs_to_the_new_session() -> None:
    """The lost session's calls are settled at setupComplete; a call that came in the same read
    (even under a reused id) is the new session's: live, answered, announced after Resumed."""
    protocol = _open()
    _frame(protocol, {"toolCall": {"functionCalls": [{"name": "f", "id": "c1"}]}})
    assert isinstance(protocol.connection_lost(1006, "", "network", 1.0), Reconnect)
    protocol.take_events()
    protocol.next_setup()
    protocol.connected([ev.SetupComplete("s-2"), _call_event("c1"), _call_event("c2")], 2.0)
    assert protocol.replay_plan(2.0) == ()
    protocol.resumed(0, 2.0)
    events = [e for e in protocol.take_events() if not isinstance(e, ev.PhaseChanged)]
    assert events == [
        ev.SetupComplete("s-2"),
        ev.ToolCallCancellation(("c1",)),  # the lost session's c1
        ev.Resumed(None, 0, 0, fresh_session=True),
        _call_event("c1"),  # the new session's c1 and c2
        _call_event("c2"),
    ]
    assert protocol.pending_tool_calls == {"c1", "c2"}
    assert protocol.live_tool_responses(["c1", "c2"]) == [True, True]
    # The driver's queue check: an answer to the lost c1 queued before the reconnect was already
    # settled; answers to the new calls are never withheld as the lost session's.
    frame = json.dumps({"toolResponse": {"functionResponses": [{"id": "c2", "response": {}}]}})
    assert not protocol.lost_session_answer("tool_response", frame)
    protocol.tool_responses_accepted(["c1", "c2"])
    assert protocol.phase is Phase.ACTIVE
    # Losing the new session later settles the new calls, not the old ones again.
    _frame(protocol, {"toolCall": {"functionCalls": [{"name": "f", "id": "c3"}]}})
    assert isinstance(protocol.connection_lost(1006, "", "network", 3.0), Reconnect)
    protocol.next_setup()
    protocol.connected([ev.SetupComplete()], 4.0)
    protocol.replay_plan(4.0)
    protocol.resumed(0, 4.0)
    cancelled = [e for e in protocol.take_events() if isinstance(e, ev.ToolCallCancellation)]
    assert cancelled == [ev.ToolCallCancellation(("c3",))]
