"""The phase table: only listed pairs move the machine; everything else is not a transition."""

from __future__ import annotations

import itertools
from types import MappingProxyType

import pytest

from gemini_live.protocol.phases import (
    FLOOR_TRANSITIONS,
    TRANSITIONS,
    Phase,
    Trigger,
    next_phase,
)

P, T = Phase, Trigger
CONVERSATION = {
    P.ACTIVE,
    P.USER_SPEAKING,
    P.MODEL_SPEAKING,
    P.INTERRUPTED,
    P.TOOL_CALL_PENDING,
    P.TOOL_CALL_EXECUTING,
}

GOLDEN = [
    (P.DISCONNECTED, T.CONNECT, P.CONNECTING),
    (P.CONNECTING, T.SETUP_SENT, P.SETUP_SENT),
    (P.SETUP_SENT, T.SETUP_COMPLETE, P.ACTIVE),
    (P.ACTIVE, T.MODEL_OUTPUT, P.MODEL_SPEAKING),
    (P.MODEL_SPEAKING, T.INTERRUPTED, P.INTERRUPTED),
    (P.INTERRUPTED, T.TURN_COMPLETE, P.ACTIVE),
    (P.ACTIVE, T.USER_ACTIVITY_START, P.USER_SPEAKING),
    (P.USER_SPEAKING, T.USER_ACTIVITY_END, P.ACTIVE),
    (P.MODEL_SPEAKING, T.TOOL_CALL, P.TOOL_CALL_PENDING),
    (P.TOOL_CALL_PENDING, T.TOOL_EXECUTION_STARTED, P.TOOL_CALL_EXECUTING),
    (P.TOOL_CALL_EXECUTING, T.TOOL_RESPONSE_SENT, P.ACTIVE),
    (P.TOOL_CALL_PENDING, T.TOOL_CALL_CANCELLED, P.ACTIVE),
    (P.MODEL_SPEAKING, T.CONNECTION_LOST, P.RECONNECTING),
    (P.RECONNECTING, T.SETUP_SENT, P.SETUP_SENT),
    (P.RECONNECTING, T.CLOSED, P.DISCONNECTED),
    (P.ACTIVE, T.DISCONNECT_REQUESTED, P.DISCONNECTING),
    (P.DISCONNECTING, T.CLOSED, P.DISCONNECTED),
]

# A barge-in: the model's interruption and turn end arrive while the user is still speaking.
NOT_TRANSITIONS = [
    (P.USER_SPEAKING, T.INTERRUPTED),
    (P.USER_SPEAKING, T.TURN_COMPLETE),
]


@pytest.mark.parametrize(("phase", "trigger"), NOT_TRANSITIONS)
def test_barge_in_keeps_the_user_speaking(phase: Phase, trigger: Trigger) -> None:
    assert next_phase(phase, trigger) is None


@pytest.mark.parametrize(("phase", "trigger", "expected"), GOLDEN)
def test_golden_transitions(phase: Phase, trigger: Trigger, expected: Phase) -> None:
    assert next_phase(phase, trigger) is expected


def test_every_unlisted_pair_is_not_a_transition() -> None:
    for phase, trigger in itertools.product(Phase, Trigger):
        result = next_phase(phase, trigger)
        assert result == TRANSITIONS.get((phase, trigger))
    assert next_phase(P.DISCONNECTED, T.SETUP_COMPLETE) is None
    assert next_phase(P.DISCONNECTED, T.MODEL_OUTPUT) is None
    assert next_phase(P.CONNECTING, T.MODEL_OUTPUT) is None
    assert next_phase(P.DISCONNECTING, T.CONNECT) is None


def test_table_is_read_only() -> None:
    assert isinstance(TRANSITIONS, MappingProxyType)
    with pytest.raises(TypeError):
        TRANSITIONS[(P.DISCONNECTED, T.CONNECT)] = P.ACTIVE  # type: ignore[index]


def test_conversation_is_reachable_only_through_setup_complete() -> None:
    for (phase, trigger), target in TRANSITIONS.items():
        if target in CONVERSATION and phase not in CONVERSATION:
            assert (phase, trigger) == (P.SETUP_SENT, T.SETUP_COMPLETE)


def test_disconnected_is_only_left_by_connect() -> None:
    leaving = [(p, t) for (p, t) in TRANSITIONS if p is P.DISCONNECTED]
    assert leaving == [(P.DISCONNECTED, T.CONNECT)]


def test_every_live_phase_can_end() -> None:
    for phase in Phase:
        if phase is P.DISCONNECTED:
            continue
        assert next_phase(phase, T.CLOSED) is P.DISCONNECTED, phase
        if phase not in (P.DISCONNECTING,):
            assert next_phase(phase, T.DISCONNECT_REQUESTED) is P.DISCONNECTING, phase


def test_every_phase_is_reachable_from_disconnected() -> None:
    seen, frontier = {P.DISCONNECTED}, [P.DISCONNECTED]
    while frontier:
        current = frontier.pop()
        for (phase, _trigger), target in TRANSITIONS.items():
            if phase is current and target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(Phase)


# While the user holds the floor (explicit activityStart, no activityEnd yet): each pair, what it
# does with the floor, and what the same pair does without it. Changing either side is deliberate.
FLOOR_GOLDEN = [
    (P.USER_SPEAKING, T.MODEL_OUTPUT, P.USER_SPEAKING, P.MODEL_SPEAKING),
    (P.USER_SPEAKING, T.INTERRUPTED, P.USER_SPEAKING, None),
    (P.USER_SPEAKING, T.TURN_COMPLETE, P.USER_SPEAKING, None),
    (P.TOOL_CALL_PENDING, T.MODEL_OUTPUT, P.USER_SPEAKING, P.MODEL_SPEAKING),
    (P.TOOL_CALL_PENDING, T.INTERRUPTED, P.USER_SPEAKING, P.INTERRUPTED),
    (P.TOOL_CALL_PENDING, T.TOOL_RESPONSE_SENT, P.USER_SPEAKING, P.ACTIVE),
    (P.TOOL_CALL_PENDING, T.TOOL_CALL_CANCELLED, P.USER_SPEAKING, P.ACTIVE),
    (P.TOOL_CALL_EXECUTING, T.MODEL_OUTPUT, P.USER_SPEAKING, P.MODEL_SPEAKING),
    (P.TOOL_CALL_EXECUTING, T.INTERRUPTED, P.USER_SPEAKING, P.INTERRUPTED),
    (P.TOOL_CALL_EXECUTING, T.TOOL_RESPONSE_SENT, P.USER_SPEAKING, P.ACTIVE),
    (P.TOOL_CALL_EXECUTING, T.TOOL_CALL_CANCELLED, P.USER_SPEAKING, P.ACTIVE),
]


@pytest.mark.parametrize(("phase", "trigger", "held", "free"), FLOOR_GOLDEN)
def test_floor_golden_transitions(
    phase: Phase, trigger: Trigger, held: Phase, free: Phase | None
) -> None:
    assert next_phase(phase, trigger, user_floor=True) is held
    assert next_phase(phase, trigger) is free


def test_floor_table_is_exactly_the_golden_one_and_read_only() -> None:
    assert dict(FLOOR_TRANSITIONS) == {(p, t): held for p, t, held, _ in FLOOR_GOLDEN}
    assert isinstance(FLOOR_TRANSITIONS, MappingProxyType)


def test_outside_the_floor_table_the_floor_changes_nothing() -> None:
    for phase, trigger in itertools.product(Phase, Trigger):
        if (phase, trigger) not in FLOOR_TRANSITIONS:
            assert next_phase(phase, trigger, user_floor=True) == TRANSITIONS.get((phase, trigger))


def test_with_the_floor_only_activity_end_or_a_tool_call_leaves_user_speaking() -> None:
    leaving = {
        t
        for t in Trigger
        if next_phase(P.USER_SPEAKING, t, user_floor=True) not in (None, P.USER_SPEAKING)
    }
    assert leaving == {
        T.USER_ACTIVITY_END,
        T.TOOL_CALL,
        T.CONNECTION_LOST,
        T.DISCONNECT_REQUESTED,
        T.CLOSED,
    }
