"""Which received events move the phase machine, and how: the event side of the phase tables.

:mod:`gemini_live.protocol.phases` holds the transitions (phase x trigger -> phase); this module
maps decoded server events to those triggers. It is separate because events import phases, so
phases cannot name event classes.
"""

from __future__ import annotations

from gemini_live.protocol import events as ev
from gemini_live.protocol.phases import Trigger

__all__ = ["ACTIVITY_TRIGGERS", "CONTROL_EVENTS", "EVENT_TRIGGERS"]

# ``VoiceActivity.kind`` (the service's own voice-activity messages) -> trigger.
ACTIVITY_TRIGGERS: dict[str, Trigger] = {
    "ACTIVITY_START": Trigger.USER_ACTIVITY_START,
    "ACTIVITY_END": Trigger.USER_ACTIVITY_END,
}

# Event class -> the trigger it fires (classes not listed fire none).
EVENT_TRIGGERS: dict[type, Trigger] = {
    ev.SetupComplete: Trigger.SETUP_COMPLETE,
    ev.TextDelta: Trigger.MODEL_OUTPUT,
    ev.AudioChunk: Trigger.MODEL_OUTPUT,
    ev.OutputTranscription: Trigger.MODEL_OUTPUT,
    ev.Thought: Trigger.MODEL_OUTPUT,
    ev.Interrupted: Trigger.INTERRUPTED,
    ev.TurnComplete: Trigger.TURN_COMPLETE,
    ev.ToolCall: Trigger.TOOL_CALL,
}

# Events that also change the protocol's own bookkeeping (resumption, goAway, tool calls).
CONTROL_EVENTS = frozenset({ev.ResumptionUpdate, ev.GoAway, ev.ToolCall, ev.ToolCallCancellation})
