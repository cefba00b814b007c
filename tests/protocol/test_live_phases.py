"""The phase as ``LiveProtocol`` moves it, frame by frame: who holds the floor.

A barge-in with an explicit ``activityStart`` races the model's output already on its way: the
service's audio frames in flight when the user starts talking arrive after the client's
``activityStart`` went out. These tests feed that order deterministically (no sockets, no clock).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from gemini_live.protocol import events as ev
from gemini_live.protocol.config import LiveConfig, Platform, SessionResumptionConfig
from gemini_live.protocol.decisions import Reconnect
from gemini_live.protocol.live import LiveProtocol
from gemini_live.protocol.phases import Phase
from gemini_live.protocol.retry import ExponentialBackoff

P = Phase
AUDIO = {
    "serverContent": {
        "modelTurn": {
            "parts": [
                {
                    "inlineData": {
                        "mimeType": "audio/pcm;rate=24000",
                        "data": base64.b64encode(b"\x00\x01" * 240).decode(),
                    }
                }
            ]
        }
    }
}
TEXT = {"serverContent": {"modelTurn": {"parts": [{"text": "hi"}]}}}
INTERRUPTED = {"serverContent": {"interrupted": True}}
DONE = {"serverContent": {"turnComplete": True}}
TOOL_CALL = {"toolCall": {"functionCalls": [{"name": "f", "id": "c1"}]}}


def _open() -> LiveProtocol:
    protocol = LiveProtocol(
        model="models/m",
        config=LiveConfig(session_resumption=SessionResumptionConfig()),
        platform=Platform.GOOGLE_AI,
        retry_policy=ExponentialBackoff(jitter="none"),
    )
    protocol.connect_requested()
    protocol.next_setup()
    protocol.connected([ev.SetupComplete("s-1")], 0.0)
    protocol.take_events()
    return protocol


def _feed(protocol: LiveProtocol, *messages: dict[str, Any]) -> list[Phase]:
    """Feed frames; return the phase after each one."""
    seen = []
    for message in messages:
        protocol.frame_received(json.dumps(message), 0.0)
        seen.append(protocol.phase)
    return seen


def _phase(protocol: LiveProtocol) -> Phase:
    # Read through a call: mypy keeps an asserted attribute narrowed across the method calls
    # that move the phase, and would call the next assert unreachable.
    return protocol.phase


def _moves(protocol: LiveProtocol) -> list[Phase]:
    return [e.new for e in protocol.take_events() if isinstance(e, ev.PhaseChanged)]


def test_model_audio_in_flight_after_activity_start_keeps_the_user_speaking() -> None:
    protocol = _open()
    assert _feed(protocol, AUDIO) == [P.MODEL_SPEAKING]
    protocol.activity_accepted(True)  # barge in
    assert _phase(protocol) is P.USER_SPEAKING
    protocol.take_events()
    # Audio the service sent before it saw activityStart, then its cut, then more stale output.
    seen = _feed(protocol, AUDIO, AUDIO, INTERRUPTED, AUDIO, TEXT, DONE)
    assert seen == [P.USER_SPEAKING] * 6
    assert _moves(protocol) == []
    # Keeping the floor is a rule of the table, not an ignored trigger.
    assert protocol.counters().ignored_phase_triggers == 0
    protocol.activity_accepted(False)
    assert _phase(protocol) is P.ACTIVE
    # The answer to what the user said is the model speaking again.
    assert _feed(protocol, AUDIO, DONE) == [P.MODEL_SPEAKING, P.ACTIVE]


def test_activity_start_from_active_holds_the_floor_against_any_model_output() -> None:
    protocol = _open()
    protocol.activity_accepted(True)
    assert _moves(protocol) == [P.USER_SPEAKING]
    assert _feed(protocol, TEXT, INTERRUPTED, DONE, AUDIO) == [P.USER_SPEAKING] * 4
    protocol.activity_accepted(False)
    assert _moves(protocol) == [P.ACTIVE]


def test_a_tool_call_while_the_user_holds_the_floor_returns_to_user_speaking() -> None:
    protocol = _open()
    protocol.activity_accepted(True)
    assert _feed(protocol, TOOL_CALL) == [P.TOOL_CALL_PENDING]
    protocol.tool_responses_accepted(["c1"])
    assert _phase(protocol) is P.USER_SPEAKING
    assert _feed(protocol, AUDIO, DONE) == [P.USER_SPEAKING] * 2
    protocol.activity_accepted(False)
    assert _phase(protocol) is P.ACTIVE


def test_activity_end_during_a_tool_call_releases_the_floor() -> None:
    protocol = _open()
    protocol.activity_accepted(True)
    _feed(protocol, TOOL_CALL)
    protocol.activity_accepted(False)  # not a phase transition, but the floor is released
    assert _phase(protocol) is P.TOOL_CALL_PENDING
    protocol.tool_responses_accepted(["c1"])
    assert _phase(protocol) is P.ACTIVE
    assert _feed(protocol, AUDIO) == [P.MODEL_SPEAKING]


def test_speech_detected_by_the_service_does_not_hold_the_floor() -> None:
    """The service orders its own voiceActivity and model output: nothing is in flight."""
    protocol = _open()
    start = {"voiceActivity": {"type": "ACTIVITY_START"}}
    assert _feed(protocol, start) == [P.USER_SPEAKING]
    assert _feed(protocol, AUDIO) == [P.MODEL_SPEAKING]


def test_a_lost_connection_releases_the_floor() -> None:
    protocol = _open()
    protocol.activity_accepted(True)
    decision = protocol.connection_lost(1011, "Internal error", "server", 1.0)
    assert isinstance(decision, Reconnect)
    protocol.next_setup()
    protocol.connected([ev.SetupComplete("s-1")], 2.0)
    protocol.resumed(0, 2.0)
    assert _phase(protocol) is P.ACTIVE
    assert _feed(protocol, AUDIO) == [P.MODEL_SPEAKING]
