"""The conversation layer: turn transcripts, latency metrics, stall watchdog, lost context.

Built only on a session's public read side (``session.events()``) and its writer, so it works
the same on a live session, on a recorded event stream and in tests::

    from gemini_live.conversation import Conversation, TurnRecord

    async with Conversation(session) as convo:
        writer = convo.writer()                  # sends through the session, measures input
        await writer.send_text("Hello")
        async for notice in convo.events():
            if isinstance(notice, TurnRecord):
                print(notice.lines(), notice.latency.first_output)
                break
        print(convo.metrics().latency["first_output"].p50)

:class:`ConversationTracker` is the pure core (feed it events and writer calls with their
times); :class:`Conversation` drives it from a live session, and
:func:`~gemini_live.conversation.recording.replay_recording` from the emulator's JSONL recording.
OpenTelemetry export is in :mod:`gemini_live.conversation.otel` (extra ``gemini-live[otel]``,
imported only when used); JSONL and plain-text transcripts in
:mod:`gemini_live.conversation.transcript`.
"""

from __future__ import annotations

from gemini_live.conversation.metrics import LATENCIES, LatencySummary, MetricsSnapshot
from gemini_live.conversation.monitor import (
    Conversation,
    ConversationObserver,
    NoticeStream,
    SupportsReconnect,
)
from gemini_live.conversation.policies import ContextPolicy, StallAction, StallPolicy
from gemini_live.conversation.records import (
    ContextLost,
    ConversationEvent,
    Interruption,
    ReconnectRecord,
    Stalled,
    ToolCallRecord,
    TurnLatency,
    TurnRecord,
    Utterance,
    WaitingFor,
)
from gemini_live.conversation.tracker import ConversationTracker

__all__ = [
    "LATENCIES",
    "ContextLost",
    "ContextPolicy",
    "Conversation",
    "ConversationEvent",
    "ConversationObserver",
    "ConversationTracker",
    "Interruption",
    "LatencySummary",
    "MetricsSnapshot",
    "NoticeStream",
    "ReconnectRecord",
    "StallAction",
    "StallPolicy",
    "Stalled",
    "SupportsReconnect",
    "ToolCallRecord",
    "TurnLatency",
    "TurnRecord",
    "Utterance",
    "WaitingFor",
]
