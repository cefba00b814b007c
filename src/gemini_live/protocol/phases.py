"""The session phase state machine, as one transition table.

Rules (read the table below as the authority; this is the why):

* A phase changes only through :func:`next_phase`, which looks the pair ``(phase, trigger)`` up in
  ``TRANSITIONS``. A pair that is not in the table is not a transition: ``next_phase`` returns
  ``None`` and the caller keeps its phase. So an invalid transition cannot happen; it can only be
  ignored (and callers may count that).
* ``Disconnected`` is terminal for a session object. ``Reconnecting`` is entered on a retryable
  loss of the connection and left either to ``SetupSent`` (a new socket is open and ``setup`` was
  sent) or to ``Disconnected`` (the retry policy gave up, or the application closed).
* Conversation phases (``Active``, ``UserSpeaking``, ``ModelSpeaking``, ``Interrupted``,
  ``ToolCallPending``, ``ToolCallExecuting``) are reachable only from each other and from
  ``SetupSent`` via ``SETUP_COMPLETE``; any of them can go to ``Reconnecting`` (connection lost),
  ``Disconnecting`` (the application asked) or ``Disconnected`` (fatal close).
* ``Interrupted`` lasts until the server's ``turnComplete`` or new activity. A barge-in while
  the user speaks (the model's ``interrupted`` and ``turnComplete`` arrive during the user's
  activity) leaves the phase at ``UserSpeaking`` until the activity ends.
* The user holds the floor from an accepted ``activityStart`` (manual activity detection) until
  ``activityEnd`` (or the connection ends). While the floor is held, ``FLOOR_TRANSITIONS`` is
  consulted before ``TRANSITIONS``: model output, ``interrupted`` and ``turnComplete`` keep (or
  bring back) ``UserSpeaking``, and a tool call answered or cancelled returns to
  ``UserSpeaking``, not ``Active``. Why: the service's output already on the wire when the
  client sent ``activityStart`` arrives after it (the two directions are not ordered), and it
  must not read as the model taking the turn while the user is still talking. A ``toolCall``
  still moves to ``ToolCallPending`` (it needs an answer). After ``activityEnd`` the phase is
  ``Active`` and the model's next output is ``ModelSpeaking`` again. Speech detected by the
  service (``voiceActivity``) does not hold the floor: the service orders its own messages, so
  nothing of an earlier turn can overtake its ``ACTIVITY_START``.

This module is pure: no I/O, no clock.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "FLOOR_TRANSITIONS",
    "IDLE_PHASES",
    "NOT_LIVE_PHASES",
    "TRANSITIONS",
    "Phase",
    "Trigger",
    "next_phase",
]


class Phase(enum.Enum):
    """Where a session is: connecting, in conversation (who is speaking, tool calls), or
    reconnecting/closing. Changes only through the table in this module."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    SETUP_SENT = "setup_sent"
    ACTIVE = "active"
    USER_SPEAKING = "user_speaking"
    MODEL_SPEAKING = "model_speaking"
    INTERRUPTED = "interrupted"
    TOOL_CALL_PENDING = "tool_call_pending"
    TOOL_CALL_EXECUTING = "tool_call_executing"
    DISCONNECTING = "disconnecting"
    RECONNECTING = "reconnecting"


class Trigger(enum.Enum):
    """What can move the phase machine (an event received, a message sent, a loss)."""

    CONNECT = "connect"  # the application asked to connect
    SETUP_SENT = "setup_sent"  # the socket is open and setup went out
    SETUP_COMPLETE = "setup_complete"  # setupComplete arrived
    USER_ACTIVITY_START = "user_activity_start"  # activityStart sent / server saw speech
    USER_ACTIVITY_END = "user_activity_end"
    MODEL_OUTPUT = "model_output"  # modelTurn content or output transcription arrived
    INTERRUPTED = "interrupted"  # serverContent.interrupted
    TURN_COMPLETE = "turn_complete"  # serverContent.turnComplete
    TOOL_CALL = "tool_call"  # toolCall arrived
    TOOL_EXECUTION_STARTED = "tool_execution_started"  # the application is running the tool
    TOOL_RESPONSE_SENT = "tool_response_sent"  # toolResponse went out
    TOOL_CALL_CANCELLED = "tool_call_cancelled"  # toolCallCancellation arrived
    CONNECTION_LOST = "connection_lost"  # retryable loss: will reconnect
    DISCONNECT_REQUESTED = "disconnect_requested"  # the application called disconnect()
    CLOSED = "closed"  # the connection is gone for good (fatal, gave up, or closed cleanly)


# Phases in which the model is neither speaking nor waiting on a tool: after a goAway the
# connection may be rotated at once.
IDLE_PHASES = (Phase.ACTIVE, Phase.USER_SPEAKING)
# Phases without a working connection: a request to reconnect in one of them joins the
# reconnection under way (or the session's end).
NOT_LIVE_PHASES = frozenset(
    {
        Phase.DISCONNECTED,
        Phase.CONNECTING,
        Phase.SETUP_SENT,
        Phase.DISCONNECTING,
        Phase.RECONNECTING,
    }
)


_P = Phase
_T = Trigger

_CONVERSATION = (
    _P.ACTIVE,
    _P.USER_SPEAKING,
    _P.MODEL_SPEAKING,
    _P.INTERRUPTED,
    _P.TOOL_CALL_PENDING,
    _P.TOOL_CALL_EXECUTING,
)


def _build() -> dict[tuple[Phase, Trigger], Phase]:
    table: dict[tuple[Phase, Trigger], Phase] = {
        (_P.DISCONNECTED, _T.CONNECT): _P.CONNECTING,
        (_P.CONNECTING, _T.SETUP_SENT): _P.SETUP_SENT,
        (_P.CONNECTING, _T.CONNECTION_LOST): _P.RECONNECTING,
        (_P.CONNECTING, _T.CLOSED): _P.DISCONNECTED,
        (_P.CONNECTING, _T.DISCONNECT_REQUESTED): _P.DISCONNECTING,
        (_P.SETUP_SENT, _T.SETUP_COMPLETE): _P.ACTIVE,
        (_P.SETUP_SENT, _T.CONNECTION_LOST): _P.RECONNECTING,
        (_P.SETUP_SENT, _T.CLOSED): _P.DISCONNECTED,
        (_P.SETUP_SENT, _T.DISCONNECT_REQUESTED): _P.DISCONNECTING,
        (_P.RECONNECTING, _T.SETUP_SENT): _P.SETUP_SENT,
        (_P.RECONNECTING, _T.CLOSED): _P.DISCONNECTED,
        (_P.RECONNECTING, _T.DISCONNECT_REQUESTED): _P.DISCONNECTING,
        (_P.DISCONNECTING, _T.CLOSED): _P.DISCONNECTED,
        # Conversation.
        (_P.ACTIVE, _T.USER_ACTIVITY_START): _P.USER_SPEAKING,
        (_P.ACTIVE, _T.MODEL_OUTPUT): _P.MODEL_SPEAKING,
        (_P.ACTIVE, _T.TOOL_CALL): _P.TOOL_CALL_PENDING,
        (_P.USER_SPEAKING, _T.USER_ACTIVITY_END): _P.ACTIVE,
        (_P.USER_SPEAKING, _T.MODEL_OUTPUT): _P.MODEL_SPEAKING,
        (_P.USER_SPEAKING, _T.TOOL_CALL): _P.TOOL_CALL_PENDING,
        (_P.MODEL_SPEAKING, _T.TURN_COMPLETE): _P.ACTIVE,
        (_P.MODEL_SPEAKING, _T.INTERRUPTED): _P.INTERRUPTED,
        (_P.MODEL_SPEAKING, _T.USER_ACTIVITY_START): _P.USER_SPEAKING,
        (_P.MODEL_SPEAKING, _T.TOOL_CALL): _P.TOOL_CALL_PENDING,
        (_P.INTERRUPTED, _T.TURN_COMPLETE): _P.ACTIVE,
        (_P.INTERRUPTED, _T.USER_ACTIVITY_START): _P.USER_SPEAKING,
        (_P.INTERRUPTED, _T.MODEL_OUTPUT): _P.MODEL_SPEAKING,
        (_P.ACTIVE, _T.INTERRUPTED): _P.INTERRUPTED,
        (_P.TOOL_CALL_PENDING, _T.TOOL_EXECUTION_STARTED): _P.TOOL_CALL_EXECUTING,
        (_P.TOOL_CALL_PENDING, _T.TOOL_RESPONSE_SENT): _P.ACTIVE,
        (_P.TOOL_CALL_PENDING, _T.TOOL_CALL_CANCELLED): _P.ACTIVE,
        (_P.TOOL_CALL_PENDING, _T.INTERRUPTED): _P.INTERRUPTED,
        (_P.TOOL_CALL_PENDING, _T.MODEL_OUTPUT): _P.MODEL_SPEAKING,
        (_P.TOOL_CALL_EXECUTING, _T.TOOL_RESPONSE_SENT): _P.ACTIVE,
        (_P.TOOL_CALL_EXECUTING, _T.TOOL_CALL_CANCELLED): _P.ACTIVE,
        (_P.TOOL_CALL_EXECUTING, _T.INTERRUPTED): _P.INTERRUPTED,
        (_P.TOOL_CALL_EXECUTING, _T.MODEL_OUTPUT): _P.MODEL_SPEAKING,
    }
    for phase in _CONVERSATION:
        table[(phase, _T.CONNECTION_LOST)] = _P.RECONNECTING
        table[(phase, _T.DISCONNECT_REQUESTED)] = _P.DISCONNECTING
        table[(phase, _T.CLOSED)] = _P.DISCONNECTED
    return table


TRANSITIONS: Mapping[tuple[Phase, Trigger], Phase] = MappingProxyType(_build())


def _build_floor() -> dict[tuple[Phase, Trigger], Phase]:
    # Model output cannot take the turn from a user who holds the floor; what would have
    # ended the model's turn (or a tool call) gives the floor back to the user.
    table = {
        (_P.USER_SPEAKING, _T.MODEL_OUTPUT): _P.USER_SPEAKING,
        (_P.USER_SPEAKING, _T.INTERRUPTED): _P.USER_SPEAKING,
        (_P.USER_SPEAKING, _T.TURN_COMPLETE): _P.USER_SPEAKING,
    }
    for phase in (_P.TOOL_CALL_PENDING, _P.TOOL_CALL_EXECUTING):
        for trigger in (
            _T.MODEL_OUTPUT,
            _T.INTERRUPTED,
            _T.TOOL_RESPONSE_SENT,
            _T.TOOL_CALL_CANCELLED,
        ):
            table[(phase, trigger)] = _P.USER_SPEAKING
    return table


FLOOR_TRANSITIONS: Mapping[tuple[Phase, Trigger], Phase] = MappingProxyType(_build_floor())


def next_phase(phase: Phase, trigger: Trigger, *, user_floor: bool = False) -> Phase | None:
    """The phase after ``trigger`` in ``phase``, or ``None`` if the pair is not a transition.

    ``user_floor``: the user holds the floor (an explicit ``activityStart`` not yet ended);
    ``FLOOR_TRANSITIONS`` then takes precedence over ``TRANSITIONS``.
    """
    if user_floor:
        held = FLOOR_TRANSITIONS.get((phase, trigger))
        if held is not None:
            return held
    return TRANSITIONS.get((phase, trigger))
